//! The local store (issue 18) against a real registry behind a counting proxy, through
//! the real binary: a cold crawl fills the store, a warm one makes no manifest GET, a
//! moved tag costs one GET per new digest, deleted tags and repositories are noticed,
//! each completed crawl is one history snapshot; a corrupt, locked or newer database
//! gives one warning and the command runs without it; two processes share one store.
//! ECR (moto) is refreshed from DescribeImages alone.

use crate::support::fixtures::{Layer, Pushed};
use crate::support::fleet::{base_layer, image};
use crate::support::registry::TestRegistry;
use crate::support::seed::Seeder;
use crate::support::stub::{StubReply, StubRequest, StubServer};
use regscope::model::Inventory;
use std::path::Path;
use std::process::Output;

/// A proxy in front of `upstream` that logs every request it forwards.
async fn counting_proxy(upstream: String) -> StubServer {
    StubServer::start(move |req: StubRequest| {
        let upstream = upstream.clone();
        async move {
            let method = reqwest::Method::from_bytes(req.method.as_bytes()).unwrap();
            let r = reqwest::Client::new()
                .request(method, format!("{upstream}{}", req.target))
                .headers(
                    req.headers
                        .iter()
                        .filter(|(k, _)| k.eq_ignore_ascii_case("accept"))
                        .map(|(k, v)| (k.parse().unwrap(), v.parse().unwrap()))
                        .collect(),
                )
                .send()
                .await
                .unwrap();
            let status = r.status().as_u16();
            let headers: Vec<(String, String)> = r
                .headers()
                .iter()
                .filter(|(k, _)| *k != "content-length" && *k != "connection")
                .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string()))
                .collect();
            let body = r.bytes().await.unwrap().to_vec();
            StubReply::Respond {
                status,
                headers,
                body,
            }
        }
    })
    .await
}

/// (manifest GETs, manifest HEADs, blob GETs) the proxy forwarded since `from`.
fn counts(proxy: &StubServer, from: usize) -> (usize, usize, usize) {
    let log = proxy.requests.lock().unwrap();
    let mut c = (0, 0, 0);
    for r in log.iter().skip(from) {
        match (
            r.method.as_str(),
            r.path().contains("/manifests/"),
            r.path().contains("/blobs/"),
        ) {
            ("GET", true, _) => c.0 += 1,
            ("HEAD", true, _) => c.1 += 1,
            ("GET", _, true) => c.2 += 1,
            _ => {}
        }
    }
    c
}

fn seen(proxy: &StubServer) -> usize {
    proxy.requests.lock().unwrap().len()
}

fn regscope(data: &Path, args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_regscope"))
        .args(args)
        .env("REGSCOPE_DATA", data)
        .env_remove("REGSCOPE_NO_CACHE")
        .env_remove("REGSCOPE_LOG")
        .output()
        .expect("run regscope")
}

fn inventory(out: &Output) -> Inventory {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Inventory::from_json(std::str::from_utf8(&out.stdout).unwrap()).expect("inventory JSON")
}

