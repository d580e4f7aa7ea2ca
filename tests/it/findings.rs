//! Vulnerability findings against the real distribution registry: Trivy and Grype reports
//! and a cosign vulnerability attestation pushed as OCI referrers are found through the
//! `sha256-<hex>` fallback tag (docker-registry has no referrers API); report files; an
//! image without reports is "not scanned"; a malformed report is named while the rest
//! still count; and the CLI's exit codes gate CI.

use crate::support::fixtures::{
    push_referrer, tar, Entry, ImageFixture, Layer, Pushed, OCI_INDEX, OCI_MANIFEST,
};
use crate::support::registry::TestRegistry;
use crate::support::seed::Seeder;
use base64::Engine as _;
use regscope::config::RegistrySettings;
use regscope::model::{ScanStatus, Severity};
use regscope::registry::distribution::DistributionClient;
use regscope::scan::{self, artifact, Origin, ReportFiles};
use serde_json::{json, Value};
use std::process::Command;

fn trivy_report(digest: &str, vulns: &[(&str, &str, &str, Option<&str>)]) -> Value {
    json!({"SchemaVersion": 2, "CreatedAt": "2026-11-10T08:00:00Z", "ArtifactName": "demo/app",
        "Metadata": {"RepoDigests": [format!("demo/app@{digest}")]},
        "Results": [{"Target": "demo/app (debian 12)", "Class": "os-pkgs",
            "Vulnerabilities": vulns.iter().map(|(id, sev, pkg, fix)| json!({"VulnerabilityID": id,
                "PkgName": pkg, "InstalledVersion": "1.0", "FixedVersion": fix.unwrap_or(""), "Severity": sev})).collect::<Vec<_>>()}]})
}

fn image(tag_content: &[u8]) -> ImageFixture {
    ImageFixture::new(
        "amd64",
        "2026-11-01T00:00:00Z",
        vec![Layer::gzip(
            tar(&[Entry::File("app/bin", tag_content)]),
            "COPY app /app",
        )],
    )
}

/// One fallback-tag index listing every referrer, as a client does when it pushes several
/// artifacts to a registry without the referrers API.
async fn push_fallback_index(s: &Seeder, repo: &str, subject: &Pushed, refs: &[(&Pushed, &str)]) {
    let index = serde_json::to_vec(&json!({"schemaVersion": 2, "mediaType": OCI_INDEX,
        "manifests": refs.iter().map(|(p, at)| json!({"mediaType": OCI_MANIFEST, "digest": p.digest,
            "size": p.manifest.len(), "artifactType": at})).collect::<Vec<_>>()}))
    .unwrap();
    s.push_manifest(repo, &subject.digest.replace(':', "-"), OCI_INDEX, &index)
        .await;
}

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_regscope")
}

