//! Finding the layouts under a root, and mapping repository names back to directories
//! without letting a name escape the root.

use super::store::LayoutDir;
use std::collections::HashSet;
use std::os::unix::fs::MetadataExt;
use std::path::{Component, Path, PathBuf};

/// Deep enough for any sane team/sub/repo tree; bounds symlink loops.
const MAX_DEPTH: usize = 12;

/// The name of the repository that is the root itself, when the root is one layout (as
/// `skopeo copy ... oci:DIR:TAG` makes): the root directory's own name.
pub fn root_name(root: &Path) -> String {
    std::fs::canonicalize(root)
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "layout".to_string())
}

/// Every layout under `root` as a repository name, sorted. Hidden directories and a
/// layout's own `blobs/` are not descended into. Real directories are walked first, so a
/// layout is named by its own path; then symlinks are followed for what only they reach.
/// A directory already entered (same device and inode) is not entered again, and a
/// symlink leading out of the root is skipped: a symlink loop would otherwise make the
/// walk exponential.
pub fn repositories(root: &Path) -> Vec<String> {
    let mut out = Vec::new();
    if LayoutDir::is_layout(root) {
        out.push(root_name(root));
    }
    let canonical = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    let root_key = std::fs::metadata(root).ok().map(|m| (m.dev(), m.ino()));
    let mut walk = Walk {
        root,
        canonical: &canonical,
        follow: false,
        real: HashSet::from_iter(root_key),
        entered: HashSet::new(),
        out: &mut out,
    };
    walk.dir(root, 0);
    walk.follow = true;
    walk.entered.extend(root_key);
    walk.dir(root, 0);
    out.sort();
    out.dedup();
    out
}

struct Walk<'a> {
    root: &'a Path,
    canonical: &'a Path,
    /// The second pass: follow symlinks.
    follow: bool,
    /// (device, inode) of every real directory (first pass).
    real: HashSet<(u64, u64)>,
    /// (device, inode) of every directory entered in the second pass.
    entered: HashSet<(u64, u64)>,
    out: &'a mut Vec<String>,
}

impl Walk<'_> {
    fn dir(&mut self, dir: &Path, depth: usize) {
        if depth >= MAX_DEPTH {
            tracing::warn!("not descending below {}: too deep", dir.display());
            return;
        }
        let here_is_layout = LayoutDir::is_layout(dir);
        let Ok(entries) = std::fs::read_dir(dir) else {
            tracing::warn!("cannot list {}", dir.display());
            return;
        };
        let mut children: Vec<(PathBuf, bool)> = entries
            .filter_map(Result::ok)
            .filter(|e| {
                let name = e.file_name();
                let name = name.to_string_lossy();
                let hidden = name.starts_with('.');
                let own_blobs = here_is_layout && name == "blobs";
                !hidden && !own_blobs
            })
            .map(|e| {
                let link = e.file_type().is_ok_and(|t| t.is_symlink());
                (e.path(), link)
            })
            .collect();
        children.sort();
        for (child, link) in children {
            if link && !self.follow {
                continue;
            }
            // Follows symlinks: a link to a directory is a directory.
            let Ok(meta) = std::fs::metadata(&child) else {
                continue;
            };
            if !meta.is_dir() {
                continue;
            }
            let key = (meta.dev(), meta.ino());
            let new = if !self.follow {
                self.real.insert(key)
            } else {
                if link {
                    let inside = std::fs::canonicalize(&child)
                        .is_ok_and(|target| target.starts_with(self.canonical));
                    if !inside {
                        tracing::warn!(
                            "skipping {}: a symlink leading out of the root",
                            child.display()
                        );
                        continue;
                    }
                }
                if !self.entered.insert(key) {
                    tracing::debug!("skipping {}: already visited", child.display());
                    continue;
                }
                // Listed in the first pass under its own name.
                !self.real.contains(&key)
            };
            if !new && !self.follow {
                continue;
            }
            if new && LayoutDir::is_layout(&child) {
                match relative_name(self.root, &child) {
                    Some(n) => self.out.push(n),
                    None => tracing::warn!("skipping {}: not a UTF-8 name", child.display()),
                }
            }
            self.dir(&child, depth + 1);
        }
    }
}

fn relative_name(root: &Path, p: &Path) -> Option<String> {
    let rel = p.strip_prefix(root).ok()?;
    let parts: Option<Vec<&str>> = rel.components().map(|c| c.as_os_str().to_str()).collect();
    Some(parts?.join("/"))
}

/// The directory of `repository` under `root` if it is a layout. Names with `..`, absolute
/// parts or empty segments are refused rather than resolved.
pub fn resolve(root: &Path, repository: &str) -> Option<PathBuf> {
    if LayoutDir::is_layout(root) && repository == root_name(root) {
        let nested = root.join(repository);
        // A nested layout of the same name wins, as it is the more specific one.
        if !LayoutDir::is_layout(&nested) {
            return Some(root.to_path_buf());
        }
    }
    if repository.is_empty() || repository.contains('\\') {
        return None;
    }
    let mut p = root.to_path_buf();
    for seg in repository.split('/') {
        let mut comps = Path::new(seg).components();
        match (comps.next(), comps.next()) {
            (Some(Component::Normal(c)), None) if !seg.starts_with('.') => p.push(c),
            _ => return None,
        }
    }
    // A symlink on the way may lead out of the root: refuse what discovery would skip.
    let inside = match (std::fs::canonicalize(&p), std::fs::canonicalize(root)) {
        (Ok(target), Ok(root)) => target.starts_with(root),
        _ => false,
    };
    (inside && LayoutDir::is_layout(&p)).then_some(p)
}
