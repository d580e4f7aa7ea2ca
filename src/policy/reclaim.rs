//! How many bytes a cleanup really frees: only blobs that no surviving manifest still
//! reaches, within the scope where the registry shares storage. The naive figure (the plain
//! sum of image sizes) is kept beside it so the difference is visible.

use super::graph::{digest_key, FoldMap, Graph};
use crate::model::Image;
use serde::{Deserialize, Serialize};

/// Where a registry shares blob storage between manifests.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReclaimScope {
    /// One blob store for the whole registry (distribution's global store, garbage
    /// collected across repositories).
    Registry,
    /// Each repository holds its own blobs (an OCI layout directory; the conservative
    /// choice where sharing is not documented).
    Repository,
}

impl ReclaimScope {
    pub fn as_str(self) -> &'static str {
        match self {
            ReclaimScope::Registry => "registry",
            ReclaimScope::Repository => "repository",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReclaimEstimate {
    pub naive_bytes: u64,
    pub reclaimed_bytes: u64,
    /// `blobs` (exact) or a sentence saying what the fallback was and which way it errs.
    pub method: String,
    /// Removed images whose size the registry did not report (not counted).
    pub unknown_sizes: usize,
}

/// Computes the estimate; `removed[i]` says whether image `i` leaves the registry.
pub fn estimate(
    images: &[Image],
    g: &Graph,
    removed: &[bool],
    scope: ReclaimScope,
) -> ReclaimEstimate {
    let mut naive = 0u64;
    let mut unknown = 0usize;
    let mut any_removed = false;
    for (i, im) in images.iter().enumerate() {
        if removed[i] {
            any_removed = true;
            match im.size_bytes {
                Some(s) => naive += s,
                None => unknown += 1,
            }
        }
    }
    if !any_removed {
        return ReclaimEstimate {
            naive_bytes: 0,
            reclaimed_bytes: 0,
            method: "blobs (nothing removed)".into(),
            unknown_sizes: 0,
        };
    }
    // Which repositories matter: with per-repository storage only those losing something.
    let mut repo_relevant = vec![scope == ReclaimScope::Registry; g.repos.len()];
    if scope == ReclaimScope::Repository {
        for (i, &r) in removed.iter().enumerate() {
            if r {
                repo_relevant[g.repo[i] as usize] = true;
            }
        }
    }
    let missing = images
        .iter()
        .enumerate()
        .filter(|(i, im)| repo_relevant[g.repo[*i] as usize] && im.blobs.is_none())
        .count();
    if missing > 0 {
        return fallback(images, removed, naive, unknown, missing);
    }
    // blob -> (size, still reached by a survivor, reached by a removed manifest)
    let mut blobs: FoldMap<(u32, u128), (u64, bool, bool)> = FoldMap::default();
    blobs.reserve(images.len());
    for (i, im) in images.iter().enumerate() {
        let r = g.repo[i];
        if !repo_relevant[r as usize] {
            continue;
        }
        let space = if scope == ReclaimScope::Registry {
            0
        } else {
            r
        };
        let gone = removed[i];
        let mut note = |key: u128, size: u64| {
            let e = blobs.entry((space, key)).or_insert((size, false, false));
            if gone {
                e.2 = true;
            } else {
                e.1 = true;
            }
        };
        // Manifest bytes are left out on purpose: `size_bytes` (the naive figure) counts
        // config and layer blobs only, and the two figures must measure the same thing.
        for b in im.blobs.as_deref().unwrap_or_default() {
            note(digest_key(&b.digest), b.size);
        }
    }
    let reclaimed: u64 = blobs
        .values()
        .filter(|(_, alive, gone)| *gone && !*alive)
        .map(|(s, _, _)| *s)
        .sum();
    ReclaimEstimate {
        naive_bytes: naive,
        reclaimed_bytes: reclaimed,
        method: "blobs: exact, from each manifest's blob list".into(),
        unknown_sizes: unknown,
    }
}

fn fallback(
    images: &[Image],
    removed: &[bool],
    naive: u64,
    unknown: usize,
    missing: usize,
) -> ReclaimEstimate {
    let mut reclaimed = 0u64;
    let mut no_unique = 0usize;
    for (i, im) in images.iter().enumerate() {
        if removed[i] {
            match (im.unique_bytes, im.size_bytes) {
                (Some(u), Some(s)) => reclaimed += u.min(s),
                _ => no_unique += 1,
            }
        }
    }
    let mut method = format!(
        "approximate: blob lists are missing for {missing} images, so reclaimed is the sum of each removed image's unique bytes (a lower bound where removed images share blobs among themselves; per-repository uniqueness)"
    );
    if no_unique > 0 {
        method.push_str(&format!(
            "; {no_unique} removed images have no unique size and count as 0"
        ));
    }
    ReclaimEstimate {
        naive_bytes: naive,
        reclaimed_bytes: reclaimed,
        method,
        unknown_sizes: unknown,
    }
}
