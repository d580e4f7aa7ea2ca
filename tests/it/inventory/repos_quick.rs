//! `regscope repos --quick` and `--names-only` against the real registry: the catalog and
//! tag lists only (no manifest read, checked by the request count), the same repositories
//! and tag counts as the full crawl, and a repository whose tags cannot be listed.

use super::cli::regscope;
use crate::support::fleet;
use crate::support::registry::TestRegistry;
use crate::support::seed::Seeder;

/// The request count from `--verbose`'s traffic line.
fn requests(stderr: &str) -> u64 {
    stderr
        .split(" requests")
        .next()
        .and_then(|s| s.rsplit(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("--verbose shows traffic: {stderr}"))
}

#[tokio::test]
async fn quick_repos_read_the_catalog_and_tag_lists_only() {
    let Some(reg) = TestRegistry::start() else {
        return;
    };
    fleet::seed(&Seeder::new(&reg.base_url())).await;
    let addr = reg.addr.as_str();

    let full = regscope(&["repos", addr, "--json"]).await;
    assert_eq!(full.code, 0, "{}", full.stderr);
    let full: serde_json::Value = serde_json::from_str(&full.stdout).unwrap();
    let full = full.as_array().unwrap();

    let r = regscope(&["repos", addr, "--quick", "--json", "--verbose"]).await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    let quick: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let quick = quick.as_array().unwrap();
    assert_eq!(quick.len(), full.len());
    for (q, f) in quick.iter().zip(full) {
        assert_eq!(q["repository"], f["repository"]);
        assert_eq!(q["tags"], f["tags"], "{q} vs {f}");
        assert!(q["tags"].as_u64().unwrap() > 0, "{q}");
        assert_eq!(q["complete"], true);
        for unknown in ["images", "total_bytes", "unique_bytes", "newest_created"] {
            assert!(q[unknown].is_null(), "{unknown} is not measured: {q}");
        }
    }
    // The catalog, one tag list per repository and the API check: not one manifest.
    let n = requests(&r.stderr);
    assert!(n <= quick.len() as u64 + 2, "{n} requests: {}", r.stderr);

    let r = regscope(&["repos", addr, "--quick"]).await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    let line = r
        .stdout
        .lines()
        .find(|l| l.starts_with("team-a/api "))
        .expect(&r.stdout);
    assert_eq!(line.split_whitespace().nth(1), Some("6"), "{}", r.stdout);
    assert_eq!(
        r.stdout
            .lines()
            .next()
            .unwrap()
            .split_whitespace()
            .collect::<Vec<_>>(),
        ["REPOSITORY", "TAGS"]
    );

    let r = regscope(&[
        "repos",
        &format!("{addr}/team-a"),
        "--names-only",
        "--verbose",
    ])
    .await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, "team-a/api\nteam-a/multi\n");
    assert!(requests(&r.stderr) <= 2, "{}", r.stderr);

    let r = regscope(&["repos", addr, "--quick", "--names-only"]).await;
    assert_eq!(r.code, 2, "conflicting flags are bad usage: {}", r.stderr);
    let r = regscope(&["repos", "127.0.0.1:1", "--names-only"]).await;
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("127.0.0.1:1"), "{}", r.stderr);
}

#[tokio::test]
async fn a_repository_whose_tags_cannot_be_listed_makes_a_partial_listing() {
    let Some(reg) = TestRegistry::start() else {
        return;
    };
    let s = Seeder::new(&reg.base_url());
    let img = fleet::image(
        "amd64",
        None,
        "2026-01-01T00:00:00Z",
        vec![fleet::base_layer()],
    );
    img.push(&s, "part/ok", &["v1", "v2"]).await;
    img.push(&s, "part/gone", &["v1"]).await;
    // The registry still has the repository but no tag store for it.
    let tags = reg
        .dir
        .path()
        .join("data/docker/registry/v2/repositories/part/gone/_manifests/tags");
    std::fs::remove_dir_all(&tags).unwrap();

    let r = regscope(&["repos", &reg.addr, "--quick", "--json"]).await;
    assert_eq!(r.code, 3, "{}", r.stderr);
    let rows: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let gone = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["repository"] == "part/gone")
        .expect("the catalog still lists it");
    assert!(gone["tags"].is_null(), "unknown, not zero: {gone}");
    assert_eq!(gone["complete"], false);
    let ok = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["repository"] == "part/ok")
        .unwrap();
    assert_eq!(ok["tags"], 2);
    assert!(r.stderr.contains("part/gone"), "{}", r.stderr);
    assert!(r.stderr.contains("partial listing"), "{}", r.stderr);
}
