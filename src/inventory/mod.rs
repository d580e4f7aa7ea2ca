//! Crawls a registry into inventory records, streaming: repositories, then each
//! repository's images once all of its manifests are known (unique bytes need the whole
//! repository). The TUI and the CLI consume the same [`InventoryEvent`] stream.
//!
//! [`run`] is the one entry point; [`collect`] gathers the stream into an [`Inventory`]
//! document for the CLI.

pub mod acr;
pub mod blobgraph;
pub(crate) mod cached;
mod collect;
pub mod config;
mod crawl;
pub mod dockerhub;
pub mod ecr;
mod event;
pub mod gar;
pub mod ghcr;
pub mod harbor;
pub(crate) mod harbor_records;
pub mod listed;
pub mod listing;
mod records;
mod repository;
mod source;
pub mod tags;

pub use cached::StoreSource;
pub use collect::{collect, collect_with, CrawlOutcome};
pub use event::InventoryEvent;
pub use repository::issue_at;
pub use source::open_source;

use crate::config::RegistrySettings;
use crate::registry::Target;
use tokio::sync::mpsc::Sender;

/// How a crawl behaves. `CrawlOptions::for_settings` gives the defaults for a registry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CrawlOptions {
    /// Requests this crawl keeps in flight per repository (the transport still applies the
    /// registry's own limit).
    pub concurrency: usize,
    /// Repositories crawled at once.
    pub repositories_in_flight: usize,
    /// Resolve tags with HEAD and GET each distinct digest once, for registries that
    /// meter manifest GETs (Docker Hub). Otherwise one GET per tag.
    pub head_first: bool,
    /// Ask the referrers API (once per crawl it learns whether the registry has it).
    pub referrers: bool,
    /// Read through (and record into) the store: manifests and configs by digest, tags
    /// of known repositories by HEAD. `None` crawls everything from the registry.
    pub store: Option<crate::store::StoreHandle>,
    /// With a store: send the last known inventory first (`InventoryEvent::Cached`), for
    /// a front end that draws at once and refreshes in place.
    pub show_cached: bool,
}

impl CrawlOptions {
    pub fn for_settings(target: &Target, settings: &RegistrySettings) -> Self {
        let metered = matches!(target, Target::Distribution { host, .. }
            if matches!(host.as_str(), "docker.io" | "index.docker.io" | "registry-1.docker.io"));
        // Each repository may queue up to the transport's ceiling; the transport's adaptive
        // limit decides how many of those are in flight.
        CrawlOptions {
            concurrency: settings.concurrency_ceiling(),
            repositories_in_flight: settings.concurrency().clamp(1, 8),
            head_first: metered,
            referrers: true,
            store: None,
            show_cached: false,
        }
    }
}

/// Crawls `target`, sending events to `tx` until it ends with `InventoryEvent::Finished`.
/// Never panics on bad input: a repository or manifest that fails becomes an
/// `InventoryEvent::Issue`; only a registry that cannot be opened or listed ends the crawl
/// early, with `fatal` set. The registry's kind is detected as `session::open` does, and
/// the crawl is that kind's (`session::Session::crawl`).
pub async fn run(
    target: &Target,
    settings: &RegistrySettings,
    opts: &CrawlOptions,
    tx: Sender<InventoryEvent>,
) {
    let session = crate::session::open(target, settings).await;
    session.crawl(opts, tx).await
}

/// Ends a crawl that could not start: `Finished` with `fatal` naming why.
pub async fn finish_fatal(
    registry: &str,
    e: &crate::registry::RegistryError,
    tx: Sender<InventoryEvent>,
) {
    let _ = tx
        .send(InventoryEvent::Finished {
            registry: registry.to_string(),
            stats: Default::default(),
            fatal: Some(format!("{e} ({})", e.next_step())),
        })
        .await;
}

/// Crawls an already opened source (tests, and callers that keep the source for later).
pub async fn run_source(
    source: std::sync::Arc<dyn crate::registry::ManifestSource>,
    prefix: Option<&str>,
    opts: &CrawlOptions,
    tx: Sender<InventoryEvent>,
) {
    crawl::crawl(source, prefix, opts, tx).await
}
