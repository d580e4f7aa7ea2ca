//! The blob graph of one repository: which manifests reach which blobs, so sizes are
//! honest. `size_bytes` counts every distinct blob a manifest reaches once (an index
//! reaches its children's blobs); `unique_bytes` counts what a plan that deletes the
//! manifest alone reclaims.
//!
//! Deleting m alone removes m and what goes with it, by the plan's own rules
//! (`policy::plan`): its referrers (signatures, attestations, SBOMs follow their subject)
//! and its untagged children that no surviving index lists, and so on down. A blob is
//! freed when every manifest that lists it is removed; a blob a sibling, a tagged child
//! or an unrelated image also lists stays. A test holds the two figures equal over the
//! demo fleet and a real registry. Blobs and manifests are interned as `u32` ids so a
//! repository with thousands of images and shared base layers costs a few vectors, not a
//! string set per image.
//!
//! A digest names one blob, so two manifests declaring it with different sizes cannot
//! both be right, and nothing here can tell which is (a hostile manifest may lie to shrink
//! or swell every honest image sharing the blob). Such a blob's size is unknown: every
//! figure that would count it is `None`, never the first declaration's guess, and
//! [`BlobGraph::conflicts`] names it with every size declared so the crawl can say so.

use crate::model::Digest;
use std::collections::{BTreeMap, HashMap};

/// A manifest's id in the graph (its insertion order).
pub type NodeId = u32;
type BlobId = u32;

#[derive(Default)]
struct Node {
    blobs: Vec<BlobId>,
    children: Vec<NodeId>,
    parents: Vec<NodeId>,
    /// Manifests whose subject this is.
    referrers: Vec<NodeId>,
    /// A tagged child stays when its index goes (the tag keeps it).
    tagged: bool,
    /// False when a child could not be fetched (or this manifest's own blobs are unknown):
    /// its sizes are then unknown rather than too small.
    complete: bool,
}

/// Sizes computed for one manifest. `None` where a part of the graph is missing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NodeSizes {
    pub size_bytes: Option<u64>,
    pub unique_bytes: Option<u64>,
}

#[derive(Default)]
pub struct BlobGraph {
    blob_ids: HashMap<Digest, BlobId>,
    blob_digests: Vec<Digest>,
    /// The first size declared for each blob; not used for a conflicted blob.
    blob_sizes: Vec<u64>,
    /// Blobs declared with more than one size: every distinct size, in order seen.
    conflicts: BTreeMap<BlobId, Vec<u64>>,
    nodes: Vec<Node>,
    node_ids: HashMap<Digest, NodeId>,
}

impl BlobGraph {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds (or returns) the node for `digest`. Nodes start incomplete until
    /// [`BlobGraph::set_blobs`] is called.
    pub fn node(&mut self, digest: &Digest) -> NodeId {
        if let Some(&id) = self.node_ids.get(digest) {
            return id;
        }
        let id = self.nodes.len() as NodeId;
        self.nodes.push(Node::default());
        self.node_ids.insert(digest.clone(), id);
        id
    }

