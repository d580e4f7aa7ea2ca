//! What a crawl reports, in order, per registry. Consumers must tolerate any interleaving
//! across registries and repositories.

use crate::model::{Image, InventoryIssue};
use crate::registry::TrafficStats;

#[derive(Clone, Debug)]
pub enum InventoryEvent {
    /// The repository list (after prefix filtering) is known.
    RepositoriesListed {
        registry: String,
        repositories: Vec<String>,
    },
    /// Every image of one repository, complete with sizes and unique bytes.
    RepositoryImages {
        registry: String,
        repository: String,
        images: Vec<Image>,
    },
    /// From the store, just after its `RepositoriesListed`: each repository's counts and
    /// bytes as its last crawl recorded them (no dates), so a reopen draws the whole tree
    /// before any image is decoded. Its `RepositoryImages` follow.
    CachedSummaries {
        registry: String,
        summaries: Vec<crate::model::RepositorySummary>,
        /// When the oldest of these repositories was read (the tree's age, shown at once).
        as_of: Option<chrono::DateTime<chrono::Utc>>,
    },
    /// One item failed; the crawl goes on.
    Issue {
        registry: String,
        issue: InventoryIssue,
    },
    /// Counters, sent at most a few times a second.
    Progress {
        registry: String,
        repositories_done: usize,
        repositories_total: usize,
        stats: TrafficStats,
    },
    /// Everything sent since the last `RepositoriesListed` was the last known inventory
    /// from the store, as of `as_of`; a refresh follows (a new listing, each repository's
    /// images again, then `Changes` and `Finished`).
    Cached {
        registry: String,
        as_of: Option<chrono::DateTime<chrono::Utc>>,
    },
    /// What a crawl through the store found changed since the last one (sent just before
    /// a `Finished` without `fatal`).
    Changes {
        registry: String,
        changes: crate::store::Changes,
    },
    /// How the registry grew: its completed crawls, oldest first (only to a front end that
    /// asked for the cached inventory: at once with it, and again once this crawl is
    /// recorded).
    History {
        registry: String,
        history: crate::store::History,
    },
    /// The crawl of this registry ended (`fatal` set when it could not even list repositories).
    Finished {
        registry: String,
        stats: TrafficStats,
        fatal: Option<String>,
    },
}
