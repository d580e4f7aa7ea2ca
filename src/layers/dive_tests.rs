//! dive's own unit vectors (dive/filetree/efficiency_test.go) over layers built as dive
//! builds its trees there, and README's four cases where dive and regscope differ, each
//! with both figures.

use super::*;
use crate::layers::index::{Compression, TarEntry};
use crate::layers::merge::Analysis;
use crate::model::Digest;

fn file(path: &str, size: u64) -> TarEntry {
    TarEntry {
        path: path.into(),
        kind: EntryKind::File,
        size,
        ..Default::default()
    }
}
fn dir(path: &str) -> TarEntry {
    TarEntry {
        path: path.into(),
        kind: EntryKind::Dir,
        ..Default::default()
    }
}
fn marker(path: &str, kind: EntryKind) -> TarEntry {
    TarEntry {
        path: path.into(),
        kind,
        ..Default::default()
    }
}
fn layer(entries: Vec<TarEntry>) -> LayerIndex {
    LayerIndex {
        format: crate::layers::index::INDEX_FORMAT,
        digest: Digest::sha256_of(format!("{entries:?}").as_bytes()),
        media_type: "application/vnd.oci.image.layer.v1.tar".into(),
        compression: Compression::None,
        compressed_size: 0,
        uncompressed_size: 0,
        entries,
        warnings: vec![],
    }
}

fn both(layers: &[LayerIndex]) -> (DiveScore, Analysis) {
    (score(layers), Analysis::replay(layers))
}

/// TestEfficiency: three trees, the third whites out /etc/nginx; expected score 0.75 and
/// one match, /etc/nginx/nginx.conf with a cumulative size of 7000 in layers 0 and 1.
#[test]
fn dive_test_efficiency_vector() {
    let layers = [
        layer(vec![
            file("etc/nginx/nginx.conf", 2000),
            file("etc/nginx/public", 3000),
        ]),
        layer(vec![
            file("etc/nginx/nginx.conf", 5000),
            file("etc/athing", 10000),
        ]),
        layer(vec![marker("etc/nginx", EntryKind::Whiteout)]),
    ];
    let s = score(&layers);
    assert_eq!(s.efficiency, 0.75);
    assert_eq!(
        s.inefficient,
        vec![Inefficiency {
            path: "/etc/nginx/nginx.conf".into(),
            cumulative_size: 7000,
            layers: vec![0, 1],
        }]
    );
    assert_eq!(s.wasted_bytes, 7000);
    assert_eq!(s.size_bytes, 20000);
    assert_eq!(s.user_size_bytes, 15000);
    assert_eq!(s.wasted_user_percent, Some(7000.0 / 15000.0));
}

/// TestEfficiency_ScratchImage: one empty file in three layers scores 1.0, no matches.
#[test]
fn dive_scratch_image_vector() {
    let layers = [
        layer(vec![file("nothing", 0)]),
        layer(vec![]),
        layer(vec![]),
    ];
    let s = score(&layers);
    assert_eq!(s.efficiency, 1.0);
    assert!(s.inefficient.is_empty());
    assert_eq!(s.wasted_bytes, 0);
    // No user bytes: dive divides 0 by 0 (NaN); the JSON says null.
    assert_eq!(s.wasted_user_percent, None);
    assert!(s.wasted_user_ratio().is_nan());
}

/// README case 1: a file written twice (1 KiB, then 5 KiB). dive counts both copies as
/// wasted and scores smallest/all; regscope counts the hidden 1 KiB.
#[test]
fn visible_copy_counts_as_waste_for_dive() {
    let layers = [
        layer(vec![dir("app"), file("app/data", 1024)]),
        layer(vec![dir("app"), file("app/data", 5120)]),
    ];
    let (d, r) = both(&layers);
    assert_eq!(r.wasted_bytes(), 1024);
    assert!((r.efficiency() - (1.0 - 1024.0 / 6144.0)).abs() < 1e-12);
    assert_eq!(d.wasted_bytes, 6144);
    assert_eq!(d.efficiency, 1024.0 / 6144.0);
    assert_eq!(d.inefficient[0].layers, vec![0, 1]);
    assert_eq!(d.wasted_user_percent, Some(6144.0 / 5120.0));
}

/// README case 2: an opaque directory hides a lower file; dive never adds the marker, so
/// nothing is wasted for it.
#[test]
fn opaque_directories_are_ignored_by_dive() {
    let layers = [
        layer(vec![dir("cache"), file("cache/old", 100)]),
        layer(vec![
            dir("cache"),
            marker("cache", EntryKind::Opaque),
            file("cache/new", 10),
        ]),
    ];
    let (d, r) = both(&layers);
    assert_eq!(r.wasted_bytes(), 100);
    assert_eq!(d.wasted_bytes, 0);
    assert_eq!(d.efficiency, 1.0);
    assert!(d.inefficient.is_empty());
}

