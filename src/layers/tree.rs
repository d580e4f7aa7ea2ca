//! A filesystem as a tree with per-directory sizes: the merged image, the image as of some
//! layer, or one layer's changes. Directories that only appear as parents of a path are
//! created implicitly. Children are sorted largest first (then by name), as dive and du do.

use super::index::EntryKind;
use super::merge::{Analysis, ChangeState, FsNode, PathChange};
use super::names::{base_name, parent};
use std::collections::HashMap;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TreeNode {
    pub name: String,
    pub kind: EntryKind,
    /// Content bytes: a file's own, a directory's sum over everything below it.
    pub size: u64,
    /// The layer that last set this path; `None` for implicit directories.
    pub layer: Option<usize>,
    /// For a tree of changes: what happened to this path; `None` for implicit parents.
    pub state: Option<ChangeState>,
    pub link: Option<String>,
    pub children: Vec<usize>,
}

/// An arena; node 0 is the root (`/`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FsTree {
    pub nodes: Vec<TreeNode>,
}

impl TreeNode {
    /// A directory no entry describes (the root, or a parent the layer only implies).
    fn dir(name: String) -> TreeNode {
        TreeNode {
            name,
            kind: EntryKind::Dir,
            size: 0,
            layer: None,
            state: None,
            link: None,
            children: vec![],
        }
    }
}

impl FsTree {
    fn empty() -> (FsTree, HashMap<String, usize>) {
        let root = TreeNode::dir("/".into());
        let mut ids = HashMap::new();
        ids.insert(String::new(), 0);
        (FsTree { nodes: vec![root] }, ids)
    }

    /// The final filesystem of an analysis.
    pub fn of_filesystem(analysis: &Analysis) -> FsTree {
        Self::build(analysis.fs.iter().map(|(p, n)| (p.as_str(), n, None)))
    }

    /// One layer's changes (removed paths included, marked, with the size they had).
    pub fn of_changes<'a>(changes: impl Iterator<Item = &'a PathChange>) -> FsTree {
        let nodes: Vec<(String, FsNode, ChangeState)> = changes
            .map(|c| {
                let node = FsNode {
                    kind: c.kind,
                    size: c.size,
                    layer: c
                        .from_layer
                        .filter(|_| c.state == ChangeState::Removed)
                        .unwrap_or(c.layer),
                    ..Default::default()
                };
                (c.path.clone(), node, c.state)
            })
            .collect();
        Self::build(nodes.iter().map(|(p, n, s)| (p.as_str(), n, Some(*s))))
    }

    fn build<'a>(
        items: impl Iterator<Item = (&'a str, &'a FsNode, Option<ChangeState>)>,
    ) -> FsTree {
        let (mut t, mut ids) = Self::empty();
        for (path, node, state) in items {
            let id = t.ensure(&mut ids, path);
            let n = &mut t.nodes[id];
            n.kind = node.kind;
            n.size = if node.kind == EntryKind::Dir {
                0
            } else {
                node.size
            };
            n.layer = Some(node.layer);
            n.state = state;
            n.link = node.link.clone();
        }
        t.sum();
        t.sort();
        t
    }

    /// The node of `path`, made with its missing ancestors. Walks up to the nearest known
    /// ancestor, then makes the rest downwards: a loop, so a deep path cannot overflow the
    /// stack (names are bounded by `names::MAX_PATH_BYTES`, but the tree does not rely on
    /// it). A node is always made after its parent, so a child's id is above its parent's.
    fn ensure(&mut self, ids: &mut HashMap<String, usize>, path: &str) -> usize {
        let mut missing = Vec::new();
        let mut at = path;
        let mut id = loop {
            if let Some(&id) = ids.get(at) {
                break id;
            }
            missing.push(at);
            at = parent(at); // "" (the root) is always known
        };
        for p in missing.into_iter().rev() {
            let child = self.nodes.len();
            self.nodes.push(TreeNode::dir(base_name(p).to_string()));
            self.nodes[id].children.push(child);
            ids.insert(p.to_string(), child);
            id = child;
        }
        id
    }

    /// Directory sizes: children have higher ids than their parent (see `ensure`), so one
    /// pass from the last node up finds every child's total done before its parent's.
    fn sum(&mut self) {
        for id in (0..self.nodes.len()).rev() {
            let below = self.nodes[id]
                .children
                .iter()
                .fold(0u64, |t, &c| t.saturating_add(self.nodes[c].size));
            let n = &mut self.nodes[id];
            n.size = n.size.saturating_add(below);
        }
    }

    /// Every directory's children largest first, then by name (each list on its own: no
    /// walk needed).
    fn sort(&mut self) {
        for id in 0..self.nodes.len() {
            let mut children = std::mem::take(&mut self.nodes[id].children);
            children.sort_by(|&a, &b| {
                let (a, b) = (&self.nodes[a], &self.nodes[b]);
                b.size.cmp(&a.size).then_with(|| a.name.cmp(&b.name))
            });
            self.nodes[id].children = children;
        }
    }

    pub fn root(&self) -> &TreeNode {
        &self.nodes[0]
    }

    /// The node at a normalized path (`""` is the root).
    pub fn find(&self, path: &str) -> Option<&TreeNode> {
        let mut id = 0;
        for part in path.split('/').filter(|p| !p.is_empty()) {
            id = *self.nodes[id]
                .children
                .iter()
                .find(|&&c| self.nodes[c].name == part)?;
        }
        Some(&self.nodes[id])
    }
}
