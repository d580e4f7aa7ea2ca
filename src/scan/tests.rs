//! Format parsing and rollups on reports shaped like the scanners' real output.

use super::formats;
use super::rollup;
use crate::model::{ScanStatus, ScanSummary, Severity, SeverityCounts};
use base64::Engine as _;
use serde_json::json;

fn trivy() -> serde_json::Value {
    json!({"SchemaVersion": 2, "CreatedAt": "2026-11-10T08:00:00Z", "ArtifactName": "app",
        "Metadata": {"RepoDigests": [format!("app@sha256:{}", "a".repeat(64))]},
        "Results": [
          {"Target": "app (debian 12)", "Class": "os-pkgs", "Vulnerabilities": [
            {"VulnerabilityID": "CVE-2024-1", "PkgName": "libssl3", "InstalledVersion": "3.0.1", "FixedVersion": "3.0.2",
             "Severity": "CRITICAL", "Title": "bad", "PrimaryURL": "https://avd.aquasec.com/nvd/cve-2024-1"},
            {"VulnerabilityID": "CVE-2024-2", "PkgName": "zlib1g", "InstalledVersion": "1.2", "FixedVersion": "",
             "Severity": "LOW"}]},
          {"Target": "go.mod", "Class": "lang-pkgs", "Vulnerabilities": null}]})
}

#[test]
fn trivy_json_maps_every_field_and_empty_fix_is_none() {
    let r = formats::parse(
        &serde_json::to_vec(&trivy()).unwrap(),
        &[super::artifact::TRIVY_JSON],
    )
    .unwrap()
    .unwrap();
    assert_eq!(r.scanner, "trivy");
    assert_eq!(r.findings.len(), 2);
    let f = &r.findings[0];
    assert_eq!(
        (f.id.as_str(), f.severity),
        ("CVE-2024-1", Severity::Critical)
    );
    assert_eq!(f.fixed_version.as_deref(), Some("3.0.2"));
    assert_eq!(r.findings[1].fixed_version, None);
    assert_eq!(r.subject, Some(format!("sha256:{}", "a".repeat(64))));
    assert!(r.scanned_at.is_some());
    // Detected by content alone too.
    assert!(formats::parse(
        &serde_json::to_vec(&trivy()).unwrap(),
        &["application/json"]
    )
    .unwrap()
    .is_some());
}

#[test]
fn grype_json_takes_the_first_fixed_version_and_description() {
    let doc = json!({"matches": [{"vulnerability": {"id": "GHSA-xxxx", "severity": "Negligible", "urls": ["https://x"],
            "fix": {"versions": ["1.1", "1.2"], "state": "fixed"}},
        "relatedVulnerabilities": [{"description": "from NVD"}],
        "artifact": {"name": "lodash", "version": "1.0", "type": "npm"}}],
        "source": {"type": "image", "target": {"manifestDigest": "sha256:00"}},
        "descriptor": {"name": "grype", "version": "0.79.0", "timestamp": "2026-11-10T08:00:00.123+01:00"}});
    let r = formats::parse(&serde_json::to_vec(&doc).unwrap(), &[])
        .unwrap()
        .unwrap();
    assert_eq!(r.scanner, "grype");
    assert_eq!(r.scanner_version.as_deref(), Some("0.79.0"));
    let f = &r.findings[0];
    assert_eq!(f.severity, Severity::Negligible);
    assert_eq!(f.fixed_version.as_deref(), Some("1.1"));
    assert_eq!(f.title.as_deref(), Some("from NVD"));
    assert_eq!(f.package.as_deref(), Some("lodash"));
}

#[test]
fn sarif_severity_from_tags_cvss_or_level_and_packages_from_messages() {
    let doc = json!({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "Trivy", "rules": [
            {"id": "CVE-1", "shortDescription": {"text": "one"}, "properties": {"tags": ["vulnerability", "HIGH"]}},
            {"id": "CVE-2", "properties": {"security-severity": "9.8"}}]}},
        "results": [
            {"ruleId": "CVE-1", "level": "error", "message": {"text": "Package: openssl\nInstalled Version: 1.0\nFixed Version: 1.1"}},
            {"ruleId": "CVE-2", "level": "warning", "message": {"text": "A critical vulnerability in deb package: zlib, version 1.2.13 was found"}},
            {"ruleId": "CVE-3", "level": "note", "message": {"text": "x"}}]}]});
    let r = formats::parse(
        &serde_json::to_vec(&doc).unwrap(),
        &["application/sarif+json"],
    )
    .unwrap()
    .unwrap();
    assert_eq!(r.scanner, "sarif:trivy");
    let sev: Vec<Severity> = r.findings.iter().map(|f| f.severity).collect();
    assert_eq!(sev, vec![Severity::High, Severity::Critical, Severity::Low]);
    assert_eq!(r.findings[0].fixed_version.as_deref(), Some("1.1"));
    assert_eq!(r.findings[1].package.as_deref(), Some("zlib"));
    assert_eq!(r.findings[1].installed_version.as_deref(), Some("1.2.13"));
}

