//! Hostile OCI layout trees and layers, read by the real binary under a memory limit:
//! symlink loops, symlinks out of the root, thousands of tags on one digest, a 1 GiB PAX
//! record in a small gzip layer, blobs that are devices or FIFOs.

use crate::support::fixtures::{tar, Entry, ImageFixture, Layer};
use crate::support::limited::{regscope_limited, Limited, LIMIT};
use crate::support::seed::sha256;
use serde_json::{json, Value};
use std::path::Path;

fn put_blob(layout: &Path, bytes: &[u8]) -> String {
    let d = sha256(bytes);
    let dir = layout.join("blobs/sha256");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(d.trim_start_matches("sha256:")), bytes).unwrap();
    d
}

/// A layout at `layout` holding one image of `layers`, listed in `index.json` once per
/// tag (every tag on the same digest). Returns the manifest digest.
pub(crate) fn write_layout(layout: &Path, layers: Vec<Layer>, tags: &[String]) -> String {
    let f = ImageFixture::new("amd64", "2026-01-01T00:00:00Z", layers);
    let config = f.config_json();
    put_blob(layout, &config);
    for l in &f.layers {
        put_blob(layout, &l.bytes);
    }
    let (mt, manifest) = f.manifest_json(&config);
    let digest = put_blob(layout, &manifest);
    let entries: Vec<Value> = tags
        .iter()
        .map(|t| {
            json!({"mediaType": mt, "digest": digest, "size": manifest.len(),
                "annotations": {"org.opencontainers.image.ref.name": t}})
        })
        .collect();
    std::fs::write(
        layout.join("index.json"),
        json!({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": entries}).to_string(),
    )
    .unwrap();
    std::fs::write(
        layout.join("oci-layout"),
        r#"{"imageLayoutVersion":"1.0.0"}"#,
    )
    .unwrap();
    digest
}

fn small_layer() -> Layer {
    Layer::gzip(tar(&[Entry::File("etc/hello", b"hello\n")]), "ADD hello")
}

fn run(dir: &Path, args: &[&str]) -> Limited {
    regscope_limited(dir, args, LIMIT)
}

#[test]
fn symlink_loops_and_links_out_of_the_root_are_walked_once() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("tree");
    write_layout(&root.join("team/app"), vec![small_layer()], &["v1".into()]);
    // Outside the root: a layout a link must not bring in.
    write_layout(
        &dir.path().join("elsewhere/secret"),
        vec![small_layer()],
        &["v1".into()],
    );
    // Every directory links back to the root and to its parent four times: without a
    // visited set, 12 levels of this is 8^12 directories.
    for d in ["", "team", "team/app"] {
        for i in 0..4 {
            let at = root.join(d);
            std::os::unix::fs::symlink(&root, at.join(format!("loop{i}"))).unwrap();
            std::os::unix::fs::symlink("..", at.join(format!("up{i}"))).unwrap();
        }
    }
    std::os::unix::fs::symlink(dir.path().join("elsewhere"), root.join("out")).unwrap();
    let target = format!("oci:{}", root.display());
    let o = run(dir.path(), &["repos", "--names-only", &target]);
    assert_eq!(o.code(), Some(0), "{}", o.text());
    let names: Vec<&str> = o.stdout.lines().collect();
    assert_eq!(names, vec!["team/app"], "{}", o.text());
}

fn many_tags(n: usize) -> Limited {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("tree");
    let tags: Vec<String> = (0..n).map(|i| format!("t{i}")).collect();
    let digest = write_layout(&root.join("team/app"), vec![small_layer()], &tags);
    let o = run(
        dir.path(),
        &["images", "--json", &format!("oci:{}", root.display())],
    );
    assert_eq!(o.code(), Some(0), "{}", o.text());
    let inv: Value = serde_json::from_str(&o.stdout).unwrap();
    let images = inv["images"].as_array().unwrap();
    assert_eq!(images.len(), 1);
    assert_eq!(images[0]["digest"], digest.as_str());
    assert_eq!(images[0]["tags"].as_array().unwrap().len(), n);
    o
}

#[test]
fn eight_thousand_tags_on_one_digest_are_read_under_the_memory_limit() {
    many_tags(8_000);
}

/// Figures for docs/performance.md: `cargo nextest run --test it --run-ignored only -E 'test(/measure_layout/)' --no-capture`.
#[test]
#[ignore = "measurement, run by hand for docs/performance.md"]
fn measure_layout_many_tags() {
    for n in [4_000, 8_000, 30_000] {
        let o = many_tags(n);
        eprintln!(
            "layout, {n} tags on one digest: {:.2} s, peak RSS {} MiB",
            o.elapsed.as_secs_f64(),
            o.peak_rss_kib / 1024
        );
    }
}

/// The peer of [`measure_layout_many_tags`]: the same image with `n` tags on one digest in
/// a real docker-registry, read by `regscope images --json`. Figures for
/// docs/performance.md: `cargo nextest run --test it --run-ignored only -E 'test(/measure_registry/)' --no-capture`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "measurement, run by hand for docs/performance.md"]
async fn measure_registry_many_tags() {
    use futures::StreamExt;
    crate::require!("docker-registry");
    for n in [4_000usize, 8_000] {
        let Some(reg) = crate::support::registry::TestRegistry::start() else {
            return;
        };
        let s = crate::support::seed::Seeder::new(&reg.base_url());
        let f = ImageFixture::new("amd64", "2026-01-01T00:00:00Z", vec![small_layer()]);
        let pushed = f.push(&s, "team/app", &["t0"]).await;
        futures::stream::iter(1..n)
            .map(|i| {
                let (s, m, mt) = (
                    s.clone(),
                    pushed.manifest.clone(),
                    pushed.media_type.clone(),
                );
                async move { s.push_manifest("team/app", &format!("t{i}"), &mt, &m).await }
            })
            .buffer_unordered(16)
            .collect::<Vec<_>>()
            .await;
        let dir = tempfile::tempdir().unwrap();
        let o = run(dir.path(), &["--no-cache", "images", "--json", &reg.addr]);
        assert_eq!(o.code(), Some(0), "{}", o.text());
        let inv: Value = serde_json::from_str(&o.stdout).unwrap();
        assert_eq!(inv["images"][0]["tags"].as_array().unwrap().len(), n);
        eprintln!(
            "registry, {n} tags on one digest: {:.2} s, peak RSS {} MiB",
            o.elapsed.as_secs_f64(),
            o.peak_rss_kib / 1024
        );
    }
}

/// Time and peak memory of the other hostile inputs (each also a test with its own
/// assertions). `cargo nextest run --test it --run-ignored only -E 'test(/measure_hostile/)' --no-capture`.
#[test]
#[ignore = "measurement, run by hand for docs/performance.md"]
fn measure_hostile_inputs() {
    let report = |what: &str, o: &Limited| {
        eprintln!(
            "{what}: exit {:?}, {:.2} s, peak RSS {} MiB",
            o.code(),
            o.elapsed.as_secs_f64(),
            o.peak_rss_kib / 1024
        );
    };
    // Symlink loops: every directory of three levels links to the root and to its parent
    // four times each (8^depth paths without a visited set).
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("tree");
    write_layout(&root.join("team/app"), vec![small_layer()], &["v1".into()]);
    for d in ["", "team", "team/app"] {
        for i in 0..4 {
            let at = root.join(d);
            std::os::unix::fs::symlink(&root, at.join(format!("loop{i}"))).unwrap();
            std::os::unix::fs::symlink("..", at.join(format!("up{i}"))).unwrap();
        }
    }
    let o = run(
        dir.path(),
        &["repos", "--names-only", &format!("oci:{}", root.display())],
    );
    report("symlink loops (24 links over 3 levels)", &o);
    // A 1 GiB PAX record in a ~1 MB gzip layer.
    let layout = dir.path().join("bomb");
    let (bytes, diff_id) = pax_bomb(1 << 30);
    let compressed = bytes.len();
    let layer = Layer {
        media_type: "application/vnd.oci.image.layer.v1.tar+gzip".into(),
        bytes,
        diff_id,
        created_by: "ADD bomb".into(),
    };
    write_layout(&layout, vec![small_layer(), layer], &["v1".into()]);
    let target = format!("oci:{}:v1", layout.display());
    let o = run(dir.path(), &["layers", "--no-cache", &target]);
    report(
        &format!("1 GiB PAX record in a {compressed}-byte gzip layer"),
        &o,
    );
    // A blob that is /dev/zero.
    let layout = dir.path().join("zero");
    let digest = write_layout(&layout, vec![small_layer()], &["v1".into()]);
    let path = layout
        .join("blobs/sha256")
        .join(digest.trim_start_matches("sha256:"));
    std::fs::remove_file(&path).unwrap();
    std::os::unix::fs::symlink("/dev/zero", &path).unwrap();
    let o = run(
        dir.path(),
        &["inspect", &format!("oci:{}:v1", layout.display())],
    );
    report("manifest blob linked to /dev/zero", &o);
}

/// A gzip layer whose tar holds one PAX header of `size` bytes of records, all present
/// (zeros: 1 GiB compresses to about 1 MB), and its diff id.
fn pax_bomb(size: u64) -> (Vec<u8>, String) {
    use sha2::Digest as _;
    use std::io::Write;
    let mut h = tar::Header::new_ustar();
    h.set_path("PaxHeaders/x").unwrap();
    h.set_entry_type(tar::EntryType::XHeader);
    h.set_size(size);
    h.set_mode(0o644);
    h.set_cksum();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let mut hasher = sha2::Sha256::new();
    gz.write_all(h.as_bytes()).unwrap();
    hasher.update(h.as_bytes());
    let zeros = vec![0u8; 1 << 20];
    let mut left = size + 1024; // the records, then the end-of-archive blocks
    while left > 0 {
        let n = left.min(zeros.len() as u64) as usize;
        gz.write_all(&zeros[..n]).unwrap();
        hasher.update(&zeros[..n]);
        left -= n as u64;
    }
    (
        gz.finish().unwrap(),
        format!("sha256:{}", hex::encode(hasher.finalize())),
    )
}

#[test]
fn a_gigabyte_pax_record_in_a_small_layer_is_a_layer_error_not_an_abort() {
    let dir = tempfile::tempdir().unwrap();
    let layout = dir.path().join("app");
    let (bytes, diff_id) = pax_bomb(1 << 30);
    assert!(
        bytes.len() < 4 << 20,
        "a small layer: {} bytes",
        bytes.len()
    );
    let layer = Layer {
        media_type: "application/vnd.oci.image.layer.v1.tar+gzip".into(),
        bytes,
        diff_id,
        created_by: "ADD bomb".into(),
    };
    write_layout(&layout, vec![small_layer(), layer], &["v1".into()]);
    // Without the bound the tar parser reads the record whole: 1 GiB, over the limit.
    let o = run(
        dir.path(),
        &[
            "layers",
            "--no-cache",
            &format!("oci:{}:v1", layout.display()),
        ],
    );
    assert!(
        o.status.code().is_some(),
        "killed by a signal: {}",
        o.text()
    );
    assert_eq!(o.code(), Some(1), "{}", o.text());
    let said = format!("{}{}", o.stdout, o.stderr);
    assert!(
        said.contains("PAX extended header record of 1073741824 bytes exceeds"),
        "{}",
        o.text()
    );
    eprintln!(
        "PAX bomb: {:.2} s, peak RSS {} MiB",
        o.elapsed.as_secs_f64(),
        o.peak_rss_kib / 1024
    );
}

#[test]
fn a_blob_that_is_a_device_or_a_fifo_is_refused_not_read_forever() {
    let dir = tempfile::tempdir().unwrap();
    let layout = dir.path().join("app");
    let digest = write_layout(&layout, vec![small_layer()], &["v1".into()]);
    let path = layout
        .join("blobs/sha256")
        .join(digest.trim_start_matches("sha256:"));
    std::fs::remove_file(&path).unwrap();
    std::os::unix::fs::symlink("/dev/zero", &path).unwrap();
    let target = format!("oci:{}:v1", layout.display());
    let o = run(dir.path(), &["inspect", &target]);
    assert_ne!(o.code(), Some(0), "{}", o.text());
    assert!(
        o.status.code().is_some(),
        "killed by a signal: {}",
        o.text()
    );
    assert!(o.stderr.contains("not a regular file"), "{}", o.text());
    std::fs::remove_file(&path).unwrap();
    let fifo = std::ffi::CString::new(path.to_str().unwrap()).unwrap();
    // SAFETY: mkfifo on a path we own.
    assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o600) }, 0);
    let o = run(dir.path(), &["inspect", &target]);
    assert_ne!(o.code(), Some(0), "{}", o.text());
    assert!(o.stderr.contains("not a regular file"), "{}", o.text());
}
