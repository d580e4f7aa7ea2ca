//! Random access into a gzip layer (issue 20). One ~200 MB uncompressed layer (gzip -6) on a
//! local `docker-registry`, behind a loopback proxy that counts the requests it forwards:
//! 1. the full walk (index and checkpoints, as `layers`/`cat`/`diff` do the first time);
//! 2. a second read of the last file of the layer: from a checkpoint (one Range request);
//! 3. the same read without checkpoints (streamed from the blob's start up to the file);
//! 4. `regscope diff` of two images sharing all but one layer: the layer requests counted.
//!
//! Run: `cargo bench --bench ranged` (`REGSCOPE_BENCH_MB=50` for a quicker run). Figures go
//! to docs/performance.md.

use regscope::layers::merge::Content;
use regscope::layers::{
    index_layer_checkpointed, read_content, stream::descriptor_for, LayerCache, LayerLimits,
    ReadPath,
};
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const GZIP: &str = "application/vnd.oci.image.layer.v1.tar+gzip";
const REPO: &str = "bench/ranged";

/// Real-ish content of many sizes, deterministic (seeded): text-like files with short
/// random runs (compress ~3:1 like binaries and text of real layers), and one file in ten
/// wholly random (already-compressed assets: images, archives, which gzip cannot shrink).
/// The last entry is `last/file.txt` (64 KiB), the file read back.
fn build_tar(target: u64) -> Vec<u8> {
    let mut rng = fastrand::Rng::with_seed(20);
    let words: Vec<String> = (0..512)
        .map(|_| (0..rng.usize(2..10)).map(|_| rng.alphanumeric()).collect())
        .collect();
    let mut b = tar::Builder::new(Vec::with_capacity(target as usize + (1 << 20)));
    let add = |b: &mut tar::Builder<Vec<u8>>, path: &str, data: &[u8]| {
        let mut h = tar::Header::new_gnu();
        h.set_mode(0o644);
        h.set_mtime(1_700_000_000);
        h.set_size(data.len() as u64);
        b.append_data(&mut h, path, data).unwrap();
    };
    let (mut total, mut i) = (0u64, 0u64);
    while total < target {
        let size = match rng.u32(0..100) {
            0..=69 => rng.usize(100..8_000),
            70..=97 => rng.usize(8_000..200_000),
            _ => rng.usize(1_000_000..6_000_000),
        };
        let mut data = Vec::with_capacity(size + 16);
        if rng.u32(0..10) == 0 {
            data.extend((0..size).map(|_| rng.u8(..)));
        }
        while data.len() < size {
            if rng.u16(..) < 400 {
                data.extend((0..64).map(|_| rng.u8(..)));
            } else {
                let w = rng.usize(..words.len()) * rng.usize(..words.len()) / words.len();
                data.extend_from_slice(words[w].as_bytes());
                data.push(b' ');
            }
        }
        data.truncate(size);
        add(&mut b, &format!("usr/lib/pkg{}/file{i}.dat", i % 97), &data);
        total += size as u64;
        i += 1;
    }
    let last: Vec<u8> = (0..65_536u32)
        .map(|i| b"last file\n"[i as usize % 10])
        .collect();
    add(&mut b, "last/file.txt", &last);
    b.into_inner().unwrap()
}

struct Registry {
    child: std::process::Child,
    addr: String,
    _dir: tempfile::TempDir,
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_registry() -> Registry {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("config.yml");
    std::fs::write(
        &cfg,
        format!(
            "version: 0.1\nlog:\n  level: info\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: {}\nhttp:\n  addr: 127.0.0.1:0\n",
            dir.path().join("data").display()
        ),
    )
    .unwrap();
    let mut child = Command::new("docker-registry")
        .arg("serve")
        .arg(&cfg)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("docker-registry (scripts/install-test-deps.sh installs it)");
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(rest) = line.split("listening on ").nth(1) {
                let addr: String = rest
                    .chars()
                    .take_while(|c| !c.is_whitespace() && *c != '"')
                    .collect();
                let _ = tx.send(addr);
            }
        }
    });
    let addr = rx.recv_timeout(Duration::from_secs(20)).expect("address");
    Registry {
        child,
        addr,
        _dir: dir,
    }
}

/// Counts what clients send through it: requests (request lines), those with a `Range`
/// header, and GETs of blobs. Only GETs and HEADs pass through it (no request bodies), so
/// the client-to-server bytes are request heads only.
#[derive(Default)]
struct Counts {
    requests: AtomicUsize,
    ranged: AtomicUsize,
    /// Paths of blob GETs.
    blob_gets: std::sync::Mutex<Vec<String>>,
}

impl Counts {
    /// GETs so far of any blob in `digests`.
    fn gets_of(&self, digests: &[&str]) -> usize {
        let gets = self.blob_gets.lock().unwrap();
        gets.iter()
            .filter(|p| digests.iter().any(|d| p.contains(d)))
            .count()
    }
}

