//! The TUI's history feed (issue 18): a crawl through the store that asked for the cached
//! inventory sends the registry's history with it (before the refresh) and again once the
//! refresh is recorded, one snapshot per completed crawl, bytes as the crawl found them.

use crate::support::fixtures::{Entry, Layer};
use crate::support::fleet::{base_layer, image};
use crate::support::registry::TestRegistry;
use crate::support::seed::Seeder;
use regscope::config::RegistrySettings;
use regscope::inventory::InventoryEvent;
use regscope::registry::Target;
use regscope::store::{Changes, History, Store, StoreHandle};
use std::sync::Arc;

/// One crawl with the cached inventory asked for: every `History` event, in order,
/// whether a `Cached` marker came before the first of them, and the "since last open"
/// changes it reported, if any.
async fn crawl(addr: &str, store: &StoreHandle) -> (Vec<History>, bool, Option<Changes>) {
    let target = Target::parse(addr).unwrap();
    let settings = RegistrySettings::for_address(addr);
    let session = regscope::session::open(&target, &settings).await;
    let mut opts = session.crawl_options();
    opts.store = Some(store.clone());
    opts.show_cached = true;
    let (tx, mut rx) = tokio::sync::mpsc::channel(64);
    let run = async move { session.crawl(&opts, tx).await };
    let read = async move {
        let (mut out, mut cached, mut changed) = (Vec::new(), false, None);
        while let Some(ev) = rx.recv().await {
            match ev {
                InventoryEvent::Cached { .. } => cached = true,
                InventoryEvent::Changes { changes, .. } => changed = Some(changes),
                InventoryEvent::History { history, .. } => out.push(history),
                InventoryEvent::Finished { fatal, .. } => assert_eq!(fatal, None),
                _ => {}
            }
        }
        (out, cached, changed)
    };
    tokio::join!(run, read).1
}

