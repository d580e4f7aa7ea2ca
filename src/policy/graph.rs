//! The manifest graph of an inventory, per repository: which index references which
//! manifest, which referrer points at which subject. Built once per evaluation with
//! integer ids and flat (CSR) adjacency so a million records stay fast: no per-image
//! allocation, and the few images that have a parent or a subject are listed apart so
//! protection passes never walk the whole inventory.

use crate::model::{Digest, Image};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

const fn hex_table() -> [u8; 256] {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 10 {
        t[b'0' as usize + i] = i as u8;
        i += 1;
    }
    let mut i = 0;
    while i < 6 {
        t[b'a' as usize + i] = 10 + i as u8;
        t[b'A' as usize + i] = 10 + i as u8;
        i += 1;
    }
    t
}
static HEX: [u8; 256] = hex_table();

/// 128 bits of a digest's hex: collision-free in practice for content digests, and
/// already uniformly distributed, so it needs no further hashing.
pub fn digest_key(d: &Digest) -> u128 {
    hex_key(digest_hex(d))
}

/// The hex part of a digest, without a search for the `:` in the common `sha256:` case
/// (this runs a few million times per plan).
pub fn digest_hex(d: &Digest) -> &[u8] {
    let b = d.as_str().as_bytes();
    if b.len() > 7 && b[6] == b':' {
        &b[7..]
    } else {
        d.hex().as_bytes()
    }
}

/// The first 32 hex digits of `hex` as a number (fewer digits: what there is).
pub fn hex_key(hex: &[u8]) -> u128 {
    let mut k: u128 = 0;
    for &b in hex.iter().take(32) {
        k = (k << 4) | HEX[b as usize] as u128;
    }
    k
}

/// A hasher for keys that are already random (digest prefixes); it only folds bits.
#[derive(Default, Clone, Copy)]
pub struct FoldHasher(u64);

impl Hasher for FoldHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut b = [0u8; 8];
            b[..chunk.len()].copy_from_slice(chunk);
            self.0 = (self.0.rotate_left(23) ^ u64::from_le_bytes(b))
                .wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }
    fn write_u32(&mut self, n: u32) {
        self.0 = (self.0 ^ n as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
    fn write_u64(&mut self, n: u64) {
        self.0 ^= n;
    }
    fn write_u128(&mut self, n: u128) {
        self.0 ^= (n as u64) ^ ((n >> 64) as u64);
    }
}

pub type FoldMap<K, V> = HashMap<K, V, BuildHasherDefault<FoldHasher>>;

pub const NONE: u32 = u32::MAX;

/// Adjacency lists for all images in one flat array: `list[start[i]..start[i + 1]]`.
/// Empty (no `start`) when the inventory has no such edge at all.
#[derive(Debug, Default)]
pub struct Adjacency {
    start: Vec<u32>,
    list: Vec<u32>,
}

impl Adjacency {
    /// From `(from, to)` pairs over `n` images; each list keeps the pairs' order.
    fn from_pairs(n: usize, pairs: &[(u32, u32)]) -> Adjacency {
        if pairs.is_empty() {
            return Adjacency::default();
        }
        let mut start = vec![0u32; n + 1];
        for &(from, _) in pairs {
            start[from as usize + 1] += 1;
        }
        for i in 0..n {
            start[i + 1] += start[i];
        }
        let mut fill = start.clone();
        let mut list = vec![0u32; pairs.len()];
        for &(from, to) in pairs {
            list[fill[from as usize] as usize] = to;
            fill[from as usize] += 1;
        }
        Adjacency { start, list }
    }

    pub fn of(&self, i: usize) -> &[u32] {
        if self.start.is_empty() {
            return &[];
        }
        &self.list[self.start[i] as usize..self.start[i + 1] as usize]
    }
}

#[derive(Debug, Default)]
pub struct Graph {
    /// Repository id per image (index into `repos`).
    pub repo: Vec<u32>,
    pub repos: Vec<String>,
    /// Digest key per image.
    pub keys: Vec<u128>,
    /// (repository id, digest key) -> image index, for referenced digests only.
    pub by_key: FoldMap<(u32, u128), u32>,
    /// Image index -> indexes in the same repository that list it as a child.
    parents: Adjacency,
    /// Image index -> its subject's image index, when the subject is in the inventory.
    pub subject: Vec<u32>,
    /// Image index -> referrers in the inventory.
    referrers: Adjacency,
    /// Images that have a parent or a subject in the inventory, ascending: the only ones
    /// a surviving index or subject can protect, or a removed one can take along.
    pub linked: Vec<u32>,
    /// Children an index lists that the inventory does not hold: (index, child digest).
    pub missing_children: Vec<(u32, Digest)>,
    /// Image indexes grouped by repository: `group_list[group_start[r]..group_start[r+1]]`.
    group_start: Vec<u32>,
    group_list: Vec<u32>,
}

/// What one pass over a slice of the records finds: repository names in order of first
/// appearance (ids local to the slice), images per repository, and the records that
/// refer to others (children, subject). Keys and local repository ids go straight into
/// the caller's slices.
struct Scan<'a> {
    names: Vec<&'a str>,
    count: Vec<u32>,
    referring: Vec<u32>,
}

