//! The pull doctor on AWS ECR against a real `moto_server`: a pullable multi-arch image
//! with its history clues (push time, last pull, the current lifecycle policy's verdict at
//! an injected clock), a missing tag, repository, platform and child manifest, and
//! credentials moto refuses once its IAM enforcement is switched on.

use crate::support::moto::{Moto, ACCOUNT, REGION};
use regscope::doctor::{diagnose, DoctorOptions, Report, Step, StepStatus, Verdict};
use regscope::model::{Digest, Platform};
use regscope::registry::Reference;
use serde_json::json;

const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";

/// The config and layer bytes of `image_manifest(seed)`: uploading them makes the
/// image's blobs present for BatchCheckLayerAvailability.
pub fn image_blobs(seed: &str) -> [String; 3] {
    ["config", "l1", "l2"].map(|s| format!("{seed}/{s}"))
}

/// An image manifest whose config and layer digests are those of `image_blobs(seed)`.
pub fn image_manifest(seed: &str) -> String {
    let d = |s: &str| Digest::sha256_of(format!("{seed}/{s}").as_bytes()).to_string();
    json!({"schemaVersion": 2, "mediaType": OCI_MANIFEST,
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": d("config"), "size": 321},
        "layers": [
            {"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": d("l1"), "size": 1000},
            {"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": d("l2"), "size": 2000}]})
    .to_string()
}

/// An index of `children` (digest, size, arch) plus a BuildKit attestation entry.
pub fn index_manifest(children: &[(String, usize, &str)], attestation: &str) -> String {
    let mut manifests: Vec<serde_json::Value> = children
        .iter()
        .map(|(d, size, arch)| {
            json!({"mediaType": OCI_MANIFEST, "digest": d, "size": size,
                "platform": {"os": "linux", "architecture": arch}})
        })
        .collect();
    manifests.push(
        json!({"mediaType": OCI_MANIFEST, "digest": attestation, "size": 500,
        "platform": {"os": "unknown", "architecture": "unknown"},
        "annotations": {"vnd.docker.reference.type": "attestation-manifest",
            "vnd.docker.reference.digest": children[0].0}}),
    );
    json!({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": manifests}).to_string()
}

/// `team/api`: an index for amd64 and arm64 (plus an attestation) tagged `v1.0.0`, and a
/// single-platform image tagged `v1.1.0`. Returns the index digest.
pub async fn seed(m: &Moto, policy: Option<&str>) -> String {
    m.create_repository("team/api", false, false).await;
    for image in ["amd64", "arm64", "attestation", "single"] {
        for blob in image_blobs(image) {
            m.upload_layer("team/api", blob.as_bytes()).await;
        }
    }
    let mut children = Vec::new();
    for arch in ["amd64", "arm64"] {
        let text = image_manifest(arch);
        let d = m.put_image("team/api", &text, OCI_MANIFEST, None).await;
        children.push((d, text.len(), arch));
    }
    let att = image_manifest("attestation");
    let att_digest = m.put_image("team/api", &att, OCI_MANIFEST, None).await;
    let index = index_manifest(&children, &att_digest);
    let digest = m
        .put_image("team/api", &index, OCI_INDEX, Some("v1.0.0"))
        .await;
    m.put_image(
        "team/api",
        &image_manifest("single"),
        OCI_MANIFEST,
        Some("v1.1.0"),
    )
    .await;
    if let Some(p) = policy {
        m.call(
            REGION,
            "PutLifecyclePolicy",
            json!({"repositoryName": "team/api", "lifecyclePolicyText": p}),
        )
        .await;
    }
    digest
}

pub fn reference(rest: &str) -> Reference {
    Reference::parse(&format!("{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/{rest}")).unwrap()
}

pub async fn doctor(m: &Moto, rest: &str, platform: &str, now: Option<i64>) -> Report {
    let options = DoctorOptions {
        platform: Some(Platform::parse(platform).unwrap()),
        ecr: m.connect_options(),
        now: now.map(|s| chrono::DateTime::from_timestamp(s, 0).unwrap()),
        ..DoctorOptions::default()
    };
    let r = diagnose(&reference(rest), &options, &|_| {}).await;
    let names: Vec<&str> = r.steps.iter().map(|s| s.name).collect();
    assert_eq!(
        names,
        [
            "reference",
            "reach",
            "auth",
            "resolve",
            "platforms",
            "blobs",
            "history"
        ],
        "{r:#?}"
    );
    r
}

pub fn step<'a>(r: &'a Report, name: &str) -> &'a Step {
    r.steps.iter().find(|s| s.name == name).unwrap()
}

fn text(s: &Step) -> String {
    format!("{}\n{}", s.detail, s.lines.join("\n"))
}

const EXPIRE_AFTER_A_DAY: &str = r#"{"rules":[{"rulePriority":3,"description":"old builds","selection":{"tagStatus":"any","countType":"sinceImagePushed","countUnit":"days","countNumber":1},"action":{"type":"expire"}}]}"#;

