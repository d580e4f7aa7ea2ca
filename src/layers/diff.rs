//! Two images compared: which layers they share, what their final filesystems add, remove
//! and change, rolled up by directory with the biggest growth first. Layers both images
//! use are the same bytes (same digest), so their indexes are read once (the cache).
//!
//! A path is changed when its kind, size (a hard link counts the bytes it names), mode,
//! owner or link target differ, or when both sides know a CRC-32 of the content and the
//! CRCs differ. Directories themselves are not listed (re-listing one is not a change);
//! their sizes move with what is below them.

use super::index::EntryKind;
use super::merge::{Analysis, FsNode};
use super::rollup::roll_up;
use crate::registry::Descriptor;
use serde::Serialize;
use std::collections::{HashMap, HashSet};

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct LayerSets {
    pub shared: Vec<String>,
    pub only_a: Vec<String>,
    pub only_b: Vec<String>,
}

/// Layers by digest, in each image's order.
pub fn layer_sets(a: &[Descriptor], b: &[Descriptor]) -> LayerSets {
    let in_a: HashSet<&str> = a.iter().map(|d| d.digest.as_str()).collect();
    let in_b: HashSet<&str> = b.iter().map(|d| d.digest.as_str()).collect();
    let mut seen = HashSet::new();
    let mut sets = LayerSets::default();
    for d in a {
        if !seen.insert(d.digest.as_str()) {
            continue;
        }
        let list = if in_b.contains(d.digest.as_str()) {
            &mut sets.shared
        } else {
            &mut sets.only_a
        };
        list.push(d.digest.to_string());
    }
    for d in b {
        if seen.insert(d.digest.as_str()) && !in_a.contains(d.digest.as_str()) {
            sets.only_b.push(d.digest.to_string());
        }
    }
    sets
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FileEntry {
    pub path: String,
    pub size: u64,
    pub kind: &'static str,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FileChange {
    pub path: String,
    pub size_a: u64,
    pub size_b: u64,
    /// What differs: `kind`, `size`, `content`, `mode`, `owner`, `link`.
    pub what: Vec<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode_a: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode_b: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner_a: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner_b: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link_a: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link_b: Option<String>,
}

/// A directory's content bytes in both images (everything below it).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DirGrowth {
    pub path: String,
    pub size_a: u64,
    pub size_b: u64,
    pub delta: i64,
    pub added: u64,
    pub removed: u64,
    pub changed: u64,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct FilesDiff {
    pub added: Vec<FileEntry>,
    pub removed: Vec<FileEntry>,
    pub changed: Vec<FileChange>,
    /// Directories holding a change, biggest growth first (paths without a leading `/`;
    /// the root is `""`).
    pub directories: Vec<DirGrowth>,
}

/// The bytes a path reads as: its own, or for a hard link those it names.
fn bytes(n: &FsNode) -> u64 {
    match n.kind {
        EntryKind::File => n.size,
        EntryKind::Hardlink => n.content.as_ref().map_or(0, |c| c.size),
        _ => 0,
    }
}

fn crc(n: &FsNode) -> Option<u32> {
    n.content.as_ref().and_then(|c| c.crc)
}

/// Compares the final filesystems of `a` and `b`.
pub fn files<'a>(a: &'a Analysis, b: &'a Analysis) -> FilesDiff {
    let mut out = FilesDiff::default();
    // Each change as (path, tally), summed into its directories once all are known.
    let mut touched: Vec<(&str, Tally)> = Vec::new();
    let mut touch = |path: &'a str, sa: u64, sb: u64, kind: u8| {
        let mut t = Tally {
            delta: (sb as i64).saturating_sub(sa as i64),
            ..Tally::default()
        };
        match kind {
            0 => t.added = 1,
            1 => t.removed = 1,
            _ => t.changed = 1,
        }
        touched.push((path, t));
    };
    for (path, na) in a.fs.iter().filter(|(_, n)| n.kind != EntryKind::Dir) {
        match b.fs.get(path) {
            None => {
                touch(path, bytes(na), 0, 1);
                out.removed.push(FileEntry {
                    path: path.clone(),
                    size: bytes(na),
                    kind: na.kind.name(),
                });
            }
            Some(nb) => {
                if let Some(c) = change(path, na, nb) {
                    touch(path, c.size_a, c.size_b, 2);
                    out.changed.push(c);
                }
            }
        }
    }
    for (path, nb) in b.fs.iter().filter(|(_, n)| n.kind != EntryKind::Dir) {
        match a.fs.get(path) {
            None => {
                touch(path, 0, bytes(nb), 0);
                out.added.push(FileEntry {
                    path: path.clone(),
                    size: bytes(nb),
                    kind: nb.kind.name(),
                });
            }
            // A directory in A replaced by a file in B: the file is a change of kind.
            Some(na) if na.kind == EntryKind::Dir => {
                if let Some(c) = change(path, na, nb) {
                    touch(path, c.size_a, c.size_b, 2);
                    out.changed.push(c);
                }
            }
            Some(_) => {}
        }
    }
    let size_a = dir_sizes(a);
    let size_b = dir_sizes(b);
    out.directories = roll_up(touched, Tally::add)
        .into_iter()
        .map(|(path, t)| DirGrowth {
            size_a: size_a.get(&path).copied().unwrap_or(0),
            size_b: size_b.get(&path).copied().unwrap_or(0),
            path,
            delta: t.delta,
            added: t.added,
            removed: t.removed,
            changed: t.changed,
        })
        .collect();
    out.directories
        .sort_by(|x, y| y.delta.cmp(&x.delta).then_with(|| x.path.cmp(&y.path)));
    out.changed.sort_by(|x, y| x.path.cmp(&y.path));
    out
}