async fn proxy(upstream: String) -> (String, Arc<Counts>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let counts = Arc::new(Counts::default());
    let c = counts.clone();
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let (c, upstream) = (c.clone(), upstream.clone());
            tokio::spawn(async move {
                let server = tokio::net::TcpStream::connect(&upstream).await.unwrap();
                let (mut cr, mut cw) = client.into_split();
                let (mut sr, mut sw) = server.into_split();
                let up = async {
                    let mut buf = vec![0u8; 16 << 10];
                    while let Ok(n) = cr.read(&mut buf).await {
                        if n == 0 {
                            break;
                        }
                        let text = String::from_utf8_lossy(&buf[..n]).to_ascii_lowercase();
                        for line in text.split("\r\n") {
                            if line.starts_with("get ") || line.starts_with("head ") {
                                c.requests.fetch_add(1, Ordering::Relaxed);
                            }
                            if line.starts_with("get ") && line.contains("/blobs/") {
                                c.blob_gets.lock().unwrap().push(line.to_string());
                            }
                            if line.starts_with("range:") {
                                c.ranged.fetch_add(1, Ordering::Relaxed);
                            }
                        }
                        if sw.write_all(&buf[..n]).await.is_err() {
                            break;
                        }
                    }
                    let _ = sw.shutdown().await;
                };
                let down = async {
                    let _ = tokio::io::copy(&mut sr, &mut cw).await;
                    let _ = cw.shutdown().await;
                };
                tokio::join!(up, down);
            });
        }
    });
    (addr, counts)
}