#[tokio::test]
async fn ecr_pullable_index_with_push_time_and_lifecycle_expiry() {
    let Some(m) = Moto::start() else { return };
    let index = seed(&m, Some(EXPIRE_AFTER_A_DAY)).await;
    let now = chrono::Utc::now().timestamp();

    let r = doctor(&m, "team/api:v1.0.0", "linux/arm64", None).await;
    assert_eq!(r.verdict, Verdict::Ok, "{r:#?}");
    assert!(r.pullable());
    assert!(r.steps.iter().all(|s| s.status != StepStatus::Fail));
    let reach = step(&r, "reach");
    assert!(reach.detail.contains(&m.url), "{reach:?}");
    let auth = step(&r, "auth");
    assert_eq!(auth.http_status, Some(200));
    assert!(
        text(auth).contains("credentials: regscope-tests"),
        "{auth:?}"
    );
    // moto issues tokens that expired in 2015: said, not hidden.
    assert!(text(auth).contains("expired at issue"), "{auth:?}");
    let resolve = step(&r, "resolve");
    assert_eq!(resolve.http_status, Some(200));
    assert!(resolve.detail.starts_with(&index), "{resolve:?}");
    assert!(resolve.detail.contains(OCI_INDEX), "{resolve:?}");
    let platforms = step(&r, "platforms");
    assert_eq!(platforms.status, StepStatus::Ok);
    let lines = platforms.lines.join("\n");
    assert!(
        platforms
            .lines
            .iter()
            .any(|l| l.starts_with("→ linux/arm64")),
        "{lines}"
    );
    assert!(lines.contains("attestation, not runnable"), "{lines}");
    // The seeded layers were uploaded, so BatchCheckLayerAvailability finds them all.
    let blobs = step(&r, "blobs");
    assert_eq!(blobs.status, StepStatus::Ok, "{blobs:?}");
    assert!(
        !r.summary.contains("blobs were not checked"),
        "{}",
        r.summary
    );

    let history = text(step(&r, "history"));
    let pushed = history
        .lines()
        .find(|l| l.starts_with("pushed "))
        .unwrap_or_else(|| panic!("{history}"));
    let at = chrono::DateTime::parse_from_rfc3339(pushed.split_whitespace().nth(1).unwrap())
        .unwrap()
        .timestamp();
    assert!((now - at).abs() < 120, "push time {pushed} vs now {now}");
    assert!(
        history.contains("last recorded pull: none reported"),
        "{history}"
    );
    assert!(
        history.contains("lifecycle: the current policy (1 rule) keeps this image"),
        "{history}"
    );

    // Two days later, the same policy expires it, by rule priority 3.
    let later = doctor(&m, "team/api:v1.0.0", "linux/amd64", Some(now + 2 * 86400)).await;
    assert_eq!(later.verdict, Verdict::Ok);
    let history = text(step(&later, "history"));
    assert!(
        history.contains("rule priority 3 would expire this image"),
        "{history}"
    );
    assert!(
        later.summary.contains("would expire it (rule priority 3)"),
        "{}",
        later.summary
    );

    // Last pull was read before the pull: DescribeImages precedes BatchGetImage.
    let ops = m.recorded_operations();
    let describe = ops.iter().position(|o| o == "DescribeImages").unwrap();
    let pull = ops.iter().position(|o| o == "BatchGetImage").unwrap();
    assert!(describe < pull, "{ops:?}");
    // The registry token never reaches the report.
    let json = serde_json::to_string(&r).unwrap();
    assert!(!json.contains("auth-token"), "{json}");
}

