//! An OCI client with a cloud API's listing in front: the API says which repositories and
//! manifests exist (untagged ones too, which the OCI API cannot list) and which tags they
//! carry; manifests, blobs, referrers and writes still go through the OCI client, so the
//! generic crawl computes the same honest sizes as everywhere.

use crate::model::Digest;
use crate::registry::{
    BlobReader, Descriptor, DistributionClient, FetchedManifest, ManifestHead, ManifestSource,
    Referrers, RegistryError, TrafficStats,
};
use async_trait::async_trait;
use std::collections::BTreeMap;
use std::sync::Arc;

/// One manifest the API listed.
#[derive(Clone, Debug)]
pub struct Listed {
    pub digest: Digest,
    pub tags: Vec<String>,
    /// Empty when the API does not say.
    pub media_type: String,
}

pub struct ListedSource {
    pub name: String,
    pub oci: Arc<DistributionClient>,
    /// Manifests by OCI repository path.
    pub listing: BTreeMap<String, Vec<Listed>>,
    /// The API's own traffic, added to the OCI client's.
    pub api_stats: Box<dyn Fn() -> TrafficStats + Send + Sync>,
}

#[async_trait]
impl ManifestSource for ListedSource {
    fn registry_name(&self) -> String {
        self.name.clone()
    }
    async fn repositories(&self, _prefix: Option<&str>) -> Result<Vec<String>, RegistryError> {
        Ok(self.listing.keys().cloned().collect())
    }
    async fn tags(&self, repository: &str) -> Result<Vec<String>, RegistryError> {
        let mut tags: Vec<String> = self
            .listing
            .get(repository)
            .into_iter()
            .flatten()
            .flat_map(|l| l.tags.iter().cloned())
            .collect();
        tags.sort();
        tags.dedup();
        Ok(tags)
    }
    async fn list_manifests(
        &self,
        repository: &str,
    ) -> Result<Option<Vec<Descriptor>>, RegistryError> {
        let listed = self.listing.get(repository).into_iter().flatten();
        Ok(Some(
            listed
                .map(|l| Descriptor {
                    media_type: l.media_type.clone(),
                    digest: l.digest.clone(),
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
        self.oci.head_manifest(r, reference).await
    }
    async fn manifest(&self, r: &str, reference: &str) -> Result<FetchedManifest, RegistryError> {
        self.oci.manifest(r, reference).await
    }
    async fn blob(&self, r: &str, d: &Digest, limit: u64) -> Result<Vec<u8>, RegistryError> {
        self.oci.blob(r, d, limit).await
    }
    async fn blob_reader(&self, r: &str, d: &Digest) -> Result<BlobReader, RegistryError> {
        self.oci.blob_reader(r, d).await
    }
    async fn head_blob(&self, r: &str, d: &Digest) -> Result<Option<u64>, RegistryError> {
        self.oci.head_blob(r, d).await
    }
    async fn referrers(&self, r: &str, d: &Digest) -> Result<Referrers, RegistryError> {
        self.oci.referrers(r, d).await
    }
    async fn delete_manifest(&self, r: &str, d: &Digest) -> Result<(), RegistryError> {
        self.oci.delete_manifest(r, d).await
    }
    async fn put_manifest(
        &self,
        r: &str,
        reference: &str,
        media_type: &str,
        bytes: &[u8],
    ) -> Result<Digest, RegistryError> {
        self.oci.put_manifest(r, reference, media_type, bytes).await
    }
    fn stats(&self) -> TrafficStats {
        let mut s = self.oci.stats();
        let api = (self.api_stats)();
        s.requests += api.requests;
        s.bytes += api.bytes;
        s.retries += api.retries;
        s.errors += api.errors;
        s.throttled += api.throttled;
        s
    }
}
