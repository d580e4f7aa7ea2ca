//! Hard limits under a hostile transport (issue 13), through the fault proxy in front of a
//! real docker-registry, driving the deadlines regscope has: `request_timeout_secs` (a
//! whole document exchange, retries included), `min_blob_bytes_per_sec` (a blob's
//! throughput floor after `read_timeout_secs` of grace), a reset and a truncation told
//! apart, and a hung token endpoint named as the token server. Each fault gives its own
//! error naming the repository and reference, and the crawl goes on with the other
//! repositories. Bounds are on outcomes: a run ends well before the fault would have let
//! it finish (a trickled manifest would take over a minute), never on measured figures.

use crate::support::faults::{Fault, FaultProxy};
use crate::support::fixtures::{tar, Entry, ImageFixture, Layer};
use crate::support::limited::{regscope_limited, Limited, LIMIT};
use crate::support::registry::TestRegistry;
use crate::support::seed::Seeder;
use crate::support::token_server::{TokenPolicy, TokenServer};
use regscope::model::{Inventory, InventoryIssue};
use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

fn image(tag: &str) -> ImageFixture {
    ImageFixture::new(
        "amd64",
        "2026-01-01T00:00:00Z",
        vec![Layer::gzip(
            tar(&[Entry::File("etc/which", tag.as_bytes())]),
            "COPY which /etc",
        )],
    )
}

/// A config naming the proxy, with a short document deadline and a long silence timeout
/// (so only the deadline can stop a trickle), and `extra` settings.
fn write_config(dir: &Path, addr: &str, extra: &str) {
    std::fs::write(
        dir.join("config.toml"),
        format!(
            "[[registry]]\nname = \"faulty\"\naddress = \"{addr}\"\nrequest_timeout_secs = 3\nread_timeout_secs = 30\nmax_retries = 1\n{extra}"
        ),
    )
    .unwrap();
}

fn crawl(dir: &Path, addr: &str) -> (Limited, Inventory) {
    let o = regscope_limited(dir, &["--no-cache", "images", addr, "--json"], LIMIT);
    let inv = Inventory::from_json(&o.stdout)
        .unwrap_or_else(|e| panic!("not an inventory ({e}): {}", o.text()));
    (o, inv)
}

/// For docs/performance.md (`--no-capture`): how long the run took and its peak memory.
fn figures(what: &str, o: &Limited) {
    eprintln!(
        "{what}: exit {:?}, {:.2} s, peak RSS {} MiB",
        o.code(),
        o.elapsed.as_secs_f64(),
        o.peak_rss_kib / 1024
    );
}

fn issue_for<'a>(inv: &'a Inventory, repo: &str) -> &'a InventoryIssue {
    inv.errors
        .iter()
        .find(|e| e.repository.as_deref() == Some(repo))
        .unwrap_or_else(|| panic!("no error for {repo}: {:#?}", inv.errors))
}

