//! Harbor through the front door: found by probing `GET /api/v2.0/systeminfo`, crawled
//! from its API (no pull), its project's retention policy as the registry's own policy,
//! and `regscope images HARBOR --json` with Harbor's times, with credentials from Docker's
//! config.json (a robot account).

use crate::support::fake_harbor::scenario::seed;
use crate::support::fake_harbor::{FakeHarbor, ROBOT};
use base64::Engine as _;
use regscope::config::RegistrySettings;
use regscope::policy::PolicyFormat;
use regscope::registry::Target;
use regscope::session::Kind;
use serde_json::{json, Value};

#[tokio::test]
async fn a_harbor_is_found_by_probe_and_crawled_without_pulls() {
    let Some(h) = FakeHarbor::start().await else {
        return;
    };
    let s = seed(&h).await;
    let target = Target::parse(&h.addr).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let auth = base64::engine::general_purpose::STANDARD.encode(format!("{}:{}", ROBOT.0, ROBOT.1));
    std::fs::write(
        dir.path().join("config.json"),
        json!({"auths": {&h.addr: {"auth": auth}}}).to_string(),
    )
    .unwrap();
    // Credentials as a user has them: Docker's config.json, here a robot account.
    // The fake serves on this test's runtime: wait for the child without blocking it.
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_regscope"))
        .args(["images", &h.addr, "--json"])
        .env("DOCKER_CONFIG", dir.path())
        .env("HOME", dir.path())
        .env("REGSCOPE_DATA", dir.path().join("data"))
        .env("REGSCOPE_CONFIG", dir.path().join("config.toml"))
        .output()
        .await
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let inv: Value = serde_json::from_slice(&out.stdout).unwrap();
    let images = inv["images"].as_array().unwrap();
    let v1 = images
        .iter()
        .find(|i| i["digest"] == json!(s.v1))
        .expect("v1 listed");
    assert_eq!(v1["pushed_at"], json!("2026-03-01T12:00:00Z"));
    assert_eq!(v1["last_pulled_at"], json!("2026-03-04T12:00:00Z"));
    assert_eq!(v1["tag_details"][0]["write_enabled"], json!(false));
    let latest = images
        .iter()
        .find(|i| i["digest"] == json!(s.latest))
        .unwrap();
    assert_eq!(latest["last_pulled_at"], Value::Null);
    assert_eq!(
        h.pulls().len(),
        1,
        "only the seed's own pull: `images` read no manifest"
    );
    assert!(
        !String::from_utf8_lossy(&out.stderr).contains(ROBOT.1),
        "the secret never reaches the output"
    );

    let session = regscope::session::open(&target, &RegistrySettings::for_address(&h.addr)).await;
    assert_eq!(
        session.kind(),
        Kind::Harbor,
        "found by GET /api/v2.0/systeminfo"
    );
    assert!(session.caps().records_pull_time && session.caps().manifest_read_counts_as_pull);
    assert!(
        session.opening_note().is_some(),
        "opening a manifest says it counts as a pull"
    );
}

#[tokio::test]
async fn the_projects_retention_policy_is_the_registrys_own_policy() {
    let Some(h) = FakeHarbor::start().await else {
        return;
    };
    h.add_project("pub", true, false);
    h.add_project("bare", true, false);
    h.set_retention("pub", json!({"algorithm": "or", "rules": [{"priority": 1, "disabled": false, "action": "retain",
        "template": "always", "params": {}, "tag_selectors": [{"kind": "doublestar", "decoration": "matches", "pattern": "**"}],
        "scope_selectors": {"repository": [{"kind": "doublestar", "decoration": "repoMatches", "pattern": "**"}]}}]}));
    let target = Target::parse(&h.addr).unwrap();
    // `kind` in the settings wins: no probe.
    let settings = RegistrySettings {
        kind: Some(Kind::Harbor),
        ..RegistrySettings::for_address(&h.addr)
    };
    let session = regscope::session::open(&target, &settings).await;
    assert_eq!(session.caps().own_policy, Some(PolicyFormat::Harbor));
    let own = session
        .own_policy("pub/team/app")
        .await
        .unwrap()
        .expect("pub keeps a retention policy");
    assert_eq!(own.format, PolicyFormat::Harbor);
    assert!(own.source.contains("project pub"), "{}", own.source);
    regscope::policy::Policy::parse(PolicyFormat::Harbor, &own.text, &own.source)
        .expect("Harbor's own answer parses");
    assert_eq!(
        session.own_policy("bare/app").await.unwrap(),
        None,
        "a project without a policy has none"
    );
}