fn scan<'a>(images: &'a [Image], base: usize, keys: &mut [u128], repo: &mut [u32]) -> Scan<'a> {
    let mut out = Scan {
        names: Vec::new(),
        count: Vec::new(),
        referring: Vec::new(),
    };
    let mut ids: HashMap<&str, u32> = HashMap::new();
    let mut last: Option<(&str, u32)> = None;
    for (j, im) in images.iter().enumerate() {
        keys[j] = digest_key(&im.digest);
        let id = match last {
            Some((name, id)) if name == im.repository => id,
            _ => {
                let next = ids.len() as u32;
                let id = *ids.entry(im.repository.as_str()).or_insert_with(|| {
                    out.names.push(im.repository.as_str());
                    out.count.push(0);
                    next
                });
                last = Some((im.repository.as_str(), id));
                id
            }
        };
        repo[j] = id;
        out.count[id as usize] += 1;
        if !im.children.is_empty() || im.subject.is_some() {
            out.referring.push((base + j) as u32);
        }
    }
    out
}

impl Graph {
    pub fn build(images: &[Image]) -> Graph {
        let n = images.len();
        let mut g = Graph {
            repo: vec![0; n],
            keys: vec![0; n],
            subject: vec![NONE; n],
            ..Default::default()
        };
        // One pass over the records, in two halves on two threads for large inventories;
        // the second half's repository ids are then mapped onto the first's.
        let cut = if n >= 100_000 { n / 2 } else { n };
        let (k1, k2) = g.keys.split_at_mut(cut);
        let (r1, r2) = g.repo.split_at_mut(cut);
        let (first, second) = std::thread::scope(|s| {
            let later = (cut < n).then(|| s.spawn(|| scan(&images[cut..], cut, k2, r2)));
            let first = scan(&images[..cut], 0, k1, r1);
            (first, later.map(|h| h.join().expect("graph scan")))
        });
        let mut ids: HashMap<&str, u32> = HashMap::new();
        let mut count = first.count;
        for name in &first.names {
            ids.insert(name, g.repos.len() as u32);
            g.repos.push(name.to_string());
        }
        let mut referring = first.referring;
        if let Some(second) = second {
            let map: Vec<u32> = second
                .names
                .iter()
                .zip(&second.count)
                .map(|(name, &c)| {
                    let id = *ids.entry(name).or_insert_with(|| {
                        g.repos.push(name.to_string());
                        count.push(0);
                        (g.repos.len() - 1) as u32
                    });
                    count[id as usize] += c;
                    id
                })
                .collect();
            for r in &mut g.repo[cut..] {
                *r = map[*r as usize];
            }
            referring.extend(second.referring);
        }
        // Only digests something refers to (children, subjects) need a lookup entry; keying
        // every record would cost a million-entry map for a few thousand edges.
        let mut wanted: FoldMap<u128, ()> = FoldMap::default();
        for &i in &referring {
            let im = &images[i as usize];
            for c in &im.children {
                wanted.insert(digest_key(c), ());
            }
            if let Some(sub) = &im.subject {
                wanted.insert(digest_key(sub), ());
            }
        }
        if !wanted.is_empty() {
            for (i, (&k, &r)) in g.keys.iter().zip(&g.repo).enumerate() {
                if wanted.contains_key(&k) {
                    g.by_key.insert((r, k), i as u32);
                }
            }
        }
        let mut child_parent: Vec<(u32, u32)> = Vec::new();
        let mut subject_referrer: Vec<(u32, u32)> = Vec::new();
        {
            for &i in &referring {
                let i = i as usize;
                let im = &images[i];
                let r = g.repo[i];
                for c in &im.children {
                    match g.by_key.get(&(r, digest_key(c))) {
                        Some(&ci) => child_parent.push((ci, i as u32)),
                        None => g.missing_children.push((i as u32, c.clone())),
                    }
                }
                if let Some(s) = &im.subject {
                    if let Some(&si) = g.by_key.get(&(r, digest_key(s))) {
                        g.subject[i] = si;
                        subject_referrer.push((si, i as u32));
                    }
                }
            }
        }
        g.linked = child_parent
            .iter()
            .map(|&(c, _)| c)
            .chain(subject_referrer.iter().map(|&(_, r)| r))
            .collect();
        g.linked.sort_unstable();
        g.linked.dedup();
        g.parents = Adjacency::from_pairs(n, &child_parent);
        g.referrers = Adjacency::from_pairs(n, &subject_referrer);
        // Groups: a counting sort of image indexes by repository, inventory order kept.
        let mut start = vec![0u32; count.len() + 1];
        for (r, c) in count.iter().enumerate() {
            start[r + 1] = start[r] + c;
        }
        let mut fill = start.clone();
        let mut list = vec![0u32; n];
        for (i, &r) in g.repo.iter().enumerate() {
            list[fill[r as usize] as usize] = i as u32;
            fill[r as usize] += 1;
        }
        g.group_start = start;
        g.group_list = list;
        g
    }

