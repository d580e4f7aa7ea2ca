//! Per-repository rollups computed from inventory records.

use super::Image;
use chrono::{DateTime, Utc};
use std::collections::HashMap;

/// What the repositories pane shows for one repository.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RepositorySummary {
    pub registry: String,
    pub name: String,
    pub images: usize,
    pub tags: usize,
    /// Distinct blobs of the repository counted once; `None` if any size is unknown and
    /// no blob lists were available.
    pub total_bytes: Option<u64>,
    /// Sum of per-image unique bytes (what deleting each image alone would free).
    pub unique_bytes: Option<u64>,
    pub newest_created: Option<DateTime<Utc>>,
    pub newest_push: Option<DateTime<Utc>>,
    pub oldest_pull: Option<DateTime<Utc>>,
}

impl RepositorySummary {
    /// Rolls up the images of one repository. Shared blobs are counted once when every
    /// image carries its blob list; otherwise the total is the sum of top-level sizes of
    /// images that are not children of an index in the set (an index already includes them).
    pub fn from_images<'a>(
        registry: &str,
        name: &str,
        images: impl IntoIterator<Item = &'a Image>,
    ) -> Self {
        let images: Vec<&Image> = images.into_iter().collect();
        let mut s = RepositorySummary {
            registry: registry.to_string(),
            name: name.to_string(),
            images: images.len(),
            tags: images.iter().map(|i| i.tags.len()).sum(),
            ..Default::default()
        };
        let all_blobs_known = images.iter().all(|i| i.blobs.is_some());
        if all_blobs_known {
            let mut seen: HashMap<&str, u64> = HashMap::new();
            for b in images.iter().flat_map(|i| i.blobs.iter().flatten()) {
                seen.insert(b.digest.as_str(), b.size);
            }
            s.total_bytes = Some(seen.values().sum());
        } else {
            let children: std::collections::HashSet<_> =
                images.iter().flat_map(|i| i.children.iter()).collect();
            let mut total = Some(0u64);
            for i in images.iter().filter(|i| !children.contains(&i.digest)) {
                total = match (total, i.size_bytes) {
                    (Some(t), Some(sz)) => Some(t + sz),
                    _ => None,
                };
            }
            s.total_bytes = total;
        }
        s.unique_bytes = images
            .iter()
            .try_fold(0u64, |acc, i| i.unique_bytes.map(|u| acc + u));
        s.newest_created = images.iter().filter_map(|i| i.created_at).max();
        s.newest_push = images.iter().filter_map(|i| i.pushed_at).max();
        s.oldest_pull = images.iter().filter_map(|i| i.last_pulled_at).min();
        s
    }
}