fn history(data: &Path, target: &str) -> serde_json::Value {
    let out = regscope(data, &["history", target, "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn layer(n: &str) -> Layer {
    Layer::gzip(
        crate::support::fixtures::tar(&[crate::support::fixtures::Entry::File(
            "app",
            n.as_bytes(),
        )]),
        "COPY app /",
    )
}

async fn push(s: &Seeder, repo: &str, n: &str, tags: &[&str]) -> Pushed {
    image(
        "amd64",
        None,
        "2026-01-01T00:00:00Z",
        vec![base_layer(), layer(n)],
    )
    .push(s, repo, tags)
    .await
}

fn digests(inv: &Inventory) -> Vec<(String, String, Vec<String>)> {
    let mut v: Vec<_> = inv
        .images
        .iter()
        .map(|i| (i.repository.clone(), i.digest.to_string(), i.tags.clone()))
        .collect();
    v.sort();
    v
}

// Multi-threaded: the binary runs blocking while the proxy serves it on another worker.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cold_warm_moved_deleted_and_history_through_a_counting_proxy() {
    let Some(reg) = TestRegistry::start() else {
        return;
    };
    let s = Seeder::new(&reg.base_url());
    push(&s, "team/api", "a1", &["v1", "latest"]).await;
    let a2 = push(&s, "team/api", "a2", &["v2"]).await;
    push(&s, "team/web", "w1", &["v1"]).await;
    push(&s, "gone/tool", "t1", &["v1"]).await;
    let proxy = counting_proxy(reg.base_url()).await;
    let data = tempfile::tempdir().unwrap();
    let target = proxy.addr.clone();

    // Cold: one GET per tag, as without the store; the store fills.
    let cold = inventory(&regscope(data.path(), &["images", &target, "--json"]));
    let (gets, heads, blobs) = counts(&proxy, 0);
    assert_eq!(
        (gets, heads, blobs),
        (5, 0, 4),
        "cold: a GET per tag, a config per image"
    );
    assert!(data.path().join("cache/regscope.db").exists());

    // Warm: the same inventory from HEADs alone.
    let mark = seen(&proxy);
    let warm = inventory(&regscope(data.path(), &["images", &target, "--json"]));
    assert_eq!(digests(&warm), digests(&cold));
    assert_eq!(
        warm.images, cold.images,
        "records read through the store are the same"
    );
    assert_eq!(
        counts(&proxy, mark),
        (0, 5, 0),
        "warm: a HEAD per tag, nothing else"
    );

    // A moved tag: one GET for the one new digest (and its config).
    let a3 = push(&s, "team/api", "a3", &["latest"]).await;
    let mark = seen(&proxy);
    let moved = inventory(&regscope(data.path(), &["images", &target, "--json"]));
    assert_eq!(
        counts(&proxy, mark),
        (1, 5, 1),
        "moved tag: GETs == new digests"
    );
    let latest = moved
        .images
        .iter()
        .find(|i| i.tags.contains(&"latest".to_string()))
        .unwrap();
    assert_eq!(latest.digest.to_string(), a3.digest);

    // A deleted tag (its manifest deleted) and a deleted repository.
    assert_eq!(s.delete_manifest("team/api", &a2.digest).await, 202);
    std::fs::remove_dir_all(
        reg.dir
            .path()
            .join("data/docker/registry/v2/repositories/gone"),
    )
    .unwrap();
    let mark = seen(&proxy);
    let after = inventory(&regscope(data.path(), &["images", &target, "--json"]));
    assert_eq!(counts(&proxy, mark).0, 0, "nothing new to GET");
    assert!(after.images.iter().all(|i| i.repository != "gone/tool"));
    assert!(after
        .images
        .iter()
        .all(|i| i.digest.to_string() != a2.digest));

    let store = regscope::store::Store::open(&data.path().join("cache/regscope.db")).unwrap();
    let tags = store.tag_history(&target, "team/api");
    let latest: Vec<_> = tags.iter().filter(|t| t.0 == "latest").collect();
    assert_eq!(
        latest.len(),
        2,
        "the moved tag has two observations: {tags:?}"
    );
    assert!(!latest[0].4 && latest[1].4);
    assert!(
        tags.iter().any(|t| t.0 == "v2" && !t.4),
        "deleted tag no longer current"
    );
    assert!(store.tag_history(&target, "gone/tool").iter().all(|t| !t.4));
    let (_, listed) = store.cached_listing(&target, None).unwrap();
    assert!(!listed.iter().any(|r| r == "gone/tool"), "{listed:?}");
    assert!(store.cached_images(&target, "gone/tool").is_none());
    drop(store);

    // Four completed crawls, four snapshots; the last without the deleted repository.
    let h = history(data.path(), &target);
    assert_eq!(h["schema"], "regscope.history/v1");
    assert_eq!(h["registry"], target.as_str());
    let snaps = h["snapshots"].as_array().unwrap();
    assert_eq!(snaps.len(), 4);
    let repos = |i: usize| -> Vec<String> {
        snaps[i]["repositories"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["repository"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(repos(0), ["gone/tool", "team/api", "team/web"]);
    assert_eq!(repos(3), ["team/api", "team/web"]);
    let api = |i: usize| snaps[i]["repositories"][if i < 3 { 1 } else { 0 }].clone();
    assert_eq!(api(0)["images"], 2);
    assert_eq!(api(0)["tags"], 3);
    assert_eq!(api(2)["images"], 3, "a3 added, a2 still there");
    assert_eq!(api(3)["images"], 2);
    for key in ["total_bytes", "unique_bytes"] {
        assert!(api(0)[key].as_u64().unwrap() > 0, "{key}");
    }
    // Compared as times: RFC 3339 text drops a zero fraction ("…:56Z" vs "…:56.5Z"), so
    // comparing the strings is wrong whenever a crawl starts on a whole second.
    let at = |i: usize| {
        chrono::DateTime::parse_from_rfc3339(snaps[i]["at"].as_str().unwrap())
            .unwrap_or_else(|e| panic!("snapshot {i} at: {e}"))
    };
    assert!((1..4).all(|i| at(i - 1) <= at(i)), "oldest first");
    let filtered = regscope(
        data.path(),
        &["history", &target, "--repo", "team/w", "--json"],
    );
    let f: serde_json::Value = serde_json::from_slice(&filtered.stdout).unwrap();
    assert_eq!(
        f["snapshots"][0]["repositories"].as_array().unwrap().len(),
        1
    );
    let text = regscope(data.path(), &["history", &target]);
    assert!(String::from_utf8_lossy(&text.stdout).contains("REPOSITORIES"));

    // --no-cache: everything from the registry again, the store untouched.
    let mark = seen(&proxy);
    let bypass = inventory(&regscope(
        data.path(),
        &["--no-cache", "images", &target, "--json"],
    ));
    assert_eq!(digests(&bypass), digests(&after));
    assert_eq!(
        counts(&proxy, mark).0,
        3,
        "a GET per tag (v1, latest, web v1)"
    );
    assert_eq!(
        history(data.path(), &target)["snapshots"]
            .as_array()
            .unwrap()
            .len(),
        4
    );

    // --version names the store and its size; prune keeps the history; clear removes it.
    let v = regscope(data.path(), &["--version"]);
    let v = String::from_utf8_lossy(&v.stdout).to_string();
    assert!(v.contains("regscope.db (") && v.contains("store:"), "{v}");
    let p = regscope(data.path(), &["cache", "prune"]);
    assert!(p.status.success(), "{}", String::from_utf8_lossy(&p.stderr));
    assert!(String::from_utf8_lossy(&p.stdout).contains("pruned"));
    assert_eq!(
        history(data.path(), &target)["snapshots"]
            .as_array()
            .unwrap()
            .len(),
        4
    );
    let c = regscope(data.path(), &["cache", "clear"]);
    assert!(c.status.success());
    assert!(!data.path().join("cache/regscope.db").exists());
}

#[tokio::test]
async fn corrupt_locked_and_newer_databases_warn_once_and_the_command_runs() {
    let Some(reg) = TestRegistry::start() else {
        return;
    };
    let s = Seeder::new(&reg.base_url());
    push(&s, "app", "c1", &["v1"]).await;
    let data = tempfile::tempdir().unwrap();
    let db = data.path().join("cache/regscope.db");
    std::fs::create_dir_all(db.parent().unwrap()).unwrap();

    // Corrupt: moved aside (never overwritten), one warning, the inventory still printed.
    let junk = b"not a database: notes the user kept here\n".repeat(200);
    std::fs::write(&db, &junk).unwrap();
    let out = regscope(data.path(), &["images", &reg.addr, "--json"]);
    let inv = inventory(&out);
    assert_eq!(inv.images.len(), 1);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.matches("warning:").count(), 1, "{err}");
    assert!(
        err.contains("corrupt") && err.contains("moved aside"),
        "{err}"
    );
    let aside: Vec<_> = std::fs::read_dir(db.parent().unwrap())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains(".corrupt-"))
        .collect();
    assert_eq!(aside.len(), 1);
    assert_eq!(std::fs::read(aside[0].path()).unwrap(), junk);
    // The next run starts a fresh store.
    let out = regscope(data.path(), &["images", &reg.addr, "--json"]);
    inventory(&out);
    assert!(!String::from_utf8_lossy(&out.stderr).contains("warning"));

    // Locked by another process past the busy timeout.
    let holder = rusqlite::Connection::open(&db).unwrap();
    holder
        .pragma_update(None, "locking_mode", "EXCLUSIVE")
        .unwrap();
    holder
        .execute_batch("BEGIN EXCLUSIVE; CREATE TABLE held (x);")
        .unwrap();
    let out = regscope(data.path(), &["images", &reg.addr, "--json"]);
    assert_eq!(inventory(&out).images.len(), 1);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.matches("warning:").count(), 1, "{err}");
    assert!(err.contains("locked"), "{err}");
    holder.execute_batch("ROLLBACK").unwrap();
    drop(holder);

    // Written by a newer regscope: left as it is.
    let c = rusqlite::Connection::open(&db).unwrap();
    c.pragma_update(None, "user_version", 99).unwrap();
    drop(c);
    let out = regscope(data.path(), &["images", &reg.addr, "--json"]);
    assert_eq!(inventory(&out).images.len(), 1);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.matches("warning:").count(), 1, "{err}");
    assert!(err.contains("schema version 99"), "{err}");
    let c = rusqlite::Connection::open(&db).unwrap();
    let v: i64 = c
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(v, 99);
}

