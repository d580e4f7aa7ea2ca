//! The raw floor for the inventory benchmark (docs/performance.md): a minimal concurrent
//! client that issues exactly the requests an inventory needs (catalog, tag lists, one
//! manifest GET per tag, one config GET per distinct config) and nothing else, with a
//! fixed number of requests in flight. Also seeds the benchmark registry.
//!
//! Usage (scripts/bench-inventory.sh drives it):
//!   raw_floor seed  ADDR REPOS TAGS   push REPOS repositories x TAGS distinct images
//!   raw_floor crawl ADDR [INFLIGHT]   crawl as fast as possible; prints one JSON line
//!   raw_floor move  ADDR REPOS TAGS N move N tags (spread over the repositories) onto new images
//!   raw_floor proxy ADDR DELAY_MS     a counting proxy adding DELAY_MS to every answer
//!                                     (scripts/bench-store.sh; prints its address)

#[path = "proxy/mod.rs"]
mod proxy;

use futures::stream::{self, StreamExt};
use reqwest::header::{ACCEPT, CONTENT_TYPE, LINK};
use sha2::{Digest, Sha256};
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::Semaphore;

const ACCEPT_MANIFESTS: &str = "application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json";

fn sha256(b: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(b)))
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["seed", addr, repos, tags] => rt.block_on(seed(
            addr,
            repos.parse().expect("REPOS"),
            tags.parse().expect("TAGS"),
        )),
        ["move", addr, repos, tags, n] => rt.block_on(move_tags(
            addr,
            repos.parse().expect("REPOS"),
            tags.parse().expect("TAGS"),
            n.parse().expect("N"),
        )),
        ["proxy", addr, delay] => rt.block_on(proxy::run(
            addr,
            std::time::Duration::from_millis(delay.parse().expect("DELAY_MS")),
        )),
        ["crawl", addr] => rt.block_on(crawl(addr, 16)),
        ["crawl", addr, n] => rt.block_on(crawl(addr, n.parse().expect("INFLIGHT"))),
        _ => {
            // `cargo bench` with no arguments: nothing to measure without a registry.
            eprintln!("usage: raw_floor seed ADDR REPOS TAGS | raw_floor crawl ADDR [INFLIGHT]");
        }
    }
}

async fn push_blob(http: &reqwest::Client, base: &str, repo: &str, bytes: &[u8]) -> String {
    let digest = sha256(bytes);
    let head = http
        .head(format!("{base}/v2/{repo}/blobs/{digest}"))
        .send()
        .await
        .unwrap();
    if head.status().is_success() {
        return digest;
    }
    let start = http
        .post(format!("{base}/v2/{repo}/blobs/uploads/"))
        .send()
        .await
        .unwrap();
    let loc = start.headers()["location"].to_str().unwrap().to_string();
    let loc = if loc.starts_with('/') {
        format!("{base}{loc}")
    } else {
        loc
    };
    let sep = if loc.contains('?') { '&' } else { '?' };
    let put = http
        .put(format!("{loc}{sep}digest={digest}"))
        .header(CONTENT_TYPE, "application/octet-stream")
        .body(bytes.to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(put.status().as_u16(), 201, "blob upload to {repo}");
    digest
}

/// REPOS repositories `bench/svc-NN`, each with TAGS distinct images sharing one base layer.
async fn seed(addr: &str, repos: usize, tags: usize) {
    let base = format!("http://{addr}");
    let http = reqwest::Client::new();
    let base_layer: Vec<u8> = (0..64 * 1024).map(|i| (i * 7 % 251) as u8).collect();
    let jobs: Vec<(usize, usize)> = (0..repos)
        .flat_map(|r| (0..tags).map(move |t| (r, t)))
        .collect();
    stream::iter(jobs)
        .for_each_concurrent(16, |(r, t)| {
            let (http, base, base_layer) = (http.clone(), base.clone(), base_layer.clone());
            async move { push_image(&http, &base, &base_layer, r, t, "").await }
        })
        .await;
    println!("seeded {repos} repositories x {tags} tags");
}

/// Image `t` of repository `r` (its own layer says `variant`, so another variant is another
/// digest), pushed under tag `tNNN`.
async fn push_image(
    http: &reqwest::Client,
    base: &str,
    base_layer: &[u8],
    r: usize,
    t: usize,
    variant: &str,
) {
    let repo = format!("bench/svc-{r:02}");
    let bl = push_blob(http, base, &repo, base_layer).await;
    let own = format!("layer of {repo} tag {t}{variant}")
        .repeat(64)
        .into_bytes();
    let ol = push_blob(http, base, &repo, &own).await;
    let config = serde_json::to_vec(&serde_json::json!({
        "created": format!("2026-01-{:02}T00:00:00Z", 1 + t % 28),
        "architecture": "amd64", "os": "linux",
        "rootfs": {"type": "layers", "diff_ids": [sha256(base_layer), sha256(&own)]},
        "history": [{"created_by": "ADD base"}, {"created_by": format!("COPY {t}")}]
    }))
    .unwrap();
    let cd = push_blob(http, base, &repo, &config).await;
    let m = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cd, "size": config.len()},
        "layers": [
            {"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": bl, "size": base_layer.len()},
            {"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": ol, "size": own.len()}]
    }))
    .unwrap();
    // Two tasks uploading the same base layer into one repository at once can
    // leave the registry briefly unsure of it (400 MANIFEST_BLOB_UNKNOWN): push
    // the blobs again and retry.
    let mut status = 0;
    for attempt in 0..5 {
        if attempt > 0 {
            tokio::time::sleep(std::time::Duration::from_millis(100 * attempt)).await;
            for b in [base_layer, &own, &config] {
                push_blob(http, base, &repo, b).await;
            }
        }
        let put = http
            .put(format!("{base}/v2/{repo}/manifests/t{t:03}"))
            .header(CONTENT_TYPE, "application/vnd.oci.image.manifest.v1+json")
            .body(m.clone())
            .send()
            .await
            .unwrap();
        status = put.status().as_u16();
        if status == 201 {
            break;
        }
        eprintln!(
            "manifest {repo}:t{t:03}: {status} {}",
            put.text().await.unwrap_or_default()
        );
    }
    assert_eq!(status, 201, "manifest {repo}:t{t:03}");
}