/// One crawl over five repositories, four behind a different fault on their manifest:
/// each gets its own error, the others are read in full.
// The proxies run on the test's runtime while the child runs: two workers keep them
// answering while one waits for the child.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trickle_reset_and_truncation_each_get_their_own_error_and_the_crawl_goes_on() {
    crate::require!("docker-registry");
    let Some(reg) = TestRegistry::start() else {
        return;
    };
    let s = Seeder::new(&reg.base_url());
    for repo in [
        "team/ok",
        "team/slow",
        "team/reset",
        "team/flaky",
        "team/cut",
    ] {
        image(repo).push(&s, repo, &["v1"]).await;
    }
    // Manifest GETs per repository, so a fault can hit the first attempt only.
    let seen: Arc<std::sync::Mutex<HashMap<String, usize>>> = Arc::default();
    let counts = seen.clone();
    let proxy = FaultProxy::start(&reg.base_url(), move |r| {
        let counts = counts.clone();
        async move {
            let path = r.path().to_string();
            if r.method != "GET" || !path.contains("/manifests/") {
                return Fault::Forward;
            }
            let repo = path
                .trim_start_matches("/v2/")
                .split("/manifests/")
                .next()
                .unwrap_or("")
                .to_string();
            let n = {
                let mut c = counts.lock().unwrap();
                let n = c.entry(repo.clone()).or_default();
                *n += 1;
                *n
            };
            match repo.as_str() {
                // ~400 bytes at 1 byte / 200 ms: over a minute, never silent for long.
                "team/slow" => Fault::Trickle {
                    chunk: 1,
                    every: Duration::from_millis(200),
                },
                "team/reset" => Fault::Reset { after: 40 },
                "team/flaky" if n == 1 => Fault::Reset { after: 40 },
                "team/cut" => Fault::Truncate { after: 40 },
                _ => Fault::Forward,
            }
        }
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    write_config(dir.path(), &proxy.addr, "");
    let (o, inv) = crawl(dir.path(), &proxy.addr);
    assert_eq!(o.code(), Some(3), "partial inventory: {}", o.text());
    figures("crawl of 5 repositories, 4 faulty", &o);
    // Ended by the deadline, not by the trickle finishing (that takes over 60 s).
    assert!(o.elapsed < Duration::from_secs(60), "{}", o.text());

    let slow = issue_for(&inv, "team/slow");
    assert!(
        slow.message.contains("team/slow:v1")
            && slow.message.contains("timed out after 3s")
            && slow.message.contains("request_timeout_secs"),
        "{}",
        slow.message
    );
    let reset = issue_for(&inv, "team/reset");
    assert!(
        reset.message.contains("team/reset:v1")
            && reset
                .message
                .contains("the connection was reset after 40 bytes of the response body"),
        "{}",
        reset.message
    );
    let cut = issue_for(&inv, "team/cut");
    assert!(
        cut.message.contains("team/cut:v1")
            && cut.message.contains(
                "the response body was truncated: the server closed the connection after 40 bytes of the"
            )
            && cut.message.contains("its Content-Length promised"),
        "{}",
        cut.message
    );
    assert!(!cut.message.contains("reset"), "{}", cut.message);
    assert!(!reset.message.contains("truncated"), "{}", reset.message);
    // A cut body is retried like other transient failures: a reset once is no error.
    let counts = seen.lock().unwrap().clone();
    assert_eq!(
        counts.get("team/reset"),
        Some(&2),
        "retried once: {counts:?}"
    );
    assert_eq!(counts.get("team/cut"), Some(&2), "retried once: {counts:?}");
    assert!(
        !inv.errors
            .iter()
            .any(|e| e.repository.as_deref() == Some("team/flaky")),
        "{:#?}",
        inv.errors
    );
    assert_eq!(inv.errors.len(), 3, "{:#?}", inv.errors);
    for repo in ["team/ok", "team/flaky"] {
        let im = inv
            .images
            .iter()
            .find(|i| i.repository == repo)
            .unwrap_or_else(|| panic!("{repo} missing: {}", o.text()));
        assert!(im.size_bytes.is_some(), "{repo}: {im:?}");
        assert_eq!(im.tags, ["v1"]);
    }
    // stderr says it too, one line each, with the repository and reference.
    for needle in ["team/slow:v1", "team/reset:v1", "team/cut:v1"] {
        assert!(o.stderr.contains(needle), "{needle}: {}", o.stderr);
    }
}

/// A layer trickled far below `min_blob_bytes_per_sec`: `layers` fails naming the floor
/// once `read_timeout_secs` of grace has passed, though the link is never silent for a
/// whole `read_timeout`.
// The proxies run on the test's runtime while the child runs: two workers keep them
// answering while one waits for the child.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trickled_blob_is_stopped_by_the_throughput_floor() {
    crate::require!("docker-registry");
    let Some(reg) = TestRegistry::start() else {
        return;
    };
    let s = Seeder::new(&reg.base_url());
    // Random bytes do not compress: a layer of about 64 KiB.
    let noise: Vec<u8> = (0..64 * 1024).map(|_| fastrand::u8(..)).collect();
    let fixture = ImageFixture::new(
        "amd64",
        "2026-01-01T00:00:00Z",
        vec![Layer::gzip(
            tar(&[Entry::File("noise.bin", &noise)]),
            "COPY noise",
        )],
    );
    let pushed = fixture.push(&s, "team/big", &["v1"]).await;
    let layer = pushed.blobs[1].0.clone();
    let hits = Arc::new(AtomicUsize::new(0));
    let h = hits.clone();
    let l = layer.clone();
    let proxy = FaultProxy::start(&reg.base_url(), move |r| {
        let trickle = r.method == "GET" && r.path().ends_with(&format!("/blobs/{l}"));
        if trickle {
            h.fetch_add(1, Ordering::SeqCst);
        }
        async move {
            if trickle {
                // 64 bytes every 100 ms: 640 B/s, over 100 s for the layer.
                Fault::Trickle {
                    chunk: 64,
                    every: Duration::from_millis(100),
                }
            } else {
                Fault::Forward
            }
        }
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("config.toml"),
        format!(
            "[[registry]]\nname = \"faulty\"\naddress = \"{}\"\nread_timeout_secs = 2\nmin_blob_bytes_per_sec = 100000\nmax_retries = 0\n",
            proxy.addr
        ),
    )
    .unwrap();
    let target = format!("{}/team/big:v1", proxy.addr);
    let o = regscope_limited(dir.path(), &["layers", &target], LIMIT);
    figures("layer trickled at 640 B/s", &o);
    assert_ne!(o.code(), Some(0), "{}", o.text());
    assert!(o.elapsed < Duration::from_secs(60), "{}", o.text());
    let all = format!("{}{}", o.stdout, o.stderr);
    assert!(
        all.contains("blob download too slow") && all.contains("min_blob_bytes_per_sec"),
        "{}",
        o.text()
    );
    assert!(all.contains(&layer[..19]), "names the layer: {}", o.text());
    assert!(hits.load(Ordering::SeqCst) >= 1);
}

/// A token endpoint that accepts and never answers, for one repository's scope only: that
/// repository fails within the deadline with an error naming the token server; the other
/// repository, whose tokens are answered, is read in full.
// The proxies run on the test's runtime while the child runs: two workers keep them
// answering while one waits for the child.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hung_token_endpoint_is_named_and_the_other_repositories_are_read() {
    crate::require!("docker-registry");
    let policy = TokenPolicy::default();
    let ts = TokenServer::start(policy.clone()).await;
    let hung = Arc::new(AtomicUsize::new(0));
    let h = hung.clone();
    let token_proxy = FaultProxy::start(&ts.stub.base_url(), move |r| {
        let locked = r
            .query()
            .iter()
            .any(|(k, v)| k == "scope" && v.contains("team/locked"));
        if locked {
            h.fetch_add(1, Ordering::SeqCst);
        }
        async move {
            if locked {
                Fault::Hang
            } else {
                Fault::Forward
            }
        }
    })
    .await;
    let realm = format!("http://{}/token", token_proxy.addr);
    let Some(reg) = TestRegistry::start_with(crate::support::registry::RegistryAuth::Token {
        realm,
        service: crate::support::token_server::SERVICE.into(),
        issuer: crate::support::token_server::ISSUER.into(),
        cert_pem: ts.cert_pem.clone(),
    }) else {
        return;
    };
    for repo in ["team/open", "team/locked"] {
        let token = ts
            .token_for(&policy, &format!("repository:{repo}:pull,push"))
            .await;
        let s = Seeder::new(&reg.base_url()).with_bearer(&token);
        image(repo).push(&s, repo, &["v1"]).await;
    }
    let dir = tempfile::tempdir().unwrap();
    let docker = dir.path().join("docker");
    std::fs::create_dir_all(&docker).unwrap();
    let auth = base64::Engine::encode(
        &base64::engine::general_purpose::STANDARD,
        format!("{}:{}", policy.user, policy.password),
    );
    std::fs::write(
        docker.join("config.json"),
        serde_json::json!({"auths": {reg.addr.clone(): {"auth": auth}}}).to_string(),
    )
    .unwrap();
    write_config(dir.path(), &reg.addr, "");
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_regscope"));
    cmd.args(["--no-cache", "images", &reg.addr, "--json"])
        .current_dir(dir.path())
        .env("REGSCOPE_DATA", dir.path().join("data"))
        .env("REGSCOPE_CONFIG", dir.path().join("config.toml"))
        .env("DOCKER_CONFIG", &docker)
        .env("MALLOC_ARENA_MAX", "2")
        .env_remove("REGSCOPE_LOG");
    let o = crate::support::limited::run_limited(&mut cmd, LIMIT);
    figures("crawl with one token scope hung", &o);
    let inv = Inventory::from_json(&o.stdout)
        .unwrap_or_else(|e| panic!("not an inventory ({e}): {}", o.text()));
    assert_eq!(o.code(), Some(3), "partial inventory: {}", o.text());
    assert!(o.elapsed < Duration::from_secs(60), "{}", o.text());
    assert!(
        hung.load(Ordering::SeqCst) >= 1,
        "the hung endpoint was asked"
    );
    let locked = issue_for(&inv, "team/locked");
    assert!(
        locked
            .message
            .contains(&format!("token server {}", token_proxy.addr))
            && locked.message.contains("timed out after 3s"),
        "{}",
        locked.message
    );
    assert!(
        !locked.message.contains(&policy.password),
        "{}",
        locked.message
    );
    let open = inv
        .images
        .iter()
        .find(|i| i.repository == "team/open")
        .unwrap_or_else(|| panic!("team/open missing: {}", o.text()));
    assert_eq!(open.tags, ["v1"]);
    assert!(open.size_bytes.is_some());
    assert!(
        !inv.images.iter().any(|i| i.repository == "team/locked"),
        "{:#?}",
        inv.images
    );
}
