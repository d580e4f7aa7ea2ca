//! The inventory of a GHCR owner: GitHub's packages API lists every version of each
//! container package (untagged ones too: index children, attestations, old pushes) with
//! its tags and created and updated times; the OCI API gives the manifests, so sizes,
//! platforms and index children are the same blob-graph facts as everywhere. The generic
//! crawl runs over the API's listing; its records then get the API's times.

use super::listed::{Listed, ListedSource};
use super::{crawl, CrawlOptions, InventoryEvent};
use crate::model::{Digest, Image, InventoryIssue};
use crate::registry::ghcr::GhcrClient;
use crate::registry::RegistryError;
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;
use std::sync::Arc;
use tokio::sync::mpsc::Sender;

/// What the API says about one version.
#[derive(Clone, Debug)]
pub struct VersionFacts {
    pub id: u64,
    pub digest: Digest,
    pub tags: Vec<String>,
    pub created: Option<DateTime<Utc>>,
    pub updated: Option<DateTime<Utc>>,
}

/// Every version the API listed, by OCI repository (`OWNER/PACKAGE`).
#[derive(Debug, Default)]
pub struct GhcrCatalog {
    pub versions: BTreeMap<String, Vec<VersionFacts>>,
    pub issues: Vec<InventoryIssue>,
}

fn time(s: Option<&str>) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s?)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

impl GhcrCatalog {
    pub async fn load(client: &GhcrClient) -> Result<GhcrCatalog, RegistryError> {
        let mut cat = GhcrCatalog::default();
        for package in client.packages().await? {
            let repo = client.oci_repository(&package);
            let versions = match client.versions(&package).await {
                Ok(v) => v,
                Err(e) => {
                    cat.issues.push(super::issue_at(Some(&repo), None, &e));
                    continue;
                }
            };
            let entry = cat.versions.entry(repo.clone()).or_default();
            for v in versions {
                let Ok(digest) = Digest::parse(&v.name) else {
                    cat.issues.push(InventoryIssue::new(
                        Some(&repo),
                        None,
                        format!(
                            "GitHub lists version {} named {:?}, not a digest; it is left out",
                            v.id, v.name
                        ),
                    ));
                    continue;
                };
                let mut tags = v.tags().to_vec();
                tags.sort();
                tags.dedup();
                entry.push(VersionFacts {
                    id: v.id,
                    digest,
                    tags,
                    created: time(v.created_at.as_deref()),
                    updated: time(v.updated_at.as_deref()),
                });
            }
        }
        Ok(cat)
    }

    /// Adds what the API knows to a crawled record.
    pub fn enrich(&self, img: &mut Image) {
        let Some(f) = self
            .versions
            .get(&img.repository)
            .and_then(|vs| vs.iter().find(|f| f.digest == img.digest))
        else {
            return;
        };
        img.pushed_at = f.created.or(img.pushed_at);
        img.updated_at = f.updated.or(img.updated_at);
    }
}

/// Crawls through a connected client.
pub async fn crawl(client: Arc<GhcrClient>, opts: &CrawlOptions, tx: Sender<InventoryEvent>) {
    let host = client.address.host.clone();
    let catalog = match GhcrCatalog::load(&client).await {
        Ok(c) => Arc::new(c),
        Err(e) => {
            let _ = tx
                .send(InventoryEvent::Issue {
                    registry: host.clone(),
                    issue: super::issue_at(None, None, &e),
                })
                .await;
            super::finish_fatal(&host, &e, tx).await;
            return;
        }
    };
    for issue in &catalog.issues {
        let ev = InventoryEvent::Issue {
            registry: host.clone(),
            issue: issue.clone(),
        };
        if tx.send(ev).await.is_err() {
            return;
        }
    }
    let listing = catalog
        .versions
        .iter()
        .map(|(repo, vs)| {
            let listed = vs
                .iter()
                .map(|v| Listed {
                    digest: v.digest.clone(),
                    tags: v.tags.clone(),
                    media_type: String::new(),
                })
                .collect();
            (repo.clone(), listed)
        })
        .collect();
    let api_client = client.clone();
    let source = Arc::new(ListedSource {
        name: host.clone(),
        oci: client.oci.clone(),
        listing,
        api_stats: Box::new(move || api_client.api.stats()),
    });
    let (inner_tx, mut inner_rx) = tokio::sync::mpsc::channel(64);
    let crawl = crawl::crawl(source, None, opts, inner_tx);
    let forward = async {
        while let Some(mut ev) = inner_rx.recv().await {
            if let InventoryEvent::RepositoryImages { images, .. } = &mut ev {
                images.iter_mut().for_each(|i| catalog.enrich(i));
            }
            if tx.send(ev).await.is_err() {
                return;
            }
        }
    };
    tokio::join!(crawl, forward);
}