    /// The indexes in the same repository that list image `i` as a child.
    pub fn parents(&self, i: usize) -> &[u32] {
        self.parents.of(i)
    }

    /// The referrers of image `i` in the inventory.
    pub fn referrers(&self, i: usize) -> &[u32] {
        self.referrers.of(i)
    }

    /// The image `d` names in repository `repo`, for digests some record refers to
    /// (children and subjects); other digests are not indexed.
    pub fn lookup(&self, repo: u32, d: &Digest) -> Option<usize> {
        self.by_key.get(&(repo, digest_key(d))).map(|&i| i as usize)
    }

    pub fn repo_id(&self, name: &str) -> Option<u32> {
        self.repos.iter().position(|r| r == name).map(|i| i as u32)
    }

    /// The images of repository `r`, in inventory order.
    pub fn group(&self, r: usize) -> &[u32] {
        if self.group_start.is_empty() {
            return &[];
        }
        &self.group_list[self.group_start[r] as usize..self.group_start[r + 1] as usize]
    }

    /// Image indexes grouped by repository, each group in inventory order.
    pub fn groups(&self) -> Vec<Vec<u32>> {
        (0..self.repos.len())
            .map(|r| self.group(r).to_vec())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ImageKind;

    /// Large inventories are scanned in two halves: repository ids must still be in order
    /// of first appearance, groups complete and in inventory order, edges across the cut.
    #[test]
    fn two_half_scan_matches_first_appearance_order() {
        let n = 120_000;
        let repo_of = |i: usize| match i {
            i if i < 60_000 => format!("r{}", i % 3),
            // The second half revisits r1 and introduces r9 then r7.
            i if i % 2 == 0 => "r1".to_string(),
            i if i < 90_000 => "r9".to_string(),
            _ => "r7".to_string(),
        };
        let mut images: Vec<Image> = (0..n)
            .map(|i| {
                Image::new(
                    &repo_of(i),
                    Digest::sha256_of(format!("g{i}").as_bytes()),
                    "application/vnd.oci.image.manifest.v1+json",
                    ImageKind::Image,
                )
            })
            .collect();
        // An index in the first half (r1) whose children lie in the second half (r1).
        images[1].kind = ImageKind::Index;
        images[1].children = vec![images[60_000].digest.clone(), images[60_002].digest.clone()];
        let g = Graph::build(&images);
        assert_eq!(g.repos, ["r0", "r1", "r2", "r9", "r7"]);
        for (i, im) in images.iter().enumerate() {
            assert_eq!(g.repos[g.repo[i] as usize], im.repository, "image {i}");
            assert_eq!(g.keys[i], digest_key(&im.digest));
        }
        let total: usize = (0..g.repos.len()).map(|r| g.group(r).len()).sum();
        assert_eq!(total, n);
        for r in 0..g.repos.len() {
            let grp = g.group(r);
            assert!(grp.windows(2).all(|w| w[0] < w[1]), "group {r} in order");
            assert!(grp.iter().all(|&i| g.repo[i as usize] == r as u32));
        }
        assert_eq!(g.parents(60_000), [1]);
        assert_eq!(g.parents(60_002), [1]);
        assert_eq!(g.linked, [60_000, 60_002]);
    }
}
