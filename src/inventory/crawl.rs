//! The crawl over any [`ManifestSource`]: list repositories, then crawl several at once and
//! emit each repository's images as soon as that repository is complete. A closed event
//! channel stops the crawl (the consumer went away).

use super::repository::{crawl_repository, ReferrersSupport, RepoContext};
use super::{CrawlOptions, InventoryEvent};
use crate::registry::ManifestSource;
use futures::stream::{self, StreamExt};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc::Sender;

/// Progress events are rate-limited to this interval.
const PROGRESS_EVERY: Duration = Duration::from_millis(250);

pub async fn crawl(
    source: Arc<dyn ManifestSource>,
    prefix: Option<&str>,
    opts: &CrawlOptions,
    tx: Sender<InventoryEvent>,
) {
    let registry = source.registry_name();
    let repositories = match list_repositories(source.as_ref(), prefix).await {
        Ok(r) => r,
        Err(issue) => {
            // The structured issue first (status, code, next step), then the end.
            let fatal = issue.message.clone();
            let _ = tx
                .send(InventoryEvent::Issue {
                    registry: registry.clone(),
                    issue,
                })
                .await;
            let _ = tx
                .send(InventoryEvent::Finished {
                    registry,
                    stats: source.stats(),
                    fatal: Some(fatal),
                })
                .await;
            return;
        }
    };
    let total = repositories.len();
    if tx
        .send(InventoryEvent::RepositoriesListed {
            registry: registry.clone(),
            repositories: repositories.clone(),
        })
        .await
        .is_err()
    {
        return;
    }
    let referrers = ReferrersSupport::default();
    let mut done = 0usize;
    let mut last_progress = Instant::now();
    let (source_ref, referrers_ref) = (source.as_ref(), &referrers);
    let mut results = stream::iter(repositories)
        .map(|repo: String| async move {
            let ctx = RepoContext {
                source: source_ref,
                repo: &repo,
                opts,
                referrers: referrers_ref,
            };
            let result = crawl_repository(&ctx).await;
            (repo, result)
        })
        .buffer_unordered(opts.repositories_in_flight.max(1));
    while let Some((repo, result)) = results.next().await {
        done += 1;
        for i in result.issues {
            let ev = InventoryEvent::Issue {
                registry: registry.clone(),
                issue: i,
            };
            if tx.send(ev).await.is_err() {
                return;
            }
        }
        if !result.failed {
            let ev = InventoryEvent::RepositoryImages {
                registry: registry.clone(),
                repository: repo,
                images: result.images,
            };
            if tx.send(ev).await.is_err() {
                return;
            }
        }
        if last_progress.elapsed() >= PROGRESS_EVERY || done == total {
            last_progress = Instant::now();
            let ev = InventoryEvent::Progress {
                registry: registry.clone(),
                repositories_done: done,
                repositories_total: total,
                stats: source.stats(),
            };
            if tx.send(ev).await.is_err() {
                return;
            }
        }
    }
    drop(results);
    let _ = tx
        .send(InventoryEvent::Finished {
            registry,
            stats: source.stats(),
            fatal: None,
        })
        .await;
}

/// The repositories to crawl. Registries without a catalog (Docker Hub, many clouds)
/// still work when the prefix names one repository: its tag list proves it exists.
pub(crate) async fn list_repositories(
    source: &dyn ManifestSource,
    prefix: Option<&str>,
) -> Result<Vec<String>, crate::model::InventoryIssue> {
    match source.repositories(prefix).await {
        Ok(r) => Ok(r),
        Err(e) => {
            if let Some(p) = prefix {
                if source.tags(p).await.is_ok() {
                    tracing::info!("catalog unavailable ({e}); crawling {p} as one repository");
                    return Ok(vec![p.to_string()]);
                }
            }
            Err(super::repository::issue_at(None, None, &e))
        }
    }
}
