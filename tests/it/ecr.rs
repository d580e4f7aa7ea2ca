//! AWS ECR through its API, against moto_server on loopback: repositories and their
//! settings, images with ECR's own facts, scan findings, policies, replication, deletion
//! by digest, the registry token, and the promise that a listing never pulls.

use crate::support::moto::{Moto, ACCOUNT, REGION};
use regscope::config::RegistrySettings;
use regscope::inventory::InventoryEvent;
use regscope::model::{Digest, ImageKind};
use regscope::registry::ecr::{EcrClient, OPENING_COUNTS_AS_PULL};
use regscope::registry::{RegistryError, Target};
use serde_json::json;

const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";

fn hexd(seed: &str) -> String {
    Digest::sha256_of(seed.as_bytes()).to_string()
}

/// A distinct single-platform manifest; `config_size` is what moto reports as its size.
pub fn manifest(seed: &str, config_size: u64) -> String {
    json!({"schemaVersion": 2, "mediaType": OCI_MANIFEST,
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                   "digest": hexd(&format!("{seed}-config")), "size": config_size},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                    "digest": hexd(&format!("{seed}-layer")), "size": 1000}]})
    .to_string()
}

fn index(children: &[(&str, usize, &str)]) -> String {
    let m: Vec<_> = children
        .iter()
        .map(|(d, size, arch)| {
            json!({"mediaType": OCI_MANIFEST, "digest": d, "size": size,
            "platform": {"os": "linux", "architecture": arch}})
        })
        .collect();
    json!({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": m}).to_string()
}

pub struct Seeded {
    pub v1: String,
    pub untagged: String,
    pub arm: String,
    pub multi: String,
    pub locked: String,
    pub web: String,
}

pub async fn seed(m: &Moto) -> Seeded {
    m.create_repository("team-a/api", false, true).await;
    m.create_repository("team-a/locked", true, false).await;
    m.create_repository("other/web", false, false).await;
    let m1 = manifest("v1", 111);
    let v1 = m
        .put_image("team-a/api", &m1, OCI_MANIFEST, Some("v1"))
        .await;
    // The same manifest again under a second tag: one image, two tags.
    assert_eq!(
        m.put_image("team-a/api", &m1, OCI_MANIFEST, Some("latest"))
            .await,
        v1
    );
    let untagged = m
        .put_image("team-a/api", &manifest("old", 222), OCI_MANIFEST, None)
        .await;
    let m3 = manifest("arm", 333);
    let arm = m
        .put_image("team-a/api", &m3, OCI_MANIFEST, Some("arm"))
        .await;
    let idx = index(&[(&v1, m1.len(), "amd64"), (&arm, m3.len(), "arm64")]);
    let multi = m
        .put_image("team-a/api", &idx, OCI_INDEX, Some("multi"))
        .await;
    let locked = m
        .put_image(
            "team-a/locked",
            &manifest("locked", 444),
            OCI_MANIFEST,
            Some("1.0"),
        )
        .await;
    let web = m
        .put_image(
            "other/web",
            &manifest("web", 555),
            OCI_MANIFEST,
            Some("prod"),
        )
        .await;
    m.call(REGION, "PutLifecyclePolicy", json!({"repositoryName": "other/web",
        "lifecyclePolicyText": json!({"rules": [{"rulePriority": 1, "description": "expire untagged",
            "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days", "countNumber": 14},
            "action": {"type": "expire"}}]}).to_string()})).await;
    m.call(
        REGION,
        "PutReplicationConfiguration",
        json!({"replicationConfiguration": {"rules": [
        {"destinations": [{"region": "us-west-2", "registryId": ACCOUNT}],
         "repositoryFilters": [{"filter": "team-a", "filterType": "PREFIX_MATCH"}]}]}}),
    )
    .await;
    Seeded {
        v1,
        untagged,
        arm,
        multi,
        locked,
        web,
    }
}

pub async fn connect(m: &Moto, address: &str) -> EcrClient {
    let target = Target::parse(address).unwrap();
    EcrClient::connect(
        &target,
        &RegistrySettings::for_address(address),
        m.connect_options(),
    )
    .await
    .unwrap()
}

pub fn target() -> String {
    format!("ecr://{ACCOUNT}/{REGION}")
}

#[tokio::test]
async fn ecr_repositories_and_images_carry_ecrs_own_facts() {
    let Some(m) = Moto::start() else { return };
    let s = seed(&m).await;
    let c = connect(&m, &target()).await;

    let repos = c.repositories().await.unwrap();
    let names: Vec<_> = repos.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["other/web", "team-a/api", "team-a/locked"]);
    let api = &repos[1];
    assert_eq!(api.tag_mutability.as_deref(), Some("MUTABLE"));
    assert_eq!(api.scan_on_push, Some(true));
    assert_eq!(api.encryption.as_deref(), Some("AES256"));
    assert!(api.created_at.is_some());
    assert!(repos[2].is_immutable() && !api.is_immutable());

    let d = c.describe_images("team-a/api").await.unwrap();
    assert_eq!((d.images.len(), d.pages, d.rejected.len()), (4, 1, 0));
    let by = |dg: &str| d.images.iter().find(|i| i.digest.as_str() == dg).unwrap();
    let v1 = by(&s.v1);
    assert_eq!(v1.tags, ["latest", "v1"]);
    assert_eq!(v1.kind, ImageKind::Image);
    assert_eq!(
        v1.size_bytes,
        Some(111),
        "what the endpoint reported as imageSizeInBytes"
    );
    assert_eq!(v1.unique_bytes, None);
    assert!(v1.pushed_at.is_some());
    assert_eq!(
        v1.last_pulled_at, None,
        "the emulator reports no pull time: unknown, not zero"
    );
    assert_eq!(v1.scan, None);
    assert!(by(&s.untagged).tags.is_empty());
    assert_eq!(by(&s.arm).tags, ["arm"]);
    let multi = by(&s.multi);
    assert_eq!((multi.kind, multi.size_bytes), (ImageKind::Index, None));
    assert_eq!(multi.media_type, OCI_INDEX);

    // A prefix narrows the repositories client-side.
    let pc = connect(&m, &format!("{}/team-a", target())).await;
    let pn: Vec<_> = pc
        .repositories()
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.name)
        .collect();
    assert_eq!(pn, ["team-a/api", "team-a/locked"]);

    // Policies and replication.
    let lp = c
        .lifecycle_policy("other/web")
        .await
        .unwrap()
        .expect("policy");
    assert!(lp.text.contains("rulePriority") && lp.text.contains("sinceImagePushed"));
    assert_eq!(c.lifecycle_policy("team-a/api").await.unwrap(), None);
    assert_eq!(c.repository_policy("team-a/api").await.unwrap(), None);
    let pol = json!({"Version": "2012-10-17", "Statement": [{"Sid": "pull", "Effect": "Allow",
        "Principal": {"AWS": format!("arn:aws:iam::{ACCOUNT}:root")}, "Action": ["ecr:BatchGetImage"]}]});
    m.call(
        REGION,
        "SetRepositoryPolicy",
        json!({"repositoryName": "team-a/api", "policyText": pol.to_string()}),
    )
    .await;
    assert!(c
        .repository_policy("team-a/api")
        .await
        .unwrap()
        .unwrap()
        .contains("ecr:BatchGetImage"));
    let rules = c.replication_rules().await.unwrap();
    assert_eq!(rules.len(), 1);
    assert_eq!(
        rules[0].destinations,
        [("us-west-2".to_string(), ACCOUNT.to_string())]
    );
    assert_eq!(rules[0].repository_prefixes, ["team-a"]);

    // The emulator lacks DescribeImageReplicationStatus: unsupported, asked exactly once.
    let digest = Digest::parse(&s.web).unwrap();
    let e = c
        .image_replication_status("other/web", &digest)
        .await
        .unwrap_err();
    assert!(matches!(e, RegistryError::Unsupported { .. }), "{e}");
    assert!(
        e.to_string().contains("not supported by this endpoint"),
        "{e}"
    );
    let asked = m
        .recorded_operations()
        .iter()
        .filter(|o| *o == "DescribeImageReplicationStatus")
        .count();
    assert_eq!(asked, 1, "no retries for an unimplemented operation");

    // A missing repository is an error naming it, not a crash.
    let e = c.describe_images("team-a/gone").await.unwrap_err();
    assert!(
        matches!(e, RegistryError::NotFound { .. }) && e.to_string().contains("team-a/gone"),
        "{e}"
    );
}

