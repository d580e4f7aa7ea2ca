//! The per-kind dispatch point. A [`Driver`] is what one kind of registry does differently
//! from plain OCI Distribution; every method has the OCI behaviour as its default, so a new
//! kind overrides only what its native API reads better (and a kind without a driver yet
//! uses [`Oci`]). Drivers own their API clients and caches; the [`Session`] owns the OCI
//! source and hands itself to every call.

use super::Session;
use crate::inventory::{CrawlOptions, InventoryEvent};
use crate::policy::execute::{DeletionTarget, SourceTarget};
use crate::policy::restore::{RestoreTarget, SourceRestore};
use crate::policy::PolicyFormat;
use crate::registry::{ManifestSource, RegistryError};
use crate::scan::{ImageFindings, ReportFiles};
use async_trait::async_trait;
use std::sync::Arc;
use tokio::sync::mpsc::Sender;

/// One image's findings, asked for by a front end.
#[derive(Clone, Debug, Default)]
pub struct FindingsQuery {
    pub repository: String,
    /// A tag or a digest.
    pub reference: String,
    /// How the image is named in the report (`registry/repo@digest`).
    pub shown_as: String,
    /// Report files given by the user (`--report`), for registries without a scanner.
    pub files: ReportFiles,
}

/// A lifecycle policy the registry keeps for a repository, as the registry stores it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OwnPolicy {
    pub format: PolicyFormat,
    pub text: String,
    /// How it was read, for the plan's `policy_source` (`ECR GetLifecyclePolicy`).
    pub source: String,
}

#[async_trait]
pub trait Driver: Send + Sync + 'static {
    /// The source of manifests and blobs (the OCI API, or the kind's own way to it).
    /// Called once per session; the session caches the answer.
    fn open_source(&self, s: &Session) -> Result<Arc<dyn ManifestSource>, RegistryError> {
        crate::inventory::open_source(s.target(), s.settings())
    }

    /// Crawls the registry into `tx` until `InventoryEvent::Finished`. Listing must have
    /// no side effects: nothing metered, nothing the registry counts as a pull.
    async fn crawl(&self, s: &Session, opts: &CrawlOptions, tx: Sender<InventoryEvent>) {
        match s.source() {
            Ok(src) => {
                // Through the store when the front end gave one: GETs only for new digests.
                let src: Arc<dyn ManifestSource> = match &opts.store {
                    Some(store) => Arc::new(crate::inventory::StoreSource::new(
                        src,
                        store.clone(),
                        &s.name(),
                    )),
                    None => src,
                };
                crate::inventory::run_source(src, s.target().prefix(), opts, tx).await
            }
            Err(e) => crate::inventory::finish_fatal(&s.name(), &e, tx).await,
        }
    }

    /// One image's vulnerability findings: by default the scanner reports attached to it
    /// (referrers, fallback tags) and the user's report files.
    async fn findings(
        &self,
        s: &Session,
        q: &FindingsQuery,
    ) -> Result<ImageFindings, RegistryError> {
        let src = s.source()?;
        crate::scan::image_findings(
            src.as_ref(),
            &q.repository,
            &q.reference,
            &q.shown_as,
            &q.files,
        )
        .await
    }

    /// What the registry keeps about these repositories beside their images (project
    /// settings, quotas, protection rules), one line each, for `--verbose`. By default
    /// nothing: plain OCI keeps no such thing.
    async fn facts(
        &self,
        s: &Session,
        repositories: &[String],
    ) -> Result<Vec<String>, RegistryError> {
        let _ = (s, repositories);
        Ok(Vec::new())
    }

    /// The lifecycle policy the registry keeps for `repository`; `Ok(None)` when it keeps
    /// none. Only called where [`super::Caps::own_policy`] says the kind has one.
    async fn own_policy(
        &self,
        s: &Session,
        repository: &str,
    ) -> Result<Option<OwnPolicy>, RegistryError> {
        let _ = repository;
        Err(RegistryError::Unsupported {
            place: s.place(None),
            what: format!(
                "reading the lifecycle policy {} keeps (not implemented yet)",
                s.kind().label()
            ),
        })
    }

    /// What the registry keeps about `repository` that `regscope audit` asks about. By
    /// default: a plain Distribution registry or layout keeps none of it (not applicable);
    /// any other kind without its own reading says unknown, never a guess.
    async fn repo_settings(
        &self,
        s: &Session,
        repository: &str,
    ) -> Result<super::RepoSettings, RegistryError> {
        let _ = repository;
        Ok(match s.kind() {
            super::Kind::Distribution => super::RepoSettings::plain_oci(s.kind().label(), false),
            super::Kind::Layout => super::RepoSettings::plain_oci(s.kind().label(), true),
            _ => super::RepoSettings::not_read(s.kind().label()),
        })
    }

    /// What a reviewed plan is deleted through: by default OCI manifest DELETE by digest.
    async fn deletion_target(&self, s: &Session) -> Result<Arc<dyn DeletionTarget>, RegistryError> {
        Ok(Arc::new(SourceTarget(s.source()?)))
    }

    /// What `restore` re-pushes deleted manifests through: by default OCI manifest PUT.
    async fn restore_target(&self, s: &Session) -> Result<Arc<dyn RestoreTarget>, RegistryError> {
        Ok(Arc::new(SourceRestore(s.source()?)))
    }
}

/// Plain OCI Distribution (and OCI layouts, and every kind without a native driver yet).
pub struct Oci;

impl Driver for Oci {}
