//! `regscope audit` against the real distribution registry: signatures and scanner reports
//! found as referrers (cosign tag, `sha256-<hex>` fallback tag), stale images by creation
//! time (the registry records no push or pull time) with release tags excepted, settings a
//! plain registry cannot have said `n/a`, untagged bytes `unknown` (the API lists tags
//! only); `--fail-on` and exit codes; a tag moved between two crawls from the store.

use crate::support::fixtures::{
    push_cosign_signature, push_referrer, tar, Entry, ImageFixture, Layer,
};
use crate::support::registry::TestRegistry;
use crate::support::seed::Seeder;
use regscope::scan::artifact;
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

pub fn regscope(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_regscope"))
        .args(args)
        .env("REGSCOPE_DATA", dir.join("data"))
        .env("REGSCOPE_CONFIG", dir.join("config.toml"))
        .env("DOCKER_CONFIG", dir.join("docker"))
        .output()
        .unwrap()
}

fn image(content: &[u8], created: &str) -> ImageFixture {
    ImageFixture::new(
        "amd64",
        created,
        vec![Layer::gzip(
            tar(&[Entry::File("app/bin", content)]),
            "COPY app /app",
        )],
    )
}

pub fn check<'a>(doc: &'a Value, repo: &str, id: &str) -> &'a Value {
    doc["repositories"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["repository"] == repo)
        .unwrap_or_else(|| panic!("no repository {repo} in {doc}"))["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no check {id}"))
}

