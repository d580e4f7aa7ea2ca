//! The inventory crawl against real servers: a registry seeded with the fleet fixture
//! (kinds, tags, platforms, children, subjects, referrers and sizes, checked against
//! values computed from the pushed bytes and cross-checked with skopeo), catalog and tag
//! paging, bad input, an OCI layout tree, and the command line.

mod bad_input;
pub mod cli;
mod layout;
mod one;
mod paging;
mod registry;
mod repos_quick;

use crate::support::fixtures::Pushed;
use crate::support::fleet::distinct_bytes;
use regscope::config::RegistrySettings;
use regscope::inventory::{self, CrawlOptions, CrawlOutcome};
use regscope::model::{Image, ImageKind};
use regscope::registry::Target;
use std::collections::BTreeMap;

pub async fn crawl(addr: &str) -> CrawlOutcome {
    crawl_with(addr, |_| {}).await
}

/// A crawl with the default options for `addr`, adjusted by `tweak`.
pub async fn crawl_with(addr: &str, tweak: impl FnOnce(&mut CrawlOptions)) -> CrawlOutcome {
    let target = Target::parse(addr).unwrap();
    let settings = RegistrySettings::for_address(addr);
    let mut opts = CrawlOptions::for_settings(&target, &settings);
    tweak(&mut opts);
    let (tx, rx) = tokio::sync::mpsc::channel(64);
    let h = tokio::spawn(async move { inventory::run(&target, &settings, &opts, tx).await });
    let out = inventory::collect(addr, rx).await;
    h.await.unwrap();
    assert_eq!(out.fatal, None, "crawl of {addr} failed");
    out
}

pub fn by_digest<'a>(images: &'a [Image], repo: &str) -> BTreeMap<String, &'a Image> {
    images
        .iter()
        .filter(|i| i.repository == repo)
        .map(|i| (i.digest.to_string(), i))
        .collect()
}

pub fn blob_set(p: &Pushed) -> Vec<(String, u64)> {
    let mut v = p.blobs.clone();
    v.sort();
    v.dedup();
    v
}

pub fn check_image(img: &Image, p: &Pushed, kind: ImageKind) {
    assert_eq!(img.kind, kind, "{}", img.digest);
    assert_eq!(img.media_type, p.media_type);
    assert_eq!(img.manifest_size, Some(p.manifest.len() as u64));
    let mut blobs: Vec<(String, u64)> = img
        .blobs
        .as_ref()
        .unwrap()
        .iter()
        .map(|b| (b.digest.to_string(), b.size))
        .collect();
    blobs.sort();
    assert_eq!(blobs, blob_set(p), "blobs of {}", img.digest);
    assert_eq!(img.size_bytes, Some(distinct_bytes(&[p])));
}
