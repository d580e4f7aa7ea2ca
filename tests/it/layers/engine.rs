//! The walk and the replay on blobs built in memory: every compression, whiteouts, opaque
//! directories, links, PAX and GNU long names, bounds, corruption, the cache.

use super::model::{dir_size, expect, tar_tv};
use crate::support::fixtures::{gzip, tar, zstd, Entry, Layer};
use regscope::layers::stream::descriptor_for;
use regscope::layers::{
    hints::hints, index_reader, Analysis, ChangeState, Compression, EntryKind, FsTree, LayerCache,
    LayerError, LayerIndex, LayerLimits,
};

pub const PAX_NAME: &str = "opt/very/deep/directory/structure/that/keeps/going/and/going/well/past/the/hundred/byte/ustar/limit/pax-named-file.txt";
pub const GNU_NAME: &str = "usr/share/another/very/long/directory/name/that/needs/a/gnu/longname/extension/because/it/is/long/file.bin";

/// Four layers exercising every rule, as (uncompressed tar, layer as pushed).
pub fn scenario() -> Vec<(Vec<u8>, Layer)> {
    let tool_v1 = vec![b'a'; 5000];
    let tool_v2 = vec![b'b'; 6000];
    let l0 = tar(&[
        Entry::Dir("etc/"),
        Entry::File("etc/config", &[1; 100]),
        Entry::Dir("usr/bin/"),
        Entry::File("usr/bin/tool", &tool_v1),
        Entry::HardLink("usr/bin/tool-link", "usr/bin/tool"),
        Entry::Symlink("usr/bin/sh", "tool"),
        Entry::File("var/lib/apt/lists/main_Packages", &[2; 3000]),
        Entry::File("var/lib/apt/lists/lock", b""),
        Entry::File("opt/data/a", &[3; 200]),
        Entry::File("opt/data/b", &[4; 300]),
        Entry::File("tmp/big", &[5; 10_000]),
        Entry::PaxFile(PAX_NAME, &[6; 400]),
        Entry::File(GNU_NAME, &[7; 700]),
    ]);
    let l1 = tar(&[
        Entry::File("etc/config", &[8; 150]),
        Entry::File("tmp/.wh.big", b""),
        Entry::File("opt/data/c", &[9; 50]),
        // the opaque marker after a same-layer entry must not hide it
        Entry::File("opt/data/.wh..wh..opq", b""),
        Entry::File("usr/bin/tool", &tool_v2),
    ]);
    let l2 = tar(&[]);
    let l3 = tar(&[
        Entry::Dir("etc/"),
        Entry::File("etc/config", &[10; 120]),
        Entry::File("etc/.wh.nothing-here", b""),
        Entry::File("var/lib/apt/.wh.lists", b""),
    ]);
    vec![
        (
            l0.clone(),
            Layer::gzip(l0, "RUN apt-get update && install tool"),
        ),
        (l1.clone(), Layer::zstd(l1, "COPY overlay /")),
        (l2.clone(), Layer::plain(l2, "RUN true")),
        (l3.clone(), Layer::gzip(l3, "RUN rm -rf /var/lib/apt/lists")),
    ]
}

pub fn index_of(layer: &Layer) -> Result<LayerIndex, LayerError> {
    index_reader(
        layer.bytes.as_slice(),
        &descriptor_for(&layer.bytes, &layer.media_type),
        &LayerLimits::default(),
    )
}