#[tokio::test]
async fn two_processes_share_one_store() {
    let Some(reg) = TestRegistry::start() else {
        return;
    };
    let s = Seeder::new(&reg.base_url());
    for i in 0..6 {
        push(&s, &format!("r{i}"), &format!("p{i}"), &["v1", "v2"]).await;
    }
    let data = tempfile::tempdir().unwrap();
    let spawn = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_regscope"))
            .args(["images", &reg.addr, "--json"])
            .env("REGSCOPE_DATA", data.path())
            .env_remove("REGSCOPE_NO_CACHE")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (a, b) = (spawn(), spawn());
    let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
    for out in [&a, &b] {
        assert_eq!(inventory(out).images.len(), 6);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains("warning"), "{err}");
    }
    let h = history(data.path(), &reg.addr);
    assert_eq!(h["snapshots"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn ecr_is_refreshed_from_describe_images_alone() {
    use crate::support::moto::{Moto, ACCOUNT, REGION};
    let Some(m) = Moto::start() else { return };
    m.create_repository("team/api", false, false).await;
    let oci = "application/vnd.oci.image.manifest.v1+json";
    m.put_image(
        "team/api",
        &crate::ecr::manifest("st-1", 10),
        oci,
        Some("v1"),
    )
    .await;
    m.put_image(
        "team/api",
        &crate::ecr::manifest("st-2", 20),
        oci,
        Some("v2"),
    )
    .await;
    let target = format!("ecr://{ACCOUNT}/{REGION}");
    let first = crate::ecr_cli::regscope(&m, &["images", &target, "--json"]);
    let first = inventory(&first);
    let before = m.recorded_operations().len();
    let d3 = m
        .put_image(
            "team/api",
            &crate::ecr::manifest("st-3", 30),
            oci,
            Some("v3"),
        )
        .await;
    let second = inventory(&crate::ecr_cli::regscope(
        &m,
        &["images", &target, "--json"],
    ));
    assert_eq!(second.images.len(), first.images.len() + 1);
    assert!(second
        .images
        .iter()
        .any(|i| i.digest.to_string() == d3 && i.tags == ["v3"]));
    let ops: Vec<String> = m.recorded_operations().split_off(before);
    assert!(ops.iter().any(|o| o == "DescribeImages"), "{ops:?}");
    for op in &ops {
        assert!(
            matches!(
                op.as_str(),
                "DescribeRepositories" | "DescribeImages" | "PutImage"
            ),
            "the refresh reads only the listing APIs, not {op}: {ops:?}"
        );
    }
    // The store has both crawls as history and the moved tag.
    let out = crate::ecr_cli::regscope(&m, &["history", &target, "--json"]);
    let h: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(h["snapshots"].as_array().unwrap().len(), 2, "{h}");
    assert_eq!(h["snapshots"][1]["repositories"][0]["images"], 3);
}
