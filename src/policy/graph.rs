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
    hex_key(d.hex().as_bytes())
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

/// Digest keys of every image, on two threads for large inventories (pure, no order).
fn keys_of(images: &[Image]) -> Vec<u128> {
    let one = |s: &[Image]| {
        s.iter()
            .map(|im| digest_key(&im.digest))
            .collect::<Vec<_>>()
    };
    if images.len() < 100_000 {
        return one(images);
    }
    let (a, b) = images.split_at(images.len() / 2);
    std::thread::scope(|s| {
        let h = s.spawn(|| one(b));
        let mut k = one(a);
        k.extend(h.join().expect("digest keys"));
        k
    })
}

impl Graph {
    pub fn build(images: &[Image]) -> Graph {
        let n = images.len();
        let mut g = Graph {
            repo: Vec::with_capacity(n),
            keys: keys_of(images),
            subject: vec![NONE; n],
            ..Default::default()
        };
        // Only digests something refers to (children, subjects) need a lookup entry; keying
        // every record would cost a million-entry map for a few thousand edges.
        let mut wanted: FoldMap<u128, ()> = FoldMap::default();
        for im in images {
            for c in &im.children {
                wanted.insert(digest_key(c), ());
            }
            if let Some(sub) = &im.subject {
                wanted.insert(digest_key(sub), ());
            }
        }
        let mut ids: HashMap<&str, u32> = HashMap::new();
        let mut last: Option<(&str, u32)> = None;
        for (i, im) in images.iter().enumerate() {
            let id = match last {
                Some((name, id)) if name == im.repository => id,
                _ => {
                    let next = ids.len() as u32;
                    let id = *ids.entry(im.repository.as_str()).or_insert_with(|| {
                        g.repos.push(im.repository.clone());
                        next
                    });
                    last = Some((im.repository.as_str(), id));
                    id
                }
            };
            g.repo.push(id);
            if !wanted.is_empty() && wanted.contains_key(&g.keys[i]) {
                g.by_key.insert((id, g.keys[i]), i as u32);
            }
        }
        let mut child_parent: Vec<(u32, u32)> = Vec::new();
        let mut subject_referrer: Vec<(u32, u32)> = Vec::new();
        if !wanted.is_empty() {
            for (i, im) in images.iter().enumerate() {
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
        let pairs: Vec<(u32, u32)> = g
            .repo
            .iter()
            .enumerate()
            .map(|(i, &r)| (r, i as u32))
            .collect();
        let groups = Adjacency::from_pairs(g.repos.len(), &pairs);
        g.group_start = groups.start;
        g.group_list = groups.list;
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
