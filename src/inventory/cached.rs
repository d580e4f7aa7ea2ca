//! The crawl through the store. [`StoreSource`] answers manifests and configs the store
//! already holds without asking the registry, and resolves the tags of a repository it has
//! seen before with a HEAD (never a conditional GET: Docker Hub counts every manifest GET
//! against the pull limit, 304 or not), so a refresh GETs only digests the store lacks.
//! [`run`] records what the crawl finds: the last known inventory, tag observations and a
//! snapshot per repository, and what changed since the last crawl.

use super::{CrawlOptions, InventoryEvent};
use crate::model::Digest;
use crate::registry::{
    BlobReader, Descriptor, FetchedManifest, ManifestHead, ManifestSource, Referrers,
    RegistryError, TrafficStats,
};
use crate::store::{Changes, StoreHandle};
use async_trait::async_trait;
use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use tokio::sync::mpsc::{self, Sender};

/// A [`ManifestSource`] that reads immutable content through the store.
pub struct StoreSource {
    inner: Arc<dyn ManifestSource>,
    store: StoreHandle,
    /// Repositories whose tags the store has seen: their tags are resolved by HEAD.
    known: HashSet<String>,
    /// Manifests and configs answered from the store (each a GET not made).
    hits: AtomicU64,
}

impl StoreSource {
    pub fn new(inner: Arc<dyn ManifestSource>, store: StoreHandle, registry: &str) -> Self {
        let known = store.known_repositories(registry);
        StoreSource {
            inner,
            store,
            known,
            hits: AtomicU64::new(0),
        }
    }

    /// Manifests and configs the store answered so far.
    pub fn hits(&self) -> u64 {
        self.hits.load(Ordering::Relaxed)
    }

    fn stored(&self, digest: &Digest) -> Option<FetchedManifest> {
        let m = self.store.manifest(digest)?;
        self.hits.fetch_add(1, Ordering::Relaxed);
        Some(m)
    }

    async fn fetch(&self, repo: &str, reference: &str) -> Result<FetchedManifest, RegistryError> {
        let m = self.inner.manifest(repo, reference).await?;
        self.store.put_manifest(&m);
        Ok(m)
    }
}

#[async_trait]
impl ManifestSource for StoreSource {
    fn registry_name(&self) -> String {
        self.inner.registry_name()
    }

    async fn repositories(&self, prefix: Option<&str>) -> Result<Vec<String>, RegistryError> {
        self.inner.repositories(prefix).await
    }

    async fn tags(&self, repository: &str) -> Result<Vec<String>, RegistryError> {
        self.inner.tags(repository).await
    }

    async fn list_manifests(
        &self,
        repository: &str,
    ) -> Result<Option<Vec<Descriptor>>, RegistryError> {
        self.inner.list_manifests(repository).await
    }

    async fn head_manifest(
        &self,
        repo: &str,
        reference: &str,
    ) -> Result<ManifestHead, RegistryError> {
        self.inner.head_manifest(repo, reference).await
    }

    /// By digest: the store, else one GET kept forever. By tag, in a repository seen
    /// before: a HEAD names the digest, then as by digest. A tag of a new repository is
    /// one GET, as without the store (a HEAD first would only add a round trip).
    async fn manifest(
        &self,
        repo: &str,
        reference: &str,
    ) -> Result<FetchedManifest, RegistryError> {
        if let Ok(digest) = Digest::parse(reference) {
            if let Some(m) = self.stored(&digest) {
                return Ok(m);
            }
            return self.fetch(repo, reference).await;
        }
        if !self.known.contains(repo) {
            return self.fetch(repo, reference).await;
        }
        match self.inner.head_manifest(repo, reference).await {
            Ok(head) => {
                if let Some(m) = self.stored(&head.digest) {
                    return Ok(m);
                }
                self.fetch(repo, head.digest.as_str()).await
            }
            // Gone is gone; anything else (a registry that refuses HEAD) falls back to GET.
            Err(e @ RegistryError::NotFound { .. }) => Err(e),
            Err(e) => {
                tracing::debug!("HEAD {repo}:{reference} failed ({e}); reading it with GET");
                self.fetch(repo, reference).await
            }
        }
    }

    async fn blob(
        &self,
        repo: &str,
        digest: &Digest,
        limit: u64,
    ) -> Result<Vec<u8>, RegistryError> {
        if let Some(b) = self.store.config(digest) {
            if b.len() as u64 <= limit {
                self.hits.fetch_add(1, Ordering::Relaxed);
                return Ok(b);
            }
        }
        let b = self.inner.blob(repo, digest, limit).await?;
        self.store.put_config(digest, &b);
        Ok(b)
    }

    async fn blob_reader(&self, repo: &str, digest: &Digest) -> Result<BlobReader, RegistryError> {
        self.inner.blob_reader(repo, digest).await
    }

    async fn head_blob(&self, repo: &str, digest: &Digest) -> Result<Option<u64>, RegistryError> {
        self.inner.head_blob(repo, digest).await
    }

    /// Always asked: a referrer can be pushed to an old subject at any time, and a registry
    /// without the API costs one probe per crawl.
    async fn referrers(&self, repo: &str, digest: &Digest) -> Result<Referrers, RegistryError> {
        self.inner.referrers(repo, digest).await
    }

    async fn delete_manifest(&self, repo: &str, digest: &Digest) -> Result<(), RegistryError> {
        self.inner.delete_manifest(repo, digest).await
    }

    async fn put_manifest(
        &self,
        repo: &str,
        reference: &str,
        media_type: &str,
        bytes: &[u8],
    ) -> Result<Digest, RegistryError> {
        self.inner
            .put_manifest(repo, reference, media_type, bytes)
            .await
    }