#[test]
fn cosign_vuln_attestation_in_dsse_wraps_the_scanner_result() {
    let statement = json!({"_type": "https://in-toto.io/Statement/v0.1",
        "predicateType": super::artifact::COSIGN_VULN_PREDICATE,
        "subject": [{"name": "app", "digest": {"sha256": "b".repeat(64)}}],
        "predicate": {"scanner": {"uri": "pkg:github/aquasecurity/trivy@0.50.0", "version": "0.50.0", "result": trivy()},
                      "metadata": {"scanFinishedOn": "2026-11-11T00:00:00Z"}}});
    let env = json!({"payloadType": "application/vnd.in-toto+json",
        "payload": base64::engine::general_purpose::STANDARD.encode(serde_json::to_vec(&statement).unwrap()),
        "signatures": []});
    let r = formats::parse(
        &serde_json::to_vec(&env).unwrap(),
        &[super::artifact::DSSE_ENVELOPE],
    )
    .unwrap()
    .unwrap();
    assert_eq!(r.scanner, "cosign-vuln:trivy");
    assert_eq!(r.findings.len(), 2);
    assert_eq!(r.findings[0].source, "cosign-vuln:trivy");
    assert_eq!(r.subject, Some(format!("sha256:{}", "b".repeat(64))));
    assert_eq!(
        r.scanned_at.unwrap().to_rfc3339(),
        "2026-11-11T00:00:00+00:00"
    );
    // Provenance in the same wrapper is not a report, and not an error.
    let prov = json!({"_type": "https://in-toto.io/Statement/v0.1", "predicateType": "https://slsa.dev/provenance/v0.2", "predicate": {}});
    assert_eq!(
        formats::parse(
            &serde_json::to_vec(&prov).unwrap(),
            &["application/vnd.in-toto+json"]
        ),
        Ok(None)
    );
}

#[test]
fn malformed_reports_are_errors_but_other_artifacts_are_not_reports() {
    assert!(formats::parse(b"{not json", &[super::artifact::TRIVY_JSON]).is_err());
    assert!(formats::parse(br#"{"Results": 5}"#, &[super::artifact::TRIVY_JSON]).is_err());
    assert!(formats::parse(
        br#"{"payloadType":"x","payload":"%%%"}"#,
        &[super::artifact::DSSE_ENVELOPE]
    )
    .is_err());
    assert_eq!(
        formats::parse(br#"{"spdxVersion":"SPDX-2.3"}"#, &["application/spdx+json"]),
        Ok(None)
    );
    assert_eq!(
        formats::parse(b"binary", &["application/octet-stream"]),
        Ok(None)
    );
    assert!(!formats::may_be_report(Some("application/spdx+json")));
    assert!(formats::may_be_report(Some(super::artifact::GRYPE_JSON)));
    assert!(formats::may_be_report(None));
}

#[test]
fn merge_dedups_across_sources_keeping_the_worst_and_counts_fixable() {
    let doc = trivy();
    let a = formats::parse_value(doc.clone(), true)
        .unwrap()
        .unwrap()
        .findings;
    let mut b = formats::parse_value(doc, true).unwrap().unwrap().findings;
    b[1].severity = Severity::High;
    b[1].source = "grype".into();
    let merged = rollup::merge(a.into_iter().chain(b));
    assert_eq!(merged.len(), 2);
    assert_eq!(merged[1].severity, Severity::High, "worst severity wins");
    assert_eq!(merged[1].source, "trivy,grype");
    let c = rollup::counts(&merged);
    assert_eq!((c.critical, c.high, c.total()), (1, 1, 2));
    assert_eq!(rollup::fixable(&merged).total(), 1);
    assert!(rollup::any_at_least(&merged, Severity::High));
    assert!(!rollup::any_at_least(&merged[1..], Severity::Critical));
}

#[test]
fn repository_rollup_keeps_unscanned_apart_from_clean() {
    let scanned = |critical| ScanSummary {
        status: ScanStatus::Scanned,
        scanned_at: None,
        counts: SeverityCounts {
            critical,
            ..SeverityCounts::default()
        },
        source: Some("trivy".into()),
    };
    let (a, b) = (scanned(2), scanned(0));
    let r = rollup::repository([Some(&a), Some(&b), None]);
    assert_eq!((r.images, r.scanned, r.not_scanned), (3, 2, 1));
    assert_eq!(r.worst, Some(Severity::Critical));
    assert_eq!(r.totals.critical, 2);
    let clean = rollup::repository([Some(&b)]);
    assert_eq!(clean.worst, None);
    assert_eq!(
        rollup::worst_of(&[a.counts, b.counts]),
        Some(Severity::Critical)
    );
}
