//! Finding a path in an image's final filesystem as a process inside the container would:
//! symbolic links are followed (absolute ones from the image root, at most 40 hops, as
//! Linux's ELOOP), hard links read as the file version they name, and a path that is not
//! there says which layer removed it, if one did.

use super::index::EntryKind;
use super::merge::{Analysis, Content, FsNode};
use super::names::normalize;
use std::collections::VecDeque;

/// Linux gives up after 40 symbolic links in one lookup (`MAXSYMLINKS`).
const MAX_HOPS: usize = 40;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Lookup<'a> {
    /// A regular file, or a hard link to one. `path` is the path after symbolic links;
    /// `content` says which layer's entry carries the bytes.
    File {
        path: String,
        node: &'a FsNode,
        content: &'a Content,
    },
    /// There, but with no bytes to read (a directory, a device, a dangling hard link).
    NotAFile { path: String, kind: EntryKind },
    /// Not in the final filesystem because `layer` removed it (a whiteout, an opaque
    /// directory, or a file replacing a parent); `from_layer` had added it.
    Deleted {
        path: String,
        layer: usize,
        from_layer: Option<usize>,
    },
    /// Never in any layer (or only under a path that a symbolic link now redirects).
    Absent { path: String },
    /// Symbolic links that do not end.
    Loop { path: String },
}

/// Looks `path` up in `analysis.fs` (the root is `""`; a leading `/` is optional).
pub fn lookup<'a>(analysis: &'a Analysis, path: &str) -> Lookup<'a> {
    let mut queue: VecDeque<String> = components(path);
    let mut resolved: Vec<String> = Vec::new();
    let mut hops = 0;
    while let Some(part) = queue.pop_front() {
        if part == ".." {
            resolved.pop();
            continue;
        }
        resolved.push(part);
        let here = resolved.join("/");
        let Some(node) = analysis.fs.get(&here) else {
            // A deleted directory on the way is named as such; otherwise the whole path.
            return match missing(analysis, here) {
                Lookup::Absent { .. } => Lookup::Absent {
                    path: join(&resolved, &queue),
                },
                deleted => deleted,
            };
        };
        if node.kind != EntryKind::Symlink {
            if !queue.is_empty() && node.kind != EntryKind::Dir {
                // `file/x`: not a directory; nothing can be below it.
                return Lookup::Absent {
                    path: join(&resolved, &queue),
                };
            }
            continue;
        }
        hops += 1;
        if hops > MAX_HOPS {
            return Lookup::Loop { path: here };
        }
        resolved.pop();
        let target = node.link.clone().unwrap_or_default();
        if target.starts_with('/') {
            resolved.clear();
        }
        for (i, c) in components(&target).into_iter().enumerate() {
            queue.insert(i, c);
        }
    }
    let path = resolved.join("/");
    match analysis.fs.get(&path) {
        None if path.is_empty() => Lookup::NotAFile {
            path,
            kind: EntryKind::Dir,
        },
        None => missing(analysis, path),
        Some(node) => match (&node.content, node.kind) {
            (Some(content), EntryKind::File | EntryKind::Hardlink) => Lookup::File {
                path,
                node,
                content,
            },
            (_, kind) => Lookup::NotAFile { path, kind },
        },
    }
}

/// Path components without `.` and empty ones; `..` is kept for the walk to apply.
fn components(path: &str) -> VecDeque<String> {
    normalize(path)
        .split('/')
        .filter(|c| !c.is_empty() && *c != ".")
        .map(str::to_string)
        .collect()
}

fn join(resolved: &[String], rest: &VecDeque<String>) -> String {
    resolved
        .iter()
        .chain(rest.iter())
        .cloned()
        .collect::<Vec<_>>()
        .join("/")
}

fn missing(analysis: &Analysis, path: String) -> Lookup<'_> {
    // The last thing any layer did to the path: a removal means it was deleted.
    match analysis.changes.iter().rev().find(|c| c.path == path) {
        Some(c) if c.state == super::merge::ChangeState::Removed => Lookup::Deleted {
            path,
            layer: c.layer,
            from_layer: c.from_layer,
        },
        _ => Lookup::Absent { path },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layers::index::{Compression, LayerIndex, TarEntry, INDEX_FORMAT};
    use crate::model::Digest;

    fn layer(n: &str, entries: Vec<TarEntry>) -> LayerIndex {
        LayerIndex {
            format: INDEX_FORMAT,
            digest: Digest::sha256_of(n.as_bytes()),
            media_type: "application/vnd.oci.image.layer.v1.tar".into(),
            compression: Compression::None,
            compressed_size: 0,
            uncompressed_size: 0,
            entries,
            warnings: vec![],
        }
    }
    fn e(path: &str, kind: EntryKind, size: u64, link: Option<&str>) -> TarEntry {
        TarEntry {
            path: path.into(),
            kind,
            size,
            link: link.map(str::to_string),
            offset: (kind == EntryKind::File).then_some(512),
            ..Default::default()
        }
    }

    #[test]
    fn follows_symlinks_and_names_the_deleting_layer() {
        use EntryKind::*;
        let l0 = layer(
            "0",
            vec![
                e("usr/lib/os-release", File, 10, None),
                e("etc/os-release", Symlink, 0, Some("../usr/lib/os-release")),
                e("lib", Symlink, 0, Some("/usr/lib")),
                e("tmp/big", File, 100, None),
                e("loop", Symlink, 0, Some("loop")),
                e("data", File, 7, None),
            ],
        );
        let l1 = layer(
            "1",
            vec![
                e("tmp/big", Whiteout, 0, None),
                e("hard", Hardlink, 0, Some("data")),
            ],
        );
        let a = Analysis::replay([&l0, &l1]);
        let Lookup::File { path, content, .. } = lookup(&a, "/etc/os-release") else {
            panic!("{:?}", lookup(&a, "/etc/os-release"))
        };
        assert_eq!(path, "usr/lib/os-release");
        assert_eq!((content.layer, content.size), (0, 10));
        assert!(matches!(lookup(&a, "lib/os-release"), Lookup::File { .. }));
        assert_eq!(
            lookup(&a, "tmp/big"),
            Lookup::Deleted {
                path: "tmp/big".into(),
                layer: 1,
                from_layer: Some(0)
            }
        );
        assert!(matches!(lookup(&a, "nope"), Lookup::Absent { .. }));
        assert!(matches!(lookup(&a, "data/x"), Lookup::Absent { .. }));
        assert!(matches!(lookup(&a, "loop"), Lookup::Loop { .. }));
        assert!(matches!(
            lookup(&a, "usr"),
            Lookup::NotAFile { kind: Dir, .. }
        ));
        let Lookup::File { content, .. } = lookup(&a, "hard") else {
            panic!()
        };
        assert_eq!((content.layer, content.path.as_str()), (0, "data"));
    }
}
