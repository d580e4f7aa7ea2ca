//! ECR faults moto cannot stage, against a purpose-built endpoint (support::fake_ecr):
//! throttling retried with backoff, an access denial on one repository reported per item
//! with the missing permission while the rest continues, real pagination through the SDK,
//! and the fields moto omits (last pull, storage class, scan summary) mapped end to end.

use crate::support::fake_ecr::FakeEcr;
use regscope::config::RegistrySettings;
use regscope::inventory::InventoryEvent;
use regscope::model::{ScanStatus, Severity, StorageClass};
use regscope::registry::ecr::{EcrClient, EcrConnectOptions, RetryPolicy};
use regscope::registry::Target;
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;

fn detail(n: u8, tag: &str) -> Value {
    json!({"imageDigest": format!("sha256:{}", format!("{n:02x}").repeat(32)),
        "imageTags": [tag], "imageSizeInBytes": 1000 + n as i64,
        "imagePushedAt": 1767225600, "lastRecordedPullTime": 1767312000,
        "imageManifestMediaType": "application/vnd.oci.image.manifest.v1+json",
        "artifactMediaType": "application/vnd.oci.image.config.v1+json",
        "imageStatus": "ARCHIVED", "lastArchivedAt": 1767398400,
        "imageScanStatus": {"status": "COMPLETE", "description": "ok"},
        "imageScanFindingsSummary": {"imageScanCompletedAt": 1767225700,
            "findingSeverityCounts": {"HIGH": 2, "INFORMATIONAL": 1}}})
}

fn answer(op: &str, body: &Value, n: u32) -> (u16, Value) {
    let repo = body["repositoryName"].as_str().unwrap_or("");
    match (op, repo) {
        ("DescribeRepositories", _) => (
            200,
            json!({"repositories": [
            {"repositoryName": "ok/paged", "imageTagMutability": "IMMUTABLE"},
            {"repositoryName": "denied/b"},
            {"repositoryName": "throttled/c"}]}),
        ),
        ("DescribeImages", "denied/b") => (
            400,
            json!({"__type": "AccessDeniedException",
            "message": "User: arn:aws:iam::123456789012:user/ci is not authorized to perform: ecr:DescribeImages on resource: arn:aws:ecr:eu-west-1:123456789012:repository/denied/b"}),
        ),
        ("DescribeImages", "throttled/c") if n < 2 => (
            400,
            json!({"__type": "ThrottlingException", "message": "Rate exceeded"}),
        ),
        ("DescribeImages", "throttled/c") => (200, json!({"imageDetails": [detail(9, "t")]})),
        ("DescribeImages", "ok/paged") => match body["nextToken"].as_str() {
            None => (
                200,
                json!({"imageDetails": [detail(1, "a"), detail(2, "b")], "nextToken": "page-2"}),
            ),
            Some("page-2") => (200, json!({"imageDetails": [detail(3, "c")]})),
            Some(other) => (
                400,
                json!({"__type": "InvalidParameterException", "message": other}),
            ),
        },
        _ => (
            400,
            json!({"__type": "InvalidParameterException", "message": "unexpected"}),
        ),
    }
}

async fn client(url: &str) -> (EcrClient, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let (cfg, creds) = (dir.path().join("config"), dir.path().join("credentials"));
    std::fs::write(&cfg, "").unwrap();
    std::fs::write(&creds, "").unwrap();
    let opts = EcrConnectOptions {
        endpoint_url: Some(url.to_string()),
        credentials: Some(aws_sdk_ecr::config::Credentials::new(
            "AKIDTEST", "x", None, None, "test",
        )),
        profile_files: Some((cfg, creds)),
        retry: RetryPolicy {
            throttle_attempts: 4,
            transient_attempts: 2,
            base_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(20),
        },
    };
    let addr = "ecr://eu-west-1";
    let c = EcrClient::connect(
        &Target::parse(addr).unwrap(),
        &RegistrySettings::for_address(addr),
        opts,
    )
    .await
    .unwrap();
    (c, dir)
}

#[tokio::test]
async fn ecr_throttling_denial_and_pagination_in_one_crawl() {
    let fake = FakeEcr::start(Arc::new(answer)).await;
    let (c, _dir) = client(&fake.url).await;
    let (tx, mut rx) = tokio::sync::mpsc::channel(64);
    regscope::inventory::ecr::crawl(&c, &tx).await;
    drop(tx);
    let mut images = std::collections::BTreeMap::new();
    let mut issues = Vec::new();
    let mut fatal = Some(Some("no Finished".to_string()));
    while let Some(ev) = rx.recv().await {
        match ev {
            InventoryEvent::RepositoryImages {
                repository,
                images: i,
                ..
            } => {
                images.insert(repository, i);
            }
            InventoryEvent::Issue { issue, .. } => issues.push(issue),
            InventoryEvent::Finished { fatal: f, .. } => fatal = Some(f),
            _ => {}
        }
    }
    assert_eq!(fatal, Some(None));

    // Denied: one issue naming the repository and the missing permission; the rest went on.
    assert_eq!(issues.len(), 1, "{issues:?}");
    assert_eq!(issues[0].repository.as_deref(), Some("denied/b"));
    assert!(
        issues[0]
            .message
            .contains("missing permission ecr:DescribeImages"),
        "{}",
        issues[0].message
    );
    assert_eq!(
        fake.requests("DescribeImages", "denied/b").len(),
        1,
        "a denial is not retried"
    );

    // Throttled twice, then answered.
    assert_eq!(images["throttled/c"].len(), 1);
    assert_eq!(fake.requests("DescribeImages", "throttled/c").len(), 3);
    let stats = c.stats();
    assert_eq!((stats.throttled, stats.retries), (2, 2));

    // Two pages followed, each asking for the API's largest page.
    let paged = &images["ok/paged"];
    assert_eq!(paged.len(), 3);
    let reqs = fake.requests("DescribeImages", "ok/paged");
    assert_eq!(reqs.len(), 2);
    assert!(reqs.iter().all(|r| r["maxResults"] == 1000), "{reqs:?}");
    assert_eq!(reqs[1]["nextToken"], "page-2");

    // The fields moto leaves out, through the SDK's own deserialisation.
    let i = &paged[0];
    assert_eq!(i.size_bytes, Some(1001));
    assert_eq!(i.last_pulled_at.map(|t| t.timestamp()), Some(1767312000));
    assert_eq!(i.storage_class, Some(StorageClass::Archive));
    assert_eq!(i.archived_at.map(|t| t.timestamp()), Some(1767398400));
    let scan = i.scan.as_ref().unwrap();
    assert_eq!(scan.status, ScanStatus::Scanned);
    assert_eq!(
        (
            scan.counts.get(Severity::High),
            scan.counts.get(Severity::Negligible)
        ),
        (2, 1)
    );
    assert_eq!(scan.source.as_deref(), Some("ecr-basic"));
}

#[tokio::test]
async fn ecr_throttling_that_never_clears_is_reported_not_hung() {
    let always = |_: &str, _: &Value, _: u32| {
        (
            400,
            json!({"__type": "ThrottlingException", "message": "Rate exceeded"}),
        )
    };
    let fake = FakeEcr::start(Arc::new(always)).await;
    let (c, _dir) = client(&fake.url).await;
    let e = c.repositories().await.unwrap_err();
    assert!(
        matches!(e, regscope::registry::RegistryError::RateLimited { .. }),
        "{e}"
    );
    assert_eq!(
        fake.requests("DescribeRepositories", "").len(),
        4,
        "the whole budget, no more"
    );
}
