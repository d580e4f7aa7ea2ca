//! Random access into compressed layers against a real `docker-registry`, behind a proxy
//! that counts requests: after one walk, `cat` of a file near the end of a gzip layer (GNU
//! gzip over GNU tar of real binaries) or inside a many-frame zstd layer is one `Range`
//! request from a checkpoint, with the file's exact bytes; a registry that ignores `Range`
//! still gets the bytes right, streamed.

use super::cat::run;
use super::real::{gnu_tar, put, real};
use crate::support::faults::{Fault, FaultProxy};
use crate::support::fixtures::{ImageFixture, Layer, OCI_LAYER_GZIP, OCI_LAYER_ZSTD};
use crate::support::registry::TestRegistry;
use crate::support::seed::{sha256, Seeder};
use std::path::Path;
use std::process::Command;

/// Real files of this machine under `dir`, sorted, until `total` bytes: (path, size).
fn real_files(dir: &str, total: u64) -> Vec<(String, u64)> {
    let mut all: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().map(|t| t.is_file()).unwrap_or(false))
        .map(|e| {
            (
                e.path().to_string_lossy().into_owned(),
                e.metadata().unwrap().len(),
            )
        })
        .filter(|(_, n)| *n > 0)
        .collect();
    all.sort();
    let mut sum = 0;
    all.into_iter()
        .take_while(|(_, n)| {
            sum += n;
            sum - n < total
        })
        .collect()
}

/// The layer's tar: `files` copied under `root` (their real paths).
fn tar_of(work: &Path, name: &str, files: &[(String, u64)]) -> Vec<u8> {
    let root = work.join(name);
    for (path, _) in files {
        put(&root, path.trim_start_matches('/'), &real(path));
    }
    gnu_tar(&root)
}

