//! The inventory of a Docker Hub namespace from the Hub API alone: no manifest GET, since
//! each counts against the pull rate limit. A repository's tags give the digest each names,
//! its platforms (`images[]`, with their own digests, sizes and times), the compressed
//! size, and when the tag was last pushed and last pulled (`null`: never). One HEAD of a
//! manifest (which the Hub does not count) reads the remaining pull allowance from
//! `ratelimit-remaining`; the crawl's stats carry it to the front ends.

use super::InventoryEvent;
use crate::model::{Digest, Image, InventoryIssue, Platform, TagDetail};
use crate::registry::dockerhub::{HubClient, HubImage, HubTag};
use crate::registry::{media, ManifestSource, TrafficStats};
use chrono::{DateTime, Utc};
use futures::stream::{self, StreamExt};
use std::collections::BTreeMap;
use tokio::sync::mpsc::Sender;

/// RFC 3339 as the Hub writes it (`2026-01-02T03:04:05.123456Z`); `null` is `None`.
pub fn hub_time(s: Option<&str>) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s?)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

fn latest(times: impl IntoIterator<Item = Option<DateTime<Utc>>>) -> Option<DateTime<Utc>> {
    times.into_iter().flatten().max()
}

fn is_platform(i: &HubImage) -> bool {
    // Attestation manifests of an index appear as `unknown/unknown`.
    matches!((i.os.as_deref(), i.architecture.as_deref()), (Some(os), Some(a))
        if !os.is_empty() && !a.is_empty() && os != "unknown" && a != "unknown")
}

/// The records of one repository: one per digest the tags name. Tags the Hub lists
/// without a digest are issues (nothing safe can be said about them).
pub fn repository_records(repository: &str, tags: &[HubTag]) -> (Vec<Image>, Vec<InventoryIssue>) {
    let mut issues = Vec::new();
    let mut by_digest: BTreeMap<Digest, Vec<&HubTag>> = BTreeMap::new();
    for t in tags {
        match t.digest.as_deref().map(Digest::parse) {
            Some(Ok(d)) => by_digest.entry(d).or_default().push(t),
            _ => issues.push(InventoryIssue::new(
                Some(repository),
                Some(&t.name),
                format!(
                    "the Docker Hub lists tag {} without a usable digest ({:?}); it is left out",
                    t.name, t.digest
                ),
            )),
        }
    }
    let images = by_digest
        .into_iter()
        .map(|(digest, tags)| record(repository, digest, &tags))
        .collect();
    (images, issues)
}

