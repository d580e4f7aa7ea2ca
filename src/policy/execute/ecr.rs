//! Deleting from and restoring to ECR through its API. Checks use `DescribeImages` with
//! image ids (the digest exists, which tags point at it now): no manifest is read for a
//! check, because in ECR a read is a pull. The one manifest read per deleted image
//! (`BatchGetImage`) comes just before its deletion, for the audit log's raw bytes.
//! Deletion is `BatchDeleteImage` by digest; restore is `PutImage`.
//!
//! What it cannot see without pulling survivors: the children of an index pushed since
//! the plan. ECR itself refuses to delete an image an index still references
//! (`ImageReferencedByManifestList`), and that refusal is reported per item.

use super::target::{Current, DeletionTarget, RepoMemo, RepoNow};
use crate::model::Digest;
use crate::policy::restore::RestoreTarget;
use crate::registry::ecr::EcrClient;
use crate::registry::{FetchedManifest, RegistryError};
use async_trait::async_trait;
use std::collections::HashSet;
use std::sync::Arc;

pub struct EcrTarget(pub Arc<EcrClient>);

#[async_trait]
impl DeletionTarget for EcrTarget {
    fn name(&self) -> String {
        self.0.registry_name().to_string()
    }

    /// Nothing up front: every item is checked on its own just before it is acted on.
    async fn survey(
        &self,
        _repo: &str,
        _digest: &Digest,
        _planned_tags: &[String],
        _planned: &HashSet<(&str, &Digest)>,
        _memo: &mut RepoMemo,
    ) -> Result<RepoNow, RegistryError> {
        Ok(RepoNow::default())
    }

    async fn current(&self, repo: &str, digest: &Digest) -> Result<Option<Current>, RegistryError> {
        Ok(self
            .0
            .find_image(repo, digest.as_str())
            .await?
            .map(|im| Current {
                tags: Some(im.tags),
                fetched: None,
            }))
    }

    async fn resolve(&self, repo: &str, tag: &str) -> Result<Option<Digest>, RegistryError> {
        Ok(self.0.find_image(repo, tag).await?.map(|im| im.digest))
    }

    async fn exists(&self, repo: &str, digest: &Digest) -> Result<bool, RegistryError> {
        Ok(self.0.find_image(repo, digest.as_str()).await?.is_some())
    }

    /// `BatchGetImage`: a pull, made only for an image about to be deleted.
    async fn manifest(
        &self,
        repo: &str,
        digest: &Digest,
    ) -> Result<FetchedManifest, RegistryError> {
        self.0.fetch_manifest_counting_as_pull(repo, digest).await
    }

    async fn delete(&self, repo: &str, digest: &Digest) -> Result<(), RegistryError> {
        let report = self
            .0
            .delete_images_by_digest(repo, std::slice::from_ref(digest))
            .await;
        match report.failed.into_iter().next() {
            None => Ok(()),
            // Neither deleted nor refused in the answer (emulators leave untagged images
            // out): what counts is whether the image is still there.
            Some(f) if f.code.is_none() && !DeletionTarget::exists(self, repo, digest).await? => {
                Ok(())
            }
            Some(f) => Err(RegistryError::Other {
                place: self.0.place(Some(repo), Some(digest.as_str())),
                detail: format!(
                    "ECR did not delete it{}: {}",
                    f.code.map(|c| format!(" ({c})")).unwrap_or_default(),
                    f.reason
                ),
            }),
        }
    }
}

#[async_trait]
impl RestoreTarget for EcrTarget {
    /// The ECR API cannot look at one layer without the registry endpoint; `PutImage`
    /// itself refuses a manifest whose layers are gone, and that is reported.
    async fn has_blob(&self, _repo: &str, _digest: &Digest) -> Result<Option<bool>, RegistryError> {
        Ok(None)
    }
    async fn has_manifest(&self, repo: &str, digest: &Digest) -> Result<bool, RegistryError> {
        DeletionTarget::exists(self, repo, digest).await
    }
    async fn tag_digest(&self, repo: &str, tag: &str) -> Result<Option<Digest>, RegistryError> {
        DeletionTarget::resolve(self, repo, tag).await
    }
    async fn put(
        &self,
        repo: &str,
        tag: Option<&str>,
        _digest: &Digest,
        media_type: &str,
        bytes: &[u8],
    ) -> Result<(), RegistryError> {
        self.0
            .put_image(repo, bytes, media_type, tag)
            .await
            .map(|_| ())
    }
}