#[test]
fn gzip_zstd_and_plain_blobs_of_one_tar_index_identically() {
    let t = scenario().remove(0).0;
    let layers = [
        Layer::gzip(t.clone(), ""),
        Layer::zstd(t.clone(), ""),
        Layer::plain(t.clone(), ""),
    ];
    let idx: Vec<LayerIndex> = layers.iter().map(|l| index_of(l).unwrap()).collect();
    assert_eq!(idx[0].compression, Compression::Gzip);
    assert_eq!(idx[1].compression, Compression::Zstd);
    assert_eq!(idx[2].compression, Compression::None);
    for (i, l) in idx.iter().zip(&layers) {
        assert_eq!(i.entries, idx[0].entries);
        assert_eq!(i.uncompressed_size, t.len() as u64);
        assert_eq!(i.compressed_size, l.bytes.len() as u64);
        assert!(i.warnings.is_empty(), "{:?}", i.warnings);
    }
    // names from PAX and GNU long-name headers arrive whole
    let paths: Vec<&str> = idx[0].entries.iter().map(|e| e.path.as_str()).collect();
    assert!(paths.contains(&PAX_NAME), "{paths:?}");
    assert!(paths.contains(&GNU_NAME), "{paths:?}");
    let link = idx[0]
        .entries
        .iter()
        .find(|e| e.path == "usr/bin/tool-link")
        .unwrap();
    assert_eq!((link.kind, link.size), (EntryKind::Hardlink, 0));
    assert_eq!(link.link.as_deref(), Some("usr/bin/tool"));
}

#[test]
fn magic_bytes_win_over_a_wrong_media_type_and_say_so() {
    let t = tar(&[Entry::File("a", b"hello")]);
    let mut l = Layer::zstd(t, "");
    l.media_type = "application/vnd.oci.image.layer.v1.tar+gzip".into();
    let idx = index_of(&l).unwrap();
    assert_eq!(idx.compression, Compression::Zstd);
    assert_eq!(idx.entries.len(), 1);
    assert!(
        idx.warnings[0].contains("announces gzip but the bytes are zstd"),
        "{:?}",
        idx.warnings
    );
    l.media_type = "application/vnd.in-toto+json".into();
    assert!(matches!(index_of(&l), Err(LayerError::NotALayer { .. })));
}

#[test]
fn replay_matches_an_independent_model_built_from_tar_tv() {
    let layers = scenario();
    let listings: Vec<_> = layers.iter().map(|(t, _)| tar_tv(t)).collect();
    let want = expect(&listings);
    let idx: Vec<LayerIndex> = layers.iter().map(|(_, l)| index_of(l).unwrap()).collect();
    let a = Analysis::replay(&idx);

    let mut got: Vec<(String, u64, usize)> = a
        .wasted
        .iter()
        .map(|w| (w.path.clone(), w.size, w.layer))
        .collect();
    got.sort();
    assert_eq!(got, want.wasted);
    assert_eq!(a.wasted_bytes(), 100 + 150 + 10_000 + 200 + 300 + 3000);
    assert_eq!(a.total_bytes(), want.total);
    assert!((a.efficiency() - (1.0 - 13_750.0 / want.total as f64)).abs() < 1e-12);
    // offenders largest first
    assert!(a.wasted.windows(2).all(|w| w[0].size >= w[1].size));

    // the final filesystem: same paths, kinds, sizes and last-setting layers
    let kind = |k: EntryKind| match k {
        EntryKind::File => '-',
        EntryKind::Dir => 'd',
        EntryKind::Symlink => 'l',
        EntryKind::Hardlink => 'h',
        _ => '?',
    };
    // directories are compared through the tree below (tar -tv lists only explicit ones)
    let mut ours: Vec<(String, (char, u64, usize))> =
        a.fs.iter()
            .filter(|(_, n)| n.kind != EntryKind::Dir)
            .map(|(p, n)| (p.clone(), (kind(n.kind), n.size, n.layer)))
            .collect();
    let mut theirs: Vec<(String, (char, u64, usize))> = want
        .fs
        .clone()
        .into_iter()
        .filter(|(_, v)| v.0 != 'd')
        .collect();
    ours.sort();
    theirs.sort();
    assert_eq!(ours, theirs);

    // per-directory sizes of the tree equal the model's sums
    let tree = FsTree::of_filesystem(&a);
    for dir in [
        "", "etc", "usr", "usr/bin", "opt", "opt/data", "var/lib", "tmp",
    ] {
        let node = tree.find(dir).unwrap_or_else(|| panic!("{dir} missing"));
        assert_eq!(node.size, dir_size(&want, dir), "size of /{dir}");
    }
    assert!(tree.find("var/lib/apt/lists").is_none());
    // the parent of a removed directory stays, empty, as extraction would leave it
    assert_eq!(
        tree.find("var/lib/apt").map(|n| (n.kind, n.size)),
        Some((EntryKind::Dir, 0))
    );
    assert_eq!(tree.find("etc/config").unwrap().layer, Some(3));
    assert_eq!(tree.find("opt/data/c").unwrap().layer, Some(1));

    // per-layer counts (non-directories only)
    let s: Vec<(u64, u64, u64)> = a
        .stats
        .iter()
        .map(|s| (s.files_added, s.files_modified, s.files_removed))
        .collect();
    assert_eq!(s[0], (11, 0, 0));
    // l1: config and tool modified; big, a, b removed; c added
    assert_eq!(s[1], (1, 2, 3));
    assert_eq!(s[2], (0, 0, 0));
    // l3: config modified; lists/main_Packages and lists/lock removed
    assert_eq!(s[3], (0, 1, 2));
    assert_eq!(a.stats[1].bytes_added, 150 + 50 + 6000);
    assert_eq!(a.stats[2].bytes_added, 0);

    let removed: Vec<&str> = a
        .changes_of(3)
        .filter(|c| c.state == ChangeState::Removed)
        .map(|c| c.path.as_str())
        .collect();
    assert!(
        removed.contains(&"var/lib/apt/lists/main_Packages"),
        "{removed:?}"
    );
    let changes = FsTree::of_changes(a.changes_of(1));
    assert_eq!(
        changes.find("tmp/big").unwrap().state,
        Some(ChangeState::Removed)
    );
    assert_eq!(
        changes.find("opt/data/c").unwrap().state,
        Some(ChangeState::Added)
    );
}

