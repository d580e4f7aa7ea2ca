//! How many bytes a cleanup really frees: only blobs that no surviving manifest still
//! reaches, within the scope where the registry shares storage. The naive figure (the plain
//! sum of image sizes) is kept beside it so the difference is visible.

use super::graph::{digest_hex, hex_key, FoldMap, Graph};
use crate::model::{Digest, Image};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

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

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReclaimEstimate {
    pub naive_bytes: u64,
    pub reclaimed_bytes: u64,
    /// `blobs` (exact) or a sentence saying what the fallback was and which way it errs.
    pub method: String,
    /// Removed images whose size the registry did not report (not counted).
    pub unknown_sizes: usize,
    /// Blobs the removal would free that manifests declare with different sizes, with
    /// every size declared: their size is unknown, so `reclaimed_bytes` leaves them out.
    pub size_conflicts: Vec<(Digest, Vec<u64>)>,
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
    // Records without a blob list, per repository: one pass for both figures.
    let mut no_blobs = vec![0usize; g.repos.len()];
    for (i, im) in images.iter().enumerate() {
        if removed[i] {
            any_removed = true;
            match im.size_bytes {
                Some(s) => naive = naive.saturating_add(s),
                None => unknown += 1,
            }
        }
        if im.blobs.is_none() {
            no_blobs[g.repo[i] as usize] += 1;
        }
    }
    if !any_removed {
        return ReclaimEstimate {
            naive_bytes: 0,
            reclaimed_bytes: 0,
            method: "blobs (nothing removed)".into(),
            unknown_sizes: 0,
            size_conflicts: Vec::new(),
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
    let missing: usize = no_blobs
        .iter()
        .zip(&repo_relevant)
        .filter(|(_, &relevant)| relevant)
        .map(|(n, _)| n)
        .sum();
    if missing > 0 {
        return fallback(images, removed, naive, unknown, missing);
    }
    let (reclaimed, conflicts) = exact_reclaim(images, g, removed, scope, &repo_relevant);
    let size_conflicts = if conflicts > 0 {
        freed_size_conflicts(images, g, removed, scope, &repo_relevant)
    } else {
        Vec::new()
    };
    let mut method = "blobs: exact, from each manifest's blob list".to_string();
    if !size_conflicts.is_empty() {
        method.push_str(&format!(
            "; {} {} declared with different sizes and {} left out (the size is unknown)",
            crate::text::count(size_conflicts.len(), "freed blob"),
            crate::text::plural(size_conflicts.len(), "is", "are"),
            crate::text::plural(size_conflicts.len(), "is", "are")
        ));
    }
    ReclaimEstimate {
        naive_bytes: naive,
        reclaimed_bytes: reclaimed,
        method,
        unknown_sizes: unknown,
        size_conflicts,
    }
}

/// One blob reference: its key (blob digest, with the repository mixed in for
/// per-repository storage) and its size with the top bit saying "reached by a removed
/// manifest".
type Entry = (u64, u64);
const GONE: u64 = 1 << 63;
/// The bits of an entry that hold a size (declared sizes stop at 2^53).
const SIZE: u64 = (1 << 61) - 1;
/// Blob references are spread over this many partitions by the top bits of their key, so
/// each partition's table stays in cache.
const PARTITIONS: usize = 256;

/// Sums the blobs that removed manifests reach and no surviving manifest does, leaving
/// out (and counting) those declared with different sizes.
///
/// A million images hold a few million blob references; one hash table over all of them
/// would miss the cache on nearly every probe. Instead each reference is appended to one
/// of [`PARTITIONS`] lists by the top bits of its (uniformly distributed) digest, and each
/// list is then settled with a small table that stays in cache. Both passes split across
/// two threads. Keys are 64 bits of the digest plus the 8 partition bits; for content
/// digests a collision is not a practical concern.
fn exact_reclaim(
    images: &[Image],
    g: &Graph,
    removed: &[bool],
    scope: ReclaimScope,
    repo_relevant: &[bool],
) -> (u64, usize) {
    let threads = if images.len() >= 50_000 { 2 } else { 1 };
    let chunk = images.len().div_ceil(threads).max(1);
    let parts: Vec<Vec<Vec<Entry>>> = std::thread::scope(|s| {
        let handles: Vec<_> = images
            .chunks(chunk)
            .enumerate()
            .map(|(c, slice)| {
                s.spawn(move || {
                    let base = c * chunk;
                    // Room for about four references per image; lists grow past that.
                    let mut out: Vec<Vec<Entry>> = (0..PARTITIONS)
                        .map(|_| Vec::with_capacity(slice.len() * 4 / PARTITIONS + 16))
                        .collect();
                    for (j, im) in slice.iter().enumerate() {
                        let i = base + j;
                        let r = g.repo[i];
                        if !repo_relevant[r as usize] {
                            continue;
                        }
                        let mix = match scope {
                            ReclaimScope::Registry => 0,
                            // Per-repository storage: the same blob in two repositories is
                            // two blobs.
                            ReclaimScope::Repository => (r as u128 + 1)
                                .wrapping_mul(0x9E37_79B9_7F4A_7C15_F39C_C060_5CED_C835),
                        };
                        let gone = if removed[i] { GONE } else { 0 };
                        // Manifest bytes are left out on purpose: `size_bytes` (the naive
                        // figure) counts config and layer blobs only, and the two figures
                        // must measure the same thing.
                        for b in im.blobs.as_deref().unwrap_or_default() {
                            // 72 bits of the digest: 8 choose the partition, 64 the key.
                            let k = (hex_key(&digest_hex(&b.digest)[..18]) << 56) ^ mix;
                            let p = (k >> 120) as usize;
                            out[p].push(((k >> 56) as u64, (b.size & SIZE) | gone));
                        }
                    }
                    out
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("reclaim scan"))
            .collect()
    });
    let settle = |range: std::ops::Range<usize>| {
        // key -> size with GONE, plus whether a survivor reaches it and whether two sizes
        // were declared (bits 62 and 61 are never a real size: sizes stop at 2^53).
        const ALIVE: u64 = 1 << 62;
        const CONFLICT: u64 = 1 << 61;
        let mut table: FoldMap<u64, u64> = FoldMap::default();
        let mut sum = 0u64;
        let mut conflicts = 0usize;
        for p in range {
            table.clear();
            for list in &parts {
                for &(k, v) in &list[p] {
                    let flag = if v & GONE != 0 { GONE } else { ALIVE };
                    let e = table.entry(k).or_insert(v & SIZE);
                    if *e & SIZE != v & SIZE {
                        *e |= CONFLICT;
                    }
                    *e |= flag;
                }
            }
            let freed = || table.values().filter(|&&v| v & GONE != 0 && v & ALIVE == 0);
            conflicts += freed().filter(|&&v| v & CONFLICT != 0).count();
            sum = sum.saturating_add(crate::model::saturating_sum(
                freed().filter(|&&v| v & CONFLICT == 0).map(|&v| v & SIZE),
            ));
        }
        (sum, conflicts)
    };
    if threads == 1 {
        return settle(0..PARTITIONS);
    }
    std::thread::scope(|s| {
        let h = s.spawn(|| settle(PARTITIONS / 2..PARTITIONS));
        let (a, ca) = settle(0..PARTITIONS / 2);
        let (b, cb) = h.join().expect("reclaim settle");
        (a.saturating_add(b), ca + cb)
    })
}

/// The freed blobs declared with different sizes, by digest (the rare path, taken only
/// when [`exact_reclaim`] counted some): a plain map over the relevant blob lists.
fn freed_size_conflicts(
    images: &[Image],
    g: &Graph,
    removed: &[bool],
    scope: ReclaimScope,
    repo_relevant: &[bool],
) -> Vec<(Digest, Vec<u64>)> {
    // (repository under per-repository storage, blob) -> (sizes, gone, alive)
    type Seen = (BTreeSet<u64>, bool, bool);
    let mut seen: BTreeMap<(Option<u32>, &Digest), Seen> = BTreeMap::new();
    for (i, im) in images.iter().enumerate() {
        let r = g.repo[i];
        if !repo_relevant[r as usize] {
            continue;
        }
        let place = (scope == ReclaimScope::Repository).then_some(r);
        for b in im.blobs.as_deref().unwrap_or_default() {
            let e = seen.entry((place, &b.digest)).or_default();
            e.0.insert(b.size);
            if removed[i] {
                e.1 = true;
            } else {
                e.2 = true;
            }
        }
    }
    let mut out: Vec<(Digest, Vec<u64>)> = seen
        .into_iter()
        .filter(|(_, (sizes, gone, alive))| sizes.len() > 1 && *gone && !*alive)
        .map(|((_, d), (sizes, _, _))| (d.clone(), sizes.into_iter().collect()))
        .collect();
    out.sort();
    out.dedup();
    out
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
                (Some(u), Some(s)) => reclaimed = reclaimed.saturating_add(u.min(s)),
                _ => no_unique += 1,
            }
        }
    }
    let mut method = format!(
        "approximate: blob lists are missing for {}, so reclaimed is the sum of each removed image's unique bytes (a lower bound where removed images share blobs among themselves; per-repository uniqueness)",
        crate::text::count(missing, "image")
    );
    if no_unique > 0 {
        method.push_str(&format!(
            "; {} {} no unique size and {} as 0",
            crate::text::count(no_unique, "removed image"),
            crate::text::plural(no_unique, "has", "have"),
            crate::text::plural(no_unique, "counts", "count")
        ));
    }
    ReclaimEstimate {
        naive_bytes: naive,
        reclaimed_bytes: reclaimed,
        method,
        unknown_sizes: unknown,
        size_conflicts: Vec::new(),
    }
}