fn bytes(h: &History) -> Vec<Option<u64>> {
    h.snapshots.iter().map(|s| s.total_bytes()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn history_is_sent_with_the_cached_inventory_and_after_each_recorded_crawl() {
    let Some(reg) = TestRegistry::start() else {
        return;
    };
    let s = Seeder::new(&reg.base_url());
    let small = Layer::gzip(
        crate::support::fixtures::tar(&[Entry::File("app", b"one")]),
        "COPY app /",
    );
    image(
        "amd64",
        None,
        "2026-01-01T00:00:00Z",
        vec![base_layer(), small],
    )
    .push(&s, "app", &["v1"])
    .await;
    let dir = tempfile::tempdir().unwrap();
    let store = StoreHandle(Arc::new(
        Store::open(&dir.path().join("regscope.db")).unwrap(),
    ));

    // First crawl: nothing stored yet, so no history before it; one snapshot after.
    // Nor any "since last open": there was no last open, and every image counted as new
    // would say nothing.
    let (first, cached, changed) = crawl(&reg.addr, &store).await;
    assert!(!cached);
    assert!(
        changed.is_none(),
        "a first look reports no changes: {changed:?}"
    );
    assert_eq!(first.len(), 1, "{first:?}");
    assert_eq!(first[0].snapshots.len(), 1);
    let one = bytes(&first[0])[0].expect("distribution sizes are known");

    // The registry grows by an image with a big layer of its own.
    let big: Vec<u8> = (0..200_000u32).map(|i| (i * 31 % 251) as u8).collect();
    let big = Layer::plain(
        crate::support::fixtures::tar(&[Entry::File("data", &big)]),
        "COPY data /",
    );
    image(
        "amd64",
        None,
        "2026-01-02T00:00:00Z",
        vec![base_layer(), big],
    )
    .push(&s, "app", &["v2"])
    .await;

    // Second crawl: the stored history first (one crawl), then two crawls.
    let (second, cached, changed) = crawl(&reg.addr, &store).await;
    assert!(cached);
    let changed = changed.expect("a second open reports what changed");
    assert_eq!(changed.new_images.len(), 1, "only v2 is new: {changed:?}");
    assert!(changed.deleted_images.is_empty() && changed.moved_tags.is_empty());
    assert_eq!(second.len(), 2, "{second:?}");
    assert_eq!(bytes(&second[0]), vec![Some(one)]);
    let after = bytes(&second[1]);
    assert_eq!(after.len(), 2);
    assert_eq!(after[0], Some(one));
    assert!(after[1].unwrap() > one + 200_000, "{after:?}");
    assert_eq!(second[1].snapshots[1].repositories[0].images, 2);
}

/// A reopen of a big store must not decode faster than its receiver takes: every
/// repository's decoded records waiting in the channel at once would cost more memory than
/// the tables they become. With the receiver away, only a handful of events wait; the
/// whole tree (listing, then every repository's summary) comes first; every repository's
/// images follow once the receiver reads. No registry listens: the refresh fails after.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reopen_decodes_no_further_ahead_than_its_receiver_reads() {
    use regscope::model::{Digest, Image, ImageKind};
    let addr = "127.0.0.1:1";
    let dir = tempfile::tempdir().unwrap();
    let store = StoreHandle(Arc::new(
        Store::open(&dir.path().join("regscope.db")).unwrap(),
    ));
    let crawl_id = store.begin_crawl(addr, None).unwrap();
    let repos: Vec<String> = (0..20).map(|r| format!("team/svc-{r:02}")).collect();
    for (r, repo) in repos.iter().enumerate() {
        let images: Vec<Image> = (0..30)
            .map(|n| {
                let d = Digest::sha256_of(format!("{r}/{n}").as_bytes());
                let mut i = Image::new(
                    repo,
                    d,
                    "application/vnd.oci.image.manifest.v1+json",
                    ImageKind::Image,
                );
                i.tags = vec![format!("v{n}")];
                i.size_bytes = Some(1000 + n);
                i
            })
            .collect();
        store
            .record_repository(crawl_id, addr, repo, &images)
            .unwrap();
    }
    store.finish_crawl(crawl_id, true);

    let target = Target::parse(addr).unwrap();
    let mut settings = RegistrySettings::for_address(addr);
    settings.kind = Some(regscope::session::Kind::Distribution);
    let session = regscope::session::open(&target, &settings).await;
    let mut opts = session.crawl_options();
    opts.store = Some(store.clone());
    opts.show_cached = true;
    let (tx, mut rx) = tokio::sync::mpsc::channel(256);
    let run = tokio::spawn(async move { session.crawl(&opts, tx).await });

    // The receiver is away for a while: the sender stops a few events ahead.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert!(
        rx.len() <= 5,
        "{} events decoded ahead of the receiver",
        rx.len()
    );
    match rx.recv().await.unwrap() {
        InventoryEvent::RepositoriesListed { repositories, .. } => {
            assert_eq!(repositories, repos)
        }
        other => panic!("listing first, got {other:?}"),
    }
    match rx.recv().await.unwrap() {
        InventoryEvent::CachedSummaries { summaries, .. } => {
            let names: Vec<&str> = summaries.iter().map(|s| s.name.as_str()).collect();
            assert_eq!(names, repos);
            assert!(summaries.iter().all(|s| s.images == 30 && s.tags == 30));
        }
        other => panic!("the summaries second, got {other:?}"),
    }
    let (mut loaded, mut cached) = (Vec::new(), false);
    while let Some(ev) = rx.recv().await {
        match ev {
            InventoryEvent::RepositoryImages {
                repository, images, ..
            } if !cached => {
                assert_eq!(images.len(), 30);
                loaded.push(repository);
            }
            InventoryEvent::Cached { .. } => cached = true,
            _ => {}
        }
    }
    assert!(cached);
    assert_eq!(loaded, repos, "every repository, in order");
    run.await.unwrap();
}
