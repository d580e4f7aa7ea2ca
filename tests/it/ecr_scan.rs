//! ECR scan findings against moto_server, with results injected through moto's
//! `/moto-api/static/ecr/scan-finding-results`: basic and enhanced findings mapped onto one
//! model, and statuses kept distinct (complete, unsupported, never scanned).

use crate::ecr::{connect, seed, target};
use crate::support::moto::{Moto, ACCOUNT, REGION};
use regscope::model::{Digest, ScanStatus, Severity};
use serde_json::json;

#[tokio::test]
async fn ecr_scan_findings_basic_and_enhanced_with_distinct_statuses() {
    let Some(m) = Moto::start() else { return };
    let s = seed(&m).await;
    let c = connect(&m, &target()).await;
    for (repo, d) in [
        ("team-a/api", &s.v1),
        ("team-a/locked", &s.locked),
        ("team-a/api", &s.arm),
    ] {
        m.call(
            REGION,
            "StartImageScan",
            json!({"repositoryName": repo, "imageId": {"imageDigest": d}}),
        )
        .await;
    }
    m.inject_scan_result(json!({
        "registryId": ACCOUNT, "repositoryName": "team-a/api", "imageId": {"imageDigest": s.v1},
        "imageScanStatus": {"status": "COMPLETE", "description": "The scan was completed successfully."},
        "imageScanFindings": {
            "imageScanCompletedAt": 1767225600,
            "findingSeverityCounts": {"CRITICAL": 1, "LOW": 1},
            "findings": [
                {"name": "CVE-2024-0001", "severity": "CRITICAL", "uri": "https://cve.example/0001",
                 "description": "heap overflow",
                 "attributes": [{"key": "package_name", "value": "openssl"}, {"key": "package_version", "value": "3.0.1"}]},
                {"name": "CVE-2024-0002", "severity": "LOW", "attributes": []}]}})).await;
    m.inject_scan_result(json!({
        "registryId": ACCOUNT, "repositoryName": "team-a/locked", "imageId": {"imageDigest": s.locked},
        "imageScanStatus": {"status": "ACTIVE", "description": "Continuous scan is selected for image."},
        "imageScanFindings": {
            "findingSeverityCounts": {"HIGH": 1},
            "enhancedFindings": [{
                "awsAccountId": ACCOUNT, "severity": "HIGH", "status": "ACTIVE", "score": 7.5,
                "title": "CVE-2024-0003 - zlib", "type": "PACKAGE_VULNERABILITY",
                "packageVulnerabilityDetails": {"vulnerabilityId": "CVE-2024-0003", "source": "NVD",
                    "sourceUrl": "https://nvd.example/CVE-2024-0003",
                    "vulnerablePackages": [{"name": "zlib", "version": "1.2.11", "fixedInVersion": "1.2.12"}]}}]}})).await;
    m.inject_scan_result(json!({
        "registryId": ACCOUNT, "repositoryName": "team-a/api", "imageId": {"imageDigest": s.arm},
        "imageScanStatus": {"status": "UNSUPPORTED_IMAGE", "description": "The operating system is not supported."},
        "imageScanFindings": {}})).await;

    let basic = c
        .scan_findings("team-a/api", &Digest::parse(&s.v1).unwrap())
        .await
        .unwrap();
    assert_eq!(basic.summary.status, ScanStatus::Scanned);
    assert_eq!(basic.summary.counts.get(Severity::Critical), 1);
    assert_eq!(basic.summary.counts.get(Severity::Low), 1);
    assert_eq!(
        basic.summary.scanned_at.map(|t| t.timestamp()),
        Some(1767225600)
    );
    assert_eq!(basic.findings.len(), 2);
    let f = &basic.findings[0];
    assert_eq!(
        (f.id.as_str(), f.severity, f.source.as_str()),
        ("CVE-2024-0001", Severity::Critical, "ecr-basic")
    );
    assert_eq!(
        (f.package.as_deref(), f.installed_version.as_deref()),
        (Some("openssl"), Some("3.0.1"))
    );
    assert_eq!(f.url.as_deref(), Some("https://cve.example/0001"));

    let enh = c
        .scan_findings("team-a/locked", &Digest::parse(&s.locked).unwrap())
        .await
        .unwrap();
    assert_eq!(enh.summary.status, ScanStatus::Scanned);
    assert_eq!(enh.summary.source.as_deref(), Some("ecr-enhanced"));
    assert_eq!(enh.findings.len(), 1);
    let f = &enh.findings[0];
    assert_eq!(
        (f.id.as_str(), f.severity),
        ("CVE-2024-0003", Severity::High)
    );
    assert_eq!(
        (
            f.package.as_deref(),
            f.installed_version.as_deref(),
            f.fixed_version.as_deref()
        ),
        (Some("zlib"), Some("1.2.11"), Some("1.2.12"))
    );

    let unsupported = c
        .scan_findings("team-a/api", &Digest::parse(&s.arm).unwrap())
        .await
        .unwrap();
    assert_eq!(unsupported.summary.status, ScanStatus::Unsupported);
    assert!(unsupported.findings.is_empty());

    // Never scanned: "not scanned", never "clean".
    let none = c
        .scan_findings("other/web", &Digest::parse(&s.web).unwrap())
        .await
        .unwrap();
    assert_eq!(none.summary.status, ScanStatus::NotScanned);
}