    fn stats(&self) -> TrafficStats {
        self.inner.stats()
    }
}

/// Crawls `session` through `store`: first (with `opts.show_cached`) the last known
/// inventory at once, then the refresh by the session's driver (whose default crawl reads
/// through the store, see [`StoreSource`]), recording each repository as it completes.
pub async fn run(
    session: &crate::session::Session,
    opts: &CrawlOptions,
    store: StoreHandle,
    tx: Sender<InventoryEvent>,
) {
    let key = session.name();
    let prefix = session.target().prefix().map(str::to_string);
    // With nothing recorded before, there is no "last open" to compare with: every image
    // would count as new, which says nothing. The first crawl reports no changes.
    let first_look = store.cached_listing(&key, prefix.as_deref()).is_none();
    if opts.show_cached {
        if !send_cached(&store, &key, prefix.as_deref(), &tx).await {
            return;
        }
        if !send_history(&store, &key, prefix.as_deref(), &tx).await {
            return;
        }
    }
    let crawl_id = store.begin_crawl(&key, prefix.as_deref());
    let (inner_tx, mut rx) = mpsc::channel::<InventoryEvent>(256);
    let inner_opts = CrawlOptions {
        show_cached: false,
        ..opts.clone()
    };
    let driver = session.clone();
    let crawler = tokio::spawn(async move { driver.crawl_uncached(&inner_opts, inner_tx).await });
    let mut changes = Changes::default();
    let (mut listed, mut recorded) = (None::<usize>, 0usize);
    while let Some(ev) = rx.recv().await {
        match &ev {
            InventoryEvent::RepositoriesListed { repositories, .. } => {
                listed = Some(repositories.len());
                if let Some(gone) = store.forget_unlisted(&key, prefix.as_deref(), repositories) {
                    changes.extend(gone);
                }
            }
            InventoryEvent::RepositoryImages {
                repository, images, ..
            } => {
                if let Some(id) = crawl_id {
                    recorded += 1;
                    if let Some(c) = store.record_repository(id, &key, repository, images) {
                        changes.extend(c);
                    }
                }
            }
            InventoryEvent::Finished {
                registry, fatal, ..
            } => {
                if let Some(id) = crawl_id {
                    let complete =
                        fatal.is_none() && listed == Some(recorded) && !store.is_broken();
                    store.finish_crawl(id, complete);
                    if complete
                        && opts.show_cached
                        && !send_history(&store, &key, prefix.as_deref(), &tx).await
                    {
                        break;
                    }
                }
                if fatal.is_none() && !first_look {
                    let ev = InventoryEvent::Changes {
                        registry: registry.clone(),
                        changes: std::mem::take(&mut changes),
                    };
                    if tx.send(ev).await.is_err() {
                        break;
                    }
                }
            }
            _ => {}
        }
        if tx.send(ev).await.is_err() {
            break;
        }
    }
    drop(rx);
    let _ = crawler.await;
}

/// The most recent crawls a history event carries: a chart shows fewer points than this,
/// and a registry refreshed every few minutes for a year must not send them all.
const HISTORY_POINTS: usize = 240;

/// Sends the registry's history (its last [`HISTORY_POINTS`] completed crawls) when it has
/// any. Returns false when the receiver went away.
async fn send_history(
    store: &StoreHandle,
    registry: &str,
    prefix: Option<&str>,
    tx: &Sender<InventoryEvent>,
) -> bool {
    let mut history = store.history(registry, prefix);
    if history.snapshots.is_empty() {
        return true;
    }
    let extra = history.snapshots.len().saturating_sub(HISTORY_POINTS);
    history.snapshots.drain(..extra);
    let ev = InventoryEvent::History {
        registry: registry.to_string(),
        history,
    };
    tx.send(ev).await.is_ok()
}

/// How many decoded repositories [`send_cached`] lets wait in the channel.
const CACHED_AHEAD: usize = 4;

/// Sends the last known inventory, when the store has one: the repository list, their
/// summaries (from the snapshot rows: the whole tree before any image is decoded), each
/// repository's images (decoded one repository at a time, as the receiver takes them),
/// then the `Cached` marker with its age. Returns false when the receiver went away.
async fn send_cached(
    store: &StoreHandle,
    registry: &str,
    prefix: Option<&str>,
    tx: &Sender<InventoryEvent>,
) -> bool {
    let Some((as_of, repositories)) = store.cached_listing(registry, prefix) else {
        return true;
    };
    let listed = InventoryEvent::RepositoriesListed {
        registry: registry.to_string(),
        repositories: repositories.clone(),
    };
    if tx.send(listed).await.is_err() {
        return false;
    }
    let summaries = InventoryEvent::CachedSummaries {
        registry: registry.to_string(),
        summaries: store.cached_summaries(registry, prefix),
        as_of,
    };
    if tx.send(summaries).await.is_err() {
        return false;
    }
    for repository in repositories {
        // Decode the next repository only once the receiver has taken all but a few of
        // those sent: decoded records are ~1 KB an image, and a million of them waiting
        // in the channel would cost more than the tables they become.
        while tx.max_capacity() - tx.capacity() > CACHED_AHEAD {
            if tx.is_closed() {
                return false;
            }
            tokio::time::sleep(std::time::Duration::from_millis(2)).await;
        }
        let Some(images) = store.cached_images(registry, &repository) else {
            continue;
        };
        let ev = InventoryEvent::RepositoryImages {
            registry: registry.to_string(),
            repository,
            images,
        };
        if tx.send(ev).await.is_err() {
            return false;
        }
    }
    let done = InventoryEvent::Cached {
        registry: registry.to_string(),
        as_of,
    };
    tx.send(done).await.is_ok()
}
