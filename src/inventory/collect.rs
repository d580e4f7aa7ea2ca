//! Gathers an inventory event stream into one `regscope.inventory/v1` document, for the
//! CLI and anything else that wants the whole answer rather than the stream.

use super::InventoryEvent;
use crate::model::{Inventory, InventoryIssue, INVENTORY_SCHEMA};
use crate::registry::TrafficStats;
use tokio::sync::mpsc::Receiver;

#[derive(Debug)]
pub struct CrawlOutcome {
    pub inventory: Inventory,
    /// Every repository listed, including those whose crawl failed.
    pub repositories: Vec<String>,
    pub stats: TrafficStats,
    /// Why the crawl could not even start (open or list), if it could not.
    pub fatal: Option<String>,
}

/// Reads events until `Finished` (or the sender goes away) and assembles the document.
/// Images are ordered by repository, then as each repository listed them.
pub async fn collect(registry: &str, rx: Receiver<InventoryEvent>) -> CrawlOutcome {
    collect_with(registry, rx, |_| {}).await
}

/// Like [`collect`], showing each event to `watch` first (progress displays).
pub async fn collect_with(
    registry: &str,
    mut rx: Receiver<InventoryEvent>,
    mut watch: impl FnMut(&InventoryEvent),
) -> CrawlOutcome {
    let mut out = CrawlOutcome {
        inventory: Inventory {
            schema: INVENTORY_SCHEMA.to_string(),
            registry: registry.to_string(),
            generated_at: chrono::Utc::now(),
            images: Vec::new(),
            errors: Vec::new(),
        },
        repositories: Vec::new(),
        stats: TrafficStats::default(),
        fatal: None,
    };
    let mut finished = false;
    while let Some(ev) = rx.recv().await {
        watch(&ev);
        match ev {
            InventoryEvent::RepositoriesListed {
                registry,
                repositories,
            } => {
                out.inventory.registry = registry;
                out.repositories = repositories;
            }
            InventoryEvent::RepositoryImages { images, .. } => out.inventory.images.extend(images),
            InventoryEvent::Issue { issue, .. } => out.inventory.errors.push(issue),
            InventoryEvent::Progress { stats, .. } => out.stats = stats,
            InventoryEvent::Cached { .. }
            | InventoryEvent::CachedSummaries { .. }
            | InventoryEvent::Changes { .. }
            | InventoryEvent::History { .. } => {}
            InventoryEvent::Finished { stats, fatal, .. } => {
                out.stats = stats;
                out.fatal = fatal;
                finished = true;
                break;
            }
        }
    }
    if !finished && out.fatal.is_none() {
        out.inventory.errors.push(
            InventoryIssue::new(None, None, "the crawl stopped before it finished")
                .with_next_step("run the command again; the log says why it stopped"),
        );
    }
    out.inventory.images.sort_by(|a, b| {
        a.repository
            .cmp(&b.repository)
            .then_with(|| a.digest.cmp(&b.digest))
    });
    out
}
