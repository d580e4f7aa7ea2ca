//! The registry side of a deletion run: what the executor asks just before acting on an
//! item, and how it deletes. [`SourceTarget`] serves every `ManifestSource` (distribution,
//! OCI layouts) by reading manifests; ECR has its own ([`super::ecr::EcrTarget`]) because
//! there a manifest read is a pull.

use crate::model::Digest;
use crate::registry::{FetchedManifest, ManifestSource, RegistryError};
use async_trait::async_trait;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// What the registry says now around one planned item, read just before its DELETE:
/// tag -> digest, and why the item is newly protected (a child of a surviving index, a
/// referrer the plan does not remove).
#[derive(Default)]
pub struct RepoNow {
    /// Complete when the target surveys; empty when it checks each item on its own.
    pub tags: HashMap<String, Digest>,
    pub protected: HashMap<Digest, String>,
}

/// What the re-checks of one repository have learnt so far in a run, so each item's
/// re-check asks only what may have changed: tags last resolved, media types, and the
/// children of indexes already read (a digest names its content for good).
#[derive(Default)]
pub struct RepoMemo {
    pub surveyed: bool,
    pub tags: HashMap<String, Digest>,
    pub media: HashMap<Digest, String>,
    pub children: HashMap<Digest, Vec<Digest>>,
}

/// One image as it stands just before it is acted on.
pub struct Current {
    /// The tags pointing at it now, when the target can say per image (else the
    /// survey's tag map is used).
    pub tags: Option<Vec<String>>,
    /// Its manifest, when reading it was how the target checked it exists.
    pub fetched: Option<FetchedManifest>,
}

/// What the executor needs from a registry.
#[async_trait]
pub trait DeletionTarget: Send + Sync {
    fn name(&self) -> String;
    /// Just before each item's DELETE (the last check before it): the tags and what
    /// newly protects `digest`. An error leaves the item alone.
    async fn survey(
        &self,
        repo: &str,
        digest: &Digest,
        planned_tags: &[String],
        planned: &HashSet<(&str, &Digest)>,
        memo: &mut RepoMemo,
    ) -> Result<RepoNow, RegistryError>;
    /// The image now; `None` when the digest no longer exists.
    async fn current(&self, repo: &str, digest: &Digest) -> Result<Option<Current>, RegistryError>;
    /// The digest a tag points at now; `None` when the tag is gone.
    async fn resolve(&self, repo: &str, tag: &str) -> Result<Option<Digest>, RegistryError>;
    /// Whether a manifest still exists.
    async fn exists(&self, repo: &str, digest: &Digest) -> Result<bool, RegistryError>;
    /// The raw manifest, for the audit log (and the referrer check).
    async fn manifest(&self, repo: &str, digest: &Digest)
        -> Result<FetchedManifest, RegistryError>;
    /// Deletes by digest, never by tag.
    async fn delete(&self, repo: &str, digest: &Digest) -> Result<(), RegistryError>;
    /// Why the registry would refuse to delete this image now (an ACR lock), read just
    /// before acting; `None` when nothing stands in the way.
    async fn refusal(
        &self,
        _repo: &str,
        _digest: &Digest,
        _tags: &[String],
    ) -> Result<Option<String>, RegistryError> {
        Ok(None)
    }
}

/// Any `ManifestSource`: existence and tags by reading the registry's manifests.
pub struct SourceTarget(pub Arc<dyn ManifestSource>);

#[async_trait]
impl DeletionTarget for SourceTarget {
    fn name(&self) -> String {
        self.0.registry_name()
    }

    /// See [`super::recheck`]: per item, the listing, the planned and new tags, the
    /// indexes behind them, and the referrers.
    async fn survey(
        &self,
        repo: &str,
        digest: &Digest,
        planned_tags: &[String],
        planned: &HashSet<(&str, &Digest)>,
        memo: &mut RepoMemo,
    ) -> Result<RepoNow, RegistryError> {
        super::recheck::survey(self.0.as_ref(), repo, digest, planned_tags, planned, memo).await
    }

    async fn current(&self, repo: &str, digest: &Digest) -> Result<Option<Current>, RegistryError> {
        match self.0.manifest(repo, digest.as_str()).await {
            Ok(m) => Ok(Some(Current {
                tags: None,
                fetched: Some(m),
            })),
            Err(RegistryError::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    async fn resolve(&self, repo: &str, tag: &str) -> Result<Option<Digest>, RegistryError> {
        match self.0.head_manifest(repo, tag).await {
            Ok(h) => Ok(Some(h.digest)),
            Err(RegistryError::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    async fn exists(&self, repo: &str, digest: &Digest) -> Result<bool, RegistryError> {
        match self.0.head_manifest(repo, digest.as_str()).await {
            Ok(_) => Ok(true),
            Err(RegistryError::NotFound { .. }) => Ok(false),
            Err(e) => Err(e),
        }
    }

    async fn manifest(
        &self,
        repo: &str,
        digest: &Digest,
    ) -> Result<FetchedManifest, RegistryError> {
        self.0.manifest(repo, digest.as_str()).await
    }

    async fn delete(&self, repo: &str, digest: &Digest) -> Result<(), RegistryError> {
        self.0.delete_manifest(repo, digest).await
    }
}