#[tokio::test]
async fn ecr_deletes_by_digest_and_reports_each_failure() {
    let Some(m) = Moto::start() else { return };
    let s = seed(&m).await;
    let c = connect(&m, &target()).await;
    // Tagged, so the emulator reports it (moto omits untagged images from `imageIds`; we
    // then report them as failures rather than assume success).
    let gone = Digest::parse(&s.arm).unwrap();
    let never = Digest::sha256_of(b"never pushed");
    let r = c
        .delete_images_by_digest("team-a/api", &[gone.clone(), never.clone()])
        .await;
    assert_eq!(r.deleted, std::slice::from_ref(&gone));
    assert_eq!(r.failed.len(), 1);
    assert_eq!(r.failed[0].digest, never);
    assert_eq!(r.failed[0].code.as_deref(), Some("ImageNotFound"));
    let left: Vec<_> = c
        .describe_images("team-a/api")
        .await
        .unwrap()
        .images
        .into_iter()
        .map(|i| i.digest)
        .collect();
    assert!(!left.contains(&gone) && left.len() == 3);
    // Every request named the image by digest only.
    let text = std::fs::read_to_string(m.dir.path().join("requests.jsonl")).unwrap();
    for line in text.lines().filter(|l| l.contains("BatchDeleteImage")) {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let body = v["body"].as_str().unwrap();
        assert!(!body.contains("imageTag"), "{body}");
    }
}

