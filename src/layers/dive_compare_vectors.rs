//! dive's `CompareAndMark` vectors (dive/filetree/file_tree_test.go, TestCompareWith*, and
//! file_node_test.go, TestDiffTypeFrom*). dive marks a path Modified when its type flag,
//! content hash, mode, uid or gid differ (file_info.go `Compare`); regscope's two-image
//! diff (`diff::files`) checks kind, size, CRC-32, mode, owner and a symlink's target, and
//! lists files only: a directory dive would mark Modified for a change below it is a
//! `directories` row. Differences are asserted as regscope's, citing docs/decisions.md
//! "dive's file tree vectors".

use super::*;

fn paths_of(list: &[crate::layers::diff::FileEntry]) -> Vec<&str> {
    list.iter().map(|e| e.path.as_str()).collect()
}

/// TestCompareWithNoChanges' tree: /etc, /usr, /usr/bin are parents, so directories.
fn same() -> LayerIndex {
    layer(&[
        d("/etc"),
        f("/etc/sudoers", b"sudo"),
        f("/etc/hosts", b"hosts"),
        d("/usr/bin"),
        f("/usr/bin/bash", b"bash"),
        d("/usr"),
    ])
}

/// TestCompareWithNoChanges: two identical trees compare as unmodified everywhere.
#[test]
fn compare_with_no_changes() {
    let (a, b) = (Analysis::replay(&[same()]), Analysis::replay(&[same()]));
    let diff = files(&a, &b);
    assert!(diff.added.is_empty() && diff.removed.is_empty() && diff.changed.is_empty());
    assert!(diff.directories.is_empty());
    // The same tree as an upper layer: dive's layer view marks every path Unmodified;
    // regscope's replay counts each re-set file as modified (the layer ships it again and
    // hides the lower copy) and re-listed directories as nothing.
    let stacked = Analysis::replay(&[same(), same()]);
    let s = &stacked.stats[1];
    assert_eq!(
        (s.files_added, s.files_modified, s.files_removed),
        (0, 3, 0)
    );
    assert!(changes(&stacked, 1)
        .iter()
        .all(|(p, c)| *c == ChangeState::Modified && !["etc", "usr", "usr/bin"].contains(p)));
    assert_eq!(stacked.wasted_bytes(), 4 + 5 + 4);
}

fn adds_lower() -> Vec<Ent> {
    vec![
        d("/etc"),
        f("/etc/sudoers", b"sudo"),
        d("/usr"),
        f("/etc/hosts", b"hosts"),
        d("/usr/bin"),
    ]
}

/// TestCompareWithAdds: /usr/bin/bash and /a/new/path are added; dive marks /usr and
/// /usr/bin Modified and /a, /a/new Added.
#[test]
fn compare_with_adds() {
    let lower = layer(&adds_lower());
    let mut up = adds_lower();
    up.push(f("/usr/bin/bash", b"bash"));
    up.push(f("/a/new/path", b"path!"));
    let a = Analysis::replay(std::slice::from_ref(&lower));
    let b = Analysis::replay(&[layer(&up)]);
    let diff = files(&a, &b);
    assert_eq!(paths_of(&diff.added), ["a/new/path", "usr/bin/bash"]);
    assert!(diff.removed.is_empty() && diff.changed.is_empty());
    // dive's Modified and Added directories: every directory holding a change, growth first.
    let dirs: Vec<(&str, i64, u64)> = diff
        .directories
        .iter()
        .map(|g| (g.path.as_str(), g.delta, g.added))
        .collect();
    assert_eq!(
        dirs,
        [
            ("", 9, 2),
            ("a", 5, 1),
            ("a/new", 5, 1),
            ("usr", 4, 1),
            ("usr/bin", 4, 1)
        ]
    );
    // As a layer on the lower tree (only what is new): the change tree holds /usr and /a
    // as parents. dive marks them Modified / Added; regscope leaves a parent unmarked
    // (`state: None`, tree.rs) and its size is what changed below it.
    let stacked = Analysis::replay(&[
        lower,
        layer(&[f("/usr/bin/bash", b"bash"), f("/a/new/path", b"path!")]),
    ]);
    assert_eq!(
        changes(&stacked, 1),
        [
            ("usr/bin/bash", ChangeState::Added),
            ("a/new/path", ChangeState::Added)
        ]
    );
    let t = FsTree::of_changes(stacked.changes_of(1));
    for (dir, size) in [("usr", 4), ("usr/bin", 4), ("a", 5), ("a/new", 5)] {
        let n = t.find(dir).expect(dir);
        assert_eq!((n.state, n.size), (None, size), "{dir}");
    }
    assert_eq!(
        t.find("a/new/path").and_then(|n| n.state),
        Some(ChangeState::Added)
    );
}

