//! Findings of many images at once, off the UI thread: the fleet query's sweep (`:cve`,
//! `:pkg`) and the images pane's visible rows. A few fetches run at a time; results come
//! back in small batches so the reducer stays cheap; a newer sweep of the same kind
//! replaces the older (latest wins), but every answer that did arrive is kept, since
//! findings are cached by digest.

use super::findings::{FindingsReport, FindingsRequest};
use super::sessions::Opener;
use crate::app::msg::Msg;
use crate::model::Digest;
use futures::future::BoxFuture;
use futures::stream::{self, StreamExt};
use std::sync::Arc;
use tokio::sync::mpsc::UnboundedSender;

/// Findings fetched at once by one sweep. Small: a sweep must leave room for the crawl and
/// the detail pane on the same registry connection limit.
pub const SWEEP_IN_FLIGHT: usize = 6;
/// A visible sweep waits this long first, like the detail pane.
const VISIBLE_DEBOUNCE: std::time::Duration = std::time::Duration::from_millis(80);
/// Results handed to the reducer at most this many at a time.
const BATCH: usize = 32;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SweepKind {
    /// The fleet query's sweep over every loaded image.
    Fleet,
    /// The rows the images pane shows (severity columns).
    Visible,
}

#[derive(Debug)]
pub struct SweepRequest {
    pub kind: SweepKind,
    pub ticket: u64,
    pub items: Vec<FindingsRequest>,
}

/// Some of a sweep's answers.
#[derive(Debug)]
pub struct SweepBatch {
    pub kind: SweepKind,
    pub ticket: u64,
    pub results: Vec<(Digest, Result<Arc<FindingsReport>, String>)>,
    /// The last batch of this sweep.
    pub done: bool,
}

type Fetch = BoxFuture<'static, (Digest, Result<Arc<FindingsReport>, String>)>;

/// Runs one sweep to its end. `registries` is the fleet's, by index.
pub async fn run(registries: Vec<Opener>, req: SweepRequest, tx: UnboundedSender<Msg>) {
    let (kind, ticket) = (req.kind, req.ticket);
    if kind == SweepKind::Visible {
        // Scrolling fast replaces this sweep before it fetches anything.
        tokio::time::sleep(VISIBLE_DEBOUNCE).await;
    }
    let fetches: Vec<Fetch> = req
        .items
        .into_iter()
        .map(|item| -> Fetch {
            let digest = item.digest.clone();
            match registries.get(item.registry).cloned() {
                Some(r) => Box::pin(async move {
                    let f = super::findings::fetch(&r.session().await, &item).await;
                    (digest, f.map(Arc::new))
                }),
                None => {
                    Box::pin(
                        async move { (digest, Err(format!("no registry #{}", item.registry))) },
                    )
                }
            }
        })
        .collect();
    let mut results = stream::iter(fetches)
        .buffer_unordered(SWEEP_IN_FLIGHT)
        .ready_chunks(BATCH);
    while let Some(results) = results.next().await {
        let batch = SweepBatch {
            kind,
            ticket,
            results,
            done: false,
        };
        if tx.send(Msg::Swept(batch)).is_err() {
            return;
        }
    }
    let _ = tx.send(Msg::Swept(SweepBatch {
        kind,
        ticket,
        results: Vec::new(),
        done: true,
    }));
}

/// Fetched scan summaries to fold into a table, so sorting by a severity column orders
/// them too (a table never changes; this builds its successor).
#[derive(Debug)]
pub struct MergeRequest {
    pub table: Arc<crate::app::views::images::table::ImageTable>,
    /// Row id and the summary the fetched reports give it.
    pub scans: Vec<(u32, crate::model::ScanSummary)>,
}

