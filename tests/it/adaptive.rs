//! Adaptive in-flight limit (issue 18) against a real registry behind a proxy that shapes
//! its answers: flat added latency lets the limit grow, a burst of 429s halves it, and
//! latency that grows with the number of requests in flight (a registry that queues) makes
//! it back off with no 429 at all. The figures asserted are the limiter's decisions, read
//! from the crawl's traffic counters, never times.

use crate::inventory::crawl;
use crate::support::faults::{Fault, FaultProxy};
use crate::support::fleet::{base_layer, image};
use crate::support::registry::TestRegistry;
use crate::support::seed::Seeder;
use crate::support::stub::StubRequest;
use regscope::registry::adaptive::{Concurrency, START};
use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const TAGS: usize = 240;

/// A registry with one image under `TAGS` tags: the crawl GETs one manifest per tag.
async fn registry_with_many_tags() -> Option<TestRegistry> {
    let reg = TestRegistry::start()?;
    let s = Seeder::new(&reg.base_url());
    let tags: Vec<String> = (0..TAGS).map(|i| format!("t{i:03}")).collect();
    let tags: Vec<&str> = tags.iter().map(String::as_str).collect();
    image("amd64", None, "2026-01-01T00:00:00Z", vec![base_layer()])
        .push(&s, "app", &tags)
        .await;
    Some(reg)
}

fn is_manifest(r: &StubRequest) -> bool {
    r.path().contains("/manifests/")
}

/// Crawls through the proxy and returns the limiter's figures, checking every tag arrived.
async fn crawl_through(proxy: &FaultProxy) -> Concurrency {
    let out = crawl(&proxy.addr).await;
    assert!(
        out.inventory.errors.is_empty(),
        "{:?}",
        out.inventory.errors
    );
    assert_eq!(out.inventory.images.len(), 1);
    assert_eq!(out.inventory.images[0].tags.len(), TAGS);
    let c = out
        .stats
        .concurrency
        .expect("the transport reports its limit");
    eprintln!("in flight: {c:?}, {} requests", out.stats.requests);
    c
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flat_added_latency_lets_the_limit_grow() {
    let Some(reg) = registry_with_many_tags().await else {
        return;
    };
    let proxy = FaultProxy::start(&reg.base_url(), |_| async {
        tokio::time::sleep(Duration::from_millis(40)).await;
        Fault::Forward
    })
    .await;
    let c = crawl_through(&proxy).await;
    assert_eq!(c.ceiling, 64);
    assert!(c.increases >= 2, "{c:?}");
    assert!(c.peak >= START + 8, "{c:?}");
    assert_eq!(c.decreases_throttled, 0, "{c:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_429s_halves_the_limit_and_it_grows_back() {
    let Some(reg) = registry_with_many_tags().await else {
        return;
    };
    let seen = Arc::new(AtomicUsize::new(0));
    let refused: Arc<Mutex<HashSet<String>>> = Arc::default();
    let (seen2, refused2) = (seen.clone(), refused.clone());
    let proxy = FaultProxy::start(&reg.base_url(), move |r| {
        let (seen, refused) = (seen2.clone(), refused2.clone());
        async move {
            tokio::time::sleep(Duration::from_millis(10)).await;
            if !is_manifest(&r) {
                return Fault::Forward;
            }
            // Manifest requests 40..80 are refused once each, with Retry-After: 0 so the
            // retry is immediate; everything else (and every retry) goes through.
            let n = seen.fetch_add(1, Ordering::SeqCst);
            if (40..80).contains(&n) && refused.lock().unwrap().insert(r.target.clone()) {
                return Fault::Replace {
                    status: 429,
                    headers: vec![("Retry-After".into(), "0".into())],
                    body: br#"{"errors":[{"code":"TOOMANYREQUESTS","message":"slow down"}]}"#
                        .to_vec(),
                };
            }
            Fault::Forward
        }
    })
    .await;
    let c = crawl_through(&proxy).await;
    assert!(!refused.lock().unwrap().is_empty());
    assert!(c.decreases_throttled >= 1, "{c:?}");
    assert!(c.lowest <= START / 2, "halved at least once: {c:?}");
    assert!(c.limit > c.lowest, "grew again after the burst: {c:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn latency_rising_with_requests_in_flight_backs_the_limit_off() {
    let Some(reg) = registry_with_many_tags().await else {
        return;
    };
    // A registry that queues: each answer takes 4 ms per request in flight at the proxy,
    // so more in flight buys no throughput, only waiting.
    let in_flight = Arc::new(AtomicUsize::new(0));
    let proxy = FaultProxy::start(&reg.base_url(), move |_| {
        let in_flight = in_flight.clone();
        async move {
            let n = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
            tokio::time::sleep(Duration::from_millis(4 * n as u64)).await;
            in_flight.fetch_sub(1, Ordering::SeqCst);
            Fault::Forward
        }
    })
    .await;
    let c = crawl_through(&proxy).await;
    assert!(c.decreases_latency >= 1, "{c:?}");
    assert!(c.peak < c.ceiling, "never reached the ceiling: {c:?}");
    assert_eq!(c.decreases_throttled, 0, "{c:?}");
}