fn record(repository: &str, digest: Digest, tags: &[&HubTag]) -> Image {
    let first = tags[0];
    let platforms: Vec<&HubImage> = first.images.iter().collect();
    let child_digests: Vec<Digest> = platforms
        .iter()
        .filter_map(|i| i.digest.as_deref().and_then(|d| Digest::parse(d).ok()))
        .filter(|d| *d != digest)
        .collect();
    let media_type = first.media_type.clone().unwrap_or_default();
    let is_index =
        media::is_index(&media_type) || (media_type.is_empty() && !child_digests.is_empty());
    let mut names: Vec<String> = tags.iter().map(|t| t.name.clone()).collect();
    names.sort();
    names.dedup();
    let (kind, artifact_type) =
        crate::registry::ecr::classify_media_types(&media_type, None, &names);
    let mut img = Image::new(repository, digest, &media_type, kind);
    img.artifact_type = artifact_type;
    img.tags = names;
    img.platforms = platforms
        .iter()
        .filter(|i| is_platform(i))
        .map(|i| {
            Platform::new(
                i.os.as_deref().unwrap_or_default(),
                i.architecture.as_deref().unwrap_or_default(),
                i.variant.as_deref().filter(|v| !v.is_empty()),
            )
        })
        .collect();
    img.platforms.sort();
    img.platforms.dedup();
    if is_index {
        let mut children = child_digests;
        children.sort();
        children.dedup();
        img.children = children;
        // The children's compressed sizes, each once; `full_size` of an index is the
        // Hub's own figure for one of them, not the whole.
        let mut seen = std::collections::BTreeSet::new();
        let sizes: Option<u64> = platforms
            .iter()
            .filter(|i| seen.insert(i.digest.clone()))
            .map(|i| i.size)
            .sum();
        img.size_bytes = sizes.or(first.full_size);
    } else {
        img.size_bytes = first
            .full_size
            .or_else(|| platforms.first().and_then(|i| i.size));
    }
    // The last time any of its tags was pushed: the younger reading, so age is never overstated.
    img.pushed_at = latest(tags.iter().map(|t| hub_time(t.tag_last_pushed.as_deref())))
        .or_else(|| latest(platforms.iter().map(|i| hub_time(i.last_pushed.as_deref()))));
    img.last_pulled_at = latest(
        tags.iter()
            .map(|t| hub_time(t.tag_last_pulled.as_deref()))
            .chain(platforms.iter().map(|i| hub_time(i.last_pulled.as_deref()))),
    );
    let mut details: Vec<TagDetail> = tags
        .iter()
        .map(|t| TagDetail {
            name: t.name.clone(),
            pushed_at: hub_time(t.tag_last_pushed.as_deref()),
            pulled_at: hub_time(t.tag_last_pulled.as_deref()),
            last_update: hub_time(t.last_updated.as_deref()),
            ..TagDetail::default()
        })
        .collect();
    details.sort_by(|a, b| a.name.cmp(&b.name));
    details.dedup_by(|a, b| a.name == b.name);
    img.tag_details = Some(details);
    img
}

/// The API's requests and the OCI client's, with the rate limit of the OCI side only (the
/// API's own `X-RateLimit-*` are per-minute API calls, not pulls).
fn stats(client: &HubClient) -> TrafficStats {
    let mut s = client.oci.stats();
    let api = client.api.stats();
    s.requests += api.requests;
    s.bytes += api.bytes;
    s.retries += api.retries;
    s.errors += api.errors;
    s.throttled += api.throttled;
    s.challenges += api.challenges;
    s.warnings.extend(api.warnings);
    s
}

/// Crawls the namespace into `tx`. Returns when done or when the receiver went away.
pub async fn crawl(client: &HubClient, concurrency: usize, tx: &Sender<InventoryEvent>) {
    let registry = client.address.host.clone();
    let repos = match client.repositories().await {
        Ok(r) => r,
        Err(e) => {
            let issue = super::issue_at(None, None, &e);
            let _ = tx
                .send(InventoryEvent::Issue {
                    registry: registry.clone(),
                    issue,
                })
                .await;
            let _ = tx
                .send(InventoryEvent::Finished {
                    registry,
                    stats: stats(client),
                    fatal: Some(format!("{e} ({})", e.next_step())),
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
            let r = client.tags(&name).await;
            (name, r)
        })
        .buffer_unordered(concurrency.clamp(1, 8));
    let mut done = 0usize;
    let mut allowance_read = false;
    while let Some((name, result)) = results.next().await {
        done += 1;
        let mut events = Vec::new();
        match result {
            Ok(tags) => {
                if !allowance_read {
                    if let Some(t) = tags.iter().find(|t| t.digest.is_some()) {
                        // A HEAD is not counted as a pull; its answer carries the allowance.
                        allowance_read = true;
                        let _ = client.oci.head_manifest(&name, &t.name).await;
                    }
                }
                let (images, issues) = repository_records(&name, &tags);
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
        events.push(InventoryEvent::Progress {
            registry: registry.clone(),
            repositories_done: done,
            repositories_total: total,
            stats: stats(client),
        });
        for ev in events {
            if tx.send(ev).await.is_err() {
                return;
            }
        }
    }
    let _ = tx
        .send(InventoryEvent::Finished {
            registry,
            stats: stats(client),
            fatal: None,
        })
        .await;
}