/// The table with `scans` folded in (run off the UI thread: it rebuilds every row).
pub fn merge(req: &MergeRequest) -> Arc<crate::app::views::images::table::ImageTable> {
    use crate::app::views::images::records::image_of;
    use crate::app::views::images::table::ImageTable;
    let t = &req.table;
    let extra: std::collections::HashMap<u32, &crate::model::ScanSummary> =
        req.scans.iter().map(|(id, s)| (*id, s)).collect();
    let images: Vec<crate::model::Image> = t
        .rows()
        .map(|r| {
            let mut img = image_of(r);
            if let Some(s) = extra.get(&r.id) {
                img.scan = Some((*s).clone());
            }
            img
        })
        .collect();
    Arc::new(ImageTable::from_images(&t.registry, &t.repository, &images))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::backend::Backend;
    use crate::app::tasks::findings::FindingsRequest;
    use crate::config::RegistrySettings;
    use crate::model::ScanStatus;
    use crate::registry::{RegistryError, Target};
    use crate::scan::ImageFindings;
    use crate::session::{Driver, FindingsQuery, Kind, Session};
    use std::sync::atomic::{AtomicUsize, Ordering};
    use tokio::sync::mpsc;

    /// Answers every image after a pause, counting how many it answers at once.
    #[derive(Default)]
    struct SlowScanner {
        running: AtomicUsize,
        peak: AtomicUsize,
    }

    #[async_trait::async_trait]
    impl Driver for Arc<SlowScanner> {
        async fn findings(
            &self,
            _: &Session,
            q: &FindingsQuery,
        ) -> Result<ImageFindings, RegistryError> {
            let now = self.running.fetch_add(1, Ordering::SeqCst) + 1;
            self.peak.fetch_max(now, Ordering::SeqCst);
            tokio::time::sleep(std::time::Duration::from_millis(15)).await;
            self.running.fetch_sub(1, Ordering::SeqCst);
            if q.repository == "broken" {
                return Err(RegistryError::Other {
                    place: Default::default(),
                    detail: "HTTP 500".into(),
                });
            }
            Ok(ImageFindings {
                reference: q.shown_as.clone(),
                digest: Digest::parse(&q.reference).unwrap(),
                status: ScanStatus::NotScanned,
                scanned_at: None,
                sources: vec![],
                counts: Default::default(),
                fixable: Default::default(),
                findings: vec![],
                platforms: vec![],
                problems: vec![],
            })
        }
    }

    /// Opens every registry as a session whose findings come from the scanner.
    struct Scanning(Arc<SlowScanner>);

    impl Backend for Scanning {
        fn open(&self, t: Target, s: RegistrySettings) -> BoxFuture<'static, Session> {
            let d = Arc::new(self.0.clone());
            Box::pin(async move { Session::with_driver(&t, &s, Kind::Distribution, d) })
        }
        fn doctor(
            &self,
            _: crate::registry::Reference,
            _: crate::doctor::DoctorOptions,
            _: Box<dyn Fn(&crate::doctor::Step) + Send + Sync>,
        ) -> BoxFuture<'static, crate::doctor::Report> {
            unreachable!("no doctor in this test")
        }
    }

    #[tokio::test]
    async fn a_sweep_runs_a_few_at_a_time_and_ends_with_a_done_batch() {
        let scanner = Arc::new(SlowScanner::default());
        let (t, s) = crate::app::tests::target("prod");
        let registries = vec![Opener::new(Arc::new(Scanning(scanner.clone())), t, s)];
        let items: Vec<FindingsRequest> = (0..20u8)
            .map(|n| FindingsRequest {
                ticket: 7,
                registry: 0,
                repository: if n == 3 { "broken" } else { "api" }.into(),
                digest: Digest::sha256_of(&[n]),
                shown_as: format!("api#{n}"),
            })
            .collect();
        let (tx, mut rx) = mpsc::unbounded_channel();
        let req = SweepRequest {
            kind: SweepKind::Fleet,
            ticket: 7,
            items,
        };
        run(registries, req, tx).await;
        let mut answers = 0;
        let mut failed = 0;
        let mut last_done = false;
        while let Ok(Msg::Swept(b)) = rx.try_recv() {
            assert_eq!((b.kind, b.ticket), (SweepKind::Fleet, 7));
            answers += b.results.len();
            failed += b.results.iter().filter(|(_, r)| r.is_err()).count();
            last_done = b.done;
        }
        assert_eq!((answers, failed), (20, 1));
        assert!(last_done, "the last batch says the sweep is done");
        assert_eq!(scanner.peak.load(Ordering::SeqCst), SWEEP_IN_FLIGHT);
    }
}