/// Moves `n` tags, spread evenly over the `repos` x `tags` seeded ones, onto new images.
async fn move_tags(addr: &str, repos: usize, tags: usize, n: usize) {
    let base = format!("http://{addr}");
    let http = reqwest::Client::new();
    let base_layer: Vec<u8> = (0..64 * 1024).map(|i| (i * 7 % 251) as u8).collect();
    let total = repos * tags;
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let variant = format!(" moved {stamp}");
    for k in 0..n {
        let i = k * total / n.max(1);
        push_image(&http, &base, &base_layer, i / tags, i % tags, &variant).await;
    }
    println!("moved {n} of {total} tags onto new images");
}

/// GETs a URL with a permit; follows `Link: <...>; rel="next"` for listings.
async fn get(
    http: &reqwest::Client,
    permits: &Semaphore,
    url: &str,
    accept: Option<&str>,
) -> (Vec<u8>, Option<String>) {
    let _p = permits.acquire().await.unwrap();
    let mut req = http.get(url);
    if let Some(a) = accept {
        req = req.header(ACCEPT, a);
    }
    let resp = req.send().await.unwrap();
    assert!(resp.status().is_success(), "GET {url}: {}", resp.status());
    let next = resp
        .headers()
        .get(LINK)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| {
            v.trim()
                .trim_start_matches('<')
                .trim_end_matches('>')
                .to_string()
        });
    (resp.bytes().await.unwrap().to_vec(), next)
}

async fn list(
    http: &reqwest::Client,
    permits: &Semaphore,
    base: &str,
    first: String,
    key: &str,
) -> Vec<String> {
    let mut out = Vec::new();
    let mut url = Some(first);
    while let Some(u) = url {
        let (body, next) = get(http, permits, &u, None).await;
        let doc: serde_json::Value = serde_json::from_slice(&body).unwrap();
        for v in doc[key].as_array().into_iter().flatten() {
            out.push(v.as_str().unwrap().to_string());
        }
        url = next.map(|n| {
            if n.starts_with('/') {
                format!("{base}{n}")
            } else {
                n
            }
        });
    }
    out
}

async fn crawl(addr: &str, inflight: usize) {
    let base = format!("http://{addr}");
    let http = reqwest::Client::new();
    let permits = Arc::new(Semaphore::new(inflight));
    let started = Instant::now();
    let repos = list(
        &http,
        &permits,
        &base,
        format!("{base}/v2/_catalog?n=1000"),
        "repositories",
    )
    .await;
    let mut requests = 1usize;
    let per_repo = stream::iter(repos.clone())
        .map(|repo| {
            let (http, permits, base) = (http.clone(), permits.clone(), base.clone());
            async move {
                let tags = list(
                    &http,
                    &permits,
                    &base,
                    format!("{base}/v2/{repo}/tags/list?n=1000"),
                    "tags",
                )
                .await;
                let manifests: Vec<Vec<u8>> = stream::iter(tags.iter())
                    .map(|t| {
                        let (http, permits, url) =
                            (&http, &permits, format!("{base}/v2/{repo}/manifests/{t}"));
                        async move { get(http, permits, &url, Some(ACCEPT_MANIFESTS)).await.0 }
                    })
                    .buffer_unordered(inflight)
                    .collect()
                    .await;
                let mut configs: Vec<String> = manifests
                    .iter()
                    .filter_map(|m| {
                        let doc: serde_json::Value = serde_json::from_slice(m).ok()?;
                        doc["config"]["digest"].as_str().map(str::to_string)
                    })
                    .collect();
                configs.sort();
                configs.dedup();
                let n_configs = configs.len();
                stream::iter(configs)
                    .map(|c| {
                        let (http, permits, url) =
                            (&http, &permits, format!("{base}/v2/{repo}/blobs/{c}"));
                        async move { get(http, permits, &url, None).await.0.len() }
                    })
                    .buffer_unordered(inflight)
                    .collect::<Vec<_>>()
                    .await;
                (tags.len(), 1 + tags.len() + n_configs)
            }
        })
        .buffer_unordered(inflight)
        .collect::<Vec<_>>()
        .await;
    let manifests: usize = per_repo.iter().map(|r| r.0).sum();
    requests += per_repo.iter().map(|r| r.1).sum::<usize>();
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{{\"repositories\":{},\"manifests\":{manifests},\"requests\":{requests},\"seconds\":{secs:.3},\"requests_per_second\":{:.0}}}",
        repos.len(),
        requests as f64 / secs
    );
}