fn change(path: &str, a: &FsNode, b: &FsNode) -> Option<FileChange> {
    let mut what = Vec::new();
    if a.kind != b.kind {
        what.push("kind");
    }
    let (sa, sb) = (bytes(a), bytes(b));
    if sa != sb {
        what.push("size");
    } else if let (Some(x), Some(y)) = (crc(a), crc(b)) {
        if x != y {
            what.push("content");
        }
    }
    let mode = a.mode != b.mode && a.kind != EntryKind::Symlink;
    if mode {
        what.push("mode");
    }
    let owner = (a.uid, a.gid) != (b.uid, b.gid);
    if owner {
        what.push("owner");
    }
    let link = a.kind == EntryKind::Symlink && b.kind == EntryKind::Symlink && a.link != b.link;
    if link {
        what.push("link");
    }
    if what.is_empty() {
        return None;
    }
    Some(FileChange {
        path: path.to_string(),
        size_a: sa,
        size_b: sb,
        what,
        mode_a: mode.then(|| format!("{:04o}", a.mode)),
        mode_b: mode.then(|| format!("{:04o}", b.mode)),
        owner_a: owner.then(|| format!("{}:{}", a.uid, a.gid)),
        owner_b: owner.then(|| format!("{}:{}", b.uid, b.gid)),
        link_a: if link { a.link.clone() } else { None },
        link_b: if link { b.link.clone() } else { None },
    })
}

/// Content bytes under every directory of the final filesystem.
fn dir_sizes(a: &Analysis) -> HashMap<String, u64> {
    let files =
        a.fs.iter()
            .map(|(path, n)| (path.as_str(), bytes(n)))
            .filter(|&(_, b)| b > 0);
    roll_up(files, |t, b| *t = t.saturating_add(*b))
}

/// What changed below a directory.
#[derive(Clone, Default)]
struct Tally {
    delta: i64,
    added: u64,
    removed: u64,
    changed: u64,
}

impl Tally {
    fn add(&mut self, o: &Tally) {
        self.delta = self.delta.saturating_add(o.delta);
        self.added += o.added;
        self.removed += o.removed;
        self.changed += o.changed;
    }
}
