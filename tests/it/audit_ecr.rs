//! `regscope audit` on ECR (the binary against moto_server): tag mutability, scan on push
//! and the registry scanning configuration, lifecycle and repository policies, replication
//! rules with their prefix filters, and scan findings of an image in use — each read
//! through its own API call, never a manifest (in ECR a manifest read is a pull).

use crate::audit::json_of_output as json_of;
use crate::ecr::manifest;
use crate::ecr_cli::regscope;
use crate::support::moto::{Moto, ACCOUNT, REGION};
use serde_json::{json, Value};

fn check<'a>(doc: &'a Value, repo: &str, id: &str) -> &'a Value {
    crate::audit::check(doc, repo, id)
}

#[tokio::test]
async fn audit_of_an_ecr_registry_through_its_api() {
    let Some(m) = Moto::start() else { return };
    m.create_repository("prod/api", true, true).await;
    m.create_repository("dev/web", false, false).await;
    let oci = "application/vnd.oci.image.manifest.v1+json";
    let v1 = m
        .put_image("prod/api", &manifest("p1", 10), oci, Some("v1.0.0"))
        .await;
    m.put_image("prod/api", &manifest("p2", 20), oci, None)
        .await;
    // ECR orders by push time in seconds: a tie would keep both (ecr.tie_break=keep_tied).
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    m.put_image("prod/api", &manifest("p3", 30), oci, None)
        .await;
    let web = m
        .put_image("dev/web", &manifest("w1", 40), oci, Some("latest"))
        .await;
    m.call(
        REGION,
        "PutRegistryScanningConfiguration",
        json!({"scanType": "ENHANCED",
        "rules": [{"scanFrequency": "CONTINUOUS_SCAN",
                   "repositoryFilters": [{"filter": "prod/*", "filterType": "WILDCARD"}]}]}),
    )
    .await;
    m.call(
        REGION,
        "PutReplicationConfiguration",
        json!({"replicationConfiguration": {"rules": [
        {"destinations": [{"region": "eu-central-1", "registryId": ACCOUNT}],
         "repositoryFilters": [{"filter": "prod", "filterType": "PREFIX_MATCH"}]}]}}),
    )
    .await;
    let lifecycle = json!({"rules": [{"rulePriority": 1, "description": "keep one untagged",
        "selection": {"tagStatus": "untagged", "countType": "imageCountMoreThan", "countNumber": 1},
        "action": {"type": "expire"}}]});
    m.call(
        REGION,
        "PutLifecyclePolicy",
        json!({"repositoryName": "prod/api",
        "lifecyclePolicyText": lifecycle.to_string()}),
    )
    .await;
    let public = json!({"Version": "2012-10-17", "Statement": [{"Sid": "AnyonePulls", "Effect": "Allow",
        "Principal": "*", "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]}]});
    m.call(
        REGION,
        "SetRepositoryPolicy",
        json!({"repositoryName": "prod/api",
        "policyText": public.to_string()}),
    )
    .await;
    let org_only = json!({"Version": "2012-10-17", "Statement": [{"Sid": "OrgPulls", "Effect": "Allow",
        "Principal": "*", "Action": "ecr:BatchGetImage",
        "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}}}]});
    m.call(
        REGION,
        "SetRepositoryPolicy",
        json!({"repositoryName": "dev/web",
        "policyText": org_only.to_string()}),
    )
    .await;
    m.call(
        REGION,
        "StartImageScan",
        json!({"repositoryName": "dev/web", "imageId": {"imageDigest": web}}),
    )
    .await;
    m.inject_scan_result(json!({
        "registryId": ACCOUNT, "repositoryName": "dev/web", "imageId": {"imageDigest": web},
        "imageScanStatus": {"status": "COMPLETE", "description": "done"},
        "imageScanFindings": {"imageScanCompletedAt": 1767225600,
            "findingSeverityCounts": {"CRITICAL": 1},
            "findings": [{"name": "CVE-2024-0001", "severity": "CRITICAL", "uri": "https://cve.example/0001"}]}}))
        .await;
    let in_use = m.dir.path().join("pods.json");
    let pods = json!({"apiVersion": "v1", "kind": "List", "items": [{"spec": {"containers": [
        {"image": format!("{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/dev/web:latest")}]}}]});
    std::fs::write(&in_use, pods.to_string()).unwrap();

    let target = format!("ecr://{ACCOUNT}/{REGION}");
    let out = regscope(
        &m,
        &[
            "audit",
            &target,
            "--json",
            "--in-use",
            in_use.to_str().unwrap(),
        ],
    );
    let doc = json_of(&out);
    assert_eq!(
        out.status.code(),
        Some(1),
        "public access and a critical finding fail"
    );

    let c = check(&doc, "prod/api", "scanning");
    assert_eq!(c["status"], "pass", "{c}");
    assert_eq!(c["summary"], "continuous scanning is on");
    assert_eq!(check(&doc, "prod/api", "scan-freshness")["status"], "pass");
    let c = check(&doc, "dev/web", "scanning");
    assert_eq!(c["status"], "fail", "{c}");
    assert!(
        c["evidence"]
            .to_string()
            .contains("no rule matches this repository"),
        "{c}"
    );

    assert_eq!(
        check(&doc, "prod/api", "tag-immutability")["status"],
        "pass"
    );
    let c = check(&doc, "dev/web", "tag-immutability");
    assert_eq!(c["status"], "warn", "{c}");
    assert!(
        c["evidence"]
            .to_string()
            .contains("imageTagMutability=MUTABLE"),
        "{c}"
    );

    let c = check(&doc, "prod/api", "lifecycle-policy");
    assert_eq!(c["status"], "pass", "{c}");
    assert!(
        c["evidence"]
            .to_string()
            .contains("today it would delete 1 manifest and"),
        "{c}"
    );
    assert_eq!(check(&doc, "dev/web", "lifecycle-policy")["status"], "warn");

    let c = check(&doc, "prod/api", "public-access");
    assert_eq!(c["status"], "fail", "{c}");
    assert!(c["evidence"].to_string().contains("AnyonePulls"), "{c}");
    assert_eq!(
        check(&doc, "dev/web", "public-access")["status"],
        "pass",
        "a conditioned statement is not public"
    );

    // The destination region holds nothing (moto does not replicate): drift, not a pass.
    let c = check(&doc, "prod/api", "replication");
    assert_eq!(c["status"], "warn", "{c}");
    assert!(
        c["evidence"]
            .to_string()
            .contains(&format!("v1.0.0 → {v1} missing in eu-central-1/{ACCOUNT}")),
        "{c}"
    );
    assert!(
        c["summary"]
            .as_str()
            .unwrap()
            .contains(&format!("eu-central-1/{ACCOUNT}")),
        "{c}"
    );
    assert_eq!(check(&doc, "dev/web", "replication")["status"], "warn");

    let c = check(&doc, "prod/api", "untagged-bytes");
    assert_eq!(c["status"], "warn", "{c}");
    assert!(
        c["summary"]
            .as_str()
            .unwrap()
            .starts_with("2 untagged manifests"),
        "{c}"
    );

    let c = check(&doc, "dev/web", "critical-findings");
    assert_eq!(c["status"], "fail", "{c}");
    assert!(
        c["evidence"]
            .to_string()
            .contains("dev/web:latest (in use by tag"),
        "{c}"
    );

    // Listing and settings only: not one manifest read (a pull in ECR).
    let ops = m.recorded_operations();
    assert!(!ops.iter().any(|o| o == "BatchGetImage"), "{ops:?}");
    for op in [
        "GetRegistryScanningConfiguration",
        "DescribeRegistry",
        "GetRepositoryPolicy",
        "GetLifecyclePolicy",
    ] {
        assert!(ops.iter().any(|o| o == op), "{op} not called: {ops:?}");
    }
}