#[tokio::test]
async fn referrer_reports_via_fallback_tag_files_and_exit_codes() {
    let Some(reg) = TestRegistry::start() else {
        return;
    };
    let s = Seeder::new(&reg.base_url());
    let repo = "demo/app";
    let img = image(b"v1").push(&s, repo, &["v1"]).await;
    let unscanned = image(b"v2").push(&s, repo, &["v2"]).await;

    let trivy = trivy_report(
        &img.digest,
        &[
            ("CVE-2024-0001", "CRITICAL", "libssl3", Some("3.0.2")),
            ("CVE-2024-0002", "LOW", "zlib1g", None),
        ],
    );
    let grype = json!({"matches": [
            {"vulnerability": {"id": "CVE-2024-0002", "severity": "Medium", "fix": {"versions": [], "state": "not-fixed"}},
             "artifact": {"name": "zlib1g", "version": "1.0"}},
            {"vulnerability": {"id": "GHSA-aaaa-bbbb-cccc", "severity": "High", "fix": {"versions": ["2.0"], "state": "fixed"}},
             "artifact": {"name": "lodash", "version": "1.0"}}],
        "source": {"type": "image", "target": {"manifestDigest": img.digest}},
        "descriptor": {"name": "grype", "version": "0.79.0", "timestamp": "2026-11-10T09:00:00Z"}});
    let statement = json!({"_type": "https://in-toto.io/Statement/v0.1", "predicateType": artifact::COSIGN_VULN_PREDICATE,
        "subject": [{"name": repo, "digest": {"sha256": img.digest.trim_start_matches("sha256:")}}],
        "predicate": {"scanner": {"uri": "pkg:github/aquasecurity/trivy@0.50.0", "version": "0.50.0",
            "result": trivy_report(&img.digest, &[("CVE-2024-0003", "HIGH", "libexpat1", Some("2.6"))])},
            "metadata": {"scanFinishedOn": "2026-11-12T00:00:00Z"}}});
    let envelope = json!({"payloadType": artifact::IN_TOTO_PAYLOAD,
        "payload": base64::engine::general_purpose::STANDARD.encode(serde_json::to_vec(&statement).unwrap()),
        "signatures": [{"keyid": "", "sig": "MEUC"}]});

    let r_trivy = push_referrer(
        &s,
        repo,
        &img,
        artifact::TRIVY_JSON,
        &serde_json::to_vec(&trivy).unwrap(),
        false,
    )
    .await;
    let r_grype = push_referrer(
        &s,
        repo,
        &img,
        artifact::GRYPE_JSON,
        &serde_json::to_vec(&grype).unwrap(),
        false,
    )
    .await;
    let r_cosign = push_referrer(
        &s,
        repo,
        &img,
        artifact::DSSE_ENVELOPE,
        &serde_json::to_vec(&envelope).unwrap(),
        false,
    )
    .await;
    let r_bad = push_referrer(
        &s,
        repo,
        &img,
        artifact::TRIVY_JSON,
        b"{\"SchemaVersion\": 2, \"Results\": \"oops\"",
        false,
    )
    .await;
    let r_sbom = push_referrer(
        &s,
        repo,
        &img,
        "application/spdx+json",
        b"{\"spdxVersion\":\"SPDX-2.3\"}",
        false,
    )
    .await;
    push_fallback_index(
        &s,
        repo,
        &img,
        &[
            (&r_trivy, artifact::TRIVY_JSON),
            (&r_grype, artifact::GRYPE_JSON),
            (&r_cosign, artifact::DSSE_ENVELOPE),
            (&r_bad, artifact::TRIVY_JSON),
            (&r_sbom, "application/spdx+json"),
        ],
    )
    .await;

    let client =
        DistributionClient::new(&reg.addr, &RegistrySettings::for_address(&reg.addr)).unwrap();
    let f = scan::image_findings(&client, repo, "v1", "demo/app:v1", &ReportFiles::default())
        .await
        .unwrap();
    assert_eq!(f.status, ScanStatus::Scanned);
    assert_eq!(f.digest.as_str(), img.digest);
    let mut scanners: Vec<&str> = f.sources.iter().map(|s| s.scanner.as_str()).collect();
    scanners.sort();
    assert_eq!(scanners, vec!["cosign-vuln:trivy", "grype", "trivy"]);
    assert!(f.sources.iter().all(|s| s.origin == Origin::FallbackTag));
    // Four distinct findings: CVE-2024-0002 is in both Trivy (low) and Grype (medium).
    let ids: Vec<(&str, Severity)> = f
        .findings
        .iter()
        .map(|x| (x.id.as_str(), x.severity))
        .collect();
    assert_eq!(
        ids,
        vec![
            ("CVE-2024-0001", Severity::Critical),
            ("CVE-2024-0003", Severity::High),
            ("GHSA-aaaa-bbbb-cccc", Severity::High),
            ("CVE-2024-0002", Severity::Medium)
        ]
    );
    assert_eq!(
        (
            f.counts.critical,
            f.counts.high,
            f.counts.medium,
            f.counts.low
        ),
        (1, 2, 1, 0)
    );
    assert_eq!(f.fixable.total(), 3);
    assert_eq!(f.problems.len(), 1, "{:?}", f.problems);
    assert!(f.problems[0].contains(&r_bad.digest), "{}", f.problems[0]);

    let none = scan::image_findings(&client, repo, "v2", "demo/app:v2", &ReportFiles::default())
        .await
        .unwrap();
    assert_eq!(none.status, ScanStatus::NotScanned);
    assert_eq!(none.counts.total(), 0);

    // Report files: a directory keyed by digest, plus a malformed file named in problems.
    let tmp = tempfile::tempdir().unwrap();
    let hex = unscanned.digest.trim_start_matches("sha256:");
    std::fs::write(
        tmp.path().join(format!("sha256-{hex}.json")),
        serde_json::to_vec(&trivy_report(&unscanned.digest, &[])).unwrap(),
    )
    .unwrap();
    let bad_file = tmp.path().join(format!("{hex}.broken.json"));
    std::fs::write(&bad_file, b"[1, 2").unwrap();
    let files = ReportFiles {
        paths: vec![tmp.path().to_path_buf()],
    };
    let from_files = scan::image_findings(&client, repo, "v2", "demo/app:v2", &files)
        .await
        .unwrap();
    assert_eq!(
        from_files.status,
        ScanStatus::Scanned,
        "{:?}",
        from_files.problems
    );
    assert_eq!(from_files.counts.total(), 0, "scanned and clean");
    assert_eq!(from_files.sources[0].origin, Origin::File);
    assert!(
        from_files
            .problems
            .iter()
            .any(|p| p.contains("broken.json")),
        "{:?}",
        from_files.problems
    );

    // The CLI: stable JSON and exit codes.
    let run = |args: &[&str]| {
        let out = Command::new(bin()).args(args).output().unwrap();
        (
            out.status.code().unwrap(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let v1 = format!("{}/{repo}:v1", reg.addr);
    let v2 = format!("{}/{repo}:v2", reg.addr);
    let (code, stdout, stderr) = run(&["findings", &v1, "--json", "--fail-on", "critical"]);
    assert_eq!(code, 1, "{stderr}");
    let doc: Value = serde_json::from_str(&stdout).unwrap();
    for key in [
        "reference",
        "digest",
        "status",
        "scanned_at",
        "sources",
        "counts",
        "findings",
    ] {
        assert!(doc.get(key).is_some(), "{key} missing");
    }
    assert_eq!(doc["status"], "scanned");
    assert_eq!(doc["counts"]["critical"], 1);
    let first = &doc["findings"][0];
    for key in [
        "id",
        "severity",
        "package",
        "installed_version",
        "fixed_version",
        "title",
        "url",
        "source",
    ] {
        assert!(first.get(key).is_some(), "finding {key} missing");
    }
    assert!(stderr.contains(&r_bad.digest), "{stderr}");
    assert_eq!(
        run(&["findings", &v2, "--fail-on", "low"]).0,
        2,
        "not scanned"
    );
    let dir = tmp.path().to_string_lossy().into_owned();
    assert_eq!(
        run(&["findings", &v2, "--report", &dir, "--fail-on", "low"]).0,
        0,
        "clean report"
    );
    assert_eq!(
        run(&["findings", &v1, "--fail-on", "bogus"]).0,
        2,
        "bad severity is a usage error"
    );
    let (code, stdout, _) = run(&["findings", &v1]);
    assert_eq!(code, 0);
    assert!(
        stdout.contains("CVE-2024-0001") && stdout.contains("fixable 3"),
        "{stdout}"
    );
}

#[tokio::test]
async fn cve_search_over_the_demo_fleet_names_hits_and_unknowns() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    let out = Command::new(bin())
        .args([
            "demo",
            "--build-only",
            "--epoch",
            "2026-11-16T00:00:00Z",
            "--dir",
        ])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let target = format!("oci:{}", dir.display());
    let out = Command::new(bin())
        .args(["findings", &target, "--cve", "CVE-2024-45490", "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let ans: Value = serde_json::from_slice(&out.stdout).unwrap();
    let hits = ans["hits"].as_array().unwrap();
    assert!(!hits.is_empty());
    assert!(
        ans["not_scanned"].as_u64().unwrap() > 0,
        "the demo keeps unscanned images"
    );
    assert!(hits.iter().all(|h| h["finding"]["package"] == "libexpat1"));
    let dates: Vec<&str> = hits
        .iter()
        .filter_map(|h| h["created_at"].as_str())
        .collect();
    let mut sorted = dates.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(dates, sorted, "newest first");
    // Every scanner format of the demo parses: no problems reported.
    assert!(
        ans["problems"].as_array().unwrap().is_empty(),
        "{}",
        ans["problems"]
    );
    assert_eq!(ans["query"], json!({"kind": "cve", "id": "CVE-2024-45490"}));
    let unknown = ans["unknown"].as_u64().unwrap();
    assert_eq!(
        unknown,
        ans["images"].as_u64().unwrap() - ans["scanned"].as_u64().unwrap()
    );

    // Package below a version: Debian's 3.0.13-1~deb12u1 is below 3.0.14 but not below
    // 3.0.13 (the revision comes after); Alpine's 3.1.4-r5 is neither.
    let pkg = |below: Option<&str>| -> Value {
        let mut args = vec!["findings", &target, "--package", "libssl3", "--json"];
        if let Some(b) = below {
            args.extend(["--below", b]);
        }
        let out = Command::new(bin()).args(&args).output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let any = pkg(None);
    let installed = |a: &Value| -> std::collections::BTreeSet<String> {
        a["hits"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|h| h["findings"].as_array().unwrap().iter())
            .map(|f| f["installed_version"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        installed(&any),
        ["3.0.13-1~deb12u1", "3.1.4-r5"].map(String::from).into()
    );
    let below = pkg(Some("3.0.14"));
    assert_eq!(
        below["query"],
        json!({"kind": "package", "name": "libssl3", "below": "3.0.14"})
    );
    assert!(below["id"].is_null());
    assert_eq!(
        installed(&below),
        ["3.0.13-1~deb12u1"].map(String::from).into()
    );
    assert!(below["hits"].as_array().unwrap().len() < any["hits"].as_array().unwrap().len());
    assert!(pkg(Some("3.0.13"))["hits"].as_array().unwrap().is_empty());

    // The table says what the answer cannot see, and sorts by last pull on request.
    let out = Command::new(bin())
        .args([
            "findings",
            &target,
            "--cve",
            "CVE-2024-45490",
            "--sort",
            "pulled",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(&format!("{unknown} still unknown ("))
            && text.contains("not scanned")
            && text.contains("(pulled first)"),
        "{text}"
    );
}
