//! The ACR crawl: the generic crawl over an [`AcrSource`] (manifests and blobs through
//! `/v2`, tags and the manifest list — untagged manifests included — through `/acr/v1`),
//! then each repository's records get what ACR itself knows:
//! `pushed_at` = the manifest's `createdTime`, `updated_at` = its `lastUpdateTime`,
//! `locked` = its `changeableAttributes`, and per tag its own times and locks in
//! `tag_details` (a tag's `createdTime` can be older than its manifest's when the tag
//! moved onto a new push; `acr purge` ages tags by the tag's `lastUpdateTime`).
//! Nothing is guessed: a manifest ACR did not describe keeps unknown times.

use super::{CrawlOptions, InventoryEvent};
use crate::model::{Image, InventoryIssue, Lock, TagDetail};
use crate::registry::acr::{AcrSource, ChangeableAttributes, RepoMetadata};
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::mpsc::{channel, Sender};

/// Crawls an ACR through `source`, sending events to `tx` until `Finished`.
pub async fn crawl(
    source: Arc<AcrSource>,
    prefix: Option<&str>,
    opts: &CrawlOptions,
    tx: Sender<InventoryEvent>,
) {
    let (inner_tx, mut inner_rx) = channel(64);
    let generic = super::crawl::crawl(source.clone(), prefix, opts, inner_tx);
    let forward = async {
        while let Some(ev) = inner_rx.recv().await {
            let ev = match ev {
                InventoryEvent::RepositoryImages {
                    registry,
                    repository,
                    mut images,
                } => {
                    let meta = source.take_metadata(&repository).unwrap_or_default();
                    if let Some(issue) = refusal_issue(&repository, &meta) {
                        let ev = InventoryEvent::Issue {
                            registry: registry.clone(),
                            issue,
                        };
                        if tx.send(ev).await.is_err() {
                            return;
                        }
                    }
                    apply(&mut images, &meta);
                    InventoryEvent::RepositoryImages {
                        registry,
                        repository,
                        images,
                    }
                }
                other => other,
            };
            if tx.send(ev).await.is_err() {
                return;
            }
        }
    };
    tokio::join!(generic, forward);
}

fn refusal_issue(repo: &str, meta: &RepoMetadata) -> Option<InventoryIssue> {
    let e = meta.refused.as_ref()?;
    let mut issue = super::repository::issue(repo, None, e);
    issue.message = format!(
        "ACR metadata (/acr/v1) refused, so push/update times and locks are unknown: {}",
        issue.message
    );
    issue.next_step = Some(
        "grant the credential metadata_read on the repository (a pull-only scope map is not enough)"
            .into(),
    );
    Some(issue)
}

/// A manifest's or tag's lock, when ACR said enough to tell: a `false` flag proves a lock;
/// both flags `true` prove there is none; anything else is unknown.
fn lock(a: &ChangeableAttributes) -> Option<Lock> {
    match (a.write_enabled, a.delete_enabled) {
        (Some(w), Some(d)) => Some(Lock {
            write_enabled: w,
            delete_enabled: d,
        }),
        (Some(false), None) | (None, Some(false)) => Some(Lock {
            write_enabled: a.write_enabled.unwrap_or(true),
            delete_enabled: a.delete_enabled.unwrap_or(true),
        }),
        _ => None,
    }
}

/// Adds ACR's own facts to one repository's records.
pub fn apply(images: &mut [Image], meta: &RepoMetadata) {
    let manifests: HashMap<&str, _> = meta
        .manifests
        .iter()
        .flatten()
        .map(|m| (m.digest.as_str(), m))
        .collect();
    let tags: HashMap<&str, _> = meta
        .tags
        .iter()
        .flatten()
        .map(|t| (t.name.as_str(), t))
        .collect();
    for im in images.iter_mut() {
        if let Some(m) = manifests.get(im.digest.as_str()) {
            im.pushed_at = m.created_time;
            im.updated_at = m.last_update_time;
            im.locked = lock(&m.changeable_attributes);
        }
        if meta.tags.is_none() {
            continue;
        }
        let details: Vec<TagDetail> = im
            .tags
            .iter()
            .map(|name| match tags.get(name.as_str()) {
                // A tag that moved between the two listings is described by what it
                // points at now only when that is this manifest.
                Some(t) if t.digest == im.digest.as_str() => TagDetail {
                    name: name.clone(),
                    pushed_at: t.created_time,
                    pulled_at: None,
                    last_update: t.last_update_time,
                    write_enabled: t.changeable_attributes.write_enabled,
                    delete_enabled: t.changeable_attributes.delete_enabled,
                },
                _ => TagDetail {
                    name: name.clone(),
                    ..TagDetail::default()
                },
            })
            .collect();
        im.tag_details = (!details.is_empty()).then_some(details);
    }
}
