//! Azure Container Registry: manifests and blobs through `/v2`, tags, times and locks
//! through `/acr/v1` (`registry::acr`), so the inventory carries ACR's `createdTime`,
//! `lastUpdateTime` and `changeableAttributes`. Deletion goes by digest through `/v2`,
//! after checking the locks ACR would refuse it for, so a locked image is refused with
//! the reason instead of a bare 405.

use super::driver::Driver;
use super::Session;
use crate::inventory::{CrawlOptions, InventoryEvent};
use crate::model::Digest;
use crate::policy::execute::{Current, DeletionTarget, RepoMemo, RepoNow, SourceTarget};
use crate::registry::acr::{AcrClient, AcrSource};
use crate::registry::{FetchedManifest, ManifestSource, RegistryError, Target};
use async_trait::async_trait;
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use tokio::sync::mpsc::Sender;

#[derive(Default)]
pub struct Acr {
    source: Mutex<Option<Arc<AcrSource>>>,
}

impl Acr {
    /// The session's ACR source (built once).
    fn acr(&self, s: &Session) -> Result<Arc<AcrSource>, RegistryError> {
        let mut slot = self.source.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(src) = slot.as_ref() {
            return Ok(src.clone());
        }
        let Target::Distribution { host, .. } = s.target() else {
            return Err(RegistryError::Refused {
                place: s.place(None),
                why: "an ACR is addressed as NAME.azurecr.io[/REPOSITORY-PREFIX]".into(),
            });
        };
        let src = Arc::new(AcrSource::new(host, s.settings())?);
        *slot = Some(src.clone());
        Ok(src)
    }
}

#[async_trait]
impl Driver for Acr {
    /// ACR keeps scanning (Defender), retention, anonymous pull and geo-replication in
    /// Azure Resource Manager, which regscope does not read: unknown. Tag locks come with
    /// the listing (`tag_details`), and the listing shows untagged manifests.
    async fn repo_settings(
        &self,
        _s: &Session,
        _repository: &str,
    ) -> Result<super::RepoSettings, RegistryError> {
        let arm = |what: &str| {
            format!("ACR keeps its {what} in Azure Resource Manager, which regscope does not read")
        };
        Ok(super::RepoSettings {
            scanning: super::Setting::Unknown(arm("scanning (Defender for Cloud) settings")),
            tag_immutability: super::Setting::NotApplicable(
                "ACR has no immutability setting: tags are locked one by one (writeEnabled=false)"
                    .into(),
            ),
            lifecycle: super::Setting::Unknown(arm("retention policy")),
            access: super::Setting::Unknown(arm("anonymous pull setting")),
            replication: super::Setting::Unknown(arm("geo-replications")),
            listing_links_referrers: true,
            listing_lists_untagged: true,
        })
    }

    fn open_source(&self, s: &Session) -> Result<Arc<dyn ManifestSource>, RegistryError> {
        Ok(self.acr(s)?)
    }

    async fn crawl(&self, s: &Session, opts: &CrawlOptions, tx: Sender<InventoryEvent>) {
        match self.acr(s) {
            Ok(src) => crate::inventory::acr::crawl(src, s.target().prefix(), opts, tx).await,
            Err(e) => crate::inventory::finish_fatal(&s.name(), &e, tx).await,
        }
    }

    async fn deletion_target(&self, s: &Session) -> Result<Arc<dyn DeletionTarget>, RegistryError> {
        let src = self.acr(s)?;
        Ok(Arc::new(AcrTarget {
            client: src.client().clone(),
            oci: SourceTarget(src),
        }))
    }
}

/// Deletion on ACR: the OCI checks, plus ACR's locks read just before each item.
pub struct AcrTarget {
    client: AcrClient,
    oci: SourceTarget,
}

#[async_trait]
impl DeletionTarget for AcrTarget {
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
    async fn delete(&self, repo: &str, digest: &Digest) -> Result<(), RegistryError> {
        self.oci.delete(repo, digest).await
    }

    /// ACR refuses to delete a manifest whose `deleteEnabled` or `writeEnabled` is false,
    /// and a manifest that carries a locked tag.
    async fn refusal(
        &self,
        repo: &str,
        digest: &Digest,
        tags: &[String],
    ) -> Result<Option<String>, RegistryError> {
        let unlock = format!(
            "unlock it first (az acr repository update --image {repo}@{digest} --write-enabled true --delete-enabled true) and plan again"
        );
        if let Some(m) = self.client.manifest(repo, digest.as_str()).await? {
            if let Some(why) = m.changeable_attributes.deletion_refusal() {
                return Ok(Some(format!(
                    "the image is locked in ACR ({why}); ACR refuses to delete it: {unlock}"
                )));
            }
        }
        for t in tags {
            if let Some(tag) = self.client.tag(repo, t).await? {
                if let Some(why) = tag.changeable_attributes.deletion_refusal() {
                    return Ok(Some(format!(
                        "its tag {t} is locked in ACR ({why}); deleting the image would delete the tag: {unlock}"
                    )));
                }
            }
        }
        Ok(None)
    }
}