/// README case 3: a deleted directory. The whiteout weighs the stacked directory (150)
/// but lands on /tmp, which had no leaf, so it is that path's only copy.
#[test]
fn deleted_directories_are_ignored_by_dive() {
    let layers = [
        layer(vec![dir("tmp"), file("tmp/a", 100), file("tmp/b", 50)]),
        layer(vec![marker("tmp", EntryKind::Whiteout)]),
    ];
    let (d, r) = both(&layers);
    assert_eq!(r.wasted_bytes(), 150);
    assert_eq!(d.wasted_bytes, 0);
    assert_eq!(d.efficiency, 1.0);
    // Deleted again later over an empty leaf: now /tmp has two copies, 150 + 150.
    let mut more = layers.to_vec();
    more.push(layer(vec![dir("tmp")]));
    more.push(layer(vec![marker("tmp", EntryKind::Whiteout)]));
    let d = score(&more);
    assert_eq!(d.inefficient[0].path, "/tmp");
    assert_eq!(d.inefficient[0].layers, vec![1, 2, 3]);
    // Layer 3's stack holds layer 2's empty /tmp directory: it weighs 0.
    assert_eq!(d.inefficient[0].cumulative_size, 150);
}

/// A whited-out file weighs 0; the copies before it are its path's cumulative size.
#[test]
fn whiteout_of_a_file_weighs_nothing() {
    let layers = [
        layer(vec![file("big", 700)]),
        layer(vec![marker("big", EntryKind::Whiteout)]),
    ];
    let (d, r) = both(&layers);
    assert_eq!(r.wasted_bytes(), 700);
    assert_eq!(d.wasted_bytes, 700);
    assert_eq!(d.efficiency, 0.0);
    assert_eq!(d.inefficient[0].layers, vec![0, 1]);
}

/// README case 4: the whiteout of a path no lower layer has ends the layer's visit. Its
/// node `.wh.missing` sorts before `a`, so layer 1's `a` is never visited, and /missing
/// keeps dive's initial smallest size of -1.
#[test]
fn whiteout_of_a_missing_path_ends_the_layer_for_dive() {
    let layers = [
        layer(vec![file("a", 100)]),
        layer(vec![marker("missing", EntryKind::Whiteout), file("a", 200)]),
    ];
    let (d, r) = both(&layers);
    assert_eq!(r.wasted_bytes(), 100);
    assert_eq!(d.wasted_bytes, 0);
    assert!(d.inefficient.is_empty());
    assert_eq!(d.efficiency, 99.0 / 100.0);
    // A name sorting before the whiteout is visited before the visit stops.
    let layers = [
        layer(vec![file(".a", 100)]),
        layer(vec![
            marker("missing", EntryKind::Whiteout),
            file(".a", 200),
        ]),
    ];
    let d = score(&layers);
    assert_eq!(d.wasted_bytes, 300);
}

/// A path set twice within one layer is one node in dive's tree (the last payload wins):
/// not a copy of its own, though both count in the layer's size.
#[test]
fn same_path_twice_in_one_layer_is_one_copy() {
    let layers = [layer(vec![file("x", 10), file("x", 30)]), layer(vec![])];
    let d = score(&layers);
    assert_eq!(d.efficiency, 1.0);
    assert_eq!(d.size_bytes, 40);
}

/// A hostile layer: one path 200,000 directories deep (a PAX name can be that long). The
/// score must not recurse once per level (a stack overflow kills the process).
#[test]
fn a_very_deep_path_does_not_overflow_the_stack() {
    let deep = vec!["d"; 200_000].join("/");
    let layers = [
        layer(vec![dir(&deep), file(&format!("{deep}/f"), 5)]),
        layer(vec![marker(&deep, EntryKind::Whiteout)]),
        layer(vec![file(&format!("{deep}/f"), 7)]),
    ];
    let d = score(&layers);
    assert_eq!(d.size_bytes, 12);
    // The whiteout weighs the directory's 5 bytes (one copy of /d/…/d); /d/…/d/f has two.
    assert_eq!(
        d.inefficient,
        vec![Inefficiency {
            path: format!("/{deep}/f"),
            cumulative_size: 12,
            layers: vec![0, 2],
        }]
    );
    assert_eq!(d.efficiency, 10.0 / 17.0);
}

/// The line the CLI prints and the TUI shows: one decimal of a percent, `text::size` bytes,
/// and "no user bytes" where dive would divide by zero (never a made-up 0% or 100%).
#[test]
fn summary_is_the_one_line_both_front_ends_show() {
    let two = [
        layer(vec![file("a", 3000)]),
        layer(vec![file("a", 5000), file("b", 1000)]),
    ];
    let d = score(&two);
    // Σ smallest 3000 + 1000 over Σ 9000; a's two copies (8000) are wasted, of 6000 user.
    assert_eq!(
        d.summary(),
        "efficiency 44.4%, wasted 7.8 KiB (user 133.3%)"
    );
    let one = score(&[layer(vec![file("a", 10)])]);
    assert_eq!(
        one.summary(),
        "efficiency 100.0%, wasted 0 B (no user bytes)"
    );
}
