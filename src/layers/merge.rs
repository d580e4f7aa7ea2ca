//! Replays layer indexes as an overlay filesystem (OCI image-spec "Applying changesets"):
//! whiteouts and opaque markers of a layer hide only lower layers, then its entries are
//! applied in tar order. The replay yields each layer's changes, the final filesystem with
//! the layer that last set each path, and every file version that is not visible at the end
//! (the wasted bytes).
//!
//! How things count (also in docs/decisions.md):
//! - Sizes are file content bytes; tar headers and padding are not counted
//!   (`uncompressed_size` of a layer includes them).
//! - `files_added/modified/removed` count non-directory paths (files, symlinks, hard links,
//!   devices). Re-listing an existing directory is not a change; a removed directory
//!   counts the non-directory paths under it.
//! - Symlinks and hard links carry no bytes of their own. A hard link names the file
//!   version its target path held when the link was applied (the same layer's or a lower
//!   one's) and keeps those bytes alive: a file version that is overwritten or removed is
//!   not wasted while a visible hard link still names it. `cat` and `diff` read a hard
//!   link as those bytes.
//! - A path set twice within one layer wastes the first version too.

use super::index::{EntryKind, LayerIndex};
use super::names::parent;
use serde::Serialize;
use std::collections::{BTreeMap, HashSet};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeState {
    Added,
    Modified,
    Removed,
}

impl ChangeState {
    pub fn name(self) -> &'static str {
        match self {
            ChangeState::Added => "added",
            ChangeState::Modified => "modified",
            ChangeState::Removed => "removed",
        }
    }
}

/// A path as the filesystem shows it after some layer.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FsNode {
    pub kind: EntryKind,
    /// Content bytes the entry itself carries (0 for a hard link: see `content`).
    pub size: u64,
    /// The 0-based layer that last set this path.
    pub layer: usize,
    pub link: Option<String>,
    pub mode: u32,
    pub uid: u64,
    pub gid: u64,
    /// Where the bytes this path reads as are stored: its own entry for a regular file,
    /// the linked file version for a hard link; `None` for everything else (and for a
    /// hard link whose target did not exist).
    pub content: Option<Content>,
}

/// A file version's bytes: the entry of `layer` at `path` carries them.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Content {
    pub layer: usize,
    pub path: String,
    pub size: u64,
    /// Offset of the content in the layer's decompressed tar stream, when known.
    pub offset: Option<u64>,
    pub crc: Option<u32>,
}

/// One change a layer makes. For `Removed`, `size`, `kind` and `from_layer` describe the
/// version that disappears.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PathChange {
    pub path: String,
    pub kind: EntryKind,
    pub size: u64,
    pub layer: usize,
    pub state: ChangeState,
    pub from_layer: Option<usize>,
}

/// A file version that ships in some layer but is not visible in the final filesystem.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct WastedFile {
    pub path: String,
    pub size: u64,
    /// The layer that carries the hidden bytes.
    pub layer: usize,
    /// The layer that overwrote or removed it.
    #[serde(skip)]
    pub hidden_by: usize,
    #[serde(skip)]
    pub removed: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LayerStats {
    pub files_added: u64,
    pub files_modified: u64,
    pub files_removed: u64,
    pub bytes_added: u64,
}

/// The result of replaying layers `0..n`.
#[derive(Clone, Debug, Default)]
pub struct Analysis {
    pub stats: Vec<LayerStats>,
    /// Every change, layer by layer, in the order applied.
    pub changes: Vec<PathChange>,
    /// The filesystem after the last layer replayed.
    pub fs: BTreeMap<String, FsNode>,
    /// Hidden file versions, largest first.
    pub wasted: Vec<WastedFile>,
}

