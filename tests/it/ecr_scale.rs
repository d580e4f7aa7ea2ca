//! The ECR inventory at scale, for docs/performance.md: 100 repositories x 50 images in
//! moto_server, crawled through `inventory::ecr::crawl`. Ignored by default (seeding takes a
//! while); run with
//! `cargo nextest run --run-ignored only -E 'test(ecr_inventory_scale)' --no-capture`.
//! It checks the call count (one `DescribeImages` page per repository of 50) and prints
//! the wall time; timing is reported, never asserted.

use crate::ecr::manifest;
use crate::support::moto::{Moto, ACCOUNT, REGION};
use futures::stream::{self, StreamExt};
use regscope::config::RegistrySettings;
use regscope::inventory::InventoryEvent;
use regscope::registry::ecr::EcrClient;
use regscope::registry::Target;
use std::time::Instant;

const REPOS: usize = 100;
const IMAGES: usize = 50;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "benchmark: seeds 5,000 images"]
async fn ecr_inventory_scale() {
    let Some(m) = Moto::start() else { return };
    let seed_start = Instant::now();
    for r in 0..REPOS {
        m.create_repository(&format!("fleet/svc-{r:03}"), false, false)
            .await;
    }
    let m = &m;
    stream::iter((0..REPOS).flat_map(|r| (0..IMAGES).map(move |i| (r, i))))
        .for_each_concurrent(8, |(r, i)| async move {
            let tag = (i % 5 != 0).then(|| format!("build-{i}"));
            m.put_image(
                &format!("fleet/svc-{r:03}"),
                &manifest(&format!("{r}-{i}"), 1000 + i as u64),
                "application/vnd.oci.image.manifest.v1+json",
                tag.as_deref(),
            )
            .await;
        })
        .await;
    eprintln!(
        "seeded {} images in {:?}",
        REPOS * IMAGES,
        seed_start.elapsed()
    );

    let address = format!("ecr://{ACCOUNT}/{REGION}");
    let c = EcrClient::connect(
        &Target::parse(&address).unwrap(),
        &RegistrySettings::for_address(&address),
        m.connect_options(),
    )
    .await
    .unwrap();
    let (tx, mut rx) = tokio::sync::mpsc::channel(1024);
    let start = Instant::now();
    let consumer = tokio::spawn(async move {
        let mut images = 0;
        let mut issues = 0;
        while let Some(ev) = rx.recv().await {
            match ev {
                InventoryEvent::RepositoryImages { images: i, .. } => images += i.len(),
                InventoryEvent::Issue { .. } => issues += 1,
                _ => {}
            }
        }
        (images, issues)
    });
    regscope::inventory::ecr::crawl(&c, &tx).await;
    drop(tx);
    let (images, issues) = consumer.await.unwrap();
    let wall = start.elapsed();
    let calls = c.api_calls();
    eprintln!(
        "ECR inventory: {REPOS} repositories x {IMAGES} images = {images} records, {issues} issues, wall {wall:?}, API calls {calls:?}, concurrency {}",
        c.concurrency()
    );
    assert_eq!((images, issues), (REPOS * IMAGES, 0));
    peer_boto3(m);
    assert_eq!(calls.get("DescribeRepositories"), Some(&1));
    assert_eq!(calls.get("DescribeImages"), Some(&(REPOS as u64)));
    assert_eq!(calls.values().sum::<u64>(), 1 + REPOS as u64);
}

/// The peer: the same listing with boto3's paginators, one repository after another (what
/// a loop over `aws ecr describe-images` does), against the same emulator.
fn peer_boto3(m: &Moto) {
    let python = m.bin.with_file_name("python");
    if !python.is_file() {
        eprintln!("peer skipped: no python beside moto_server");
        return;
    }
    let script = r#"
import sys, time, boto3
c = boto3.client("ecr", endpoint_url=sys.argv[1], region_name=sys.argv[2],
                 aws_access_key_id="AKIDTEST", aws_secret_access_key="test-secret")
t = time.monotonic(); n = 0; calls = 0
repos = []
for page in c.get_paginator("describe_repositories").paginate():
    calls += 1; repos += [r["repositoryName"] for r in page["repositories"]]
for r in repos:
    for page in c.get_paginator("describe_images").paginate(repositoryName=r, PaginationConfig={"PageSize": 1000}):
        calls += 1; n += len(page["imageDetails"])
print(f"boto3 peer: {n} records, {calls} API calls, wall {time.monotonic() - t:.3f}s")
"#;
    let out = std::process::Command::new(python)
        .args(["-c", script, &m.url, REGION])
        .env("AWS_CONFIG_FILE", m.dir.path().join("aws-config"))
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            m.dir.path().join("aws-credentials"),
        )
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .expect("run python");
    eprintln!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
