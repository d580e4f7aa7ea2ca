//! The inventory of an Artifact Registry: the API says which images exist (untagged ones
//! too, which the OCI API cannot list), their tags, upload, update and build times; the
//! OCI API gives the manifests, so sizes are the same honest blob-graph sizes as
//! everywhere. The generic crawl runs over a source whose repository, tag and manifest
//! lists come from `dockerImages.list`; its records then get the API's times.

use super::{crawl, CrawlOptions, InventoryEvent};
use crate::config::RegistrySettings;
use crate::model::{Digest, Image, InventoryIssue, Lock};
use crate::registry::gar::{GarClient, GarConnectOptions, Repository};
use crate::registry::{
    BlobReader, Descriptor, FetchedManifest, ManifestHead, ManifestSource, Referrers,
    RegistryError, TrafficStats,
};
use async_trait::async_trait;
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

/// The OCI client with the API's listings in front.
pub struct GarSource {
    pub client: Arc<GarClient>,
    pub catalog: Arc<GarCatalog>,
}

#[async_trait]
impl ManifestSource for GarSource {
    fn registry_name(&self) -> String {
        self.client.address.host.clone()
    }
    async fn repositories(&self, _prefix: Option<&str>) -> Result<Vec<String>, RegistryError> {
        Ok(self.catalog.images.keys().cloned().collect())
    }
    async fn tags(&self, repository: &str) -> Result<Vec<String>, RegistryError> {
        let mut tags: Vec<String> = self
            .catalog
            .images
            .get(repository)
            .into_iter()
            .flatten()
            .flat_map(|f| f.tags.iter().cloned())
            .collect();
        tags.sort();
        tags.dedup();
        Ok(tags)
    }
    async fn list_manifests(
        &self,
        repository: &str,
    ) -> Result<Option<Vec<Descriptor>>, RegistryError> {
        let images = self.catalog.images.get(repository).into_iter().flatten();
        Ok(Some(
            images
                .map(|f| Descriptor {
                    media_type: f.media_type.clone().unwrap_or_default(),
                    digest: f.digest.clone(),
                    size: 0,
                    platform: None,
                    artifact_type: None,
                    annotations: None,
                    urls: None,
                })
                .collect(),
        ))
    }
    async fn head_manifest(&self, r: &str, reference: &str) -> Result<ManifestHead, RegistryError> {
        self.client.oci.head_manifest(r, reference).await
    }
    async fn manifest(&self, r: &str, reference: &str) -> Result<FetchedManifest, RegistryError> {
        self.client.oci.manifest(r, reference).await
    }
    async fn blob(&self, r: &str, d: &Digest, limit: u64) -> Result<Vec<u8>, RegistryError> {
        self.client.oci.blob(r, d, limit).await
    }
    async fn blob_reader(&self, r: &str, d: &Digest) -> Result<BlobReader, RegistryError> {
        self.client.oci.blob_reader(r, d).await
    }
    async fn head_blob(&self, r: &str, d: &Digest) -> Result<Option<u64>, RegistryError> {
        self.client.oci.head_blob(r, d).await
    }
    async fn referrers(&self, r: &str, d: &Digest) -> Result<Referrers, RegistryError> {
        self.client.oci.referrers(r, d).await
    }
    async fn delete_manifest(&self, r: &str, d: &Digest) -> Result<(), RegistryError> {
        self.client.oci.delete_manifest(r, d).await
    }
    async fn put_manifest(
        &self,
        r: &str,
        reference: &str,
        media_type: &str,
        bytes: &[u8],
    ) -> Result<Digest, RegistryError> {
        self.client
            .oci
            .put_manifest(r, reference, media_type, bytes)
            .await
    }
    fn stats(&self) -> TrafficStats {
        let mut s = self.client.oci.stats();
        let api = self.client.api_stats();
        s.requests += api.requests;
        s.bytes += api.bytes;
        s.retries += api.retries;
        s.errors += api.errors;
        s.throttled += api.throttled;
        s
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
    let source = Arc::new(GarSource {
        client,
        catalog: catalog.clone(),
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
