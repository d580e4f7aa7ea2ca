//! UI-agnostic access to registries. The OCI Distribution backend and the OCI image-layout
//! backend both implement [`ManifestSource`], so the inventory, the layer walk, the doctor
//! and deletion work the same over either; AWS ECR adds its own API on top (`ecr`).

pub mod acr;
pub mod adaptive;
pub mod auth;
pub mod blobs;
pub mod catalog;
pub mod cert;
pub mod challenge;
pub mod cloud_api;
pub mod credential_store;
pub mod credentials;
pub mod distribution;
pub mod dockerhub;
pub mod ecr;
pub mod error;
pub mod exchange;
pub mod gar;
pub mod ghcr;
pub mod harbor;
pub mod layout;
pub mod manifest;
pub mod manifests;
pub mod net_error;
pub mod reference;
pub mod status;
pub mod target;
pub mod tls;
pub mod traffic;
pub mod transport;

pub use distribution::{ClientOptions, DistributionClient};
pub use error::{CodeSuffix, Place, RegistryError};
pub use manifest::{media, Descriptor, ImageManifest, IndexManifest, Manifest, ManifestError};
pub use reference::{Reference, ReferenceError};
pub use target::{is_loopback_host, Target};

use crate::model::Digest;
use async_trait::async_trait;
use std::pin::Pin;

/// What a HEAD of a manifest tells: enough to resolve a tag without a GET.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ManifestHead {
    pub digest: Digest,
    pub media_type: String,
    pub size: u64,
}

/// A manifest fetched and verified: `digest` is the sha256 of `bytes`, and matched the
/// digest the registry claimed (when it sent one) or the digest asked for.
#[derive(Clone, Debug, PartialEq)]
pub struct FetchedManifest {
    pub digest: Digest,
    pub media_type: String,
    pub bytes: Vec<u8>,
    pub manifest: Manifest,
}

/// The answer of the referrers API. `Unsupported` is not "none": the caller should try the
/// `sha256-<hex>` fallback tag and say which way it looked.
#[derive(Clone, Debug, PartialEq)]
pub enum Referrers {
    Listed(Vec<Descriptor>),
    Unsupported,
}

/// A blob's bytes as they arrive, not yet verified (the reader of the stream verifies,
/// since it is the one that sees every byte).
pub type BlobReader = Pin<Box<dyn tokio::io::AsyncRead + Send>>;

/// What a ranged blob read got.
pub enum BlobRange {
    /// The registry honoured `Range`: the reader yields exactly the bytes asked for.
    Partial(BlobReader),
    /// The registry ignored `Range` and sends the whole blob from byte 0.
    Whole(BlobReader),
}

/// Counters a registry connection keeps so the UI and `--verbose` can show them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TrafficStats {
    pub requests: u64,
    pub bytes: u64,
    pub retries: u64,
    pub throttled: u64,
    /// Real failures: requests that finally failed (network, 5xx after retries, 4xx), and
    /// authentication challenges that could not be answered. Retried attempts that later
    /// succeeded, answered challenges and probe fallbacks are not errors.
    pub errors: u64,
    /// 401 challenges (the normal first step of token and Basic auth).
    pub challenges: u64,
    /// Probes answered "absent" (404/405): no referrers API, no fallback or cosign tag, no blob.
    pub fallbacks: u64,
    pub rate_limit: Option<RateLimit>,
    pub warnings: Vec<String>,
    /// The adaptive in-flight limit of the registry's transport (`None` where requests do
    /// not go through one, as in an OCI layout).
    pub concurrency: Option<adaptive::Concurrency>,
}

/// The last rate-limit headers seen (`RateLimit-Limit: 100;w=21600`, ...).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RateLimit {
    pub limit: Option<u64>,
    pub remaining: Option<u64>,
    pub window_secs: Option<u64>,
    pub source: Option<String>,
}

/// A registry that serves manifests and blobs by repository.
#[async_trait]
pub trait ManifestSource: Send + Sync {
    /// The registry's name as shown to people (host, or `oci:PATH`).
    fn registry_name(&self) -> String;

    /// Every repository (under `prefix`, when given), in the registry's order.
    async fn repositories(&self, prefix: Option<&str>) -> Result<Vec<String>, RegistryError>;

    /// Every tag of `repository`, deduplicated and sorted.
    async fn tags(&self, repository: &str) -> Result<Vec<String>, RegistryError>;

    /// Every manifest the registry can enumerate in `repository`, tagged or not, as
    /// descriptors (a tag in the `org.opencontainers.image.ref.name` annotation; one
    /// entry per tag). `None` when the registry cannot enumerate manifests (the
    /// Distribution API lists tags only); OCI layouts can, which is how untagged
    /// manifests of a layout are found.
    async fn list_manifests(
        &self,
        _repository: &str,
    ) -> Result<Option<Vec<Descriptor>>, RegistryError> {
        Ok(None)
    }

    async fn head_manifest(
        &self,
        repository: &str,
        reference: &str,
    ) -> Result<ManifestHead, RegistryError>;

    async fn manifest(
        &self,
        repository: &str,
        reference: &str,
    ) -> Result<FetchedManifest, RegistryError>;

    /// A small blob (a config) read whole, digest-verified, refused above `limit` bytes.
    async fn blob(
        &self,
        repository: &str,
        digest: &Digest,
        limit: u64,
    ) -> Result<Vec<u8>, RegistryError>;

    /// A blob as a stream (a layer), for the caller to verify while reading.
    async fn blob_reader(
        &self,
        repository: &str,
        digest: &Digest,
    ) -> Result<BlobReader, RegistryError>;

    /// Bytes `start..end` of a blob (`end` exclusive; `None`: to its end), unverified (a
    /// part cannot be checked against the blob's digest). A source that cannot serve a
    /// range hands back the whole blob and says so.
    async fn blob_range(
        &self,
        repository: &str,
        digest: &Digest,
        _start: u64,
        _end: Option<u64>,
    ) -> Result<BlobRange, RegistryError> {
        Ok(BlobRange::Whole(
            self.blob_reader(repository, digest).await?,
        ))
    }

    /// The blob's size if the registry holds it, `None` if it does not.
    async fn head_blob(
        &self,
        repository: &str,
        digest: &Digest,
    ) -> Result<Option<u64>, RegistryError>;

    async fn referrers(
        &self,
        repository: &str,
        digest: &Digest,
    ) -> Result<Referrers, RegistryError>;

    /// Deletes a manifest by digest (never by tag).
    async fn delete_manifest(&self, repository: &str, digest: &Digest)
        -> Result<(), RegistryError>;

    /// Pushes manifest bytes under a tag or digest reference (used by restore and tests).
    async fn put_manifest(
        &self,
        repository: &str,
        reference: &str,
        media_type: &str,
        bytes: &[u8],
    ) -> Result<Digest, RegistryError>;

    fn stats(&self) -> TrafficStats {
        TrafficStats::default()
    }
}
