//! dive's file tree vectors (github.com/wagoodman/dive, `dive/filetree/file_tree_test.go`,
//! `file_node_test.go`, `node_data_test.go`) run through regscope's own code: real tar
//! layers walked by `stream::index_reader` (so `.wh.` names are classified by our walk),
//! replayed by `merge::Analysis` (what `regscope layers` shows per layer), rolled up by
//! `tree::FsTree` and compared by `diff::files` (dive's `CompareAndMark` between two trees).
//! `efficiency_test.go` is in `dive_tests.rs`.
//!
//! dive's tests build trees from bare paths with a fake `FileInfo`; here a path with
//! children in the test is a directory entry, any other a regular file, and dive's fake
//! content hash (123 vs 456) is content of the same length that differs.
//!
//! Where regscope deliberately differs from dive (docs/decisions.md, "dive's file tree
//! vectors"), the test asserts regscope's behaviour and says what dive does.

use super::DiveScore;
use crate::layers::diff::files;
use crate::layers::index::{EntryKind, LayerIndex};
use crate::layers::merge::{Analysis, ChangeState};
use crate::layers::stream::{descriptor_for, index_reader};
use crate::layers::tree::FsTree;
use crate::layers::LayerLimits;

/// One tar entry as written, name byte for byte (leading `/` and `./` included).
struct Ent {
    name: &'static str,
    kind: tar::EntryType,
    body: Vec<u8>,
    mode: u32,
    owner: u64,
    link: Option<&'static str>,
}

fn f(name: &'static str, body: &[u8]) -> Ent {
    Ent {
        name,
        kind: tar::EntryType::Regular,
        body: body.to_vec(),
        mode: 0o644,
        owner: 0,
        link: None,
    }
}
fn d(name: &'static str) -> Ent {
    Ent {
        kind: tar::EntryType::Directory,
        mode: 0o755,
        ..f(name, b"")
    }
}
fn sym(name: &'static str, to: &'static str) -> Ent {
    Ent {
        kind: tar::EntryType::Symlink,
        mode: 0o777,
        link: Some(to),
        ..f(name, b"")
    }
}

/// A plain tar layer of `ents`, indexed by regscope's walk.
fn layer(ents: &[Ent]) -> LayerIndex {
    let mut b = tar::Builder::new(Vec::new());
    for e in ents {
        let mut h = tar::Header::new_gnu();
        h.as_old_mut().name[..e.name.len()].copy_from_slice(e.name.as_bytes());
        h.set_entry_type(e.kind);
        h.set_size(e.body.len() as u64);
        h.set_mode(e.mode);
        h.set_uid(e.owner);
        h.set_gid(e.owner);
        if let Some(l) = e.link {
            h.set_link_name(l).expect("link name");
        }
        h.set_cksum();
        b.append(&h, e.body.as_slice()).expect("tar entry");
    }
    let tar = b.into_inner().expect("tar");
    let desc = descriptor_for(&tar, "application/vnd.oci.image.layer.v1.tar");
    index_reader(tar.as_slice(), &desc, &LayerLimits::default()).expect("layer walks")
}

fn paths(a: &Analysis) -> Vec<&str> {
    a.fs.keys().map(String::as_str).collect()
}

/// `(path, state)` of every change layer `i` makes, in the order applied.
fn changes(a: &Analysis, i: usize) -> Vec<(&str, ChangeState)> {
    a.changes_of(i)
        .map(|c| (c.path.as_str(), c.state))
        .collect()
}

/// TestAddPath's tree (file_tree_test.go), written as TestAddRelativePath and
/// TestRejectPurelyRelativePath write it: `./etc/...` and `/etc/...` name the same
/// path, and `./` alone (dive refuses it) is the root entry, which adds nothing.
fn tree1() -> Vec<Ent> {
    vec![
        f("./etc/nginx/nginx.conf", b"nginx"),
        f("/etc/nginx/public", b"public"),
        f("/var/run/systemd", b"sd"),
        f("/var/run/bashful", b"bash"),
        d("/tmp"),
        f("/tmp/nonsense", b"x"),
        d("./"),
    ]
}

/// TestAddPath, TestAddRelativePath, TestRejectPurelyRelativePath.
#[test]
fn add_path_builds_parents_and_reads_relative_names() {
    let a = Analysis::replay(&[layer(&tree1())]);
    assert_eq!(
        paths(&a),
        [
            "etc",
            "etc/nginx",
            "etc/nginx/nginx.conf",
            "etc/nginx/public",
            "tmp",
            "tmp/nonsense",
            "var",
            "var/run",
            "var/run/bashful",
            "var/run/systemd",
        ]
    );
    assert_eq!(a.fs["etc/nginx"].kind, EntryKind::Dir);
}

/// TestStack's lower tree: TestAddPath's without nginx.conf.
fn stack_lower() -> LayerIndex {
    layer(&tree1()[1..])
}