async fn push_blob(http: &reqwest::Client, base: &str, bytes: &[u8]) -> String {
    let digest = regscope::model::Digest::sha256_of(bytes).to_string();
    let r = http
        .post(format!("{base}/v2/{REPO}/blobs/uploads/"))
        .send()
        .await
        .unwrap();
    let loc = r.headers()["location"].to_str().unwrap().to_string();
    let loc = if loc.starts_with('/') {
        format!("{base}{loc}")
    } else {
        loc
    };
    let sep = if loc.contains('?') { '&' } else { '?' };
    let put = http
        .put(format!("{loc}{sep}digest={digest}"))
        .body(bytes.to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(put.status().as_u16(), 201);
    digest
}

/// An image of `layers` (each `(compressed, uncompressed)`), tagged `tag`.
async fn push_image(http: &reqwest::Client, base: &str, tag: &str, layers: &[(&[u8], &[u8])]) {
    let diff_ids: Vec<String> = layers
        .iter()
        .map(|(_, t)| regscope::model::Digest::sha256_of(t).to_string())
        .collect();
    let config = serde_json::json!({
        "architecture": "amd64", "os": "linux", "created": "2026-01-01T00:00:00Z",
        "rootfs": {"type": "layers", "diff_ids": diff_ids}, "config": {}
    })
    .to_string();
    let config_digest = push_blob(http, base, config.as_bytes()).await;
    let mut descs = Vec::new();
    for (blob, _) in layers {
        let d = push_blob(http, base, blob).await;
        descs.push(serde_json::json!({"mediaType": GZIP, "digest": d, "size": blob.len()}));
    }
    let manifest = serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                   "digest": config_digest, "size": config.len()},
        "layers": descs,
    });
    let r = http
        .put(format!("{base}/v2/{REPO}/manifests/{tag}"))
        .header("content-type", "application/vnd.oci.image.manifest.v1+json")
        .body(manifest.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 201);
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(6));
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn main() {
    let mb: u64 = std::env::var("REGSCOPE_BENCH_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    let runs = 5;
    let rt = tokio::runtime::Runtime::new().unwrap();
    let tar_bytes = build_tar(mb << 20);
    let gz = gzip(&tar_bytes);
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "layer: {:.1} MB uncompressed, gzip -6 {:.1} MB; load average {}",
        tar_bytes.len() as f64 / 1e6,
        gz.len() as f64 / 1e6,
        load.split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    );
    let reg = start_registry();
    let base = format!("http://{}", reg.addr);
    let http = reqwest::Client::new();
    // The layers a and b do not share: two whole tars (a prefix of one tar is not a tar).
    let (small_ta, small_tb) = (build_tar(128 << 10), build_tar(256 << 10));
    let (small_a, small_b) = (gzip(&small_ta), gzip(&small_tb));
    let layer_digests: Vec<String> = [&gz, &small_a, &small_b]
        .iter()
        .map(|b| regscope::model::Digest::sha256_of(b).to_string())
        .collect();
    let layer_digests: Vec<&str> = layer_digests.iter().map(String::as_str).collect();
    rt.block_on(async {
        push_image(
            &http,
            &base,
            "a",
            &[(&gz, &tar_bytes), (&small_a, &small_ta)],
        )
        .await;
        push_image(
            &http,
            &base,
            "b",
            &[(&gz, &tar_bytes), (&small_b, &small_tb)],
        )
        .await;
    });
    let (addr, counts) = rt.block_on(proxy(reg.addr.clone()));
    let client = regscope::registry::distribution::connect(&addr).unwrap();
    let desc = descriptor_for(&gz, GZIP);
    let cache_dir = tempfile::tempdir().unwrap();
    let cache = LayerCache::new(cache_dir.path());

    // 1. The full walk.
    let t = Instant::now();
    let (index, checkpoints) = rt
        .block_on(index_layer_checkpointed(
            &client,
            REPO,
            &desc,
            LayerLimits::default(),
        ))
        .unwrap();
    let walk = t.elapsed();
    let checkpoints = checkpoints.expect("a gzip layer this size has checkpoints");
    cache.put_with(&index, Some(&checkpoints));
    let stored = checkpoints.encode().len();
    println!(
        "full walk: {:.0} ms ({:.0} MB/s uncompressed); {} checkpoints, {} B = {:.2}% of the blob",
        ms(walk),
        tar_bytes.len() as f64 / 1e6 / walk.as_secs_f64(),
        checkpoints.points.len(),
        stored,
        stored as f64 * 100.0 / gz.len() as f64
    );
    let e = index
        .entries
        .iter()
        .find(|e| e.path == "last/file.txt")
        .unwrap();
    let content = Content {
        layer: 0,
        path: e.path.clone(),
        size: e.size,
        offset: e.offset,
        crc: e.crc,
    };

    // Counts (never times) that must hold, checked after every figure is printed.
    let mut checks: Vec<(String, bool)> = vec![(
        format!(
            "checkpoint index {stored} B <= 2% of the {} B blob",
            gz.len()
        ),
        stored as f64 <= 0.02 * gz.len() as f64,
    )];

    // 2 and 3: the second read, with and without checkpoints.
    for (name, with) in [
        ("from a checkpoint", Some(&cache)),
        ("streamed, no checkpoints", None),
    ] {
        let mut times = Vec::new();
        for _ in 0..runs {
            let before = (
                counts.requests.load(Ordering::Relaxed),
                counts.ranged.load(Ordering::Relaxed),
            );
            let t = Instant::now();
            let (how, _) = rt
                .block_on(read_content(
                    &client,
                    REPO,
                    &index,
                    &content,
                    with,
                    Box::new(std::io::sink()),
                ))
                .unwrap();
            times.push(t.elapsed());
            let requests = counts.requests.load(Ordering::Relaxed) - before.0;
            let ranged = counts.ranged.load(Ordering::Relaxed) - before.1;
            if times.len() == 1 {
                let bytes = match how {
                    ReadPath::Ranged { start, end, .. } => end.unwrap_or(gz.len() as u64) - start,
                    ReadPath::Streamed { .. } => gz.len() as u64,
                };
                println!("second read of the last file, {name}: {requests} request(s), {ranged} with Range, up to {bytes} blob bytes asked for ({how:?})");
                if with.is_some() {
                    checks.push((
                        format!("second read: 1 request with Range (got {requests}, {ranged})"),
                        requests == 1 && ranged == 1,
                    ));
                }
            }
        }
        times.sort();
        println!(
            "  best {:.1} ms, median {:.1} ms of {runs}",
            ms(times[0]),
            ms(times[runs / 2])
        );
    }

    // 4. diff of two images sharing the big layer: its layer requests through the proxy.
    let run = |data: &std::path::Path, args: &[&str]| {
        let before = counts.gets_of(&layer_digests);
        let t = Instant::now();
        let out = Command::new(env!("CARGO_BIN_EXE_regscope"))
            .args(args)
            .env("REGSCOPE_DATA", data)
            .env_remove("XDG_CACHE_HOME")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        (counts.gets_of(&layer_digests) - before, t.elapsed())
    };
    let (ra, rb) = (format!("{addr}/{REPO}:a"), format!("{addr}/{REPO}:b"));
    let cold = tempfile::tempdir().unwrap();
    let (gets, took) = run(cold.path(), &["diff", &ra, &rb, "--json"]);
    println!(
        "diff a b, empty cache: {} layer blob requests for 3 distinct layers, {:.0} ms",
        gets,
        ms(took)
    );
    checks.push((
        format!("cold diff: each of the 3 layers read once (got {gets})"),
        gets == 3,
    ));
    let warm = tempfile::tempdir().unwrap();
    run(warm.path(), &["layers", &ra]);
    let own_before = counts.gets_of(&layer_digests[2..]);
    let (gets, took) = run(warm.path(), &["diff", &ra, &rb, "--json"]);
    let own = counts.gets_of(&layer_digests[2..]) - own_before;
    println!(
        "diff a b, a read before: {} layer blob request(s) (b's own layer), {:.0} ms",
        gets,
        ms(took)
    );
    checks.push((
        format!("warm diff: only b's own layer read (got {gets})"),
        gets == 1 && own == 1,
    ));
    let failed: Vec<&String> = checks.iter().filter(|c| !c.1).map(|c| &c.0).collect();
    assert!(failed.is_empty(), "counts that did not hold: {failed:?}");
}
