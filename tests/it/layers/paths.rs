//! Names past Linux's `PATH_MAX`: a hostile layer whose entry is 200,000 directories deep
//! (a 400 KB GNU long name, within the 1 MiB record bound) used to reach the replay, which
//! made one directory per level keyed by its whole path (≈40 GB for that one entry). The
//! walk now refuses the layer, naming it, the entry and the limit; a name just within the
//! limit is read, replayed, scored and drawn as a tree.

use super::engine::index_of;
use crate::support::fixtures::{tar, Entry, Layer};
use regscope::layers::dive;
use regscope::layers::names::{MAX_PATH_BYTES, MAX_PATH_DEPTH};
use regscope::layers::stream::descriptor_for;
use regscope::layers::{Analysis, FsTree, LayerError};

/// `d/d/…/d`, `levels` components.
pub fn deep(levels: usize) -> String {
    vec!["d"; levels].join("/")
}

/// A layer holding one ordinary file and `name` (a file of 4 bytes).
pub fn layer_with(name: &str) -> Layer {
    Layer::gzip(
        tar(&[Entry::File("ok", b"x"), Entry::File(name, b"boom")]),
        "",
    )
}

#[test]
fn a_name_past_path_max_fails_its_layer_naming_it_and_the_limit() {
    let name = format!("{}/f", deep(200_000));
    let l = layer_with(&name);
    assert!(l.bytes.len() < 64 << 10, "the hostile layer is small");
    let digest = descriptor_for(&l.bytes, &l.media_type).digest.to_string();
    let err = index_of(&l).unwrap_err();
    let LayerError::PathTooLong {
        layer,
        entry,
        what,
        bytes,
        limit,
    } = &err
    else {
        panic!("{err}")
    };
    assert_eq!(layer, &digest);
    assert_eq!(
        (*what, *bytes, *limit),
        ("name", name.len(), MAX_PATH_BYTES)
    );
    assert!(entry.len() < 120, "the entry is cut for display: {entry}");
    let msg = err.to_string();
    for part in [
        digest.as_str(),
        "d/d/d/d/",
        "(400001 bytes, 200001 levels)",
        "exceeds the limit of 4096 bytes",
    ] {
        assert!(msg.contains(part), "{part:?} in {msg}");
    }
}

#[test]
fn a_link_target_past_path_max_fails_its_layer() {
    let target = deep(MAX_PATH_DEPTH + 1);
    for (name, entry) in [
        ("link", Entry::Symlink("link", &target)),
        ("hard", Entry::HardLink("hard", &target)),
    ] {
        let l = Layer::gzip(tar(&[entry]), "");
        let err = index_of(&l).unwrap_err();
        assert!(
            matches!(
                &err,
                LayerError::PathTooLong {
                    what: "link target",
                    bytes: 4097,
                    ..
                }
            ),
            "{err}"
        );
        let want = format!("tar entry {name}: link target of 4097 bytes exceeds the limit");
        assert!(err.to_string().contains(&want), "{err}");
    }
}

#[test]
fn a_name_at_path_max_is_read_replayed_scored_and_drawn() {
    // 2,048 levels, exactly 4,096 bytes: the longest and deepest name the limit lets through.
    let name = format!("{}/ff", deep(MAX_PATH_DEPTH - 1));
    assert_eq!(name.len(), MAX_PATH_BYTES);
    let idx = index_of(&layer_with(&name)).unwrap();
    assert_eq!(idx.entries[1].path, name);
    let a = Analysis::replay([&idx]);
    assert_eq!(
        a.fs.len(),
        2 + MAX_PATH_DEPTH - 1,
        "ok, f and 2,047 directories"
    );
    assert_eq!(a.total_bytes(), 5);
    // The trees are built and summed by loops: a small stack is enough.
    let tree = std::thread::Builder::new()
        .stack_size(128 << 10)
        .spawn(move || (FsTree::of_filesystem(&a), dive::score([&idx])))
        .unwrap()
        .join()
        .unwrap();
    let (tree, score) = tree;
    assert_eq!(tree.root().size, 5);
    assert_eq!(tree.find(&name).map(|n| n.size), Some(4));
    assert_eq!(
        tree.find("d").map(|n| n.size),
        Some(4),
        "the top directory sums it"
    );
    assert_eq!(score.size_bytes, 5);
}

