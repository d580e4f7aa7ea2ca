//! A filesystem as a tree with per-directory sizes: the merged image, the image as of some
//! layer, or one layer's changes. Directories that only appear as parents of a path are
//! created implicitly. Children are sorted largest first (then by name), as dive and du do.

use super::index::EntryKind;
use super::merge::{Analysis, ChangeState, FsNode, PathChange};
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

impl FsTree {
    fn empty() -> (FsTree, HashMap<String, usize>) {
        let root = TreeNode {
            name: "/".into(),
            kind: EntryKind::Dir,
            size: 0,
            layer: None,
            state: None,
            link: None,
            children: vec![],
        };
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
        t.sum(0);
        t.sort(0);
        t
    }

    fn ensure(&mut self, ids: &mut HashMap<String, usize>, path: &str) -> usize {
        if let Some(&id) = ids.get(path) {
            return id;
        }
        let (parent_path, name) = match path.rsplit_once('/') {
            Some((p, n)) => (p, n),
            None => ("", path),
        };
        let parent = self.ensure(ids, parent_path);
        let id = self.nodes.len();
        self.nodes.push(TreeNode {
            name: name.to_string(),
            kind: EntryKind::Dir,
            size: 0,
            layer: None,
            state: None,
            link: None,
            children: vec![],
        });
        self.nodes[parent].children.push(id);
        ids.insert(path.to_string(), id);
        id
    }

    fn sum(&mut self, id: usize) -> u64 {
        // Iterative over children to keep deep trees off the stack would be nicer, but
        // tar paths are bounded in depth by path length limits of real filesystems.
        let children = std::mem::take(&mut self.nodes[id].children);
        let mut total = self.nodes[id].size;
        for &c in &children {
            total += self.sum(c);
        }
        self.nodes[id].children = children;
        self.nodes[id].size = total;
        total
    }

    fn sort(&mut self, id: usize) {
        let mut children = std::mem::take(&mut self.nodes[id].children);
        children.sort_by(|&a, &b| {
            let (a, b) = (&self.nodes[a], &self.nodes[b]);
            b.size.cmp(&a.size).then_with(|| a.name.cmp(&b.name))
        });
        for &c in &children {
            self.sort(c);
        }
        self.nodes[id].children = children;
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
