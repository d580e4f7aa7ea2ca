//! Order and age from honest times (issue: "a guessed order never deletes the newest
//! image"): on a CNCF distribution registry, which records no push time, a count rule
//! orders by the image configs' `created`, says so, and never expires an image whose time
//! is unknown; ties are never broken by digest.

use crate::support::fixtures::{tar, Entry, ImageFixture, Layer, Pushed};
use crate::support::registry::TestRegistry;
use crate::support::seed::Seeder;
use serde_json::Value;
use std::process::{Command, Stdio};

const NOW: &str = "2026-01-01T00:00:00Z";

fn build(created: &str) -> ImageFixture {
    ImageFixture::new(
        "amd64",
        created,
        vec![Layer::gzip(
            tar(&[Entry::File("app/bin", b"the same app layer\n")]),
            "COPY app",
        )],
    )
}

fn plan(dir: &std::path::Path, target: &str, policy: &str) -> Value {
    plan_at(dir, target, policy, NOW)
}

fn plan_at(dir: &std::path::Path, target: &str, policy: &str, now: &str) -> Value {
    std::fs::write(dir.join("policy.json"), policy).unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_regscope"))
        .args([
            "plan",
            target,
            "--policy",
            "policy.json",
            "--now",
            now,
            "--json",
        ])
        .current_dir(dir)
        .env("REGSCOPE_DATA", dir.join("data"))
        .env("REGSCOPE_CONFIG", dir.join("config.toml"))
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_slice(&o.stdout).unwrap()
}

fn digests(list: &Value) -> Vec<String> {
    let mut v: Vec<String> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["digest"].as_str().unwrap().to_string())
        .collect();
    v.sort();
    v
}

fn sorted(v: &[Pushed]) -> Vec<String> {
    let mut v: Vec<String> = v.iter().map(|p| p.digest.clone()).collect();
    v.sort();
    v
}

/// "Keep the 10 newest build-*" over 40 builds on a registry without push times keeps
/// exactly the 10 newest by creation time (build-39, tagged `latest` too, among them),
/// expires the 30 oldest, and leaves the epoch-created build alone as "push time unknown".
#[tokio::test]
async fn count_rule_on_distribution_orders_by_creation_and_protects_unknown_times() {
    let Some(reg) = TestRegistry::start() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let s = Seeder::new(&reg.base_url());
    let mut builds = Vec::new();
    // Pushed newest first, so neither push order nor digest order is creation order.
    for i in (0..40).rev() {
        let created = format!("2025-06-01T{:02}:{:02}:00Z", i / 2, (i % 2) * 30);
        let tag = format!("build-{i}");
        let tags: Vec<&str> = if i == 39 {
            vec![tag.as_str(), "latest"]
        } else {
            vec![tag.as_str()]
        };
        builds.push((i, build(&created).push(&s, "ci/app", &tags).await));
    }
    builds.sort_by_key(|b| b.0);
    let builds: Vec<Pushed> = builds.into_iter().map(|b| b.1).collect();
    // A reproducible build that wrote the epoch as its creation time.
    let epoch = build("1970-01-01T00:00:00Z")
        .push(&s, "ci/app", &["build-epoch"])
        .await;

    let policy = r#"{"rules": [{"rulePriority": 1, "description": "keep the 10 newest builds",
        "selection": {"tagStatus": "tagged", "tagPatternList": ["build-*"],
                      "countType": "imageCountMoreThan", "countNumber": 10},
        "action": {"type": "expire"}}]}"#;
    let p = plan(dir.path(), &format!("{}/ci", reg.addr), policy);
    assert_eq!(digests(&p["actions"]), sorted(&builds[..30]), "{p:#}");
    for a in p["actions"].as_array().unwrap() {
        assert_eq!(a["time_source"], "created", "{a:#}");
        assert!(
            a["reason"].as_str().unwrap().contains("by creation time"),
            "{a:#}"
        );
    }
    let protected: Vec<&Value> = p["protected"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["digest"] == epoch.digest.as_str())
        .collect();
    assert_eq!(protected.len(), 1, "{p:#}");
    assert!(
        protected[0]["why"]
            .as_str()
            .unwrap()
            .starts_with("push time unknown"),
        "{p:#}"
    );
    let warnings: Vec<&str> = p["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap())
        .collect();
    assert_eq!(
        warnings
            .iter()
            .filter(|w| w
                .contains("ordered by image creation time: this registry records no push time"))
            .count(),
        1,
        "once per rule: {warnings:?}"
    );
    assert!(
        !warnings.iter().any(|w| w.contains("same time")),
        "{warnings:?}"
    );
}