#[tokio::test]
async fn findings_are_harbors_own_scan_read_without_a_pull() {
    let Some(h) = FakeHarbor::start().await else {
        return;
    };
    let s = seed(&h).await;
    h.set_vulnerabilities("lib/team/web", &s.v1, json!([
        {"id": "CVE-2026-0001", "package": "openssl", "version": "3.0.1", "fix_version": "3.0.9", "severity": "Critical",
         "description": "a bad one\nmore", "links": ["https://avd.example/CVE-2026-0001"]},
        {"id": "CVE-2026-0002", "package": "zlib", "version": "1.2", "fix_version": "", "severity": "High", "links": []},
        {"id": "CVE-2026-0003", "package": "zlib", "version": "1.2", "fix_version": "1.3", "severity": "High"},
        {"id": "CVE-2026-0004", "package": "bash", "version": "5", "severity": "Medium"}]));
    let settings = RegistrySettings {
        kind: Some(Kind::Harbor),
        ..RegistrySettings::for_address(&h.addr)
    };
    let session = regscope::session::open(&Target::parse(&h.addr).unwrap(), &settings).await;
    assert!(session.caps().own_scans);
    let pulls = h.pulls().len();
    // lib is private: anonymous is refused with Harbor's 401, in words that name it.
    let q = regscope::session::driver::FindingsQuery {
        repository: "lib/team/web".into(),
        reference: "v1.0".into(),
        shown_as: format!("{}/lib/team/web:v1.0", h.addr),
        ..Default::default()
    };
    let e = session.findings(&q).await.unwrap_err();
    assert_eq!(e.http_status(), Some(401), "{e}");
    // With the robot account (a client of our own, since the session reads config.json).
    let c = crate::support::fake_harbor::scenario::client(&h, Some(ROBOT), None);
    let artifact = c.artifact("lib/team/web", "v1.0").await.unwrap().unwrap();
    let report = c.vulnerabilities("lib/team/web", &s.v1).await.unwrap();
    let digest = regscope::model::Digest::parse(&s.v1).unwrap();
    let f = regscope::scan::harbor::image_findings(&q.shown_as, &digest, &artifact, report);
    assert_eq!(f.status, regscope::model::ScanStatus::Scanned);
    assert_eq!(f.findings.len(), 4);
    assert_eq!(
        (f.counts.critical, f.counts.high, f.counts.medium),
        (1, 2, 1)
    );
    assert_eq!(
        (f.fixable.critical, f.fixable.high),
        (1, 1),
        "an empty fix_version is not a fix"
    );
    let openssl = f.findings.iter().find(|x| x.id == "CVE-2026-0001").unwrap();
    assert_eq!(openssl.title.as_deref(), Some("a bad one"));
    assert_eq!(
        openssl.url.as_deref(),
        Some("https://avd.example/CVE-2026-0001")
    );
    assert_eq!(f.sources.len(), 1);
    // latest was never scanned: not scanned, not clean.
    let latest = c.artifact("lib/team/web", "latest").await.unwrap().unwrap();
    let none = regscope::scan::harbor::image_findings(
        "x",
        &digest,
        &latest,
        c.vulnerabilities("lib/team/web", "latest").await.unwrap(),
    );
    assert_eq!(none.status, regscope::model::ScanStatus::NotScanned);
    // Through the session itself, on a public project (anonymous may read it).
    h.add_project("pub", true, false);
    let pushed =
        crate::support::fixtures::ImageFixture::new("amd64", "2026-01-01T00:00:00Z", vec![])
            .push(&h.seeder(), "pub/app", &["1"])
            .await;
    h.set_scan("pub/app", &pushed.digest, json!({"scan_status": "Success", "end_time": "2026-03-05T00:00:00.000Z",
        "summary": {"total": 1, "summary": {"Low": 1}}, "scanner": {"name": "Trivy", "version": "v0.50"}}));
    h.set_vulnerabilities(
        "pub/app",
        &pushed.digest,
        json!([{"id": "CVE-1", "package": "p", "version": "1", "severity": "Low"}]),
    );
    let q = regscope::session::driver::FindingsQuery {
        repository: "pub/app".into(),
        reference: "1".into(),
        shown_as: "pub/app:1".into(),
        ..Default::default()
    };
    let f = session.findings(&q).await.unwrap();
    assert_eq!(
        f.digest.as_str(),
        pushed.digest,
        "the tag resolved through the API"
    );
    assert_eq!((f.findings.len(), f.counts.low), (1, 1));
    assert_eq!(f.sources[0].scanner_version.as_deref(), Some("v0.50"));
    assert_eq!(h.pulls().len(), pulls, "findings read no manifest");
}

/// `regscope repos HARBOR --verbose` tells what Harbor keeps per project beside the images.
#[tokio::test]
async fn repos_verbose_shows_the_projects_settings() {
    let Some(h) = FakeHarbor::start().await else {
        return;
    };
    let _ = seed(&h).await;
    let dir = tempfile::tempdir().unwrap();
    let auth = base64::engine::general_purpose::STANDARD.encode(format!("{}:{}", ROBOT.0, ROBOT.1));
    std::fs::write(
        dir.path().join("config.json"),
        json!({"auths": {&h.addr: {"auth": auth}}}).to_string(),
    )
    .unwrap();
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_regscope"))
        .args(["repos", &h.addr, "--verbose"])
        .env("DOCKER_CONFIG", dir.path())
        .env("HOME", dir.path())
        .env("REGSCOPE_DATA", dir.path().join("data"))
        .env("REGSCOPE_CONFIG", dir.path().join("config.toml"))
        .output()
        .await
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("project lib: public no, scan on push yes"),
        "{stderr}"
    );
    assert!(
        stderr.contains("storage quota: ") && stderr.contains("of 10000000 bytes"),
        "{stderr}"
    );
    assert!(
        stderr.contains("immutable tags: repositories matching ** / tags matching v1*"),
        "{stderr}"
    );
    assert!(stderr.contains("tag retention policy: none"), "{stderr}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("lib/team/web"));
}