impl Analysis {
    /// Replays `layers` in order.
    pub fn replay<'a>(layers: impl IntoIterator<Item = &'a LayerIndex>) -> Analysis {
        let mut r = Replay::default();
        for (i, l) in layers.into_iter().enumerate() {
            r.apply(i, l);
        }
        r.finish()
    }

    pub fn total_bytes(&self) -> u64 {
        crate::model::saturating_sum(self.stats.iter().map(|s| s.bytes_added))
    }
    pub fn wasted_bytes(&self) -> u64 {
        crate::model::saturating_sum(self.wasted.iter().map(|w| w.size))
    }
    /// 1 − wasted / total; an image without file bytes wastes nothing (1.0).
    pub fn efficiency(&self) -> f64 {
        let total = self.total_bytes();
        if total == 0 {
            1.0
        } else {
            1.0 - self.wasted_bytes() as f64 / total as f64
        }
    }
    /// Visible regular files, largest first.
    pub fn biggest_files(&self, n: usize) -> Vec<(&str, &FsNode)> {
        let mut files: Vec<(&str, &FsNode)> = self
            .fs
            .iter()
            .filter(|(_, f)| f.kind == EntryKind::File)
            .map(|(p, f)| (p.as_str(), f))
            .collect();
        files.sort_by(|a, b| b.1.size.cmp(&a.1.size).then(a.0.cmp(b.0)));
        files.truncate(n);
        files
    }
    pub fn changes_of(&self, layer: usize) -> impl Iterator<Item = &PathChange> {
        self.changes.iter().filter(move |c| c.layer == layer)
    }
}

#[derive(Default)]
struct Replay {
    fs: BTreeMap<String, FsNode>,
    stats: Vec<LayerStats>,
    changes: Vec<PathChange>,
    dead: Vec<WastedFile>,
    /// Index into `changes` of the change a path got in the current layer.
    current: BTreeMap<String, usize>,
}

impl Replay {
    fn apply(&mut self, i: usize, layer: &LayerIndex) {
        self.stats.push(LayerStats::default());
        self.current.clear();
        // Markers first: they hide lower layers only, wherever they sit in the tar. The
        // directory a marker sits in exists afterwards: extraction makes a tar entry's
        // parents before it converts a whiteout (containerd's `applyNaive`), and dive's
        // trees add them too (file_tree_test.go TestAddWhiteoutPath).
        for e in layer.entries.iter().filter(|e| e.kind.is_marker()) {
            match e.kind {
                EntryKind::Opaque => {
                    self.remove_below(i, &e.path, false);
                    self.ensure_dirs(i, &e.path);
                }
                _ => {
                    self.remove_below(i, &e.path, true);
                    self.ensure_parents(i, &e.path);
                }
            }
        }
        for e in layer.entries.iter().filter(|e| !e.kind.is_marker()) {
            if e.kind == EntryKind::File {
                self.stats[i].bytes_added = self.stats[i].bytes_added.saturating_add(e.size);
            }
            let content = match e.kind {
                EntryKind::File => Some(Content {
                    layer: i,
                    path: e.path.clone(),
                    size: e.size,
                    offset: e.offset,
                    crc: e.crc,
                }),
                // Resolved now: the link names the file version its target holds at this
                // point of extraction, whatever later layers do to the target path.
                EntryKind::Hardlink => e
                    .link
                    .as_ref()
                    .and_then(|t| self.fs.get(t))
                    .and_then(|n| n.content.clone()),
                _ => None,
            };
            let new = FsNode {
                kind: e.kind,
                size: e.size,
                layer: i,
                link: e.link.clone(),
                mode: e.mode,
                uid: e.uid,
                gid: e.gid,
                content,
            };
            // A non-directory replaces a whole lower directory, and a path under a lower
            // non-directory turns it into a directory: both hide what was there.
            if e.kind != EntryKind::Dir
                && self
                    .fs
                    .get(&e.path)
                    .is_some_and(|n| n.kind == EntryKind::Dir)
            {
                self.remove_below(i, &e.path, false);
            }
            self.ensure_parents(i, &e.path);
            match self.fs.insert(e.path.clone(), new) {
                None => self.record(i, e.path.clone(), e.kind, e.size, ChangeState::Added, None),
                Some(old) if old.layer == i => {
                    self.bury(&e.path, &old, i, false);
                    if let Some(&c) = self.current.get(&e.path) {
                        self.changes[c].kind = e.kind;
                        self.changes[c].size = e.size;
                    }
                }
                Some(old) if old.kind == EntryKind::Dir && e.kind == EntryKind::Dir => {}
                Some(old) => {
                    self.bury(&e.path, &old, i, false);
                    let from = Some(old.layer);
                    self.record(
                        i,
                        e.path.clone(),
                        e.kind,
                        e.size,
                        ChangeState::Modified,
                        from,
                    );
                }
            }
        }
    }

