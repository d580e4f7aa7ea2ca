//! The directories a layer's names imply without entries of their own, and what their paths
//! cost. The replay and the trees key every directory by its whole path, so a name 2048
//! levels deep in directories no entry lists brings 2047 new keys of up to 4 KB each
//! (≈4 MB for one 4 KB name): a layer of such names in fresh directories would cost
//! thousands of times its own bytes. The walk stops a layer whose implied directory paths
//! pass the tar bytes read so far plus [`SLACK`]; listed directories cost nothing here (their
//! paths are in the index already, bounded by the layer's own bytes).

use super::index::{EntryKind, TarEntry};
use super::names::parent;
use std::collections::HashSet;

/// Room for legitimate layers that list no directories: their implied paths stay far below
/// their own bytes (each file costs a 512-byte header), except a few deep files in a tiny
/// layer, which this covers. See docs/decisions.md "Layer paths are bounded".
pub const SLACK: u64 = 16 << 20;

/// The directories of one layer seen so far, listed or implied.
#[derive(Default)]
pub struct Implied {
    known: HashSet<String>,
    /// Path bytes of the directories only implied (no entry of their own, yet).
    bytes: u64,
}

impl Implied {
    /// [`Implied::note`] for an index entry. A marker implies directories too: the replay
    /// makes the directory a whiteout sits in, and an opaque marker's `path` is that
    /// directory, implied itself when nothing lists it.
    pub fn note_entry(&mut self, e: &TarEntry, tar_bytes: u64) -> Result<(), u64> {
        match e.kind {
            EntryKind::Opaque if !e.path.is_empty() => {
                self.note(&format!("{}/.wh..wh..opq", e.path), false, tar_bytes)
            }
            EntryKind::Opaque => Ok(()),
            kind => self.note(&e.path, kind == EntryKind::Dir, tar_bytes),
        }
    }

    /// Notes an entry at `path` (a directory when `is_dir`): its missing ancestors are implied.
    /// `Err` with the implied bytes when they pass `tar_bytes + SLACK`.
    pub fn note(&mut self, path: &str, is_dir: bool, tar_bytes: u64) -> Result<(), u64> {
        if is_dir {
            // Listed: costs nothing here (if it was implied before, its bytes stay counted,
            // which only errs towards refusing a layer that lists a directory late).
            self.known.insert(path.to_string());
        }
        let mut p = parent(path);
        while !p.is_empty() && !self.known.contains(p) {
            self.bytes = self.bytes.saturating_add(p.len() as u64);
            if self.bytes > tar_bytes.saturating_add(SLACK) {
                return Err(self.bytes);
            }
            self.known.insert(p.to_string());
            p = parent(p);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_directories_no_entry_lists_are_counted() {
        let mut i = Implied::default();
        i.note("etc", true, 0).unwrap();
        i.note("etc/passwd", false, 0).unwrap();
        assert_eq!(i.bytes, 0, "listed");
        i.note("usr/lib/x", false, 0).unwrap();
        assert_eq!(i.bytes, "usr/lib".len() as u64 + "usr".len() as u64);
        i.note("usr/lib/y", false, 0).unwrap();
        assert_eq!(i.bytes, 10, "each implied directory once");
    }

    #[test]
    fn implied_paths_past_the_tar_bytes_and_slack_are_refused() {
        let mut i = Implied::default();
        let deep = vec!["d"; 2047].join("/");
        // One 4 KB name implies ≈4 MB: within the slack.
        i.note(&format!("a/{deep}/f"), false, 5_000).unwrap();
        let mut refused = None;
        for n in 0..10 {
            if let Err(bytes) = i.note(&format!("b{n}/{deep}/f"), false, 5_000 * (n + 2)) {
                refused = Some((n, bytes));
                break;
            }
        }
        let (n, bytes) = refused.expect("refused within ten such names");
        assert_eq!(n, 3, "the fifth name passes 16 MiB");
        assert!(bytes > SLACK, "{bytes}");
    }

    /// Markers make their directory exist in the replay, so its bytes count: a whiteout's
    /// parents, an opaque marker's own path (before: markers counted nothing, so a layer
    /// of deep markers in new directories passed the budget).
    #[test]
    fn markers_imply_their_directories() {
        let marker = |path: &str, kind| TarEntry {
            path: path.into(),
            kind,
            ..Default::default()
        };
        let mut i = Implied::default();
        i.note_entry(&marker("a/b/gone", EntryKind::Whiteout), 0)
            .unwrap();
        assert_eq!(i.bytes, "a/b".len() as u64 + "a".len() as u64);
        i.note_entry(&marker("c/d", EntryKind::Opaque), 0).unwrap();
        assert_eq!(i.bytes, 4 + "c/d".len() as u64 + "c".len() as u64);
        i.note_entry(&marker("", EntryKind::Opaque), 0).unwrap();
        assert_eq!(i.bytes, 8, "the root is never implied");
    }
}
