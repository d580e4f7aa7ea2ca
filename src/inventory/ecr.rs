//! The inventory of an ECR registry as the same [`InventoryEvent`] stream every backend
//! produces, from `DescribeRepositories` and `DescribeImages` alone: repositories in
//! parallel up to the registry's concurrency, one `DescribeImages` page per 1,000 images,
//! no manifest fetched. A repository that fails (access denied, deleted meanwhile) is an
//! `Issue`; the others go on.

use super::InventoryEvent;
use crate::model::InventoryIssue;
use crate::registry::ecr::EcrClient;
use futures::stream::{self, StreamExt};
use std::time::{Duration, Instant};
use tokio::sync::mpsc::Sender;

/// Progress is reported at most this often.
const PROGRESS_EVERY: Duration = Duration::from_millis(250);

/// Crawls `client`'s registry into `tx`. Returns when the crawl is done or the receiver
/// went away (the user moved on).
pub async fn crawl(client: &EcrClient, tx: &Sender<InventoryEvent>) {
    let registry = client.registry_name().to_string();
    let repos = match client.repositories().await {
        Ok(r) => r,
        Err(e) => {
            // The structured issue first (status, code, next step), then the end.
            let issue = super::issue_at(None, None, &e);
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
                    stats: client.stats(),
                    fatal: Some(fatal),
                })
                .await;
            return;
        }
    };
    let names: Vec<String> = repos.into_iter().map(|r| r.name).collect();
    let total = names.len();
    if tx
        .send(InventoryEvent::RepositoriesListed {
            registry: registry.clone(),
            repositories: names.clone(),
        })
        .await
        .is_err()
    {
        return;
    }
    let mut results = stream::iter(names)
        .map(|name| async move {
            let r = client.describe_images(&name).await;
            (name, r)
        })
        .buffer_unordered(client.concurrency());
    let mut done = 0usize;
    let mut last_progress = Instant::now();
    while let Some((name, result)) = results.next().await {
        done += 1;
        let mut events = Vec::new();
        match result {
            Ok(described) => {
                for why in described.rejected {
                    events.push(InventoryEvent::Issue {
                        registry: registry.clone(),
                        issue: InventoryIssue::new(Some(&name), None, why).with_next_step(
                            "ECR described an image regscope cannot read; the other images are listed",
                        ),
                    });
                }
                events.push(InventoryEvent::RepositoryImages {
                    registry: registry.clone(),
                    repository: name,
                    images: described.images,
                });
            }
            Err(e) => events.push(InventoryEvent::Issue {
                registry: registry.clone(),
                issue: super::issue_at(Some(&name), None, &e),
            }),
        }
        if done == total || last_progress.elapsed() >= PROGRESS_EVERY {
            last_progress = Instant::now();
            events.push(InventoryEvent::Progress {
                registry: registry.clone(),
                repositories_done: done,
                repositories_total: total,
                stats: client.stats(),
            });
        }
        for ev in events {
            if tx.send(ev).await.is_err() {
                return;
            }
        }
    }
    let _ = tx
        .send(InventoryEvent::Finished {
            registry,
            stats: client.stats(),
            fatal: None,
        })
        .await;
}