#[tokio::test]
async fn ecr_missing_tag_repository_platform_and_child() {
    let Some(m) = Moto::start() else { return };
    let prefix_rule = r#"{"rules":[{"rulePriority":1,"selection":{"tagStatus":"tagged","tagPrefixList":["v1"],"countType":"imageCountMoreThan","countNumber":5},"action":{"type":"expire"}}]}"#;
    seed(&m, Some(prefix_rule)).await;

    let r = doctor(&m, "team/api:v1.0.1", "linux/amd64", None).await;
    assert_eq!(r.verdict, Verdict::TagNotFound, "{r:#?}");
    let resolve = step(&r, "resolve");
    assert_eq!(resolve.status, StepStatus::Fail);
    assert_eq!(resolve.http_status, Some(200), "a per-image failure");
    assert_eq!(resolve.error_code.as_deref(), Some("ImageNotFound"));
    let history = text(step(&r, "history"));
    assert!(
        history.contains("tags close to v1.0.1: v1.0.0, v1.1.0"),
        "{history}"
    );
    assert!(history.contains("P1: tagged"), "{history}");
    assert!(
        r.summary.contains("rule(s) 1 could have expired it"),
        "{}",
        r.summary
    );
    assert!(
        r.next_step.contains("aws ecr list-images"),
        "{}",
        r.next_step
    );
    assert!(!r.pullable());

    let r = doctor(&m, "team/apii:v1.0.0", "linux/amd64", None).await;
    assert_eq!(r.verdict, Verdict::RepositoryNotFound, "{r:#?}");
    let resolve = step(&r, "resolve");
    assert_eq!(resolve.http_status, Some(400));
    assert_eq!(
        resolve.error_code.as_deref(),
        Some("RepositoryNotFoundException")
    );
    assert!(
        step(&r, "history").detail.contains("team/api"),
        "{:?}",
        step(&r, "history")
    );

    let r = doctor(&m, "team/api:v1.0.0", "linux/s390x", None).await;
    assert_eq!(r.verdict, Verdict::PlatformMissing, "{r:#?}");
    let p = step(&r, "platforms");
    assert!(p.detail.contains("linux/amd64, linux/arm64"), "{p:?}");
    assert!(
        !p.detail.contains("unknown"),
        "attestations are not offered: {p:?}"
    );

    // An index whose child was deleted: the pull fails on the child manifest.
    let arm = image_manifest("gone");
    let arm_digest = m.put_image("team/api", &arm, OCI_MANIFEST, None).await;
    let amd = image_manifest("amd64");
    let amd_digest = Digest::sha256_of(amd.as_bytes()).to_string();
    let att = Digest::sha256_of(image_manifest("attestation").as_bytes()).to_string();
    let index = index_manifest(
        &[
            (amd_digest, amd.len(), "amd64"),
            (arm_digest.clone(), arm.len(), "arm64"),
        ],
        &att,
    );
    m.put_image("team/api", &index, OCI_INDEX, Some("broken"))
        .await;
    m.call(
        REGION,
        "BatchDeleteImage",
        json!({"repositoryName": "team/api", "imageIds": [{"imageDigest": arm_digest}]}),
    )
    .await;
    let r = doctor(&m, "team/api:broken", "linux/arm64", None).await;
    assert_eq!(r.verdict, Verdict::BlobMissing, "{r:#?}");
    assert!(r.summary.contains(&arm_digest), "{}", r.summary);
    assert_eq!(
        step(&r, "platforms").error_code.as_deref(),
        Some("ImageNotFound")
    );
}

#[tokio::test]
async fn ecr_refused_credentials_and_a_missing_permission_under_moto_iam() {
    let Some(m) = Moto::start() else { return };
    seed(&m, None).await;
    // Allowed everything a doctor reads except the pull itself.
    let (key, secret) = m
        .iam_user(
            "ci",
            &[
                "ecr:GetAuthorizationToken",
                "ecr:DescribeImages",
                "ecr:ListImages",
                "ecr:DescribeRepositories",
                "ecr:GetLifecyclePolicy",
            ],
        )
        .await;
    let (key2, secret2) = m.iam_user("no-token", &["ecr:DescribeImages"]).await;
    m.enforce_iam().await;

    // The suite's made-up key is not a key moto knows.
    let r = doctor(&m, "team/api:v1.0.0", "linux/amd64", None).await;
    assert_eq!(r.verdict, Verdict::Unauthorized, "{r:#?}");
    let auth = step(&r, "auth");
    assert_eq!(auth.status, StepStatus::Fail);
    assert_eq!(auth.http_status, Some(403));
    assert_eq!(auth.error_code.as_deref(), Some("InvalidClientTokenId"));
    assert!(
        text(auth).contains("credentials: regscope-tests"),
        "{auth:?}"
    );
    assert!(
        r.next_step.contains("aws sts get-caller-identity"),
        "{}",
        r.next_step
    );

    // A real key without ecr:BatchGetImage: authenticated, then refused the pull.
    let mut ecr = m.connect_options();
    ecr.credentials = Some(aws_sdk_ecr::config::Credentials::new(
        key, secret, None, None, "ci-user",
    ));
    let options = DoctorOptions {
        platform: Some(Platform::parse("linux/amd64").unwrap()),
        ecr,
        ..DoctorOptions::default()
    };
    let r = diagnose(&reference("team/api:v1.0.0"), &options, &|_| {}).await;
    assert_eq!(r.verdict, Verdict::Forbidden, "{r:#?}");
    assert_eq!(step(&r, "auth").status, StepStatus::Ok);
    let resolve = step(&r, "resolve");
    assert_eq!(resolve.http_status, Some(403));
    assert_eq!(resolve.error_code.as_deref(), Some("AccessDenied"));
    assert!(r.summary.contains("ecr:BatchGetImage"), "{}", r.summary);
    assert!(
        r.next_step
            .contains("grant ecr:BatchGetImage on arn:aws:ecr:"),
        "{}",
        r.next_step
    );

    // Without ecr:GetAuthorizationToken no runtime can log in at all.
    let mut ecr = m.connect_options();
    ecr.credentials = Some(aws_sdk_ecr::config::Credentials::new(
        key2, secret2, None, None, "no-token",
    ));
    let options = DoctorOptions { ecr, ..options };
    let r = diagnose(&reference("team/api:v1.0.0"), &options, &|_| {}).await;
    assert_eq!(r.verdict, Verdict::Forbidden, "{r:#?}");
    let auth = step(&r, "auth");
    assert_eq!(
        (auth.http_status, auth.error_code.as_deref()),
        (Some(403), Some("AccessDenied"))
    );
    assert!(
        r.next_step
            .starts_with("grant ecr:GetAuthorizationToken on \"*\""),
        "{}",
        r.next_step
    );
}
