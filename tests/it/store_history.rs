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
use regscope::store::{History, Store, StoreHandle};
use std::sync::Arc;

/// One crawl with the cached inventory asked for: every `History` event, in order, and
/// whether a `Cached` marker came before the first of them.
async fn crawl(addr: &str, store: &StoreHandle) -> (Vec<History>, bool) {
    let target = Target::parse(addr).unwrap();
    let settings = RegistrySettings::for_address(addr);
    let session = regscope::session::open(&target, &settings).await;
    let mut opts = session.crawl_options();
    opts.store = Some(store.clone());
    opts.show_cached = true;
    let (tx, mut rx) = tokio::sync::mpsc::channel(64);
    let run = async move { session.crawl(&opts, tx).await };
    let read = async move {
        let (mut out, mut cached) = (Vec::new(), false);
        while let Some(ev) = rx.recv().await {
            match ev {
                InventoryEvent::Cached { .. } => cached = true,
                InventoryEvent::History { history, .. } => out.push(history),
                InventoryEvent::Finished { fatal, .. } => assert_eq!(fatal, None),
                _ => {}
            }
        }
        (out, cached)
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
    let (first, cached) = crawl(&reg.addr, &store).await;
    assert!(!cached);
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
    let (second, cached) = crawl(&reg.addr, &store).await;
    assert!(cached);
    assert_eq!(second.len(), 2, "{second:?}");
    assert_eq!(bytes(&second[0]), vec![Some(one)]);
    let after = bytes(&second[1]);
    assert_eq!(after.len(), 2);
    assert_eq!(after[0], Some(one));
    assert!(after[1].unwrap() > one + 200_000, "{after:?}");
    assert_eq!(second[1].snapshots[1].repositories[0].images, 2);
}
