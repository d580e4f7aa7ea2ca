//! The GitHub Container Registry: the crawl lists every package version through GitHub's
//! packages API (untagged ones too) and takes `created_at` / `updated_at` as push and update
//! times; manifests come through the OCI API with the same token. GHCR refuses OCI manifest
//! DELETE, so a reviewed plan deletes through the API (`DELETE .../versions/ID`), behind the
//! same confirmation, re-check and audit log as everywhere: the re-checks read the registry
//! through OCI, only the final act is the API's.

use super::driver::Driver;
use super::Session;
use crate::inventory::{CrawlOptions, InventoryEvent};
use crate::model::Digest;
use crate::policy::execute::{Current, DeletionTarget, RepoMemo, RepoNow, SourceTarget};
use crate::registry::ghcr::{GhcrClient, GhcrConnectOptions};
use crate::registry::{FetchedManifest, RegistryError, Target};
use async_trait::async_trait;
use std::collections::HashSet;
use std::sync::Arc;
use tokio::sync::mpsc::Sender;
use tokio::sync::OnceCell;

#[derive(Default)]
pub struct Ghcr {
    client: OnceCell<Arc<GhcrClient>>,
    /// The owner's package rows (`visibility`), read once for the audit.
    rows: OnceCell<Result<Vec<crate::registry::ghcr::Package>, String>>,
}

impl Ghcr {
    /// The session's clients (built once; a failure is retried on the next call).
    pub async fn client(&self, s: &Session) -> Result<Arc<GhcrClient>, RegistryError> {
        self.client
            .get_or_try_init(|| async {
                let Target::Distribution { host, prefix } = s.target() else {
                    return Err(RegistryError::Refused {
                        place: s.place(None),
                        why: "GHCR is addressed as ghcr.io/OWNER[/PACKAGE]".into(),
                    });
                };
                GhcrClient::connect(
                    host,
                    prefix.as_deref(),
                    s.settings(),
                    GhcrConnectOptions::default(),
                )
                .await
                .map(Arc::new)
            })
            .await
            .cloned()
    }
}

#[async_trait]
impl Driver for Ghcr {
    async fn crawl(&self, s: &Session, opts: &CrawlOptions, tx: Sender<InventoryEvent>) {
        match self.client(s).await {
            Ok(client) => crate::inventory::ghcr::crawl(client, opts, tx).await,
            Err(e) => crate::inventory::finish_fatal(&s.name(), &e, tx).await,
        }
    }

    /// Who may pull, from the package's `visibility`; the rest unknown.
    async fn repo_settings(
        &self,
        s: &Session,
        repository: &str,
    ) -> Result<super::RepoSettings, RegistryError> {
        let rows = self
            .rows
            .get_or_init(|| async {
                let client = self.client(s).await.map_err(|e| e.to_string())?;
                client.package_rows().await.map_err(|e| e.to_string())
            })
            .await;
        Ok(super::access_settings::ghcr(
            s.kind().label(),
            rows,
            repository,
        ))
    }

    async fn deletion_target(&self, s: &Session) -> Result<Arc<dyn DeletionTarget>, RegistryError> {
        let client = self.client(s).await?;
        Ok(Arc::new(GhcrTarget {
            oci: SourceTarget(client.oci.clone()),
            client,
        }))
    }
}

/// Deletion on GHCR: the OCI re-checks, then the package version deleted through the API.
pub struct GhcrTarget {
    pub client: Arc<GhcrClient>,
    pub oci: SourceTarget,
}

#[async_trait]
impl DeletionTarget for GhcrTarget {
    fn name(&self) -> String {
        self.oci.name()
    }
    async fn survey(
        &self,
        repo: &str,
        digest: &Digest,
        planned_tags: &[String],
        planned: &HashSet<(&str, &Digest)>,
        memo: &mut RepoMemo,
    ) -> Result<RepoNow, RegistryError> {
        self.oci
            .survey(repo, digest, planned_tags, planned, memo)
            .await
    }
    async fn current(&self, repo: &str, digest: &Digest) -> Result<Option<Current>, RegistryError> {
        self.oci.current(repo, digest).await
    }
    async fn resolve(&self, repo: &str, tag: &str) -> Result<Option<Digest>, RegistryError> {
        self.oci.resolve(repo, tag).await
    }
    async fn exists(&self, repo: &str, digest: &Digest) -> Result<bool, RegistryError> {
        self.oci.exists(repo, digest).await
    }
    async fn manifest(
        &self,
        repo: &str,
        digest: &Digest,
    ) -> Result<FetchedManifest, RegistryError> {
        self.oci.manifest(repo, digest).await
    }
    /// The version whose name is `digest`, looked up now and deleted through the API.
    async fn delete(&self, repo: &str, digest: &Digest) -> Result<(), RegistryError> {
        self.client.delete_digest(repo, digest.as_str()).await
    }
}
