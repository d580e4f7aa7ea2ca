//! Findings of many images at once, off the UI thread: the fleet query's sweep (`:cve`,
//! `:pkg`) and the images pane's visible rows. A few fetches run at a time; results come
//! back in small batches so the reducer stays cheap; a newer sweep of the same kind
//! replaces the older (latest wins), but every answer that did arrive is kept, since
//! findings are cached by digest.

use super::findings::{FindingsReport, FindingsRequest};
use crate::app::backend::Backend;
use crate::app::msg::Msg;
use crate::config::RegistrySettings;
use crate::model::Digest;
use crate::registry::{ManifestSource, Target};
use futures::future::BoxFuture;
use futures::stream::{self, StreamExt};
use std::sync::Arc;
use tokio::sync::mpsc::UnboundedSender;

/// Findings fetched at once by one sweep. Small: a sweep must leave room for the crawl and
/// the detail pane on the same registry connection limit.
pub const SWEEP_IN_FLIGHT: usize = 6;
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

/// Runs one sweep to its end. `targets` and `sources` are indexed by registry.
pub async fn run(
    backend: Arc<dyn Backend>,
    targets: Vec<(Target, RegistrySettings)>,
    sources: Vec<Result<Arc<dyn ManifestSource>, String>>,
    req: SweepRequest,
    tx: UnboundedSender<Msg>,
) {
    let (kind, ticket) = (req.kind, req.ticket);
    let fetches: Vec<Fetch> = req
        .items
        .into_iter()
        .map(|item| -> Fetch {
            let digest = item.digest.clone();
            match (targets.get(item.registry), sources.get(item.registry)) {
                (Some((t, s)), Some(src)) => {
                    let f = backend.findings(t, s, src.clone(), &item);
                    Box::pin(async move { (digest, f.await.map(Arc::new)) })
                }
                _ => Box::pin(
                    async move { (digest, Err(format!("no registry #{}", item.registry))) },
                ),
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
