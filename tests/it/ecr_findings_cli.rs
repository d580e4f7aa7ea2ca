//! `regscope findings` on ECR as a user runs it (the binary against moto_server): one
//! reference through `DescribeImages` + `DescribeImageScanFindings` (basic findings, enhanced
//! findings in their own field, statuses mapped: scanned, unsupported, not scanned), and
//! the fleet questions over an `ecr://` target — all without one `BatchGetImage`, which ECR
//! counts as a pull.

use crate::ecr::seed;
use crate::ecr_cli::regscope;
use crate::support::moto::{Moto, ACCOUNT, REGION};
use serde_json::{json, Value};

async fn scan(m: &Moto, repo: &str, digest: &str, status: &str, findings: Value) {
    m.call(
        REGION,
        "StartImageScan",
        json!({"repositoryName": repo, "imageId": {"imageDigest": digest}}),
    )
    .await;
    m.inject_scan_result(json!({
        "registryId": ACCOUNT, "repositoryName": repo, "imageId": {"imageDigest": digest},
        "imageScanStatus": {"status": status, "description": format!("{status} said ECR")},
        "imageScanFindings": findings}))
        .await;
}

fn json_of(out: &std::process::Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

#[tokio::test]
async fn ecr_findings_cli_uses_the_scan_api_for_one_image_and_the_fleet() {
    let Some(m) = Moto::start() else { return };
    let s = seed(&m).await;
    scan(&m, "team-a/api", &s.v1, "COMPLETE", json!({
        "imageScanCompletedAt": 1767225600,
        "findingSeverityCounts": {"CRITICAL": 1, "LOW": 1},
        "findings": [
            {"name": "CVE-2024-0001", "severity": "CRITICAL", "uri": "https://cve.example/0001",
             "attributes": [{"key": "package_name", "value": "openssl"}, {"key": "package_version", "value": "3.0.1-1"}]},
            {"name": "CVE-2024-0002", "severity": "LOW",
             "attributes": [{"key": "package_name", "value": "zlib"}, {"key": "package_version", "value": "1.2.13"}]}]})).await;
    scan(&m, "team-a/locked", &s.locked, "ACTIVE", json!({
        "findingSeverityCounts": {"HIGH": 1},
        "enhancedFindings": [{
            "awsAccountId": ACCOUNT, "severity": "HIGH", "status": "ACTIVE", "score": 7.5,
            "title": "CVE-2024-0003 - zlib", "type": "PACKAGE_VULNERABILITY",
            "packageVulnerabilityDetails": {"vulnerabilityId": "CVE-2024-0003", "source": "NVD",
                "vulnerablePackages": [{"name": "zlib", "version": "1.2.11", "fixedInVersion": "1.2.12"}]}}]})).await;
    scan(&m, "team-a/api", &s.arm, "UNSUPPORTED_IMAGE", json!({})).await;
    let host = format!("{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com");

    // Basic scanning, by tag.
    let out = regscope(
        &m,
        &["findings", &format!("{host}/team-a/api:v1"), "--json"],
    );
    let doc = json_of(&out);
    assert_eq!(doc["status"], "scanned");
    assert_eq!(doc["digest"], s.v1.as_str());
    assert_eq!(doc["counts"]["critical"], 1);
    assert_eq!(doc["findings"][0]["id"], "CVE-2024-0001");
    assert_eq!(doc["findings"][0]["source"], "ecr-basic");
    assert_eq!(doc["sources"][0]["origin"], "registry");
    assert_eq!(doc["scanned_at"], "2026-01-01T00:00:00Z");
    let gate = regscope(
        &m,
        &[
            "findings",
            &format!("{host}/team-a/api:v1"),
            "--fail-on",
            "high",
        ],
    );
    assert_eq!(gate.status.code(), Some(1));
    let text = String::from_utf8_lossy(&gate.stdout);
    assert!(
        text.contains("CVE-2024-0001") && text.contains("the registry's scan API"),
        "{text}"
    );

    // Enhanced scanning keeps its findings in `enhancedFindings`: not "0 findings".
    let out = regscope(
        &m,
        &["findings", &format!("{host}/team-a/locked:1.0"), "--json"],
    );
    let doc = json_of(&out);
    assert_eq!(doc["status"], "scanned");
    assert_eq!(doc["counts"]["high"], 1);
    let f = &doc["findings"][0];
    assert_eq!(
        (f["id"].as_str(), f["package"].as_str()),
        (Some("CVE-2024-0003"), Some("zlib"))
    );
    assert_eq!(f["fixed_version"], "1.2.12");
    assert_eq!(f["source"], "ecr-enhanced");

    // Unsupported and never scanned: unknown, and a CI gate says so (exit 2).
    let out = regscope(
        &m,
        &[
            "findings",
            &format!("{host}/team-a/api@{}", s.arm),
            "--json",
            "--fail-on",
            "low",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    let doc = json_of(&out);
    assert_eq!(doc["status"], "unsupported");
    assert!(
        doc["problems"][0]
            .as_str()
            .unwrap()
            .contains("UNSUPPORTED_IMAGE said ECR"),
        "{doc}"
    );
    let out = regscope(
        &m,
        &[
            "findings",
            &format!("{host}/other/web:prod"),
            "--fail-on",
            "low",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("not scanned") && text.contains("unknown, not zero"),
        "{text}"
    );
    let missing = regscope(&m, &["findings", &format!("{host}/other/web:nope")]);
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("nope"));

    // The fleet: hits from enhanced findings, unknowns counted by kind.
    let target = format!("ecr://{ACCOUNT}/{REGION}");
    let out = regscope(
        &m,
        &["findings", &target, "--cve", "cve-2024-0003", "--json"],
    );
    let ans = json_of(&out);
    assert_eq!(ans["hits"].as_array().unwrap().len(), 1, "{ans}");
    assert_eq!(ans["hits"][0]["repository"], "team-a/locked");
    assert_eq!(ans["hits"][0]["tags"], json!(["1.0"]));
    assert!(ans["hits"][0]["pushed_at"].is_string());
    // v1, untagged, arm, multi, locked, web: ECR lists no index children (no manifest read).
    assert_eq!(ans["images"], 6, "{ans}");
    assert_eq!(
        (ans["scanned"].as_u64(), ans["unsupported"].as_u64()),
        (Some(2), Some(1))
    );
    assert_eq!(
        (ans["not_scanned"].as_u64(), ans["unknown"].as_u64()),
        (Some(3), Some(4))
    );

    let out = regscope(
        &m,
        &[
            "findings",
            &target,
            "--package",
            "zlib",
            "--below",
            "1.2.12",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("zlib < 1.2.12: 1 of 6 images affected; answered for 2 scanned; 4 still unknown (3 not scanned, 1 unsupported)"),
        "{text}"
    );
    assert!(
        text.contains("team-a/locked") && !text.contains("team-a/api "),
        "{text}"
    );
    let ops = m.recorded_operations();
    assert!(
        ops.iter().any(|o| o == "DescribeImageScanFindings"),
        "{ops:?}"
    );
    assert!(
        !ops.iter().any(|o| o == "BatchGetImage"),
        "no pulls: {ops:?}"
    );
}