#[test]
fn hints_name_package_caches_and_late_deletes() {
    let idx: Vec<LayerIndex> = scenario()
        .iter()
        .map(|(_, l)| index_of(l).unwrap())
        .collect();
    let a = Analysis::replay(&idx);
    let h = hints(&a);
    let msgs: Vec<String> = h.iter().map(|h| h.message()).collect();
    assert!(
        msgs.iter()
            .any(|m| m.contains("layer 1 leaves 1 file ") && m.contains("/var/lib/apt/lists")),
        "{msgs:?}"
    );
    assert!(
        msgs.iter()
            .any(|m| m.starts_with("layer 2 deletes 3 files") && m.contains("created by layer 1")),
        "{msgs:?}"
    );
    assert!(
        msgs.iter()
            .any(|m| m.starts_with("layer 4 deletes 2 files")),
        "{msgs:?}"
    );
}

#[test]
fn control_characters_in_names_are_escaped() {
    let t = tar(&[Entry::File("evil\x1b]0;pwned\x07name", b"x")]);
    let idx = index_of(&Layer::gzip(t, "")).unwrap();
    assert_eq!(idx.entries[0].path, "evil\\x1b]0;pwned\\x07name");
    assert!(!idx.entries[0].path.chars().any(|c| c.is_control()));
}