pub fn json_of_output(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

#[tokio::test]
async fn audit_of_a_distribution_registry() {
    let Some(reg) = TestRegistry::start() else {
        return;
    };
    let s = Seeder::new(&reg.base_url());
    let dir = tempfile::tempdir().unwrap();
    let release = image(b"release", "2025-01-01T00:00:00Z")
        .push(&s, "team/app", &["v1.0.0"])
        .await;
    let _old = image(b"old dev build", "2025-01-02T00:00:00Z")
        .push(&s, "team/app", &["dev-1"])
        .await;
    let current = image(b"current", "2026-11-20T00:00:00Z")
        .push(&s, "team/app", &["latest"])
        .await;
    push_cosign_signature(&s, "team/app", &current).await;
    push_referrer(
        &s,
        "team/app",
        &current,
        artifact::TRIVY_JSON,
        br#"{"SchemaVersion":2,"Results":[]}"#,
        true,
    )
    .await;
    let _ = release;
    let host = reg.base_url().trim_start_matches("http://").to_string();
    let now = "2026-12-01T00:00:00Z";

    let out = regscope(dir.path(), &["audit", &host, "--json", "--now", now]);
    let doc = json_of_output(&out);
    assert_eq!(doc["schema"], "regscope.audit/v1");
    assert!(doc["generated_at"].is_string());
    assert_eq!(out.status.code(), Some(0), "nothing fails: {doc:#}");

    let sig = check(&doc, "team/app", "signatures");
    assert_eq!(sig["status"], "warn", "{sig}");
    assert!(
        sig["summary"]
            .as_str()
            .unwrap()
            .starts_with("1 of 3 tagged images signed"),
        "{sig}"
    );
    let ev = sig["evidence"].to_string();
    assert!(
        ev.contains("team/app:v1.0.0") && ev.contains("team/app:dev-1") && !ev.contains(":latest"),
        "{ev}"
    );

    let scan = check(&doc, "team/app", "scanning");
    assert_eq!(scan["status"], "warn", "{scan}");
    assert!(
        scan["evidence"]
            .to_string()
            .contains("1 of 3 images carries a scanner report"),
        "{scan}"
    );

    let stale = check(&doc, "team/app", "stale-images");
    assert_eq!(stale["status"], "warn", "{stale}");
    let ev = stale["evidence"].to_string();
    assert!(ev.contains("by image creation time"), "{ev}");
    assert!(
        ev.contains("team/app:dev-1 last created 2025-01-02"),
        "{ev}"
    );
    assert!(
        !ev.contains("v1.0.0 last"),
        "release tags are excepted: {ev}"
    );
    assert!(
        stale["summary"]
            .as_str()
            .unwrap()
            .starts_with("1 image idle"),
        "{stale}"
    );

    for (id, want) in [
        ("untagged-bytes", "unknown"),
        ("tag-immutability", "n/a"),
        ("lifecycle-policy", "n/a"),
        ("replication", "n/a"),
        ("public-access", "unknown"),
        ("critical-findings", "unknown"),
    ] {
        let c = check(&doc, "team/app", id);
        assert_eq!(c["status"], want, "{id}: {c}");
        assert!(!c["summary"].as_str().unwrap().is_empty());
    }
    let totals = &doc["summary"]["registries"][0];
    assert_eq!(totals["repositories"], 1);
    assert_eq!(totals["warning"]["signatures"], 1);

    // A CI gate on warnings.
    let out = regscope(
        dir.path(),
        &["audit", &host, "--fail-on", "warn", "--now", now],
    );
    assert_eq!(out.status.code(), Some(1));
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        table.contains("REPOSITORY") && table.contains("✓ pass  ! warn  ✗ fail  ? unknown  - n/a"),
        "{table}"
    );
    assert!(
        table.contains("! signatures warn: 1 of 3 tagged images signed"),
        "{table}"
    );
    // One registry, named once above the table: rows and evidence name repositories alone.
    assert!(
        table.lines().any(|l| l.starts_with("team/app ")) && table.contains("\nteam/app\n"),
        "{table}"
    );
    assert!(!table.contains(&format!("{host}/team/app")), "{table}");

    // In use, through the same list `plan --in-use` reads: the reported image has no
    // critical finding (an empty report), the other in-use image has no scan at all.
    let list = dir.path().join("in-use.txt");
    std::fs::write(
        &list,
        format!("{host}/team/app:latest\n{host}/team/app:dev-1\n"),
    )
    .unwrap();
    let out = regscope(
        dir.path(),
        &[
            "audit",
            &host,
            "--json",
            "--now",
            now,
            "--in-use",
            list.to_str().unwrap(),
        ],
    );
    let doc = json_of_output(&out);
    let crit = check(&doc, "team/app", "critical-findings");
    assert_eq!(crit["status"], "unknown", "{crit}");
    assert!(
        crit["summary"]
            .as_str()
            .unwrap()
            .starts_with("1 of 2 images in use has no scan result"),
        "{crit}"
    );

    // A tag moved between crawls (the store's tag history) is reported; a moved release
    // tag fails.
    image(b"release again", "2026-11-25T00:00:00Z")
        .push(&s, "team/app", &["v1.0.0"])
        .await;
    let out = regscope(dir.path(), &["audit", &host, "--json"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc = json_of_output(&out);
    let t = check(&doc, "team/app", "tag-immutability");
    assert_eq!(t["status"], "fail", "{t}");
    assert!(
        t["evidence"]
            .to_string()
            .contains("v1.0.0 moved once in 30 days"),
        "{t}"
    );

    // Bad usage exits 2 before any registry is contacted.
    let out = regscope(dir.path(), &["audit", &host, "--fail-on", "unknown"]);
    assert_eq!(out.status.code(), Some(2));
    let out = regscope(dir.path(), &["audit", "not a target!"]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test]
async fn scan_freshness_from_the_report_times_of_a_distribution_registry() {
    let Some(reg) = TestRegistry::start() else {
        return;
    };
    let s = Seeder::new(&reg.base_url());
    let dir = tempfile::tempdir().unwrap();
    // Each repository: one recent image and a Trivy report attached as a referrer, dated
    // by the report (CreatedAt), by its manifest's annotation (oras attach), or not at all.
    let cases = [
        ("fresh/app", Some("2026-11-29T00:00:00Z"), None),
        ("stale/app", Some("2026-10-01T00:00:00Z"), None),
        ("oras/app", None, Some("2026-10-15T00:00:00Z")),
        ("bare/app", None, None),
    ];
    for (repo, created, annotated) in cases {
        let im = image(repo.as_bytes(), "2026-11-20T00:00:00Z")
            .push(&s, repo, &["latest"])
            .await;
        let report = match created {
            Some(t) => format!(r#"{{"SchemaVersion":2,"CreatedAt":"{t}","Results":[]}}"#),
            None => r#"{"SchemaVersion":2,"Results":[]}"#.to_string(),
        };
        let annotations = annotated
            .map(|t| serde_json::json!({"org.opencontainers.image.created": t}))
            .unwrap_or(Value::Null);
        crate::support::fixtures::push_referrer_with(
            &s,
            repo,
            &im,
            artifact::TRIVY_JSON,
            report.as_bytes(),
            true,
            annotations,
        )
        .await;
    }
    let host = reg.base_url().trim_start_matches("http://").to_string();
    let out = regscope(
        dir.path(),
        &["audit", &host, "--json", "--now", "2026-12-01T00:00:00Z"],
    );
    let doc = json_of_output(&out);
    let c = check(&doc, "fresh/app", "scan-freshness");
    assert_eq!(c["status"], "pass", "{c}");
    for (repo, day) in [("stale/app", "2026-10-01"), ("oras/app", "2026-10-15")] {
        let c = check(&doc, repo, "scan-freshness");
        assert_eq!(c["status"], "warn", "{repo}: {c}");
        assert!(
            c["evidence"]
                .to_string()
                .contains(&format!("{repo}:latest last scanned {day}")),
            "{repo}: {c}"
        );
    }
    let c = check(&doc, "bare/app", "scan-freshness");
    assert_eq!(c["status"], "unknown", "a report without a time: {c}");
}

#[tokio::test]
async fn untagged_bytes_of_a_distribution_registry_from_the_tag_history() {
    let Some(reg) = TestRegistry::start() else {
        return;
    };
    let s = Seeder::new(&reg.base_url());
    let dir = tempfile::tempdir().unwrap();
    let host = reg.base_url().trim_start_matches("http://").to_string();
    let first = image(b"first build of latest", "2026-11-01T00:00:00Z")
        .push(&s, "team/api", &["latest"])
        .await;
    let doc = json_of_output(&regscope(dir.path(), &["audit", &host, "--json"]));
    let c = check(&doc, "team/api", "untagged-bytes");
    assert_eq!(c["status"], "unknown", "no history yet: {c}");

    // latest moves: the first image stays in the registry, named by no tag.
    image(b"second build of latest", "2026-11-02T00:00:00Z")
        .push(&s, "team/api", &["latest"])
        .await;
    let doc = json_of_output(&regscope(dir.path(), &["audit", &host, "--json"]));
    let c = check(&doc, "team/api", "untagged-bytes");
    assert_eq!(c["status"], "warn", "{c}");
    let summary = c["summary"].as_str().unwrap();
    assert!(
        summary.starts_with("at least 1 untagged manifest holds ") && !summary.contains("unknown"),
        "{c}"
    );
    let ev = c["evidence"].to_string();
    assert!(ev.contains(&format!("team/api@{}", first.digest)), "{ev}");
    assert!(ev.contains("store's tag history"), "{ev}");
    let repo = doc["repositories"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["repository"] == "team/api")
        .unwrap();
    assert!(
        repo["reclaimable_bytes"].as_u64().unwrap() > 0,
        "the untagged image's bytes are reclaimable: {repo}"
    );
}
