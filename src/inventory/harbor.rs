//! The inventory of a Harbor, from its API alone (`/api/v2.0`): projects, then each
//! repository's artifacts, several repositories at once. No manifest is read through
//! `/v2` — Harbor counts a manifest GET as a pull and moves `pull_time`, which
//! pull-based retention rules use. Accessories (signatures, SBOMs) are read by digest from
//! the API, since listings leave them out.

use super::harbor_records::{image_from_accessory, image_from_artifact};
use super::InventoryEvent;
use crate::model::{Image, InventoryIssue};
use crate::registry::harbor::{Accessory, Artifact, HarborClient};
use crate::registry::RegistryError;
use futures::stream::{self, StreamExt};
use std::collections::HashSet;
use std::time::{Duration, Instant};
use tokio::sync::mpsc::Sender;

const PROGRESS_EVERY: Duration = Duration::from_millis(250);
/// Accessories of accessories (a signed SBOM) are followed this deep.
const ACCESSORY_DEPTH: usize = 4;

/// The repositories under `prefix` (`PROJECT[/PATH]`), or of every visible project.
pub async fn repositories(
    client: &HarborClient,
    prefix: Option<&str>,
) -> Result<Vec<String>, RegistryError> {
    let prefix = prefix
        .map(|p| p.trim_matches('/'))
        .filter(|p| !p.is_empty());
    let projects: Vec<String> = match prefix {
        Some(p) => vec![p.split('/').next().unwrap_or(p).to_string()],
        None => client
            .projects()
            .await?
            .into_iter()
            .map(|p| p.name)
            .collect(),
    };
    let mut out = Vec::new();
    for project in projects {
        for r in client.repositories(&project).await? {
            let under = match prefix {
                None => true,
                Some(p) => r.name == p || r.name.starts_with(&format!("{p}/")) || !p.contains('/'),
            };
            if under {
                out.push(r.name);
            }
        }
    }
    Ok(out)
}

/// Every record of one repository: its artifacts (index children included) and their
/// accessories, read by digest a level at a time, several at once. Issues are artifacts
/// Harbor described in a way regscope cannot use.
pub async fn repository_images(
    client: &HarborClient,
    repository: &str,
) -> Result<(Vec<Image>, Vec<InventoryIssue>), RegistryError> {
    let artifacts = client.artifacts(repository).await?;
    let mut images = Vec::with_capacity(artifacts.len());
    let mut issues = Vec::new();
    let mut seen: HashSet<String> = artifacts.iter().map(|a| a.digest.clone()).collect();
    let mut frontier: Vec<Accessory> = Vec::new();
    let follow = |a: &Artifact, seen: &mut HashSet<String>, frontier: &mut Vec<Accessory>| {
        for acc in a.accessories.iter().flatten() {
            if seen.insert(acc.digest.clone()) {
                frontier.push(acc.clone());
            }
        }
    };
    for a in &artifacts {
        follow(a, &mut seen, &mut frontier);
        match image_from_artifact(repository, a) {
            Ok(img) => images.push(img),
            Err(why) => issues.push(InventoryIssue::new(Some(repository), Some(&a.digest), why)),
        }
    }
    for _ in 0..ACCESSORY_DEPTH {
        if frontier.is_empty() {
            break;
        }
        let fetched: Vec<(Accessory, Result<Option<Artifact>, RegistryError>)> =
            stream::iter(std::mem::take(&mut frontier))
                .map(|acc| async move {
                    let r = client.artifact(repository, &acc.digest).await;
                    (acc, r)
                })
                .buffer_unordered(client.concurrency().clamp(1, 16))
                .collect()
                .await;
        for (acc, art) in fetched {
            match art? {
                Some(art) => {
                    // Its own accessories (a signed SBOM) are followed on the next level.
                    follow(&art, &mut seen, &mut frontier);
                    match image_from_accessory(repository, &acc, &art) {
                        Ok(img) => images.push(img),
                        Err(why) => issues.push(InventoryIssue::new(
                            Some(repository),
                            Some(&acc.digest),
                            why,
                        )),
                    }
                }
                None => issues.push(InventoryIssue::new(
                    Some(repository),
                    Some(&acc.digest),
                    "Harbor lists this accessory but cannot find its artifact",
                )),
            }
        }
    }
    images.sort_by(|x, y| x.digest.cmp(&y.digest));
    Ok((images, issues))
}

/// Crawls `client`'s Harbor into `tx`. Returns when done or when the receiver went away.
pub async fn crawl(client: &HarborClient, prefix: Option<&str>, tx: &Sender<InventoryEvent>) {
    let registry = client.host().to_string();
    let repos = match repositories(client, prefix).await {
        Ok(r) => r,
        Err(e) => {
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
    let total = repos.len();
    if tx
        .send(InventoryEvent::RepositoriesListed {
            registry: registry.clone(),
            repositories: repos.clone(),
        })
        .await
        .is_err()
    {
        return;
    }
    let mut results = stream::iter(repos)
        .map(|name| async move {
            let r = repository_images(client, &name).await;
            (name, r)
        })
        .buffer_unordered(client.concurrency().clamp(1, 8));
    let (mut done, mut last_progress) = (0usize, Instant::now());
    while let Some((name, result)) = results.next().await {
        done += 1;
        let mut events = Vec::new();
        match result {
            Ok((images, issues)) => {
                events.extend(issues.into_iter().map(|issue| InventoryEvent::Issue {
                    registry: registry.clone(),
                    issue,
                }));
                events.push(InventoryEvent::RepositoryImages {
                    registry: registry.clone(),
                    repository: name,
                    images,
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
