//! AWS ECR: listings, scans, lifecycle policies, deletion and restore through the ECR API
//! (`registry::ecr`), never a manifest read except where the user opens an image (a pull
//! in ECR). One API client per session, built on first use (credential chain, TLS).

use super::driver::{Driver, FindingsQuery, OwnPolicy};
use super::Session;
use crate::inventory::{CrawlOptions, InventoryEvent};
use crate::model::Digest;
use crate::policy::execute::{DeletionTarget, EcrTarget};
use crate::policy::restore::RestoreTarget;
use crate::policy::PolicyFormat;
use crate::registry::ecr::{EcrClient, EcrConnectOptions, EcrManifestSource};
use crate::registry::{ManifestSource, RegistryError};
use crate::scan::ImageFindings;
use async_trait::async_trait;
use std::sync::Arc;
use tokio::sync::mpsc::Sender;
use tokio::sync::OnceCell;

#[derive(Default)]
pub struct Ecr {
    client: OnceCell<Arc<EcrClient>>,
}

impl Ecr {
    /// The session's API client (built once; a failure is retried on the next call).
    pub async fn client(&self, s: &Session) -> Result<Arc<EcrClient>, RegistryError> {
        self.client
            .get_or_try_init(|| async {
                EcrClient::connect(s.target(), s.settings(), EcrConnectOptions::default())
                    .await
                    .map(Arc::new)
            })
            .await
            .cloned()
    }
}

#[async_trait]
impl Driver for Ecr {
    /// Manifests and blobs through the registry endpoint's OCI API with ECR's token;
    /// reading a manifest there counts as a pull (the caps say so).
    fn open_source(&self, s: &Session) -> Result<Arc<dyn ManifestSource>, RegistryError> {
        Ok(Arc::new(EcrManifestSource::lazy(
            s.target(),
            s.settings(),
            EcrConnectOptions::default(),
        )))
    }

    /// `DescribeRepositories` and `DescribeImages` only: the generic crawl would GET every
    /// manifest, and in ECR that is a pull.
    async fn crawl(&self, s: &Session, _opts: &CrawlOptions, tx: Sender<InventoryEvent>) {
        match self.client(s).await {
            Ok(client) => crate::inventory::ecr::crawl(&client, &tx).await,
            Err(e) => crate::inventory::finish_fatal(&s.name(), &e, tx).await,
        }
    }

    /// ECR's own scan (`DescribeImageScanFindings`, basic and enhanced), the reference
    /// resolved with `DescribeImages` when it is a tag: never a manifest read.
    async fn findings(
        &self,
        s: &Session,
        q: &FindingsQuery,
    ) -> Result<ImageFindings, RegistryError> {
        if !q.files.paths.is_empty() {
            return Err(RegistryError::Unsupported {
                place: s.place(Some(&q.repository)),
                what: "report files are for registries without a scanner of their own; ECR reports its own scan".into(),
            });
        }
        let client = self.client(s).await?;
        let digest = match Digest::parse(&q.reference) {
            Ok(d) => d,
            Err(_) => {
                client
                    .describe_image(&q.repository, &q.reference)
                    .await?
                    .digest
            }
        };
        let report = client.scan_findings(&q.repository, &digest).await?;
        Ok(crate::scan::ecr::image_findings(
            &q.shown_as,
            &digest,
            report,
        ))
    }

    async fn own_policy(
        &self,
        s: &Session,
        repository: &str,
    ) -> Result<Option<OwnPolicy>, RegistryError> {
        let client = self.client(s).await?;
        Ok(client
            .lifecycle_policy(repository)
            .await?
            .map(|p| OwnPolicy {
                format: PolicyFormat::Ecr,
                text: p.text,
                source: "ECR GetLifecyclePolicy".into(),
            }))
    }

    /// Tag mutability, scanning, lifecycle, repository policy and replication, each read
    /// through its own API call; what cannot be read is unknown with the error.
    async fn repo_settings(
        &self,
        s: &Session,
        repository: &str,
    ) -> Result<super::RepoSettings, RegistryError> {
        let client = self.client(s).await?;
        let lifecycle = self
            .own_policy(s, repository)
            .await
            .map(|p| p.map(|p| p.text));
        Ok(super::ecr_settings::read(&client, repository, lifecycle).await)
    }

    /// `BatchDeleteImage` by digest, checked with `DescribeImages` (no check is a pull).
    async fn deletion_target(&self, s: &Session) -> Result<Arc<dyn DeletionTarget>, RegistryError> {
        Ok(Arc::new(EcrTarget(self.client(s).await?)))
    }

    /// `PutImage` of the saved manifest.
    async fn restore_target(&self, s: &Session) -> Result<Arc<dyn RestoreTarget>, RegistryError> {
        Ok(Arc::new(EcrTarget(self.client(s).await?)))
    }
}