/// TestCompareWithChanges: content (dive's hash 123 → 456, same length here), mode (0 → 1)
/// and owner (0:0 → 12:12) each make a path Modified. dive's test adds its chown case at
/// the chmod path by mistake (`chownPath` is never added); it is its own path here.
#[test]
fn compare_with_changes() {
    let tree = |v: u8| {
        let body = |s: &str| {
            let mut b = s.as_bytes().to_vec();
            b.push(v);
            b
        };
        let mut chmod = f("/etc/non-data-change", b"same");
        chmod.mode = 0o644 | u32::from(v == b'2');
        let mut chown = f("/etc/non-data-change-2", b"same");
        chown.owner = if v == b'2' { 12 } else { 0 };
        layer(&[
            d("/etc"),
            d("/usr"),
            f("/etc/hosts", &body("hosts")),
            f("/etc/sudoers", &body("sudo")),
            f("/usr/bin", &body("bin")),
            chmod,
            chown,
        ])
    };
    let (a, b) = (
        Analysis::replay(&[tree(b'1')]),
        Analysis::replay(&[tree(b'2')]),
    );
    let diff = files(&a, &b);
    let what: Vec<(&str, Vec<&str>)> = diff
        .changed
        .iter()
        .map(|c| (c.path.as_str(), c.what.clone()))
        .collect();
    assert_eq!(
        what,
        [
            ("etc/hosts", vec!["content"]),
            ("etc/non-data-change", vec!["mode"]),
            ("etc/non-data-change-2", vec!["owner"]),
            ("etc/sudoers", vec!["content"]),
            ("usr/bin", vec!["content"]),
        ]
    );
    let dirs: Vec<(&str, u64)> = diff
        .directories
        .iter()
        .map(|g| (g.path.as_str(), g.changed))
        .collect();
    assert_eq!(dirs, [("", 5), ("etc", 4), ("usr", 1)]);
    // As layers, each is a modification of layer 1.
    let stacked = Analysis::replay(&[tree(b'1'), tree(b'2')]);
    assert_eq!(stacked.stats[1].files_modified, 5);
}

/// Where dive's `Compare` and regscope's differ: a symlink's new target is Unmodified for
/// dive (it hashes the empty tar body and never compares `Linkname`), a change for
/// regscope; a directory's new mode is Modified for dive, not listed by regscope.
#[test]
fn compare_links_and_directory_modes() {
    let tree = |to: &'static str, mode: u32| {
        let mut dir = d("/srv");
        dir.mode = mode;
        layer(&[dir, sym("/srv/current", to)])
    };
    let a = Analysis::replay(&[tree("v1", 0o755)]);
    let b = Analysis::replay(&[tree("v2", 0o700)]);
    let diff = files(&a, &b);
    assert_eq!(diff.changed.len(), 1);
    assert_eq!(diff.changed[0].path, "srv/current");
    assert_eq!(diff.changed[0].what, ["link"]);
    let only_mode = files(&a, &Analysis::replay(&[tree("v1", 0o700)]));
    assert!(only_mode.changed.is_empty() && only_mode.directories.is_empty());
}

