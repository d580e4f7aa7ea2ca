//! Finding the layouts under a root, and mapping repository names back to directories
//! without letting a name escape the root.

use super::store::LayoutDir;
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
/// layout's own `blobs/` are not descended into.
pub fn repositories(root: &Path) -> Vec<String> {
    let mut out = Vec::new();
    if LayoutDir::is_layout(root) {
        out.push(root_name(root));
    }
    walk(root, root, 0, &mut out);
    out.sort();
    out.dedup();
    out
}

fn walk(root: &Path, dir: &Path, depth: usize, out: &mut Vec<String>) {
    if depth >= MAX_DEPTH {
        tracing::warn!("not descending below {}: too deep", dir.display());
        return;
    }
    let here_is_layout = LayoutDir::is_layout(dir);
    let Ok(entries) = std::fs::read_dir(dir) else {
        tracing::warn!("cannot list {}", dir.display());
        return;
    };
    let mut children: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .filter(|e| {
            let name = e.file_name();
            let name = name.to_string_lossy();
            let hidden = name.starts_with('.');
            let own_blobs = here_is_layout && name == "blobs";
            !hidden && !own_blobs
        })
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    children.sort();
    for child in children {
        if LayoutDir::is_layout(&child) {
            match relative_name(root, &child) {
                Some(n) => out.push(n),
                None => tracing::warn!("skipping {}: not a UTF-8 name", child.display()),
            }
        }
        walk(root, &child, depth + 1, out);
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
    LayoutDir::is_layout(&p).then_some(p)
}