/// Three builds that share one `created` second (a reproducible build's constant) are not
/// ordered by it: none of them is expired by the count rule; two builds on one second
/// across the boundary are a genuine tie and both are kept.
#[tokio::test]
async fn shared_creation_constants_and_ties_never_expire_by_digest() {
    let Some(reg) = TestRegistry::start() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let s = Seeder::new(&reg.base_url());
    let layer = |n: &str| {
        Layer::gzip(
            tar(&[Entry::File("app/bin", format!("build {n}\n").as_bytes())]),
            "COPY app",
        )
    };
    let img = |created: &str, n: &str| ImageFixture::new("amd64", created, vec![layer(n)]);
    let mut constant = Vec::new();
    for n in ["c1", "c2", "c3"] {
        constant.push(
            img("2024-03-01T00:00:00Z", n)
                .push(&s, "rb/app", &[n])
                .await,
        );
    }
    let newest = img("2025-09-01T00:00:00Z", "n")
        .push(&s, "rb/app", &["n"])
        .await;
    let t1 = img("2025-08-01T00:00:00Z", "t1")
        .push(&s, "rb/app", &["t1"])
        .await;
    let t2 = img("2025-08-01T00:00:00Z", "t2")
        .push(&s, "rb/app", &["t2"])
        .await;
    let old = img("2025-01-01T00:00:00Z", "o")
        .push(&s, "rb/app", &["o"])
        .await;
    let policy = r#"{"rules": [{"rulePriority": 1,
        "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 2},
        "action": {"type": "expire"}}]}"#;
    let p = plan(dir.path(), &format!("{}/rb", reg.addr), policy);
    // Ranked: newest, then t1 and t2 tied at the boundary (both kept), then old.
    assert_eq!(digests(&p["actions"]), vec![old.digest.clone()], "{p:#}");
    let prot = digests(&p["protected"]);
    for c in &constant {
        assert!(prot.contains(&c.digest), "{p:#}");
    }
    for kept in [&newest, &t1, &t2] {
        assert!(!digests(&p["actions"]).contains(&kept.digest));
    }
    assert!(
        p["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w.as_str().unwrap().contains("genuine tie")),
        "{p:#}"
    );
}

/// The demo fleet is an OCI layout (no push times): "keep the newest 1.10.x" keeps the
/// newest release of the series by creation time, not the one whose digest sorts first.
#[test]
fn demo_release_series_keeps_its_newest() {
    let dir = tempfile::tempdir().unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_regscope"))
        .args([
            "demo",
            "--build-only",
            "--dir",
            "demo",
            "--epoch",
            "2026-11-16T00:00:00Z",
        ])
        .current_dir(dir.path())
        .env("REGSCOPE_DATA", dir.path().join("data"))
        .env("REGSCOPE_CONFIG", dir.path().join("config.toml"))
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let policy = r#"{"rules": [{"rulePriority": 1, "description": "keep the newest 1.10.x",
        "selection": {"tagStatus": "tagged", "tagPatternList": ["1.10.*"],
                      "countType": "imageCountMoreThan", "countNumber": 1},
        "action": {"type": "expire"}}]}"#;
    let target = format!("oci:{}", dir.path().join("demo").display());
    let p = plan_at(dir.path(), &target, policy, "2026-11-16T00:00:00Z");
    let series = |list: &Value| -> Vec<(String, String)> {
        list.as_array()
            .unwrap()
            .iter()
            .flat_map(|a| {
                let repo = a["repository"].as_str().unwrap().to_string();
                a["tags"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|t| t.as_str())
                    .filter(|t| t.starts_with("1.10."))
                    .map(move |t| (repo.clone(), t.to_string()))
                    .collect::<Vec<_>>()
            })
            .collect()
    };
    let expired = series(&p["actions"]);
    assert!(!expired.is_empty(), "the demo has a 1.10.x series: {p:#}");
    for a in p["actions"].as_array().unwrap() {
        // Referrers follow their subject: no time decided them.
        let want = if a["rule"] == "1" { "created" } else { "null" };
        assert_eq!(
            a["time_source"].to_string().trim_matches('"'),
            want,
            "{a:#}"
        );
    }
    // Per repository, every expired 1.10.x is an older patch than one that is kept.
    let patch = |t: &str| t.trim_start_matches("1.10.").parse::<u32>().unwrap();
    let mut repos: Vec<&String> = expired.iter().map(|e| &e.0).collect();
    repos.dedup();
    for repo in repos {
        let newest_expired = expired
            .iter()
            .filter(|e| &e.0 == repo)
            .map(|e| patch(&e.1))
            .max()
            .unwrap();
        let o = Command::new(env!("CARGO_BIN_EXE_regscope"))
            .args(["images", &format!("{target}/{repo}"), "--json"])
            .current_dir(dir.path())
            .env("REGSCOPE_DATA", dir.path().join("data"))
            .env("REGSCOPE_CONFIG", dir.path().join("config.toml"))
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let inv: Value = serde_json::from_slice(&o.stdout).unwrap();
        let all: Vec<u32> = inv["images"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|i| i["tags"].as_array().cloned().unwrap_or_default())
            .filter_map(|t| t.as_str().map(str::to_string))
            .filter(|t| t.starts_with("1.10."))
            .map(|t| patch(&t))
            .collect();
        let newest = *all.iter().max().unwrap();
        assert!(newest > newest_expired, "{repo}: kept 1.10.{newest}");
        assert_eq!(
            expired.iter().filter(|e| &e.0 == repo).count(),
            all.len() - 1,
            "{repo}: all but the newest expire"
        );
    }
}

/// `acr purge --ago` on a distribution registry, which records no tag update time: the
/// plan says `--ago` cannot select a tag there instead of silently selecting none, and a
/// look-around filter (acr-cli's engine accepts it) is read, not refused.
#[tokio::test]
async fn acr_purge_ago_says_tag_times_are_unknown() {
    let Some(reg) = TestRegistry::start() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let s = Seeder::new(&reg.base_url());
    build("2025-06-01T00:00:00Z")
        .push(&s, "ci/app", &["dev-1"])
        .await;
    build("2025-06-02T00:00:00Z")
        .push(&s, "ci/app", &["release-1"])
        .await;
    let policy = "acr purge --filter 'ci/app:^((?!release).)*$' --ago 7d\n";
    let p = plan(dir.path(), &reg.addr, policy);
    assert_eq!(p["actions"].as_array().unwrap().len(), 0, "{p:#}");
    let warnings = p["warnings"].to_string();
    assert!(
        warnings.contains("tag update times are unknown in ci/app")
            && warnings.contains("--ago cannot select a tag there"),
        "{p:#}"
    );
}
