//! Hints a reviewer would give about an image's layers: package-manager caches shipped in
//! a layer, and files created by one layer and deleted by a later one (deleting them does
//! not make the image smaller; the bytes still ship in the earlier layer).

use super::index::EntryKind;
use super::merge::{Analysis, ChangeState};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Hint {
    /// A layer adds files under a package-manager cache directory.
    PackageCache {
        layer: usize,
        cache: String,
        files: u64,
        bytes: u64,
    },
    /// `deleted_in` removes files that `created_in` added: they still ship in `created_in`.
    DeletedLater {
        created_in: usize,
        deleted_in: usize,
        files: u64,
        bytes: u64,
    },
}

impl Hint {
    pub fn bytes(&self) -> u64 {
        match self {
            Hint::PackageCache { bytes, .. } | Hint::DeletedLater { bytes, .. } => *bytes,
        }
    }

    /// One sentence a person can act on. Layers are numbered from 1 for people, as
    /// every command and the TUI number them (the fields are indexes from 0).
    pub fn message(&self) -> String {
        use crate::text::{count, size};
        match self {
            Hint::PackageCache { layer, cache, files, bytes } => format!(
                "layer {} leaves {} ({}) in the package cache /{cache}; clean it in the same RUN step",
                layer + 1,
                count(*files, "file"),
                size(*bytes)
            ),
            Hint::DeletedLater { created_in, deleted_in, files, bytes } => format!(
                "layer {} deletes {} ({}) created by layer {}; they still ship in layer {} (delete them in the step that creates them)",
                deleted_in + 1,
                count(*files, "file"),
                size(*bytes),
                created_in + 1,
                created_in + 1
            ),
        }
    }
}

/// Package-manager cache directories, as path patterns; `*` matches one component
/// (a user's home directory).
const CACHES: &[&str] = &[
    "var/lib/apt/lists",
    "var/cache/apt",
    "var/cache/apk",
    "etc/apk/cache",
    "var/cache/yum",
    "var/cache/dnf",
    "var/cache/zypp",
    "var/cache/pacman/pkg",
    "root/.cache/pip",
    "home/*/.cache/pip",
    "root/.npm",
    "home/*/.npm",
    "root/.cache/yarn",
    "usr/local/share/.cache/yarn",
    "root/.cache/go-build",
    "root/go/pkg/mod/cache",
    "root/.cargo/registry",
    "root/.m2/repository",
    "root/.gradle/caches",
    "root/.composer/cache",
    "root/.cache/pnpm",
];

/// The cache directory `path` lies in, as the concrete prefix (`home/app/.npm`).
fn cache_of(path: &str) -> Option<String> {
    let parts: Vec<&str> = path.split('/').collect();
    CACHES.iter().find_map(|pattern| {
        let pat: Vec<&str> = pattern.split('/').collect();
        // strictly below the cache directory: the directory itself is no waste
        if parts.len() <= pat.len() {
            return None;
        }
        let matches = pat.iter().zip(&parts).all(|(p, a)| *p == "*" || p == a);
        matches.then(|| parts[..pat.len()].join("/"))
    })
}

pub fn hints(analysis: &Analysis) -> Vec<Hint> {
    let mut caches: BTreeMap<(usize, String), (u64, u64)> = BTreeMap::new();
    let mut deleted: BTreeMap<(usize, usize), (u64, u64)> = BTreeMap::new();
    for c in &analysis.changes {
        if c.kind == EntryKind::Dir {
            continue;
        }
        match c.state {
            ChangeState::Added | ChangeState::Modified => {
                if c.kind == EntryKind::File && c.size > 0 {
                    if let Some(cache) = cache_of(&c.path) {
                        let e = caches.entry((c.layer, cache)).or_default();
                        e.0 += 1;
                        e.1 = e.1.saturating_add(c.size);
                    }
                }
            }
            ChangeState::Removed => {
                if let Some(from) = c.from_layer.filter(|&f| f < c.layer) {
                    let e = deleted.entry((from, c.layer)).or_default();
                    e.0 += 1;
                    e.1 = e.1.saturating_add(c.size);
                }
            }
        }
    }
    let mut out: Vec<Hint> = caches
        .into_iter()
        .map(|((layer, cache), (files, bytes))| Hint::PackageCache {
            layer,
            cache,
            files,
            bytes,
        })
        .chain(
            deleted
                .into_iter()
                .filter(|(_, (_, bytes))| *bytes > 0)
                .map(
                    |((created_in, deleted_in), (files, bytes))| Hint::DeletedLater {
                        created_in,
                        deleted_in,
                        files,
                        bytes,
                    },
                ),
        )
        .collect();
    out.sort_by_key(|h| std::cmp::Reverse(h.bytes()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_paths_match_with_home_wildcard() {
        assert_eq!(
            cache_of("var/lib/apt/lists/deb_main"),
            Some("var/lib/apt/lists".into())
        );
        assert_eq!(
            cache_of("home/app/.npm/_cacache/x"),
            Some("home/app/.npm".into())
        );
        assert_eq!(cache_of("var/lib/apt/lists"), None);
        assert_eq!(cache_of("var/lib/apt/listsx/y"), None);
        assert_eq!(cache_of("usr/bin/apt"), None);
    }
}