    /// Makes every ancestor of `path` a directory, as extracting the entry would: a
    /// missing one appears (set by layer `i`), a non-directory in the way is replaced.
    fn ensure_parents(&mut self, i: usize, path: &str) {
        self.ensure_dirs(i, parent(path));
    }

    /// [`Self::ensure_parents`] for `dir` itself and its ancestors (`""`, the root, is
    /// always there).
    fn ensure_dirs(&mut self, i: usize, dir: &str) {
        let mut p = dir;
        while !p.is_empty() {
            match self.fs.get(p) {
                Some(n) if n.kind == EntryKind::Dir => return, // its ancestors exist too
                Some(_) => {
                    let owned = p.to_string();
                    self.remove_below(i, &owned, true);
                }
                None => {}
            }
            let dir = FsNode {
                kind: EntryKind::Dir,
                layer: i,
                mode: 0o755,
                ..Default::default()
            };
            self.fs.insert(p.to_string(), dir);
            p = parent(p);
        }
    }

    /// Removes `path`'s descendants (and `path` itself when `itself`), recording them.
    fn remove_below(&mut self, i: usize, path: &str, itself: bool) {
        let prefix = if path.is_empty() {
            String::new()
        } else {
            format!("{path}/")
        };
        let mut gone: Vec<String> = self
            .fs
            .range(prefix.clone()..)
            .take_while(|(k, _)| k.starts_with(&prefix))
            .map(|(k, _)| k.clone())
            .collect();
        if itself && self.fs.contains_key(path) {
            gone.push(path.to_string());
        }
        for p in gone {
            let Some(old) = self.fs.remove(&p) else {
                continue;
            };
            self.bury(&p, &old, i, true);
            let (kind, size, from) = (old.kind, old.size, Some(old.layer));
            self.record(i, p, kind, size, ChangeState::Removed, from);
        }
    }

    fn bury(&mut self, path: &str, old: &FsNode, by: usize, removed: bool) {
        if old.kind == EntryKind::File && old.size > 0 {
            self.dead.push(WastedFile {
                path: path.to_string(),
                size: old.size,
                layer: old.layer,
                hidden_by: by,
                removed,
            });
        }
    }

    fn record(
        &mut self,
        i: usize,
        path: String,
        kind: EntryKind,
        size: u64,
        state: ChangeState,
        from_layer: Option<usize>,
    ) {
        if kind != EntryKind::Dir {
            let s = &mut self.stats[i];
            match state {
                ChangeState::Added => s.files_added += 1,
                ChangeState::Modified => s.files_modified += 1,
                ChangeState::Removed => s.files_removed += 1,
            }
        }
        self.current.insert(path.clone(), self.changes.len());
        self.changes.push(PathChange {
            path,
            kind,
            size,
            layer: i,
            state,
            from_layer,
        });
    }

    fn finish(self) -> Analysis {
        // Bytes a visible hard link still names are not wasted, whichever layer holds them.
        let alive: HashSet<(usize, &str)> = self
            .fs
            .values()
            .filter(|n| n.kind == EntryKind::Hardlink)
            .filter_map(|n| n.content.as_ref())
            .map(|c| (c.layer, c.path.as_str()))
            .collect();
        let mut wasted: Vec<WastedFile> = self
            .dead
            .into_iter()
            .filter(|w| !alive.contains(&(w.layer, w.path.as_str())))
            .collect();
        wasted.sort_by(|a, b| {
            b.size
                .cmp(&a.size)
                .then_with(|| a.path.cmp(&b.path))
                .then(a.layer.cmp(&b.layer))
        });
        Analysis {
            stats: self.stats,
            changes: self.changes,
            fs: self.fs,
            wasted,
        }
    }
}
