//! The inventory of an Artifact Registry: the API says which images exist (untagged ones
//! too, which the OCI API cannot list), their tags, upload, update and build times; the
//! OCI API gives the manifests, so sizes are the same honest blob-graph sizes as
//! everywhere. The generic crawl runs over a [`ListedSource`] whose repository, tag and
//! manifest lists come from `dockerImages.list`; its records then get the API's times.

use super::listed::{Listed, ListedSource};
use super::{crawl, CrawlOptions, InventoryEvent};
use crate::config::RegistrySettings;
use crate::model::{Digest, Image, InventoryIssue, Lock};
use crate::registry::gar::{GarClient, GarConnectOptions, Repository};
use crate::registry::RegistryError;
use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use tokio::sync::mpsc::Sender;

/// What `dockerImages.list` says about one image.
#[derive(Clone, Debug)]
pub struct GarImageFacts {
    pub digest: Digest,
    pub tags: Vec<String>,
    pub media_type: Option<String>,
    pub size_bytes: Option<u64>,
    pub uploaded: Option<DateTime<Utc>>,
    pub updated: Option<DateTime<Utc>>,
    pub built: Option<DateTime<Utc>>,
    /// The repository forbids moving or deleting tags.
    pub immutable_tags: bool,
}

/// Every image the API listed, by OCI repository path (`PROJECT/REPOSITORY/IMAGE`).
#[derive(Debug, Default)]
pub struct GarCatalog {
    pub images: BTreeMap<String, Vec<GarImageFacts>>,
    pub repositories: Vec<Repository>,
    /// Repositories whose listing failed, and images the API described unreadably.
    pub issues: Vec<InventoryIssue>,
}

/// RFC 3339 with 0, 3, 6 or 9 fractional digits, as Google writes times.
pub fn parse_time(s: Option<&str>) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s?)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

impl GarCatalog {
    pub async fn load(client: &GarClient) -> Result<GarCatalog, RegistryError> {
        let mut cat = GarCatalog {
            repositories: client.repositories().await?,
            ..GarCatalog::default()
        };
        let a = &client.address;
        for repo in &cat.repositories {
            let images = match client
                .api
                .docker_images(&a.project, &a.location, repo.id())
                .await
            {
                Ok(i) => i,
                Err(e) => {
                    let name = format!("{}/{}", a.project, repo.id());
                    cat.issues.push(super::issue_at(Some(&name), None, &e));
                    continue;
                }
            };
            for img in images {
                let Some((package, digest)) = img.package_and_digest() else {
                    cat.issues.push(InventoryIssue::new(
                        Some(&format!("{}/{}", a.project, repo.id())),
                        None,
                        format!(
                            "dockerImages.list named an image regscope cannot read: {:?}",
                            img.name
                        ),
                    ));
                    continue;
                };
                if let Some(p) = &a.image_prefix {
                    if package != *p && !package.starts_with(&format!("{p}/")) {
                        continue;
                    }
                }
                let Ok(digest) = Digest::parse(&digest) else {
                    continue;
                };
                let mut tags = img.tags.clone();
                tags.sort();
                tags.dedup();
                cat.images
                    .entry(a.oci_repository(repo.id(), &package))
                    .or_default()
                    .push(GarImageFacts {
                        digest,
                        tags,
                        media_type: img.media_type.clone(),
                        size_bytes: img.image_size_bytes.as_deref().and_then(|s| s.parse().ok()),
                        uploaded: parse_time(img.upload_time.as_deref()),
                        updated: parse_time(img.update_time.as_deref()),
                        built: parse_time(img.build_time.as_deref()),
                        immutable_tags: repo.immutable_tags(),
                    });
            }
        }
        Ok(cat)
    }

    fn facts(&self, repository: &str, digest: &Digest) -> Option<&GarImageFacts> {
        self.images
            .get(repository)?
            .iter()
            .find(|f| &f.digest == digest)
    }

    /// Adds what the API knows to a crawled record.
    pub fn enrich(&self, img: &mut Image) {
        let Some(f) = self.facts(&img.repository, &img.digest) else {
            return;
        };
        img.pushed_at = f.uploaded.or(img.pushed_at);
        img.updated_at = f.updated.or(img.updated_at);
        if img.created_at.is_none() {
            img.created_at = f.built;
        }
        if img.size_bytes.is_none() {
            img.size_bytes = f.size_bytes;
        }
        if f.immutable_tags && !img.tags.is_empty() {
            // A tag of an immutable-tags repository can be neither moved nor deleted, so
            // neither can the tagged version.
            img.locked = Some(Lock {
                write_enabled: false,
                delete_enabled: false,
            });
        }
    }
}

/// Crawls an Artifact Registry (`HOST[/PROJECT[/REPOSITORY[/IMAGE]]]`) into `tx`.
pub async fn run(
    host: &str,
    prefix: Option<&str>,
    settings: &RegistrySettings,
    opts: &CrawlOptions,
    connect: GarConnectOptions,
    tx: Sender<InventoryEvent>,
) {
    match GarClient::connect(host, prefix, settings, connect).await {
        Ok(c) => crawl(Arc::new(c), opts, tx).await,
        Err(e) => super::finish_fatal(host, &e, tx).await,
    }
}

/// Crawls through an already connected client.
pub async fn crawl(client: Arc<GarClient>, opts: &CrawlOptions, tx: Sender<InventoryEvent>) {
    let host = client.address.host.clone();
    let catalog = match GarCatalog::load(&client).await {
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
        .images
        .iter()
        .map(|(repo, images)| {
            let listed = images
                .iter()
                .map(|f| Listed {
                    digest: f.digest.clone(),
                    tags: f.tags.clone(),
                    media_type: f.media_type.clone().unwrap_or_default(),
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
        api_stats: Box::new(move || api_client.api_stats()),
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

/// Each repository's own cleanup settings, for the plan and `caps`-style summaries.
pub fn cleanup_by_repository(catalog: &GarCatalog) -> HashMap<String, &Repository> {
    catalog
        .repositories
        .iter()
        .map(|r| (r.id().to_string(), r))
        .collect()
}
