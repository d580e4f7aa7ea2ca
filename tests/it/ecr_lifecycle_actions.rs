//! `regscope delete` on an ECR plan that also archives: the transitions are reported as
//! not performed (ECR's own lifecycle job archives), the expirations are carried out, and
//! the archived-to-be images stay untouched in moto.

use crate::ecr::manifest;
use crate::ecr_lifecycle::{held, ok, regscope};
use crate::support::moto::{Moto, ACCOUNT, REGION};
use serde_json::Value;

const OCI: &str = "application/vnd.oci.image.manifest.v1+json";

#[tokio::test]
async fn ecr_lifecycle_delete_reports_transitions_as_not_performed() {
    let Some(m) = Moto::start() else { return };
    m.create_repository("arch/app", false, false).await;
    let kept = m
        .put_image("arch/app", &manifest("arch-1", 51), OCI, Some("archive-1"))
        .await;
    let gone = m
        .put_image("arch/app", &manifest("arch-2", 52), OCI, Some("build-2"))
        .await;
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("policy.json");
    std::fs::write(
        &policy,
        r#"{"rules":[
 {"rulePriority":1,"description":"archive archive-* after a day","selection":{"tagStatus":"tagged","tagPatternList":["archive-*"],"countType":"sinceImagePushed","countUnit":"days","countNumber":1},"action":{"type":"transition","targetStorageClass":"archive"}},
 {"rulePriority":2,"description":"expire the rest after a day","selection":{"tagStatus":"any","countType":"sinceImagePushed","countUnit":"days","countNumber":1},"action":{"type":"expire"}}]}"#,
    )
    .unwrap();
    let plan_file = dir.path().join("plan.json");
    let target = format!("ecr://{ACCOUNT}/{REGION}/arch");
    let out = regscope(
        &m,
        dir.path(),
        &[
            "plan",
            &target,
            "--policy",
            policy.to_str().unwrap(),
            "--now",
            "2030-01-01T00:00:00Z",
            "-o",
            plan_file.to_str().unwrap(),
        ],
    );
    ok(&out);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("TRANSITION (1)") && text.contains("not performed by `regscope delete`"),
        "{text}"
    );
    let out = regscope(
        &m,
        dir.path(),
        &[
            "delete",
            "--plan",
            plan_file.to_str().unwrap(),
            "--yes",
            "--json",
        ],
    );
    let stderr = ok(&out);
    assert!(stderr.contains("not carried out by delete"), "{stderr}");
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let by = |d: &str| {
        report["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["digest"] == d)
            .unwrap()
            .clone()
    };
    assert_eq!(by(&gone)["outcome"], "deleted", "{report:#}");
    let left = by(&kept);
    assert_eq!(left["outcome"], "not_performed", "{report:#}");
    assert!(
        left["detail"]
            .as_str()
            .unwrap()
            .contains("ECR's own lifecycle job"),
        "{left}"
    );
    let now = held(&m, "arch/app").await;
    assert_eq!(now.keys().collect::<Vec<_>>(), [&kept]);
}