/// TestStack (also TestRemovePath and TestCopy, whose expected tree is the same): the upper
/// layer adds nginx.conf, rewrites systemd and whites out bashful and /tmp.
#[test]
fn stack_applies_whiteouts_and_new_payloads() {
    let upper = vec![
        f("/etc/nginx/nginx.conf", b"new"),
        f("/var/run/systemd", b"yup"),
        f("/var/run/.wh.bashful", b""),
        f("/.wh.tmp", b""),
    ];
    let a = Analysis::replay(&[stack_lower(), layer(&upper)]);
    // dive's expected tree: etc/nginx/{nginx.conf,public}, var/run/systemd.
    assert_eq!(
        paths(&a),
        [
            "etc",
            "etc/nginx",
            "etc/nginx/nginx.conf",
            "etc/nginx/public",
            "var",
            "var/run",
            "var/run/systemd",
        ]
    );
    // dive: "Expected '/var/run/systemd' value to be" the upper payload.
    assert_eq!(a.fs["var/run/systemd"].layer, 1);
    assert_eq!(a.fs["var/run/systemd"].size, 3);
    assert_eq!(
        changes(&a, 1),
        [
            ("var/run/bashful", ChangeState::Removed),
            ("tmp/nonsense", ChangeState::Removed),
            ("tmp", ChangeState::Removed),
            ("etc/nginx/nginx.conf", ChangeState::Added),
            ("var/run/systemd", ChangeState::Modified),
        ]
    );
    let s = &a.stats[1];
    // Directories are not counted: /tmp's removal counts its one file.
    assert_eq!(
        (s.files_added, s.files_modified, s.files_removed),
        (1, 1, 2)
    );
}

/// TestStack's upper tree also holds `/.wh..wh..opq`, which dive ignores ("ignore opaque
/// whiteout files entirely"). regscope's replay applies it as the OCI image spec says: the
/// root's lower contents are hidden (decisions.md "dive's file tree vectors"); dive's score
/// (`layers::dive`) ignores it as dive does.
#[test]
fn stack_with_a_root_opaque_marker() {
    let upper = |opq: bool| {
        let mut u = vec![
            f("/etc/nginx/nginx.conf", b"new"),
            f("/var/run/systemd", b"yup"),
            f("/var/run/.wh.bashful", b""),
            f("/.wh.tmp", b""),
        ];
        if opq {
            u.push(f("/.wh..wh..opq", b""));
        }
        layer(&u)
    };
    let with = [stack_lower(), upper(true)];
    let a = Analysis::replay(&with);
    assert_eq!(
        paths(&a),
        [
            "etc",
            "etc/nginx",
            "etc/nginx/nginx.conf",
            "var",
            "var/run",
            "var/run/systemd"
        ]
    );
    // bashful, nonsense, then under the root: public and systemd (set again: added).
    assert_eq!(a.stats[1].files_removed, 4);
    assert_eq!(a.stats[1].files_added, 2);
    let without = [stack_lower(), upper(false)];
    let (sw, so): (DiveScore, DiveScore) = (super::score(&with), super::score(&without));
    assert_eq!(sw, so);
}

/// TestAddWhiteoutPath and TestIsWhiteout: an opaque marker is not a path of its own, but
/// its directories are made (dive adds them; containerd's apply makes a marker's parents
/// before it converts the whiteout). `.wh.public2` is a whiteout, `public1` is not.
#[test]
fn markers_are_not_paths_but_their_directories_exist() {
    let l = layer(&[f(
        "usr/local/lib/python3.7/site-packages/pip/.wh..wh..opq",
        b"",
    )]);
    assert_eq!(l.entries.len(), 1);
    assert_eq!(l.entries[0].kind, EntryKind::Opaque);
    let a = Analysis::replay(&[l]);
    assert_eq!(
        paths(&a),
        [
            "usr",
            "usr/local",
            "usr/local/lib",
            "usr/local/lib/python3.7",
            "usr/local/lib/python3.7/site-packages",
            "usr/local/lib/python3.7/site-packages/pip",
        ]
    );
    assert!(a.fs.values().all(|n| n.kind == EntryKind::Dir));
    // `cat` and `files` find the directory a marker made as the container would.
    assert!(matches!(
        crate::layers::lookup::lookup(&a, "/usr/local/lib/python3.7/site-packages/pip"),
        crate::layers::lookup::Lookup::NotAFile {
            kind: EntryKind::Dir,
            ..
        }
    ));

    let l = layer(&[
        f("/etc/nginx/public1", b"1"),
        f("/etc/nginx/.wh.public2", b""),
        f("/etc/nginx/public3/.wh..wh..opq", b""),
    ]);
    let kinds: Vec<(&str, EntryKind)> = l
        .entries
        .iter()
        .map(|e| (e.path.as_str(), e.kind))
        .collect();
    assert_eq!(
        kinds,
        [
            ("etc/nginx/public1", EntryKind::File),
            ("etc/nginx/public2", EntryKind::Whiteout),
            ("etc/nginx/public3", EntryKind::Opaque),
        ]
    );
    let a = Analysis::replay(&[l]);
    assert_eq!(
        paths(&a),
        ["etc", "etc/nginx", "etc/nginx/public1", "etc/nginx/public3"]
    );
    assert_eq!(a.fs["etc/nginx/public3"].kind, EntryKind::Dir);
}

/// TestDirSize (file_node_test.go): /etc/nginx holds 100 + 200 + 300 bytes = 600 B.
#[test]
fn directory_sizes_roll_up() {
    let a = Analysis::replay(&[layer(&[
        f("/etc/nginx/public1", &[b'a'; 100]),
        f("/etc/nginx/thing1", &[b'b'; 200]),
        f("/etc/nginx/public3/thing2", &[b'c'; 300]),
    ])]);
    let t = FsTree::of_filesystem(&a);
    assert_eq!(t.find("etc/nginx").map(|n| n.size), Some(600));
    assert_eq!(t.find("etc/nginx/public3").map(|n| n.size), Some(300));
    assert_eq!(t.root().size, 600);
    let c = FsTree::of_changes(a.changes_of(0));
    assert_eq!(c.find("etc/nginx").map(|n| n.size), Some(600));
}

#[path = "dive_compare_vectors.rs"]
mod compare;
