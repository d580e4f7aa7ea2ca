//! Per-repository rollups computed from inventory records.

use super::Image;
use chrono::{DateTime, Utc};
use std::collections::HashMap;

/// What the repositories pane shows for one repository.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RepositorySummary {
    pub registry: String,
    pub name: String,
    /// Images by the one definition (`Role::Image`): not an index's platform manifests,
    /// not signatures, attestations or other referrers.
    pub images: usize,
    pub tags: usize,
    /// Distinct blobs of the repository counted once; `None` if any size is unknown and
    /// no blob lists were available.
    pub total_bytes: Option<u64>,
    /// Sum of the unique bytes of top-level manifests (what deleting each image alone would
    /// free; an index counts with its children). Never more than `total_bytes`.
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
        let links: Vec<super::Links<'_>> = images.iter().map(|i| super::links(i)).collect();
        let roles = super::roles_in_repository(&links);
        let mut s = RepositorySummary {
            registry: registry.to_string(),
            name: name.to_string(),
            images: roles.iter().filter(|r| r.is_image()).count(),
            tags: images.iter().map(|i| i.tags.len()).sum(),
            ..Default::default()
        };
        // Children are counted through their index (its size already includes theirs);
        // referrers go with their subject (its unique bytes already include theirs, as
        // deleting it takes them), but their own sizes are bytes of their own.
        let top = || {
            images
                .iter()
                .zip(&roles)
                .filter(|(_, r)| r.is_top_level())
                .map(|(i, _)| *i)
        };
        let not_children = || {
            images
                .iter()
                .zip(&roles)
                .filter(|(_, r)| !matches!(r, super::Role::Child { .. }))
                .map(|(i, _)| *i)
        };
        if images.iter().all(|i| i.blobs.is_some()) {
            // A digest declared with two sizes has no known size: the total is unknown,
            // not whichever declaration came last.
            let mut seen: HashMap<&str, u64> = HashMap::new();
            let mut conflict = false;
            for b in images.iter().flat_map(|i| i.blobs.iter().flatten()) {
                conflict |= seen
                    .insert(b.digest.as_str(), b.size)
                    .is_some_and(|before| before != b.size);
            }
            s.total_bytes = (!conflict).then(|| super::saturating_sum(seen.values().copied()));
        } else {
            s.total_bytes =
                not_children().try_fold(0u64, |acc, i| super::add_known(Some(acc), i.size_bytes));
        }
        s.unique_bytes = top().try_fold(0u64, |acc, i| super::add_known(Some(acc), i.unique_bytes));
        s.newest_created = images.iter().filter_map(|i| i.created_at).max();
        s.newest_push = images.iter().filter_map(|i| i.pushed_at).max();
        s.oldest_pull = images.iter().filter_map(|i| i.last_pulled_at).min();
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{BlobRef, Digest, ImageKind};

    fn img(c: char, size: u64, unique: u64, blobs: &[(char, u64)], children: &[char]) -> Image {
        let d = |c: char| Digest::parse(&format!("sha256:{}", c.to_string().repeat(64))).unwrap();
        let mut i = Image::new("r", d(c), "m", ImageKind::Image);
        i.size_bytes = Some(size);
        i.unique_bytes = Some(unique);
        i.blobs = Some(
            blobs
                .iter()
                .map(|(b, s)| BlobRef {
                    digest: d(*b),
                    size: *s,
                })
                .collect(),
        );
        i.children = children.iter().map(|c| d(*c)).collect();
        i
    }

    #[test]
    fn an_index_and_its_children_are_counted_once() {
        // Index x over children a and b; a and b share base blob 1 (10) and own 2 (5) and 3 (7).
        let a = img('a', 15, 5, &[('1', 10), ('2', 5)], &[]);
        let b = img('b', 17, 7, &[('1', 10), ('3', 7)], &[]);
        let x = img('c', 22, 22, &[], &['a', 'b']);
        let s = RepositorySummary::from_images("reg", "r", [&a, &b, &x]);
        assert_eq!(s.total_bytes, Some(22));
        assert_eq!(s.images, 1, "platform manifests are the index's children");
        assert_eq!(
            s.unique_bytes,
            Some(22),
            "the index's unique already holds its children's"
        );
        assert!(s.unique_bytes <= s.total_bytes);
    }

    #[test]
    fn unknown_sizes_make_the_rollup_unknown_not_smaller() {
        let mut a = img('a', 15, 5, &[('1', 10)], &[]);
        a.blobs = None;
        a.unique_bytes = None;
        let b = img('b', 17, 7, &[('1', 10)], &[]);
        let s = RepositorySummary::from_images("reg", "r", [&a, &b]);
        assert_eq!(s.total_bytes, Some(32));
        assert_eq!(s.unique_bytes, None);
    }

    #[test]
    fn a_blob_declared_with_two_sizes_makes_the_total_unknown() {
        let a = img('a', 15, 5, &[('1', 10), ('2', 5)], &[]);
        let b = img('b', 17, 7, &[('1', 4000), ('3', 7)], &[]);
        let s = RepositorySummary::from_images("reg", "r", [&a, &b]);
        assert_eq!(s.total_bytes, None, "neither 22 nor 4012: unknown");
        let b = img('b', 17, 7, &[('1', 10), ('3', 7)], &[]);
        let s = RepositorySummary::from_images("reg", "r", [&a, &b]);
        assert_eq!(s.total_bytes, Some(22));
    }
}