#[test]
fn a_corrupted_blob_fails_with_a_digest_error_not_a_gzip_error() {
    let (_, l) = scenario().remove(0);
    let desc = descriptor_for(&l.bytes, &l.media_type);
    let mut bad = l.bytes.clone();
    let mid = bad.len() / 2;
    bad[mid] ^= 0xff;
    let err = index_reader(bad.as_slice(), &desc, &LayerLimits::default()).unwrap_err();
    assert!(matches!(err, LayerError::DigestMismatch { .. }), "{err}");
    assert!(err.is_digest_error());
    assert!(err.to_string().contains(desc.digest.as_str()), "{err}");
    // a truncated stream is a size/digest failure too
    let cut = &l.bytes[..l.bytes.len() - 10];
    let err = index_reader(cut, &desc, &LayerLimits::default()).unwrap_err();
    assert!(err.is_digest_error(), "{err}");
    // extra bytes after the blob are not silently accepted
    let mut long = l.bytes.clone();
    long.extend_from_slice(b"trailing");
    let err = index_reader(long.as_slice(), &desc, &LayerLimits::default()).unwrap_err();
    assert!(err.is_digest_error(), "{err}");
}

#[test]
fn a_decompression_bomb_stops_at_the_bound() {
    let zeros = vec![0u8; 64 << 20];
    let t = tar(&[Entry::File("bomb", &zeros)]);
    for l in [
        Layer {
            bytes: gzip(&t),
            ..Layer::gzip(vec![], "")
        },
        Layer {
            bytes: zstd(&t),
            ..Layer::zstd(vec![], "")
        },
    ] {
        assert!(l.bytes.len() < 1 << 20, "the bomb compresses well");
        let limits = LayerLimits {
            max_uncompressed_bytes: 4 << 20,
            ..LayerLimits::default()
        };
        let err = index_reader(
            l.bytes.as_slice(),
            &descriptor_for(&l.bytes, &l.media_type),
            &limits,
        )
        .unwrap_err();
        assert!(
            matches!(err, LayerError::TooLarge { limit, .. } if limit == 4 << 20),
            "{err}"
        );
    }
    let many: Vec<String> = (0..50).map(|i| format!("f{i}")).collect();
    let entries: Vec<Entry> = many.iter().map(|n| Entry::File(n, b"")).collect();
    let l = Layer::gzip(tar(&entries), "");
    let limits = LayerLimits {
        max_entries: 10,
        ..LayerLimits::default()
    };
    let err = index_reader(
        l.bytes.as_slice(),
        &descriptor_for(&l.bytes, &l.media_type),
        &limits,
    )
    .unwrap_err();
    assert!(
        matches!(err, LayerError::TooManyEntries { limit: 10, .. }),
        "{err}"
    );
}

#[test]
fn the_cache_round_trips_and_ignores_corrupt_or_foreign_entries() {
    let dir = tempfile::tempdir().unwrap();
    let cache = LayerCache::new(dir.path());
    let (_, l) = scenario().remove(1);
    let idx = index_of(&l).unwrap();
    assert!(cache.get(&idx.digest).is_none());
    cache.put(&idx);
    assert_eq!(cache.get(&idx.digest).as_ref(), Some(&idx));
    let file = dir
        .path()
        .join("sha256")
        .join(format!("{}.json", idx.digest.hex()));
    std::fs::write(&file, b"{not json").unwrap();
    assert!(cache.get(&idx.digest).is_none(), "corrupt entry ignored");
    // an entry stored under the wrong name is not trusted
    let other = index_of(&scenario().remove(0).1).unwrap();
    std::fs::write(&file, serde_json::to_vec(&other).unwrap()).unwrap();
    assert!(cache.get(&idx.digest).is_none(), "foreign entry ignored");
    cache.put(&idx);
    assert_eq!(cache.get(&idx.digest).as_ref(), Some(&idx), "rebuilt");
}

#[test]
fn history_aligns_with_non_empty_entries() {
    let cfg = br#"{"history":[{"created_by":"FROM x"},{"created_by":"ENV A=1","empty_layer":true},{"created_by":"RUN make"}]}"#;
    assert_eq!(
        regscope::layers::image::align_history(cfg, 3),
        vec![
            Some("FROM x".to_string()),
            Some("RUN make".to_string()),
            None
        ]
    );
    assert_eq!(regscope::layers::image::align_history(b"{}", 1), vec![None]);
}
