//! The manifest graph of an inventory, per repository: which index references which
//! manifest, which referrer points at which subject. Built once per evaluation with
//! integer ids so a million records stay fast.

use crate::model::{Digest, Image};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// 128 bits of a digest's hex: collision-free in practice for content digests, and
/// already uniformly distributed, so it needs no further hashing.
pub fn digest_key(d: &Digest) -> u128 {
    let hex = d.hex().as_bytes();
    let mut k: u128 = 0;
    for &b in hex.iter().take(32) {
        let v = match b {
            b'0'..=b'9' => b - b'0',
            b'a'..=b'f' => b - b'a' + 10,
            _ => 0,
        };
        k = (k << 4) | v as u128;
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
    fn write_u128(&mut self, n: u128) {
        self.0 ^= (n as u64) ^ ((n >> 64) as u64);
    }
}

pub type FoldMap<K, V> = HashMap<K, V, BuildHasherDefault<FoldHasher>>;

pub const NONE: u32 = u32::MAX;

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
    pub parents: Vec<Vec<u32>>,
    /// Image index -> its subject's image index, when the subject is in the inventory.
    pub subject: Vec<u32>,
    /// Image index -> referrers in the inventory.
    pub referrers: Vec<Vec<u32>>,
    /// Children an index lists that the inventory does not hold: (index, child digest).
    pub missing_children: Vec<(u32, Digest)>,
}

impl Graph {
    pub fn build(images: &[Image]) -> Graph {
        let n = images.len();
        let mut g = Graph {
            repo: Vec::with_capacity(n),
            keys: Vec::with_capacity(n),
            parents: vec![Vec::new(); n],
            subject: vec![NONE; n],
            referrers: vec![Vec::new(); n],
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
            let k = digest_key(&im.digest);
            g.keys.push(k);
            if !wanted.is_empty() && wanted.contains_key(&k) {
                g.by_key.insert((id, k), i as u32);
            }
        }
        for (i, im) in images.iter().enumerate() {
            let r = g.repo[i];
            for c in &im.children {
                match g.by_key.get(&(r, digest_key(c))) {
                    Some(&ci) => g.parents[ci as usize].push(i as u32),
                    None => g.missing_children.push((i as u32, c.clone())),
                }
            }
            if let Some(s) = &im.subject {
                if let Some(&si) = g.by_key.get(&(r, digest_key(s))) {
                    g.subject[i] = si;
                    g.referrers[si as usize].push(i as u32);
                }
            }
        }
        g
    }

    /// The image `d` names in repository `repo`, for digests some record refers to
    /// (children and subjects); other digests are not indexed.
    pub fn lookup(&self, repo: u32, d: &Digest) -> Option<usize> {
        self.by_key.get(&(repo, digest_key(d))).map(|&i| i as usize)
    }

    pub fn repo_id(&self, name: &str) -> Option<u32> {
        self.repos.iter().position(|r| r == name).map(|i| i as u32)
    }

    /// Image indexes grouped by repository, each group in inventory order.
    pub fn groups(&self) -> Vec<Vec<u32>> {
        let mut out = vec![Vec::new(); self.repos.len()];
        for (i, &r) in self.repo.iter().enumerate() {
            out[r as usize].push(i as u32);
        }
        out
    }
}
