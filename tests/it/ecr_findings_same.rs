//! The TUI and the CLI read an ECR image's findings through the same engine call
//! (`session::Session::findings`): the findings tab shows exactly what `regscope findings
//! --json` prints — duplicates merged the same way, and ECR's "The scan was completed
//! successfully." never listed as a problem of a completed scan.

use crate::ecr::seed;
use crate::ecr_cli::regscope;
use crate::support::moto::{Moto, ACCOUNT, REGION};
use regscope::app::tasks::findings::{fetch, FindingsReport, FindingsRequest};
use regscope::config::RegistrySettings;
use regscope::model::Digest;
use regscope::registry::Target;
use serde_json::json;

#[tokio::test]
async fn ecr_findings_are_the_same_in_the_tui_and_the_cli() {
    let Some(m) = Moto::start() else { return };
    let s = seed(&m).await;
    m.call(
        REGION,
        "StartImageScan",
        json!({"repositoryName": "team-a/api", "imageId": {"imageDigest": s.v1}}),
    )
    .await;
    let finding = |sev: &str| {
        json!({"name": "CVE-2024-0001", "severity": sev, "uri": "https://cve.example/0001",
         "attributes": [{"key": "package_name", "value": "openssl"},
                        {"key": "package_version", "value": "3.0.1-1"}]})
    };
    // ECR reports the same vulnerability of the same package twice (two layers).
    m.inject_scan_result(json!({
        "registryId": ACCOUNT, "repositoryName": "team-a/api", "imageId": {"imageDigest": s.v1},
        "imageScanStatus": {"status": "COMPLETE", "description": "The scan was completed successfully."},
        "imageScanFindings": {
            "imageScanCompletedAt": 1767225600,
            "findingSeverityCounts": {"CRITICAL": 2, "LOW": 1},
            "findings": [finding("CRITICAL"), finding("CRITICAL"),
                {"name": "CVE-2024-0002", "severity": "LOW",
                 "attributes": [{"key": "package_name", "value": "zlib"},
                                {"key": "package_version", "value": "1.2.13"}]}]}}))
        .await;
    let host = format!("{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com");
    let shown = format!("{host}/team-a/api@{}", s.v1);

    // The CLI, as a user runs it.
    let out = regscope(&m, &["findings", &shown, "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let cli: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("completed successfully"), "{stderr}");

    // The TUI's findings task, in this process, against the same moto.
    let empty = m.dir.path().join("empty-aws-file");
    std::fs::write(&empty, "").unwrap();
    // SAFETY of set_var: nextest runs each test in a process of its own.
    for (k, v) in [
        ("AWS_ENDPOINT_URL_ECR", m.url.as_str()),
        ("AWS_ACCESS_KEY_ID", "AKIDTEST"),
        ("AWS_SECRET_ACCESS_KEY", "test-secret"),
        ("AWS_EC2_METADATA_DISABLED", "true"),
        ("AWS_CONFIG_FILE", empty.to_str().unwrap()),
        ("AWS_SHARED_CREDENTIALS_FILE", empty.to_str().unwrap()),
    ] {
        std::env::set_var(k, v);
    }
    let target = Target::parse(&host).unwrap();
    let session = regscope::session::open(&target, &RegistrySettings::for_address(&host)).await;
    let req = FindingsRequest {
        ticket: 1,
        registry: 0,
        repository: "team-a/api".into(),
        digest: Digest::parse(&s.v1).unwrap(),
        shown_as: shown.clone(),
    };
    let tui: FindingsReport = fetch(&session, &req).await.unwrap();

    assert!(tui.problems.is_empty(), "{:?}", tui.problems);
    assert_eq!(cli["problems"], json!([]));
    assert_eq!(
        serde_json::to_value(&tui.findings).unwrap(),
        cli["findings"],
        "the findings tab and `regscope findings --json` differ"
    );
    // Merged: the repeated CVE counts once.
    assert_eq!(tui.findings.len(), 2, "{:?}", tui.findings);
    assert_eq!(cli["counts"]["critical"], 1);
    assert_eq!(serde_json::to_value(&tui.status).unwrap(), cli["status"]);
    assert_eq!(
        tui.scanned_at
            .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
        cli["scanned_at"].as_str().map(str::to_string)
    );
}
