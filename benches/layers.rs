//! Layer walk throughput (issue 6). One ~200 MB uncompressed layer, gzip level 6, pushed to
//! a local `docker-registry`, then side by side in one run:
//! - raw decompression with the same backend (flate2 + zlib-rs) of the blob in memory, and
//!   of the blob streamed from the registry;
//! - our walk streamed from the registry (HTTP, sha256, decompression, tar walk, index);
//! - GNU `gzip -dc | tar -t` on the same blob in a file.
//!
//! Then the same for a zstd layer. Run: `cargo bench --bench layers`
//! (`REGSCOPE_BENCH_MB=50` for a quicker run). Figures go to docs/performance.md.

use regscope::layers::{index_layer, index_reader, stream::descriptor_for, LayerLimits};
use regscope::registry::distribution::DistributionClient;
use regscope::registry::ManifestSource;
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A deterministic tar that compresses like real layers (~3:1 with gzip -6): text-like
/// files of many sizes, a few big binaries-ish files, directories, symlinks.
fn build_tar(target_bytes: u64) -> Vec<u8> {
    let mut rng = fastrand::Rng::with_seed(6);
    let words: Vec<String> = (0..512)
        .map(|_| {
            let n = rng.usize(2..10);
            (0..n).map(|_| rng.alphanumeric()).collect()
        })
        .collect();
    let mut b = tar::Builder::new(Vec::with_capacity(target_bytes as usize + (1 << 20)));
    let mut total = 0u64;
    let mut i = 0u64;
    while total < target_bytes {
        let dir = format!("usr/lib/pkg{}/sub{}", i % 97, i % 13);
        if i.is_multiple_of(50) {
            let mut h = tar::Header::new_gnu();
            h.set_entry_type(tar::EntryType::Directory);
            h.set_mode(0o755);
            h.set_size(0);
            b.append_data(&mut h, format!("{dir}/"), std::io::empty())
                .unwrap();
        }
        // sizes spread like a distro: mostly small, some medium, rare large
        let size = match rng.u32(0..100) {
            0..=69 => rng.usize(100..8_000),
            70..=97 => rng.usize(8_000..200_000),
            _ => rng.usize(1_000_000..6_000_000),
        };
        let mut data = Vec::with_capacity(size + 16);
        while data.len() < size {
            if rng.u16(..) < 400 {
                data.extend((0..64).map(|_| rng.u8(..))); // incompressible bits
            } else {
                // skewed word choice, as in real text and symbol tables
                let w = rng.usize(..words.len()) * rng.usize(..words.len()) / words.len();
                data.extend_from_slice(words[w].as_bytes());
                data.push(b' ');
            }
        }
        data.truncate(size);
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(tar::EntryType::Regular);
        h.set_mode(0o644);
        h.set_mtime(1_700_000_000);
        h.set_size(size as u64);
        b.append_data(&mut h, format!("{dir}/file{i}.dat"), data.as_slice())
            .unwrap();
        if i.is_multiple_of(40) {
            let mut h = tar::Header::new_gnu();
            h.set_entry_type(tar::EntryType::Symlink);
            h.set_size(0);
            b.append_link(&mut h, format!("{dir}/link{i}"), format!("file{i}.dat"))
                .unwrap();
        }
        total += size as u64;
        i += 1;
    }
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
    let addr = rx
        .recv_timeout(Duration::from_secs(20))
        .expect("registry address");
    Registry {
        child,
        addr,
        _dir: dir,
    }
}

async fn push_blob(http: &reqwest::Client, base: &str, repo: &str, bytes: &[u8]) -> String {
    let digest = regscope::model::Digest::sha256_of(bytes).to_string();
    let r = http
        .post(format!("{base}/v2/{repo}/blobs/uploads/"))
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

/// The blob streamed by the product's registry client, as a sync reader on a blocking
/// thread (the same bridge `layers::index_layer` uses).
async fn on_stream<T: Send + 'static>(
    client: &DistributionClient,
    digest: &str,
    f: impl FnOnce(&mut dyn Read) -> T + Send + 'static,
) -> T {
    let digest = regscope::model::Digest::parse(digest).unwrap();
    let reader = client.blob_reader("bench/layer", &digest).await.unwrap();
    let mut bridge = tokio_util::io::SyncIoBridge::new(reader);
    tokio::task::spawn_blocking(move || f(&mut bridge))
        .await
        .unwrap()
}

/// CPU seconds of this process and its waited-for children (`/proc/self/stat`, in ticks
/// of 1/100 s): a figure other people's load on the shared machine disturbs less than wall
/// time.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<u64> = after
        .split_whitespace()
        .map(|x| x.parse().unwrap_or(0))
        .collect();
    // fields 14-17 (utime stime cutime cstime) are 11..=14 after the command name
    f.get(11..15).map(|v| v.iter().sum::<u64>()).unwrap_or(0) as f64 / 100.0
}

fn mbps(bytes: u64, d: Duration) -> f64 {
    bytes as f64 / 1e6 / d.as_secs_f64()
}

