//! Catalog paging (>100 repositories), >1,000 tags in one repository, prefix filtering.

use super::crawl;
use crate::support::fixtures::{tar, Entry, ImageFixture, Layer};
use crate::support::registry::TestRegistry;
use crate::support::seed::Seeder;
use regscope::config::RegistrySettings;
use regscope::inventory::{self, CrawlOptions, InventoryEvent};
use regscope::model::Image;
use regscope::registry::Target;
use std::collections::BTreeSet;
#[tokio::test]
async fn catalog_paging_and_a_thousand_tags_are_complete() {
    let Some(reg) = TestRegistry::start() else {
        return;
    };
    let s = Seeder::new(&reg.base_url());
    let img = ImageFixture::new(
        "amd64",
        "2026-01-01T00:00:00Z",
        vec![Layer::plain(tar(&[Entry::File("x", b"x")]), "COPY x /")],
    );
    use futures::stream::{self, StreamExt};
    let repos: Vec<String> = (0..105).map(|i| format!("many/r{i:03}")).collect();
    stream::iter(repos.clone())
        .for_each_concurrent(8, |r| {
            let (s, img) = (s.clone(), img.clone());
            async move {
                img.push(&s, &r, &["t"]).await;
            }
        })
        .await;
    // 1,050 tags over three digests in one repository
    let variants: Vec<ImageFixture> = (0..3)
        .map(|k| {
            ImageFixture::new(
                "amd64",
                "2026-01-01T00:00:00Z",
                vec![Layer::plain(
                    tar(&[Entry::File("k", format!("{k}").as_bytes())]),
                    "COPY k /",
                )],
            )
        })
        .collect();
    let mut pushed = Vec::new();
    for v in &variants {
        pushed.push(v.push(&s, "big/tags", &[]).await);
    }
    stream::iter(0..1050)
        .for_each_concurrent(16, |i| {
            let s = s.clone();
            let p = &pushed[i % 3];
            async move {
                s.push_manifest("big/tags", &format!("t{i:04}"), &p.media_type, &p.manifest)
                    .await;
            }
        })
        .await;

    let out = crawl(&reg.addr).await;
    assert!(
        out.inventory.errors.is_empty(),
        "{:?}",
        out.inventory.errors
    );
    assert_eq!(out.repositories.len(), 106);
    let mut want: Vec<String> = repos.clone();
    want.push("big/tags".into());
    want.sort();
    assert_eq!(out.repositories, want);
    let big: Vec<&Image> = out
        .inventory
        .images
        .iter()
        .filter(|i| i.repository == "big/tags")
        .collect();
    assert_eq!(big.len(), 3);
    let tags: BTreeSet<&String> = big.iter().flat_map(|i| i.tags.iter()).collect();
    assert_eq!(tags.len(), 1050);
    for (k, p) in pushed.iter().enumerate() {
        let rec = big
            .iter()
            .find(|i| i.digest.to_string() == p.digest)
            .unwrap();
        assert_eq!(rec.tags.len(), 350, "variant {k}");
    }

    // prefix filtering: only repositories under the prefix, streamed one by one
    let target = Target::parse(&format!("{}/big", reg.addr)).unwrap();
    let settings = RegistrySettings::for_address(&reg.addr);
    let opts = CrawlOptions::for_settings(&target, &settings);
    let (tx, mut rx) = tokio::sync::mpsc::channel(8);
    tokio::spawn(async move { inventory::run(&target, &settings, &opts, tx).await });
    let mut listed = None;
    let mut finished = false;
    while let Some(ev) = rx.recv().await {
        match ev {
            InventoryEvent::RepositoriesListed { repositories, .. } => listed = Some(repositories),
            InventoryEvent::Finished { fatal, .. } => {
                assert_eq!(fatal, None);
                finished = true;
            }
            _ => {}
        }
    }
    assert!(finished);
    assert_eq!(listed.unwrap(), ["big/tags"]);
}
