use super::*;
use crate::model::ScanStatus;
use crate::registry::harbor::Artifact;

fn artifact(json: serde_json::Value) -> Artifact {
    serde_json::from_value(json).unwrap()
}

const D1: &str = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
const D2: &str = "sha256:2222222222222222222222222222222222222222222222222222222222222222";

#[test]
fn times_tags_immutability_and_scan_come_from_the_artifact() {
    let a = artifact(serde_json::json!({
        "digest": D1, "size": 1234, "type": "IMAGE",
        "manifest_media_type": "application/vnd.oci.image.manifest.v1+json",
        "media_type": "application/vnd.oci.image.config.v1+json",
        "push_time": "2026-01-02T03:04:05.000Z", "pull_time": "0001-01-01T00:00:00.000Z",
        "extra_attrs": {"architecture": "arm64", "os": "linux", "variant": "v8", "created": "2025-12-31T00:00:00Z"},
        "tags": [
            {"name": "v2", "push_time": "2026-01-05T00:00:00.000Z", "pull_time": "2026-01-06T00:00:00.000Z", "immutable": true},
            {"name": "latest", "push_time": "2026-01-02T03:04:05.000Z", "pull_time": "0001-01-01T00:00:00.000Z", "immutable": false}
        ],
        "scan_overview": {"application/vnd.security.vulnerability.report; version=1.1": {
            "scan_status": "Success", "severity": "High", "end_time": "2026-01-03T00:00:00.000Z",
            "summary": {"total": 5, "fixable": 1, "summary": {"Critical": 1, "High": 3, "Low": 1}},
            "scanner": {"name": "Trivy"}}},
        "accessories": [{"digest": D2, "type": "signature.cosign", "subject_artifact_digest": D1}]
    }));
    let img = image_from_artifact("lib/team/web", &a).unwrap();
    assert_eq!(img.tags, vec!["latest", "v2"]);
    assert_eq!(img.size_bytes, Some(1234));
    assert_eq!(
        img.pushed_at.unwrap().to_rfc3339(),
        "2026-01-02T03:04:05+00:00"
    );
    assert_eq!(img.last_pulled_at, None, "zero time is never pulled");
    assert_eq!(
        img.created_at.unwrap().to_rfc3339(),
        "2025-12-31T00:00:00+00:00"
    );
    assert_eq!(
        img.platforms,
        vec![Platform::new("linux", "arm64", Some("v8"))]
    );
    let td = img.tag_details.as_ref().unwrap();
    assert_eq!(td[0].name, "latest");
    assert_eq!(td[0].pulled_at, None);
    assert_eq!(td[0].write_enabled, Some(true));
    assert_eq!(td[1].write_enabled, Some(false));
    assert_eq!(
        td[1].pulled_at.unwrap().to_rfc3339(),
        "2026-01-06T00:00:00+00:00"
    );
    assert!(img
        .locked
        .as_ref()
        .is_some_and(|l| !l.write_enabled && !l.delete_enabled));
    let scan = img.scan.unwrap();
    assert_eq!(scan.status, ScanStatus::Scanned);
    assert_eq!(
        (scan.counts.critical, scan.counts.high, scan.counts.low),
        (1, 3, 1)
    );
    assert_eq!(img.referrers.len(), 1);
    assert_eq!(
        img.referrers[0].artifact_type.as_deref(),
        Some("signature.cosign")
    );
}

#[test]
fn no_overview_is_unknown_and_a_running_scan_has_no_counts() {
    let mut a = artifact(serde_json::json!({"digest": D1,
        "manifest_media_type": "application/vnd.oci.image.manifest.v1+json"}));
    assert_eq!(image_from_artifact("p/r", &a).unwrap().scan, None);
    assert_eq!(image_from_artifact("p/r", &a).unwrap().tag_details, None);
    a.scan_overview = serde_json::from_value(serde_json::json!({"x": {"scan_status": "Running",
        "summary": {"summary": {"High": 2}}}}))
    .unwrap();
    let s = image_from_artifact("p/r", &a).unwrap().scan.unwrap();
    assert_eq!(s.status, ScanStatus::Scanning);
    assert_eq!(s.counts.total(), 0);
}

#[test]
fn an_index_lists_children_and_their_platforms() {
    let a = artifact(serde_json::json!({"digest": D1,
    "manifest_media_type": "application/vnd.oci.image.index.v1+json",
    "references": [
        {"child_digest": D2, "platform": {"os": "linux", "architecture": "amd64"}},
        {"child_digest": D1, "platform": {"os": "unknown", "architecture": "unknown"}}
    ]}));
    let img = image_from_artifact("p/r", &a).unwrap();
    assert_eq!(img.kind, ImageKind::Index);
    assert_eq!(img.children.len(), 2);
    assert_eq!(img.platforms, vec![Platform::new("linux", "amd64", None)]);
}

#[test]
fn a_bad_digest_is_an_error_naming_it() {
    let a = artifact(serde_json::json!({"digest": "md5:xyz"}));
    assert!(image_from_artifact("p/r", &a)
        .unwrap_err()
        .contains("md5:xyz"));
}