/// `regscope layers` on a pushed image whose second layer holds the 200,000-level name:
/// exit 1, the layer named with the limit, the other layer read.
#[tokio::test]
async fn regscope_layers_refuses_the_hostile_layer_of_a_pushed_image() {
    use super::cli::regscope;
    use crate::support::fixtures::ImageFixture;
    use crate::support::registry::TestRegistry;
    use crate::support::seed::{sha256, Seeder};
    let Some(reg) = TestRegistry::start() else {
        return;
    };
    let s = Seeder::new(&reg.base_url());
    let name = format!("{}/f", deep(200_000));
    let img = ImageFixture::new(
        "amd64",
        "2026-01-01T00:00:00Z",
        vec![
            Layer::gzip(tar(&[Entry::File("ok", b"fine")]), "ADD ok /"),
            layer_with(&name),
        ],
    );
    img.push(&s, "hostile/deep", &["v1"]).await;
    let dir = tempfile::tempdir().unwrap();
    let r = format!("{}/hostile/deep:v1", reg.addr);
    let path = dir.path().to_path_buf();
    let (code, out, err) = tokio::task::spawn_blocking(move || regscope(&path, &["layers", &r]))
        .await
        .unwrap();
    assert_eq!(code, 1, "{out}\n{err}");
    let hostile = sha256(&img.layers[1].bytes);
    assert!(
        err.contains(&format!("layer 2 of 2, {hostile}: tar entry d/d/d/")),
        "{err}"
    );
    assert!(
        err.contains("name of 400001 bytes exceeds the limit of 4096 bytes"),
        "{err}"
    );
    assert!(!err.contains("layer 1:"), "the other layer is fine: {err}");
}

/// Many deep names in directories no entry lists: each 4,095-byte name implies 2,045
/// directories (≈4 MB of paths as replay keys), 2,000 of them ≈8 GB, from a 10 MB tar
/// that gzips to under 1 MiB. `regscope layers` refuses the layer at the fifth name
/// (past the tar read so far plus 16 MiB), naming it; a name within the budget (above) is
/// still read.
#[tokio::test]
async fn regscope_layers_refuses_deep_names_in_new_directories() {
    use super::cli::regscope;
    use crate::support::fixtures::ImageFixture;
    use crate::support::registry::TestRegistry;
    use crate::support::seed::{sha256, Seeder};
    let Some(reg) = TestRegistry::start() else {
        return;
    };
    let s = Seeder::new(&reg.base_url());
    let deep = deep(MAX_PATH_DEPTH - 4);
    let names: Vec<String> = (0..2000).map(|n| format!("x{n:04}/{deep}/f")).collect();
    assert_eq!(names[0].len(), MAX_PATH_BYTES - 1);
    let entries: Vec<Entry> = names.iter().map(|n| Entry::File(n, b"")).collect();
    let hostile = Layer::gzip(tar(&entries), "ADD many /");
    assert!(hostile.bytes.len() < 1 << 20, "{}", hostile.bytes.len());
    let img = ImageFixture::new("amd64", "2026-01-01T00:00:00Z", vec![hostile]);
    img.push(&s, "hostile/implied", &["v1"]).await;
    let dir = tempfile::tempdir().unwrap();
    let r = format!("{}/hostile/implied:v1", reg.addr);
    let path = dir.path().to_path_buf();
    let (code, out, err) = tokio::task::spawn_blocking(move || regscope(&path, &["layers", &r]))
        .await
        .unwrap();
    assert_eq!(code, 1, "{out}\n{err}");
    let digest = sha256(&img.layers[0].bytes);
    assert!(
        err.contains(&format!("layer 1 of 1, {digest}: tar entry x0004/d/d/")),
        "{err}"
    );
    assert!(
        err.contains("more than the") && err.contains("plus 16777216 bytes"),
        "{err}"
    );
}

/// `diff` rolls sizes and changes up by directory: 4,000 files under a listed 2,040-level
/// chain (4 KB names) compared with the same plus one file. Walking every ancestor of every
/// file took 17.7 s for half as many files (debug build); rolled up level by level it is
/// under a second. The figures live in docs/performance.md: no timed assertion here (a
/// loaded CI machine must not turn speed into a failure); this checks the roll-up's sums.
#[test]
fn diff_of_files_deep_in_a_listed_chain_is_linear() {
    let chain: Vec<String> = (1..=2040).map(|k| format!("{}/", deep(k))).collect();
    let top = deep(2040);
    let files: Vec<String> = (0..4000).map(|i| format!("{top}/f{i:04}")).collect();
    let mut entries: Vec<Entry> = chain.iter().map(|d| Entry::Dir(d)).collect();
    entries.extend(files.iter().map(|f| Entry::File(f, b"abc")));
    let base = index_of(&Layer::plain(tar(&entries), "")).unwrap();
    let new = format!("{top}/new");
    let more = index_of(&Layer::plain(tar(&[Entry::File(&new, b"12345")]), "")).unwrap();
    let a = Analysis::replay([&base]);
    let b = Analysis::replay([&base, &more]);
    let d = regscope::layers::diff::files(&a, &b);
    assert_eq!(d.added.len(), 1);
    assert_eq!(d.directories.len(), 2041, "the root and the 2,040 levels");
    let root = d.directories.iter().find(|g| g.path.is_empty()).unwrap();
    assert_eq!((root.size_a, root.size_b, root.delta), (12_000, 12_005, 5));
    let deepest = d.directories.iter().find(|g| g.path == top).unwrap();
    assert_eq!((deepest.size_a, deepest.added), (12_000, 1));
}
