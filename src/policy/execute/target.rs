//! The registry side of a deletion run: what the executor asks just before acting on an
//! item, and how it deletes. [`SourceTarget`] serves every `ManifestSource` (distribution,
//! OCI layouts) by reading manifests; ECR has its own ([`super::ecr::EcrTarget`]) because
//! there a manifest read is a pull.

use crate::model::Digest;
use crate::registry::{FetchedManifest, Manifest, ManifestSource, RegistryError};
use async_trait::async_trait;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// Per repository, what the registry says now: tag -> digest, and which digests are
/// children of surviving tagged indexes (protected now even if the plan did not know).
#[derive(Default)]
pub struct RepoNow {
    /// Complete when the target surveys; empty when it checks each item on its own.
    pub tags: HashMap<String, Digest>,
    pub protected: HashMap<Digest, String>,
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
    /// Once per repository, before its first item.
    async fn survey(&self, repo: &str, planned: &HashSet<(&str, &Digest)>) -> RepoNow;
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

    /// Reads the repository's tags and, for every tagged manifest that stays, its children:
    /// those are protected now even if the plan did not know.
    async fn survey(&self, repo: &str, planned: &HashSet<(&str, &Digest)>) -> RepoNow {
        let mut now = RepoNow::default();
        let tags: Vec<String> = self.0.tags(repo).await.unwrap_or_default();
        let mut seen = HashSet::new();
        for t in tags {
            if let Ok(Some(d)) = self.resolve(repo, &t).await {
                now.tags.insert(t.clone(), d.clone());
                if planned.contains(&(repo, &d)) || !seen.insert(d.clone()) {
                    continue;
                }
                if let Ok(m) = self.0.manifest(repo, d.as_str()).await {
                    if let Manifest::Index(ix) = &m.manifest {
                        for c in &ix.manifests {
                            now.protected.insert(
                                c.digest.clone(),
                                format!("now a child of surviving index {} (tag {t})", d.short()),
                            );
                        }
                    }
                }
            }
        }
        now
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