/// GNU gzip itself compresses the layer (not the library regscope decodes with).
fn gnu_gzip(tar: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut child = Command::new("gzip")
        .args(["-6", "-n", "-c"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("run GNU gzip");
    let mut stdin = child.stdin.take().unwrap();
    let input = tar.to_vec();
    let feeder = std::thread::spawn(move || stdin.write_all(&input).unwrap());
    let out = child.wait_with_output().unwrap();
    feeder.join().unwrap();
    assert!(out.status.success());
    out.stdout
}

/// zstd in independent frames of `frame` input bytes each (as zstd:chunked and seekable
/// zstd write layers).
fn zstd_frames(tar: &[u8], frame: usize) -> Vec<u8> {
    tar.chunks(frame)
        .flat_map(|c| zstd::bulk::compress(c, 3).unwrap())
        .collect()
}

fn layer(media_type: &str, tar: &[u8], bytes: Vec<u8>) -> Layer {
    Layer {
        media_type: media_type.into(),
        bytes,
        diff_id: sha256(tar),
        created_by: "COPY real files".into(),
    }
}

/// `bytes=S-E` (or `bytes=S-`: to the end of a `len`-byte blob) of a request, as (S, E).
fn range_of(r: &crate::support::stub::StubRequest, len: u64) -> Option<(u64, u64)> {
    let (s, e) = r.header("range")?.strip_prefix("bytes=")?.split_once('-')?;
    let e = if e.is_empty() {
        len - 1
    } else {
        e.parse().ok()?
    };
    Some((s.parse().ok()?, e))
}

#[tokio::test]
async fn a_second_read_is_one_range_request_from_a_checkpoint() {
    let Some(reg) = TestRegistry::start() else {
        return;
    };
    let s = Seeder::new(&reg.base_url());
    let work = tempfile::tempdir().unwrap();
    let bins = real_files("/usr/bin", 12 << 20);
    let libs = real_files("/usr/lib/x86_64-linux-gnu", 4 << 20);
    assert!(
        bins.len() > 10 && libs.len() > 3,
        "real files to build from"
    );
    let (t0, t1) = (
        tar_of(work.path(), "l0", &bins),
        tar_of(work.path(), "l1", &libs),
    );
    let (gz, zs) = (gnu_gzip(&t0), zstd_frames(&t1, 256 * 1024));
    let (gz_digest, zs_digest) = (sha256(&gz), sha256(&zs));
    let image = ImageFixture::new(
        "amd64",
        "2026-01-01T00:00:00Z",
        vec![
            layer(OCI_LAYER_GZIP, &t0, gz.clone()),
            layer(OCI_LAYER_ZSTD, &t1, zs.clone()),
        ],
    );
    image.push(&s, "ranged/app", &["v1"]).await;

    let proxy = FaultProxy::start(&reg.base_url(), |_| async { Fault::Forward }).await;
    let data = tempfile::tempdir().unwrap();
    let r = format!("{}/ranged/app:v1", proxy.addr);
    let run = |args: Vec<String>| {
        let data = data.path().to_path_buf();
        tokio::task::spawn_blocking(move || {
            run(&data, &args.iter().map(String::as_str).collect::<Vec<_>>())
        })
    };
    // The first read walks every layer once (and records the checkpoints).
    let (code, _, err) = run(vec!["layers".into(), r.clone()]).await.unwrap();
    assert_eq!(code, 0, "{err}");
    assert_eq!(proxy.count("GET", &gz_digest), 1);
    let ckpt = data.path().join("cache/layers/sha256");
    let stored = |d: &str| {
        std::fs::metadata(ckpt.join(format!("{}.ckpt", d.trim_start_matches("sha256:"))))
            .map(|m| m.len())
    };
    let gz_ck = stored(&gz_digest).expect("gzip checkpoints stored");
    assert!(
        gz_ck * 50 <= gz.len() as u64,
        "checkpoints {gz_ck} B of a {} B layer",
        gz.len()
    );
    assert!(stored(&zs_digest).is_ok(), "zstd frames stored");

    let mut served = Vec::new();
    for (path, digest, blob) in [
        (&bins[bins.len() - 1].0, &gz_digest, &gz),
        (&bins[bins.len() / 2].0, &gz_digest, &gz),
        (&libs[libs.len() - 2].0, &zs_digest, &zs),
    ] {
        proxy.requests.lock().unwrap().clear();
        proxy.served.lock().unwrap().clear();
        let (code, out, err) = run(vec!["cat".into(), r.clone(), path.clone(), "-v".into()])
            .await
            .unwrap();
        assert_eq!(code, 0, "{path}: {err}");
        assert!(out == real(path), "{path}: {} bytes differ", out.len());
        assert!(err.contains("from a checkpoint"), "{path}: {err}");
        let blob_gets: Vec<_> = proxy
            .requests
            .lock()
            .unwrap()
            .iter()
            .filter(|q| q.method == "GET" && q.path().contains(digest.as_str()))
            .cloned()
            .collect();
        assert_eq!(blob_gets.len(), 1, "{path}: one request for the layer");
        let (start, end) = range_of(&blob_gets[0], blob.len() as u64).expect("a Range request");
        // Bounded: the first stop or checkpoint after the file (or the blob's last byte),
        // never an open `bytes=S-`; the registry sends exactly that and no more.
        let spec = blob_gets[0].header("range").unwrap();
        assert!(!spec.ends_with('-'), "{path}: an open range {spec}");
        assert_eq!(
            proxy.served_bytes(digest),
            end - start + 1,
            "{path}: {spec}"
        );
        served.push((
            path.clone(),
            spec.to_string(),
            end - start + 1,
            blob.len() as u64 - start,
        ));
        assert!(start > 0, "{path}: starts at a checkpoint, not byte 0");
        let file = real(path).len() as u64;
        assert!(
            end - start < file + (blob.len() as u64) / 3,
            "{path}: asked for {start}-{end} of {} B for a {file} B file",
            blob.len()
        );
    }

    // A file inside the last checkpoint's span ends at a stop, before the blob's end: the
    // middle gzip file and the zstd file ask for less than the rest of the blob.
    eprintln!("ranged reads (path, range, served, rest of blob): {served:?}");
    for (path, spec, got, rest) in &served[1..] {
        assert!(got < rest, "{path}: {spec} asks for the rest of the blob");
    }

    // A registry that ignores Range: the same bytes, streamed from the blob's start.
    let deaf = FaultProxy::start(&reg.base_url(), |_| async { Fault::DropHeader("range") }).await;
    let r = format!("{}/ranged/app:v1", deaf.addr);
    let path = &bins[bins.len() - 1].0;
    let (code, out, err) = run(vec!["cat".into(), r, path.clone(), "-v".into()])
        .await
        .unwrap();
    assert_eq!(code, 0, "{err}");
    assert!(out == real(path));
    assert!(err.contains("ignores Range"), "{err}");
    assert_eq!(deaf.count("GET", &gz_digest), 1);
}
