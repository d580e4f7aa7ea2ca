//! Replication drift on ECR (the binary against moto_server): the repository's tag → digest
//! pairs compared with the same repository in the replication destination region, read
//! with DescribeImages there. moto does not replicate, so the test writes the destination
//! itself: absent, then in step, then with a tag moved.

use crate::audit::json_of_output as json_of;
use crate::ecr::manifest;
use crate::ecr_cli::regscope;
use crate::support::moto::{Moto, ACCOUNT, REGION};
use serde_json::{json, Value};

const DEST: &str = "eu-central-1";
const OCI: &str = "application/vnd.oci.image.manifest.v1+json";

async fn put(m: &Moto, region: &str, repo: &str, body: &str, tag: &str) -> String {
    let digest = regscope::model::Digest::sha256_of(body.as_bytes()).to_string();
    m.call(
        region,
        "PutImage",
        json!({"repositoryName": repo, "imageManifest": body,
        "imageManifestMediaType": OCI, "imageDigest": digest, "imageTag": tag}),
    )
    .await;
    digest
}

fn replication(m: &Moto) -> Value {
    let out = regscope(
        m,
        &["audit", &format!("ecr://{ACCOUNT}/{REGION}"), "--json"],
    );
    crate::audit::check(&json_of(&out), "prod/api", "replication").clone()
}

#[tokio::test]
async fn ecr_replication_drift_in_the_destination_region() {
    let Some(m) = Moto::start() else { return };
    m.create_repository("prod/api", false, true).await;
    let v1 = put(&m, REGION, "prod/api", &manifest("a1", 10), "v1.0.0").await;
    let v2 = put(&m, REGION, "prod/api", &manifest("a2", 20), "latest").await;
    m.call(
        REGION,
        "PutReplicationConfiguration",
        json!({"replicationConfiguration": {"rules": [
        {"destinations": [{"region": DEST, "registryId": ACCOUNT}],
         "repositoryFilters": [{"filter": "prod", "filterType": "PREFIX_MATCH"}]}]}}),
    )
    .await;

    let c = replication(&m);
    assert_eq!(c["status"], "warn", "no repository there yet: {c}");
    assert!(
        c["summary"].as_str().unwrap().contains("2 tags differ"),
        "{c}"
    );
    assert!(
        c["evidence"]
            .to_string()
            .contains(&format!("repository prod/api missing in {DEST}/{ACCOUNT}")),
        "{c}"
    );

    m.call(
        DEST,
        "CreateRepository",
        json!({"repositoryName": "prod/api"}),
    )
    .await;
    put(&m, DEST, "prod/api", &manifest("a1", 10), "v1.0.0").await;
    put(&m, DEST, "prod/api", &manifest("a2", 20), "latest").await;
    let c = replication(&m);
    assert_eq!(c["status"], "pass", "{c}");
    assert!(
        c["summary"].as_str().unwrap().contains("tags match there"),
        "{c}"
    );
    assert!(
        c["evidence"]
            .to_string()
            .contains(&format!("{DEST}/{ACCOUNT}: 2 of 2 tags match")),
        "{c}"
    );

    // The destination's latest moved to another image; v1.0.0 is gone there.
    let other = put(&m, DEST, "prod/api", &manifest("zz", 30), "latest").await;
    m.call(
        DEST,
        "BatchDeleteImage",
        json!({"repositoryName": "prod/api", "imageIds": [{"imageDigest": v1}]}),
    )
    .await;
    let c = replication(&m);
    assert_eq!(c["status"], "warn", "{c}");
    let ev = c["evidence"].to_string();
    assert!(
        ev.contains(&format!("latest: {v2} here, {other} in {DEST}/{ACCOUNT}")),
        "{ev}"
    );
    assert!(
        ev.contains(&format!("v1.0.0 → {v1} missing in {DEST}/{ACCOUNT}")),
        "{ev}"
    );
    assert!(
        c["summary"].as_str().unwrap().contains("2 tags differ"),
        "{c}"
    );
}