#[tokio::test]
async fn ecr_listing_never_pulls_and_an_explicit_open_does() {
    let Some(m) = Moto::start() else { return };
    let s = seed(&m).await;
    let c = connect(&m, &target()).await;
    let (tx, mut rx) = tokio::sync::mpsc::channel(64);
    regscope::inventory::ecr::crawl(&c, &tx).await;
    drop(tx);
    let mut images = 0;
    let mut finished = false;
    while let Some(ev) = rx.recv().await {
        match ev {
            InventoryEvent::RepositoriesListed { repositories, .. } => {
                assert_eq!(repositories.len(), 3)
            }
            InventoryEvent::RepositoryImages { images: i, .. } => images += i.len(),
            InventoryEvent::Issue { issue, .. } => panic!("unexpected issue {issue:?}"),
            InventoryEvent::Finished { fatal, .. } => {
                assert_eq!(fatal, None);
                finished = true
            }
            InventoryEvent::Progress { .. }
            | InventoryEvent::Cached { .. }
            | InventoryEvent::CachedSummaries { .. }
            | InventoryEvent::Changes { .. }
            | InventoryEvent::History { .. } => {}
        }
    }
    assert!(finished);
    assert_eq!(images, 6);
    let _ = c.lifecycle_policy("other/web").await.unwrap();
    let _ = c
        .scan_findings("other/web", &Digest::parse(&s.web).unwrap())
        .await
        .unwrap();

    // The emulator's own request log, independent of our client's counters.
    let ops = m.recorded_operations();
    assert!(
        ops.iter().any(|o| o == "DescribeImages"),
        "the log must see our calls: {ops:?}"
    );
    assert!(
        !ops.iter().any(|o| o == "BatchGetImage"),
        "a listing pulled: {ops:?}"
    );
    // One DescribeImages page per repository (each has far fewer than 1,000 images).
    assert_eq!(c.api_calls().get("DescribeImages"), Some(&3));
    assert_eq!(c.api_calls().get("BatchGetImage"), None);

    // Opening an image is a pull, and says so.
    assert!(c.manifest_fetch_counts_as_pull());
    assert!(OPENING_COUNTS_AS_PULL.contains("pull"));
    let digest = Digest::parse(&s.multi).unwrap();
    let got = c
        .fetch_manifest_counting_as_pull("team-a/api", &digest)
        .await
        .unwrap();
    assert_eq!(got.digest, digest);
    assert_eq!(got.media_type, OCI_INDEX);
    let pulls = m
        .recorded_operations()
        .iter()
        .filter(|o| *o == "BatchGetImage")
        .count();
    assert_eq!(pulls, 1);
}

#[tokio::test]
async fn ecr_regions_side_by_side_and_the_registry_token() {
    let Some(m) = Moto::start() else { return };
    seed(&m).await;
    m.call(
        "us-east-1",
        "CreateRepository",
        json!({"repositoryName": "east/only"}),
    )
    .await;
    let west = connect(&m, &target()).await;
    let east = connect(&m, &format!("{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com")).await;
    let (w, e) = tokio::join!(west.repositories(), east.repositories());
    assert_eq!(w.unwrap().len(), 3);
    let e: Vec<_> = e.unwrap().into_iter().map(|r| r.name).collect();
    assert_eq!(e, ["east/only"]);
    assert_eq!(
        east.registry_name(),
        format!("{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com")
    );

    let auth = west.registry_auth().await.unwrap();
    assert_eq!(auth.username, "AWS");
    assert_eq!(auth.password.expose(), format!("{ACCOUNT}-auth-token"));
    assert!(auth
        .endpoint
        .as_deref()
        .unwrap()
        .contains(".dkr.ecr.eu-west-1."));
    assert!(
        !format!("{auth:?}").contains("auth-token"),
        "the password never prints"
    );
    // moto's tokens expired long ago, so each use fetches a fresh one.
    west.registry_auth().await.unwrap();
    assert_eq!(west.api_calls().get("GetAuthorizationToken"), Some(&2));
}