    /// Records the config and layer blobs a manifest lists itself; marks it known.
    /// A blob listed twice (or by several manifests) is interned once; a second size
    /// declared for the same digest makes it a conflict (its size unknown).
    pub fn set_blobs<'a>(
        &mut self,
        node: NodeId,
        blobs: impl IntoIterator<Item = (&'a Digest, u64)>,
    ) {
        let mut ids = Vec::new();
        for (d, size) in blobs {
            let id = match self.blob_ids.get(d) {
                Some(&id) => id,
                None => {
                    let id = self.blob_sizes.len() as BlobId;
                    self.blob_sizes.push(size);
                    self.blob_digests.push(d.clone());
                    self.blob_ids.insert(d.clone(), id);
                    id
                }
            };
            let first = self.blob_sizes[id as usize];
            if size != first {
                let sizes = self.conflicts.entry(id).or_insert_with(|| vec![first]);
                if !sizes.contains(&size) {
                    sizes.push(size);
                }
            }
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
        let n = &mut self.nodes[node as usize];
        n.blobs = ids;
        n.complete = true;
    }

    /// `parent` (an index) lists `child`.
    pub fn add_child(&mut self, parent: NodeId, child: NodeId) {
        if parent == child || self.nodes[parent as usize].children.contains(&child) {
            return;
        }
        self.nodes[parent as usize].children.push(child);
        self.nodes[child as usize].parents.push(parent);
    }

    /// `referrer` names `subject` (OCI `subject`, a cosign tag, a buildkit attestation).
    pub fn add_referrer(&mut self, subject: NodeId, referrer: NodeId) {
        if subject == referrer || self.nodes[subject as usize].referrers.contains(&referrer) {
            return;
        }
        self.nodes[subject as usize].referrers.push(referrer);
    }

    /// Whether the manifest has a tag (a tagged child does not go with its index).
    pub fn set_tagged(&mut self, node: NodeId, tagged: bool) {
        self.nodes[node as usize].tagged = tagged;
    }

    /// Blobs declared with different sizes, each with every size declared for it (in the
    /// order seen), by digest.
    pub fn conflicts(&self) -> Vec<(&Digest, &[u64])> {
        self.conflicts
            .iter()
            .map(|(&b, sizes)| (&self.blob_digests[b as usize], sizes.as_slice()))
            .collect()
    }

    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// Sizes of every node, indexed by `NodeId`.
    pub fn compute(&self) -> Vec<NodeSizes> {
        let n = self.nodes.len();
        // Stamps avoid clearing a visited set per node: a slot is "in" when it holds the
        // current generation.
        let mut seen_node = vec![0u32; n];
        let mut seen_blob = vec![0u32; self.blob_sizes.len()];
        let mut generation = 0u32;
        let mut conflicted = vec![false; self.blob_sizes.len()];
        for &b in self.conflicts.keys() {
            conflicted[b as usize] = true;
        }

        // Pass 1: every node's reach (distinct blobs) and whether it is fully known.
        let mut reach: Vec<Vec<BlobId>> = Vec::with_capacity(n);
        let mut known: Vec<bool> = Vec::with_capacity(n);
        for id in 0..n {
            generation += 1;
            let mut blobs = Vec::new();
            let mut complete = true;
            let mut stack = vec![id as NodeId];
            seen_node[id] = generation;
            while let Some(cur) = stack.pop() {
                let node = &self.nodes[cur as usize];
                complete &= node.complete;
                for &b in &node.blobs {
                    if seen_blob[b as usize] != generation {
                        seen_blob[b as usize] = generation;
                        blobs.push(b);
                    }
                }
                for &c in &node.children {
                    if seen_node[c as usize] != generation {
                        seen_node[c as usize] = generation;
                        stack.push(c);
                    }
                }
            }
            reach.push(blobs);
            known.push(complete);
        }

        // Who lists each blob itself (each node at most once per blob).
        let mut holders: Vec<Vec<NodeId>> = vec![Vec::new(); self.blob_sizes.len()];
        for (id, node) in self.nodes.iter().enumerate() {
            for &b in &node.blobs {
                holders[b as usize].push(id as NodeId);
            }
        }

        // Pass 2: unique bytes. Mark what goes with m; a blob one of them lists is freed
        // when all its holders are marked. Most shared blobs fail on their first holder.
        let mut out = Vec::with_capacity(n);
        let mut gone: Vec<NodeId> = Vec::new();
        for id in 0..n {
            if !known[id] {
                out.push(NodeSizes {
                    size_bytes: None,
                    unique_bytes: None,
                });
                continue;
            }
            generation += 1;
            gone.clear();
            self.goes_with(id as NodeId, generation, &mut seen_node, &mut gone);
            // A blob of unknown size (declared with two sizes) leaves the size unknown.
            let size = if reach[id].iter().any(|&b| conflicted[b as usize]) {
                None
            } else {
                Some(crate::model::saturating_sum(
                    reach[id].iter().map(|&b| self.blob_sizes[b as usize]),
                ))
            };
            // What goes with m must be known too, or the figure would be too small.
            if gone.iter().any(|&g| !self.nodes[g as usize].complete) {
                out.push(NodeSizes {
                    size_bytes: size,
                    unique_bytes: None,
                });
                continue;
            }
            generation += 1;
            let mut unique = Some(0u64);
            for &g in &gone {
                for &b in &self.nodes[g as usize].blobs {
                    if seen_blob[b as usize] == generation {
                        continue;
                    }
                    seen_blob[b as usize] = generation;
                    if holders[b as usize]
                        .iter()
                        .all(|&h| seen_node[h as usize] == generation - 1)
                    {
                        // Freed, but of unknown size: what deleting m frees is unknown.
                        if conflicted[b as usize] {
                            unique = None;
                        } else if let Some(u) = unique.as_mut() {
                            *u = u.saturating_add(self.blob_sizes[b as usize]);
                        }
                    }
                }
            }
            out.push(NodeSizes {
                size_bytes: size,
                unique_bytes: unique,
            });
        }
        out
    }

    /// Marks (with `generation`) and lists in `gone` what a plan deleting `start` alone
    /// removes: `start`, every referrer of a removed manifest, and every untagged child
    /// all of whose parents are removed — the followers of `policy::plan`.
    fn goes_with(&self, start: NodeId, generation: u32, seen: &mut [u32], gone: &mut Vec<NodeId>) {
        seen[start as usize] = generation;
        gone.push(start);
        // Until nothing joins: a child listed by two removed indexes joins once both are in.
        loop {
            let before = gone.len();
            let mut i = 0;
            while i < gone.len() {
                let node = &self.nodes[gone[i] as usize];
                for &r in &node.referrers {
                    if seen[r as usize] != generation {
                        seen[r as usize] = generation;
                        gone.push(r);
                    }
                }
                for &c in &node.children {
                    let child = &self.nodes[c as usize];
                    if seen[c as usize] != generation
                        && !child.tagged
                        && child
                            .parents
                            .iter()
                            .all(|&p| seen[p as usize] == generation)
                    {
                        seen[c as usize] = generation;
                        gone.push(c);
                    }
                }
                i += 1;
            }
            if gone.len() == before {
                break;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(n: u32) -> Digest {
        Digest::sha256_of(&n.to_le_bytes())
    }

    /// Builds a graph from (manifest, [(blob, size)], [children]) and returns sizes by
    /// manifest number.
    /// (manifest, [(blob, size)], [children])
    type Spec<'a> = (u32, &'a [(u32, u64)], &'a [u32]);

    fn sizes(spec: &[Spec]) -> HashMap<u32, NodeSizes> {
        let mut g = BlobGraph::new();
        let mut ids = HashMap::new();
        for (m, _, _) in spec {
            ids.insert(*m, g.node(&d(1000 + m)));
        }
        for (m, blobs, children) in spec {
            let digests: Vec<(Digest, u64)> = blobs.iter().map(|(b, s)| (d(*b), *s)).collect();
            g.set_blobs(ids[m], digests.iter().map(|(d, s)| (d, *s)));
            for c in *children {
                let cid = g.node(&d(1000 + c));
                ids.entry(*c).or_insert(cid);
                g.add_child(ids[m], cid);
            }
        }
        let out = g.compute();
        ids.iter().map(|(m, id)| (*m, out[*id as usize])).collect()
    }

    fn known(size: u64, unique: u64) -> NodeSizes {
        NodeSizes {
            size_bytes: Some(size),
            unique_bytes: Some(unique),
        }
    }

    #[test]
    fn shared_layers_count_once_and_are_not_unique() {
        // two images share base layer 1 (100 bytes); each has its own config and top layer
        let s = sizes(&[
            (1, &[(10, 5), (1, 100), (2, 20)], &[]),
            (2, &[(11, 6), (1, 100), (3, 30)], &[]),
        ]);
        assert_eq!(s[&1], known(125, 25));
        assert_eq!(s[&2], known(136, 36));
    }

    #[test]
    fn a_blob_listed_twice_in_one_manifest_counts_once() {
        let s = sizes(&[(1, &[(10, 5), (1, 100), (1, 100)], &[])]);
        assert_eq!(s[&1], known(105, 105));
    }

    #[test]
    fn index_reaches_children_and_children_are_unique_within_it() {
        // index 3 over images 1 and 2 which share layer 1; image 4 is unrelated but shares layer 2
        let s = sizes(&[
            (1, &[(10, 5), (1, 100), (2, 20)], &[]),
            (2, &[(11, 6), (1, 100), (3, 30)], &[]),
            (3, &[], &[1, 2]),
            (4, &[(12, 7), (2, 20)], &[]),
        ]);
        // the index reaches 5+100+20+6+30; layer 2 is also reached by image 4
        assert_eq!(s[&3], known(161, 141));
        // child 1: its config is unique; layer 1 is shared with sibling 2; layer 2 with image 4
        assert_eq!(s[&1], known(125, 5));
        assert_eq!(s[&2], known(136, 36));
        assert_eq!(s[&4], known(27, 7));
    }

    #[test]
    fn a_child_shared_by_two_indexes_is_unique_to_neither_index() {
        let s = sizes(&[
            (1, &[(10, 5), (1, 100)], &[]),
            (2, &[], &[1]),
            (3, &[], &[1]),
        ]);
        assert_eq!(s[&2], known(105, 0));
        assert_eq!(s[&3], known(105, 0));
        // deleting the child alone frees its blobs (both indexes break)
        assert_eq!(s[&1], known(105, 105));
    }

    #[test]
    fn missing_child_makes_sizes_unknown_not_small() {
        let mut g = BlobGraph::new();
        let idx = g.node(&d(1));
        g.set_blobs(idx, std::iter::empty());
        let child = g.node(&d(2)); // never given blobs: fetch failed
        g.add_child(idx, child);
        let out = g.compute();
        assert_eq!(out[idx as usize].size_bytes, None);
        assert_eq!(out[child as usize].unique_bytes, None);
    }

    #[test]
    fn nested_indexes_and_cycles_terminate() {
        let s = sizes(&[(1, &[(10, 5)], &[]), (2, &[], &[1]), (3, &[], &[2])]);
        assert_eq!(s[&3], known(5, 5));
        assert_eq!(s[&2], known(5, 5));
        // a (hostile) cycle must not hang
        let s = sizes(&[(1, &[(10, 5)], &[2]), (2, &[(11, 7)], &[1])]);
        assert_eq!(s[&1], known(12, 12));
    }

    /// A plan deleting an image takes its referrers (their bytes are freed with it); a
    /// tagged child stays when its index goes (its tag keeps it).
    #[test]
    fn referrers_go_with_their_subject_and_tagged_children_stay() {
        let mut g = BlobGraph::new();
        let image = g.node(&d(1));
        let sig = g.node(&d(2));
        g.set_blobs(image, [(&d(10), 100u64)]);
        g.set_blobs(sig, [(&d(11), 7u64)]);
        g.add_referrer(image, sig);
        let idx = g.node(&d(3));
        let tagged = g.node(&d(4));
        let untagged = g.node(&d(5));
        g.set_blobs(idx, std::iter::empty());
        g.set_blobs(tagged, [(&d(12), 30u64)]);
        g.set_blobs(untagged, [(&d(13), 40u64)]);
        g.add_child(idx, tagged);
        g.add_child(idx, untagged);
        g.set_tagged(tagged, true);
        let out = g.compute();
        assert_eq!(
            out[image as usize],
            known(100, 107),
            "the signature goes too"
        );
        assert_eq!(out[sig as usize], known(7, 7));
        assert_eq!(out[idx as usize], known(70, 40), "the tagged child stays");
        assert_eq!(out[tagged as usize], known(30, 30));
    }

    /// Unknown is not zero and never a guess: a digest declared with two sizes has no
    /// size, so nothing that counts it has one either, whichever declaration came first.
    #[test]
    fn a_digest_declared_with_two_sizes_is_flagged_and_counts_as_unknown() {
        for order in [[1u32, 2], [2, 1]] {
            let mut g = BlobGraph::new();
            let ids: HashMap<u32, NodeId> = [1u32, 2, 3, 4, 5]
                .iter()
                .map(|&m| (m, g.node(&d(m))))
                .collect();
            // 1 and 2 share blob 20 but declare it 100 and 4000 bytes
            for m in order {
                let declared = if m == 1 { 100u64 } else { 4000 };
                g.set_blobs(ids[&m], [(&d(10 + m), 7u64), (&d(20), declared)]);
            }
            // 3 is an index over 1; 4 is unrelated; 5 shares only 1's config blob
            g.set_blobs(ids[&3], std::iter::empty());
            g.add_child(ids[&3], ids[&1]);
            g.set_tagged(ids[&1], true);
            g.set_blobs(ids[&4], [(&d(30), 50u64)]);
            g.set_blobs(ids[&5], [(&d(11), 7u64), (&d(31), 9)]);
            let out = g.compute();
            let at = |m: u32| out[ids[&m] as usize];
            // deleting 2 alone frees blob 20 only if 1 goes too: it does not, so 2's
            // unique bytes are its own config; its size reaches the conflicted blob
            assert_eq!(
                at(2),
                NodeSizes {
                    size_bytes: None,
                    unique_bytes: Some(7)
                }
            );
            assert_eq!(at(1).size_bytes, None, "order {order:?}");
            assert_eq!(at(3).size_bytes, None, "the index reaches it too");
            assert_eq!(at(4), known(50, 50), "an unrelated image is untouched");
            assert_eq!(at(5), known(16, 9));
            let conflicts = g.conflicts();
            assert_eq!(conflicts.len(), 1);
            assert_eq!(conflicts[0].0, &d(20));
            let mut sizes = conflicts[0].1.to_vec();
            sizes.sort();
            assert_eq!(sizes, [100, 4000]);
        }
        // where deleting an image frees the conflicted blob, what it frees is unknown
        let mut g = BlobGraph::new();
        let (a, b) = (g.node(&d(1)), g.node(&d(2)));
        g.set_blobs(a, [(&d(20), 100u64)]);
        g.set_blobs(b, [(&d(21), 5u64)]);
        let idx = g.node(&d(3));
        // the same manifest cannot declare it twice: a second index child does
        let c = g.node(&d(4));
        g.set_blobs(c, [(&d(20), 4000u64)]);
        g.set_blobs(idx, std::iter::empty());
        g.add_child(idx, a);
        g.add_child(idx, c);
        let out = g.compute();
        assert_eq!(
            out[idx as usize],
            NodeSizes {
                size_bytes: None,
                unique_bytes: None
            },
            "deleting the index frees blob 20, whose size is unknown"
        );
        assert_eq!(out[b as usize], known(5, 5));
    }

    #[test]
    fn one_manifest_declaring_a_blob_twice_with_two_sizes_is_a_conflict() {
        let mut g = BlobGraph::new();
        let a = g.node(&d(1));
        g.set_blobs(a, [(&d(20), 100u64), (&d(20), 101)]);
        let out = g.compute();
        assert_eq!(out[a as usize].size_bytes, None);
        assert_eq!(out[a as usize].unique_bytes, None);
        assert_eq!(g.conflicts().len(), 1);
    }

    #[test]
    fn large_repository_with_a_shared_base_is_fast_and_exact() {
        let mut g = BlobGraph::new();
        let n = 5000u32;
        for i in 0..n {
            let id = g.node(&d(i));
            let own = d(100_000 + i);
            let base = d(999_999);
            g.set_blobs(id, [(&base, 1000u64), (&own, 10u64)]);
        }
        let out = g.compute();
        assert!(out.iter().all(|s| *s == known(1010, 10)));
    }
}