fn main() {
    let mb: u64 = std::env::var("REGSCOPE_BENCH_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    let runs: usize = std::env::var("REGSCOPE_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let t = Instant::now();
    let tar_bytes = build_tar(mb << 20);
    let gz = {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(6));
        e.write_all(&tar_bytes).unwrap();
        e.finish().unwrap()
    };
    let zst = zstd::encode_all(tar_bytes.as_slice(), 3).unwrap();
    let n = tar_bytes.len() as u64;
    println!(
        "layer: {:.1} MB uncompressed, gzip -6 {:.1} MB, zstd -3 {:.1} MB (built in {:.1?})",
        n as f64 / 1e6,
        gz.len() as f64 / 1e6,
        zst.len() as f64 / 1e6,
        t.elapsed()
    );
    let reg = start_registry();
    let base = format!("http://{}", reg.addr);
    let http = reqwest::Client::new();
    let gz_digest = rt.block_on(push_blob(&http, &base, "bench/layer", &gz));
    let zst_digest = rt.block_on(push_blob(&http, &base, "bench/layer", &zst));
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), &gz).unwrap();
    println!("uncompressed MB/s, best of {runs}:");

    let client = regscope::registry::distribution::connect(&reg.addr).unwrap();
    for (name, blob, digest, mt) in [
        (
            "gzip",
            &gz,
            &gz_digest,
            "application/vnd.oci.image.layer.v1.tar+gzip",
        ),
        (
            "zstd",
            &zst,
            &zst_digest,
            "application/vnd.oci.image.layer.v1.tar+zstd",
        ),
    ] {
        let gzip = name == "gzip";
        // The baseline reads the decoder in 64 KiB chunks, like the walk: `io::copy`'s 8 KiB
        // would make zlib-rs slower and the comparison unfair to the baseline's benefit.
        let decompress = move |r: &mut dyn Read| -> u64 {
            let r = BufReader::with_capacity(256 << 10, r);
            let mut d: Box<dyn Read> = if gzip {
                Box::new(flate2::bufread::MultiGzDecoder::new(r))
            } else {
                Box::new(zstd::stream::read::Decoder::with_buffer(r).unwrap())
            };
            let mut buf = vec![0u8; 64 << 10];
            let mut total = 0u64;
            loop {
                match d.read(&mut buf).unwrap() {
                    0 => return total,
                    k => total += k as u64,
                }
            }
        };
        let desc = descriptor_for(blob, mt);
        // Interleaved rounds, best of each: the machine is shared, and interleaving keeps
        // a burst of someone else's load from landing on one contender only.
        let mut wall = [Duration::MAX; 5];
        let mut cpu = [f64::MAX; 5];
        let mut entries = 0;
        for _ in 0..runs {
            let mut m = |k: usize, f: &mut dyn FnMut()| {
                let (t, c) = (Instant::now(), cpu_seconds());
                f();
                wall[k] = wall[k].min(t.elapsed());
                cpu[k] = cpu[k].min(cpu_seconds() - c);
            };
            m(0, &mut || assert_eq!(decompress(&mut blob.as_slice()), n));
            m(1, &mut || {
                assert_eq!(rt.block_on(on_stream(&client, digest, decompress)), n)
            });
            m(2, &mut || {
                let idx = index_reader(blob.as_slice(), &desc, &LayerLimits::default()).unwrap();
                entries = idx.entries.len();
            });
            m(3, &mut || {
                let idx = rt
                    .block_on(index_layer(
                        &client,
                        "bench/layer",
                        &desc,
                        LayerLimits::default(),
                    ))
                    .unwrap();
                assert_eq!(idx.entries.len(), entries);
            });
            if gzip {
                m(4, &mut || {
                    let out = Command::new("sh")
                        .arg("-c")
                        .arg(format!(
                            "gzip -dc '{}' | tar -t | wc -l",
                            file.path().display()
                        ))
                        .output()
                        .unwrap();
                    let listed: usize = String::from_utf8(out.stdout)
                        .unwrap()
                        .trim()
                        .parse()
                        .unwrap();
                    assert_eq!(listed, entries, "tar -t lists as many entries as the walk");
                });
            }
        }
        // What verification alone costs: sha256 over the compressed bytes.
        let (t, c) = (Instant::now(), cpu_seconds());
        for _ in 0..3 {
            std::hint::black_box(regscope::model::Digest::sha256_of(blob));
        }
        println!(
            "  {name}: sha256 of the compressed blob: {:.0} MB/s of compressed bytes ({:.0} ms CPU per pass)",
            3.0 * blob.len() as f64 / 1e6 / t.elapsed().as_secs_f64(),
            (cpu_seconds() - c) * 1000.0 / 3.0
        );
        let rows = [
            "raw decompress (memory)",
            "raw decompress (registry)",
            "walk (memory, verified)",
            "walk (registry, verified)",
            "gzip -dc | tar -t (file)",
        ];
        println!("  {name}: {:<28} {:>9} {:>12}", "", "wall MB/s", "MB/CPU-s");
        for (k, row) in rows.iter().enumerate().take(if gzip { 5 } else { 4 }) {
            println!(
                "  {name}: {row:<28} {:>9.1} {:>12.1}",
                mbps(n, wall[k]),
                n as f64 / 1e6 / cpu[k]
            );
        }
        let pct = |a: usize, b: usize| 100.0 * wall[b].as_secs_f64() / wall[a].as_secs_f64();
        let pct_cpu = |a: usize, b: usize| 100.0 * cpu[b] / cpu[a];
        println!(
            "  {name}: walk from registry = {:.0}% of raw from registry, {:.0}% of raw from memory (per CPU-s: {:.0}%, {:.0}%)",
            pct(3, 1), pct(3, 0), pct_cpu(3, 1), pct_cpu(3, 0)
        );
        if gzip {
            println!(
                "  {name}: walk from registry vs gzip -dc | tar -t: {:.2}x wall, {:.2}x per CPU-s",
                wall[4].as_secs_f64() / wall[3].as_secs_f64(),
                cpu[4] / cpu[3]
            );
        }
    }
    let _ = client.stats();
}
