//! The ECR pull doctor on what moto cannot stage, against the purpose-built endpoint
//! (support::fake_ecr): a recorded last pull, an archived image, a layer
//! `BatchCheckLayerAvailability` reports unavailable, and throttling that does not clear.

use super::doctor_ecr::{image_manifest, reference, step};
use crate::support::fake_ecr::FakeEcr;
use crate::support::moto::ACCOUNT;
use regscope::doctor::{diagnose, DoctorOptions, Report, StepStatus, Verdict};
use regscope::model::{Digest, Platform};
use regscope::registry::ecr::{EcrConnectOptions, RetryPolicy};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;

const PUSHED: i64 = 1_767_225_600; // 2026-01-01
const PULLED: i64 = 1_767_312_000; // 2026-01-02

/// The fake's answers. `mode` picks the fault: "ok", "missing-layer", "throttled",
/// "archived", "pulled-policy" (a rule on days since the last pull).
fn answer(mode: &'static str) -> impl Fn(&str, &Value, u32) -> (u16, Value) {
    let text = image_manifest("fake");
    let digest = Digest::sha256_of(text.as_bytes()).to_string();
    let layers: Vec<String> = serde_json::from_str::<Value>(&text).unwrap()["layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["digest"].as_str().unwrap().to_string())
        .collect();
    move |op: &str, body: &Value, _n: u32| match op {
        "GetAuthorizationToken" => (
            200,
            json!({"authorizationData": [{"authorizationToken": "QVdTOnNlY3JldA==",
                "expiresAt": 4_102_444_800i64,
                "proxyEndpoint": format!("https://{ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com")}]}),
        ),
        "DescribeImages" => (
            200,
            json!({"imageDetails": [{"imageDigest": digest, "imageTags": ["v1"],
                "imagePushedAt": PUSHED, "lastRecordedPullTime": PULLED,
                "imageManifestMediaType": "application/vnd.oci.image.manifest.v1+json",
                "imageStatus": if mode == "archived" { "ARCHIVED" } else { "ACTIVE" },
                "lastArchivedAt": PULLED + 86400}]}),
        ),
        "BatchGetImage" if mode == "throttled" => (
            400,
            json!({"__type": "ThrottlingException", "message": "Rate exceeded"}),
        ),
        "BatchGetImage" => (
            200,
            json!({"images": [{"imageId": {"imageDigest": digest, "imageTag": "v1"},
                "imageManifest": text,
                "imageManifestMediaType": "application/vnd.oci.image.manifest.v1+json"}],
                "failures": []}),
        ),
        "BatchCheckLayerAvailability" => {
            let asked: Vec<String> = body["layerDigests"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| d.as_str().unwrap().to_string())
                .collect();
            let (found, failures): (Vec<_>, Vec<_>) = asked
                .iter()
                .partition(|d| mode != "missing-layer" || **d != layers[1]);
            (
                200,
                json!({"layers": found.iter().map(|d| json!({"layerDigest": d,
                    "layerAvailability": "AVAILABLE", "layerSize": 1000})).collect::<Vec<_>>(),
                    "failures": failures.iter().map(|d| json!({"layerDigest": d,
                    "failureCode": "MissingLayerDigest",
                    "failureReason": "Layer digest not found"})).collect::<Vec<_>>()}),
            )
        }
        "GetLifecyclePolicy" if mode == "pulled-policy" => (
            200,
            json!({"registryId": ACCOUNT, "repositoryName": "team/api",
                "lifecyclePolicyText": r#"{"rules":[{"rulePriority":7,"selection":{"tagStatus":"any","countType":"sinceImagePulled","countUnit":"days","countNumber":5},"action":{"type":"transition","targetStorageClass":"archive"}}]}"#}),
        ),
        _ => (
            400,
            json!({"__type": "LifecyclePolicyNotFoundException", "message": "none"}),
        ),
    }
}

/// Hermetic connect options for `endpoint` (the directory holds empty AWS files).
fn connect(endpoint: &str, dir: &std::path::Path) -> EcrConnectOptions {
    let (cfg, creds) = (dir.join("config"), dir.join("credentials"));
    std::fs::write(&cfg, "").unwrap();
    std::fs::write(&creds, "").unwrap();
    EcrConnectOptions {
        endpoint_url: Some(endpoint.to_string()),
        credentials: Some(aws_sdk_ecr::config::Credentials::new(
            "AKIDTEST", "x", None, None, "test",
        )),
        profile_files: Some((cfg, creds)),
        retry: RetryPolicy {
            throttle_attempts: 3,
            transient_attempts: 2,
            base_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(20),
        },
    }
}

async fn run(mode: &'static str) -> (Report, FakeEcr) {
    let fake = FakeEcr::start(Arc::new(answer(mode))).await;
    let dir = tempfile::tempdir().unwrap();
    let ecr = connect(&fake.url, dir.path());
    let options = DoctorOptions {
        platform: Some(Platform::parse("linux/amd64").unwrap()),
        ecr,
        now: chrono::DateTime::from_timestamp(PULLED + 10 * 86400, 0),
        ..DoctorOptions::default()
    };
    let r = diagnose(&reference("team/api:v1"), &options, &|_| {}).await;
    (r, fake)
}

#[tokio::test]
async fn ecr_last_pull_and_available_blobs() {
    let (r, _fake) = run("ok").await;
    assert_eq!(r.verdict, Verdict::Ok, "{r:#?}");
    let blobs = step(&r, "blobs");
    assert_eq!(blobs.status, StepStatus::Ok);
    assert!(
        blobs.detail.contains("config and 2 layers available"),
        "{blobs:?}"
    );
    let history = step(&r, "history").lines.join("\n");
    assert!(
        history.contains("pushed 2026-01-01T00:00:00+00:00 (11d ago)"),
        "{history}"
    );
    assert!(
        history
            .contains("last recorded pull 2026-01-02T00:00:00+00:00 (10d ago), before this check"),
        "{history}"
    );
    assert!(history.contains("lifecycle policy: none"), "{history}");
    let auth = &step(&r, "auth").detail;
    assert!(
        auth.contains("registry token valid until 2100-01-01"),
        "{auth}"
    );
    assert!(!serde_json::to_string(&r)
        .unwrap()
        .contains("QVdTOnNlY3JldA"));
}

#[tokio::test]
async fn ecr_missing_layer_is_blob_missing() {
    let (r, fake) = run("missing-layer").await;
    assert_eq!(r.verdict, Verdict::BlobMissing, "{r:#?}");
    let blobs = step(&r, "blobs");
    assert_eq!(blobs.status, StepStatus::Fail);
    assert_eq!(blobs.http_status, Some(200));
    assert_eq!(blobs.error_code.as_deref(), Some("MissingLayerDigest"));
    assert!(
        blobs.lines[0].starts_with("missing: layer 2 sha256:"),
        "{blobs:?}"
    );
    // Config and both layers were asked about in one call.
    let asked = &fake.requests("BatchCheckLayerAvailability", "team/api")[0];
    assert_eq!(asked["layerDigests"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn ecr_throttling_that_does_not_clear_is_rate_limited() {
    let (r, fake) = run("throttled").await;
    assert_eq!(r.verdict, Verdict::RateLimited, "{r:#?}");
    let resolve = step(&r, "resolve");
    assert_eq!(resolve.http_status, Some(400));
    assert_eq!(resolve.error_code.as_deref(), Some("ThrottlingException"));
    assert!(
        r.summary.contains("throttling BatchGetImage"),
        "{}",
        r.summary
    );
    assert_eq!(
        fake.requests("BatchGetImage", "team/api").len(),
        3,
        "retried"
    );
}

#[tokio::test]
async fn ecr_archived_image_is_not_pulled() {
    let (r, fake) = run("archived").await;
    assert_eq!(r.verdict, Verdict::RegistryError, "{r:#?}");
    let resolve = step(&r, "resolve");
    assert_eq!(resolve.error_code.as_deref(), Some("ARCHIVED"));
    assert!(
        resolve
            .detail
            .contains("archive storage class since 2026-01-03"),
        "{resolve:?}"
    );
    assert!(
        r.next_step.contains("--target-storage-class STANDARD"),
        "{}",
        r.next_step
    );
    assert!(
        fake.requests("BatchGetImage", "team/api").is_empty(),
        "no pull attempted"
    );
}

/// An API endpoint (here a TLS server with a self-signed certificate standing in for a
/// TLS-intercepting proxy) whose certificate this machine does not trust.
#[tokio::test]
async fn ecr_untrusted_endpoint_certificate_is_tls() {
    use crate::support::registry::TestRegistry;
    let key = rcgen::KeyPair::generate().unwrap();
    let cert = rcgen::CertificateParams::new(vec!["127.0.0.1".to_string()])
        .unwrap()
        .self_signed(&key)
        .unwrap();
    let Some(reg) = TestRegistry::start_tls(&cert.pem(), &key.serialize_pem()) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let ecr = connect(&format!("https://{}", reg.addr), dir.path());
    let options = DoctorOptions {
        ecr,
        ..DoctorOptions::default()
    };
    let r = diagnose(&reference("team/api:v1"), &options, &|_| {}).await;
    assert_eq!(r.verdict, Verdict::Tls, "{r:#?}");
    assert_eq!(step(&r, "reach").status, StepStatus::Ok, "TCP connects");
    assert_eq!(step(&r, "auth").status, StepStatus::Fail);
    assert!(r.summary.contains("not trusted"), "{}", r.summary);
}

#[tokio::test]
async fn ecr_closed_endpoint_port_is_unreachable() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = tempfile::tempdir().unwrap();
    let options = DoctorOptions {
        ecr: connect(&format!("http://127.0.0.1:{port}"), dir.path()),
        ..DoctorOptions::default()
    };
    let r = diagnose(&reference("team/api:v1"), &options, &|_| {}).await;
    assert_eq!(r.verdict, Verdict::Unreachable, "{r:#?}");
    let reach = step(&r, "reach");
    assert_eq!(reach.status, StepStatus::Fail);
    assert!(reach.detail.contains("TCP connection failed"), "{reach:?}");
    assert_eq!(step(&r, "auth").status, StepStatus::Skip);
}

/// A "since pulled" rule (ECR allows them only to archive) is judged on the last pull
/// before the check (ten days ago), and the line says the check's own pull may reset it.
#[tokio::test]
async fn ecr_since_pulled_rule_sees_the_pull_before_the_check() {
    let (r, fake) = run("pulled-policy").await;
    assert_eq!(r.verdict, Verdict::Ok, "{r:#?}");
    let history = step(&r, "history").lines.join("\n");
    assert!(
        history.contains("rule priority 7 would archive this image"),
        "{history}"
    );
    assert!(history.contains("may reset that clock"), "{history}");
    assert!(
        r.summary.contains("would archive it (rule priority 7)"),
        "{}",
        r.summary
    );
    // Every DescribeImages call came before the pull.
    let described = fake.requests("DescribeImages", "team/api").len();
    assert_eq!(
        described, 2,
        "the image, then the repository for the policy"
    );
    assert_eq!(fake.requests("BatchGetImage", "team/api").len(), 1);
}
