//! What the layers tab remembers: analyses by image digest, the selected layer, the tree
//! mode, and the tree cursor and expanded nodes.

use crate::app::tasks::layers::LayersData;
use crate::layers::dive::DiveScore;
use crate::layers::FsTree;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

#[derive(Clone, Debug)]
pub enum LayersEntry {
    /// `read` layers of `total` are indexed.
    Loading {
        read: usize,
        total: usize,
    },
    Ready(Arc<LayersData>),
    Failed(String),
}

/// dive's figures of an image, computed after its analysis (they are a second pass over the
/// same indexes, so the tab is usable before they arrive). Absent while being computed.
#[derive(Clone, Debug)]
pub enum DiveEntry {
    Ready(Arc<DiveScore>),
    /// Why there are no figures (the computation did not finish).
    Unknown(String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TreeMode {
    /// What the selected layer added, modified and removed.
    Changes,
    /// The whole filesystem once the selected layer is applied.
    AsOf,
}

#[derive(Debug, Default)]
pub struct LayersState {
    pub cache: HashMap<String, LayersEntry>,
    /// dive's figures by image digest, once computed (see [`DiveEntry`]).
    pub dive: HashMap<String, DiveEntry>,
    pub ticket: u64,
    pub layer: usize,
    pub mode: Option<TreeMode>,
    /// Keys move in the tree instead of the layer list.
    pub in_tree: bool,
    pub cursor: usize,
    /// Expanded directories (node ids of the tree on screen).
    pub expanded: HashSet<usize>,
}

impl LayersState {
    pub fn mode(&self) -> TreeMode {
        self.mode.unwrap_or(TreeMode::Changes)
    }

    /// Forgets tree navigation (another layer, mode or image).
    pub fn reset_tree(&mut self) {
        self.cursor = 0;
        self.expanded.clear();
    }

    pub fn tree<'a>(&self, data: &'a LayersData) -> Option<&'a FsTree> {
        match self.mode() {
            TreeMode::Changes => data.changes.get(self.layer),
            TreeMode::AsOf => data.as_of.get(self.layer),
        }
    }
}

/// The rows of `tree` on screen: (node id, depth), children of expanded directories only,
/// largest first as the tree is sorted.
pub fn visible(tree: &FsTree, expanded: &HashSet<usize>) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut stack: Vec<(usize, usize)> =
        tree.root().children.iter().rev().map(|&c| (c, 0)).collect();
    while let Some((id, depth)) = stack.pop() {
        out.push((id, depth));
        if expanded.contains(&id) {
            stack.extend(
                tree.nodes[id]
                    .children
                    .iter()
                    .rev()
                    .map(|&c| (c, depth + 1)),
            );
        }
    }
    out
}