/// TestCompareWithRemoves: whiteouts of /etc, /usr/bin and /root/example remove them and
/// everything below; dive marks /usr and /root Modified.
#[test]
fn compare_with_removes() {
    let lower = layer(&[
        d("/etc"),
        d("/usr"),
        f("/etc/hosts", b"hosts"),
        f("/etc/sudoers", b"sudo"),
        f("/usr/bin", b"bin"),
        d("/root"),
        d("/root/example"),
        f("/root/example/some1", b"1"),
        f("/root/example/some2", b"22"),
    ]);
    let upper = layer(&[
        f("/.wh.etc", b""),
        d("/usr"),
        f("/usr/.wh.bin", b""),
        f("/root/.wh.example", b""),
    ]);
    let a = Analysis::replay(std::slice::from_ref(&lower));
    let b = Analysis::replay(&[lower, upper]);
    assert_eq!(
        changes(&b, 1),
        [
            ("etc/hosts", ChangeState::Removed),
            ("etc/sudoers", ChangeState::Removed),
            ("etc", ChangeState::Removed),
            ("usr/bin", ChangeState::Removed),
            ("root/example/some1", ChangeState::Removed),
            ("root/example/some2", ChangeState::Removed),
            ("root/example", ChangeState::Removed),
        ]
    );
    assert_eq!(b.stats[1].files_removed, 5);
    assert_eq!(paths(&b), ["root", "usr"]);
    let diff = files(&a, &b);
    assert_eq!(
        paths_of(&diff.removed),
        [
            "etc/hosts",
            "etc/sudoers",
            "root/example/some1",
            "root/example/some2",
            "usr/bin"
        ]
    );
    let mut dirs: Vec<(&str, u64)> = diff
        .directories
        .iter()
        .map(|g| (g.path.as_str(), g.removed))
        .collect();
    dirs.sort();
    assert_eq!(
        dirs,
        [
            ("", 5),
            ("etc", 2),
            ("root", 2),
            ("root/example", 2),
            ("usr", 1)
        ]
    );
    // Removed paths keep the size they had, so the change tree weighs what left.
    let t = FsTree::of_changes(b.changes_of(1));
    assert_eq!(t.find("root/example").map(|n| n.size), Some(3));
    assert_eq!(t.find("root").map(|n| n.state), Some(None));
}

/// TestDiffTypeFromAddedChildren and TestDiffTypeFromRemovedChildren: a directory with an
/// added or a removed child is Modified for dive. regscope: the directory is not a change
/// of its own (re-listing one is not a change) but the children are, and the two-image
/// diff lists the directory with one added and one removed path.
#[test]
fn directory_with_added_and_removed_children() {
    let lower = layer(&[d("/usr"), f("/usr/bin2", b"old"), f("/usr/bin3", b"o")]);
    let upper = layer(&[
        d("/usr"),
        f("/usr/bin", b"new!"),
        f("/usr/.wh.bin2", b""),
        f("/usr/.wh.bin3", b""),
    ]);
    let a = Analysis::replay(std::slice::from_ref(&lower));
    let b = Analysis::replay(&[lower, upper]);
    assert_eq!(
        changes(&b, 1),
        [
            ("usr/bin2", ChangeState::Removed),
            ("usr/bin3", ChangeState::Removed),
            ("usr/bin", ChangeState::Added),
        ]
    );
    let t = FsTree::of_changes(b.changes_of(1));
    assert_eq!(t.find("usr").map(|n| (n.state, n.size)), Some((None, 8)));
    let diff = files(&a, &b);
    let usr = diff
        .directories
        .iter()
        .find(|g| g.path == "usr")
        .expect("usr");
    assert_eq!((usr.added, usr.removed, usr.delta), (1, 2, 0));
}

/// TestStackRange: three trees stack without a failed path; the last layer's files win.
#[test]
fn stack_range_of_three_layers() {
    let hashed = |v: &'static [u8]| {
        layer(&[
            d("/etc"),
            d("/usr"),
            f("/etc/hosts", v),
            f("/etc/sudoers", v),
            f("/usr/bin", v),
        ])
    };
    let third = layer(&tree1()[..5]);
    let a = Analysis::replay(&[hashed(b"123"), hashed(b"456"), third]);
    assert_eq!(a.fs["etc/hosts"].layer, 1);
    assert_eq!(a.fs["var/run/bashful"].layer, 2);
    assert_eq!(a.stats.iter().map(|s| s.files_added).sum::<u64>(), 3 + 4);
    assert_eq!(a.stats[1].files_modified, 3);
    // dive's score of the same layers: each of the three re-set files has two copies.
    assert_eq!(
        super::super::score(&[hashed(b"123"), hashed(b"456")])
            .inefficient
            .len(),
        3
    );
}
