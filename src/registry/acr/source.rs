//! ACR as a [`ManifestSource`]: manifests and blobs through the OCI API (`/v2`), tags and
//! the manifest list through `/acr/v1`, whose answers are kept per repository so the
//! inventory can add ACR's times and locks without asking twice. `_manifests` lists
//! untagged manifests too, which the OCI API cannot enumerate.
//!
//! A credential whose scope map grants pull but not `metadata_read` still browses: the
//! tags come from `/v2` and the refusal is kept, so the inventory says why times and
//! locks are unknown instead of failing the repository.

use super::client::AcrClient;
use super::model::{ManifestProperties, TagProperties};
use crate::config::RegistrySettings;
use crate::model::Digest;
use crate::registry::distribution::ClientOptions;
use crate::registry::{
    BlobReader, Descriptor, DistributionClient, FetchedManifest, ManifestHead, ManifestSource,
    Referrers, RegistryError, TrafficStats,
};
use async_trait::async_trait;
use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

/// What `/acr/v1` said about one repository during a crawl.
#[derive(Clone, Debug, Default)]
pub struct RepoMetadata {
    pub tags: Option<Vec<TagProperties>>,
    pub manifests: Option<Vec<ManifestProperties>>,
    /// Why `/acr/v1` could not be read (then times and locks stay unknown).
    pub refused: Option<RegistryError>,
}

#[derive(Debug)]
pub struct AcrSource {
    client: AcrClient,
    meta: Mutex<HashMap<String, RepoMetadata>>,
}

impl AcrSource {
    pub fn new(host: &str, settings: &RegistrySettings) -> Result<Self, RegistryError> {
        Self::with_options(host, settings, ClientOptions::default())
    }

    pub fn with_options(
        host: &str,
        settings: &RegistrySettings,
        options: ClientOptions,
    ) -> Result<Self, RegistryError> {
        let oci = DistributionClient::with_options(host, settings, options)?;
        Ok(AcrSource {
            client: AcrClient::new(Arc::new(oci)),
            meta: Mutex::new(HashMap::new()),
        })
    }

    pub fn client(&self) -> &AcrClient {
        &self.client
    }

    fn oci(&self) -> &DistributionClient {
        self.client.oci()
    }

    fn remember(&self, repo: &str, f: impl FnOnce(&mut RepoMetadata)) {
        let mut m = self.meta.lock().unwrap_or_else(|p| p.into_inner());
        f(m.entry(repo.to_string()).or_default());
    }

    /// What `/acr/v1` said about `repo` in this crawl, handed over once.
    pub fn take_metadata(&self, repo: &str) -> Option<RepoMetadata> {
        self.meta
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(repo)
    }
}

fn is_refusal(e: &RegistryError) -> bool {
    matches!(
        e,
        RegistryError::Unauthorized { .. } | RegistryError::Forbidden { .. }
    )
}

#[async_trait]
impl ManifestSource for AcrSource {
    fn registry_name(&self) -> String {
        self.oci().host().to_string()
    }
    async fn repositories(&self, prefix: Option<&str>) -> Result<Vec<String>, RegistryError> {
        self.oci().catalog(prefix).await
    }
    async fn tags(&self, repository: &str) -> Result<Vec<String>, RegistryError> {
        match self.client.tags(repository).await {
            Ok(tags) => {
                let names: BTreeSet<String> = tags.iter().map(|t| t.name.clone()).collect();
                self.remember(repository, |m| m.tags = Some(tags));
                Ok(names.into_iter().collect())
            }
            Err(e) if is_refusal(&e) => {
                tracing::warn!("ACR metadata refused, listing tags through /v2: {e}");
                self.remember(repository, |m| m.refused = Some(e));
                self.oci().tag_list(repository).await
            }
            Err(e) => Err(e),
        }
    }
    async fn list_manifests(
        &self,
        repository: &str,
    ) -> Result<Option<Vec<Descriptor>>, RegistryError> {
        let refused = self
            .meta
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(repository)
            .is_some_and(|m| m.refused.is_some());
        if refused {
            return Ok(None);
        }
        let manifests = match self.client.manifests(repository).await {
            Ok(m) => m,
            Err(e) if is_refusal(&e) => {
                self.remember(repository, |m| m.refused = Some(e));
                return Ok(None);
            }
            Err(e) => return Err(e),
        };
        let descs = manifests
            .iter()
            .filter_map(|m| {
                Some(Descriptor {
                    media_type: m.media_type.clone().unwrap_or_default(),
                    digest: Digest::parse(&m.digest).ok()?,
                    size: 0,
                    platform: None,
                    artifact_type: None,
                    annotations: None,
                    urls: None,
                })
            })
            .collect();
        self.remember(repository, |m| m.manifests = Some(manifests));
        Ok(Some(descs))
    }
    async fn head_manifest(
        &self,
        repository: &str,
        reference: &str,
    ) -> Result<ManifestHead, RegistryError> {
        ManifestSource::head_manifest(self.oci(), repository, reference).await
    }
    async fn manifest(
        &self,
        repository: &str,
        reference: &str,
    ) -> Result<FetchedManifest, RegistryError> {
        ManifestSource::manifest(self.oci(), repository, reference).await
    }
    async fn blob(
        &self,
        repository: &str,
        digest: &Digest,
        limit: u64,
    ) -> Result<Vec<u8>, RegistryError> {
        self.oci().blob(repository, digest, limit).await
    }
    async fn blob_reader(
        &self,
        repository: &str,
        digest: &Digest,
    ) -> Result<BlobReader, RegistryError> {
        self.oci().blob_reader(repository, digest).await
    }
    async fn head_blob(
        &self,
        repository: &str,
        digest: &Digest,
    ) -> Result<Option<u64>, RegistryError> {
        self.oci().head_blob(repository, digest).await
    }
    async fn referrers(
        &self,
        repository: &str,
        digest: &Digest,
    ) -> Result<Referrers, RegistryError> {
        self.oci().referrers(repository, digest).await
    }
    async fn delete_manifest(
        &self,
        repository: &str,
        digest: &Digest,
    ) -> Result<(), RegistryError> {
        ManifestSource::delete_manifest(self.oci(), repository, digest).await
    }
    async fn put_manifest(
        &self,
        repository: &str,
        reference: &str,
        media_type: &str,
        bytes: &[u8],
    ) -> Result<Digest, RegistryError> {
        ManifestSource::put_manifest(self.oci(), repository, reference, media_type, bytes).await
    }
    fn stats(&self) -> TrafficStats {
        self.oci().stats()
    }
}
