//! Harbor: listings, scan overviews and the project's tag-retention policy through
//! Harbor's own API (`registry::harbor`), never a manifest read while listing (Harbor counts
//! a manifest GET through `/v2` as a pull and moves `pull_time`). Manifests and blobs,
//! when the user opens an image, go through the OCI source with Harbor's token flow.

use super::driver::{Driver, FindingsQuery, OwnPolicy};
use super::Session;
use crate::inventory::{CrawlOptions, InventoryEvent};
use crate::model::Digest;
use crate::policy::PolicyFormat;
use crate::registry::harbor::{HarborClient, HarborOptions, ReplicationPolicy};
use crate::registry::{RegistryError, Target};
use crate::scan::ImageFindings;
use async_trait::async_trait;
use std::sync::Arc;
use tokio::sync::mpsc::Sender;
use tokio::sync::OnceCell;

#[derive(Default)]
pub struct Harbor {
    client: OnceCell<Arc<HarborClient>>,
    /// The registry's replication policies, read once per session for the audit.
    replication: OnceCell<Result<Vec<ReplicationPolicy>, String>>,
}

impl Harbor {
    /// The session's API client (built once; a failure is retried on the next call).
    pub async fn client(&self, s: &Session) -> Result<Arc<HarborClient>, RegistryError> {
        self.client
            .get_or_try_init(|| async {
                let Target::Distribution { host, .. } = s.target() else {
                    return Err(RegistryError::Refused {
                        place: s.place(None),
                        why: "a Harbor is addressed as HOST[:PORT][/PROJECT]".into(),
                    });
                };
                HarborClient::new(host, s.settings(), HarborOptions::default()).map(Arc::new)
            })
            .await
            .cloned()
    }

    /// The replication policies, or why they could not be read (Harbor lists them to
    /// system administrators only).
    async fn replication_policies(&self, s: &Session) -> &Result<Vec<ReplicationPolicy>, String> {
        self.replication
            .get_or_init(|| async {
                let client = self.client(s).await.map_err(|e| e.to_string())?;
                client
                    .replication_policies()
                    .await
                    .map_err(|e| match e.http_status() {
                        Some(401 | 403) => format!(
                            "Harbor lists replication policies to system administrators only: {e}"
                        ),
                        _ => format!("the replication policies could not be read: {e}"),
                    })
            })
            .await
    }
}

#[async_trait]
impl Driver for Harbor {
    /// Projects, repositories and artifacts from `/api/v2.0` only.
    async fn crawl(&self, s: &Session, _opts: &CrawlOptions, tx: Sender<InventoryEvent>) {
        match self.client(s).await {
            Ok(client) => crate::inventory::harbor::crawl(&client, s.target().prefix(), &tx).await,
            Err(e) => crate::inventory::finish_fatal(&s.name(), &e, tx).await,
        }
    }

    /// Harbor's own scan: the status from the artifact's `scan_overview`, the findings from
    /// its vulnerability report, both read through the API (the tag resolved there too).
    async fn findings(
        &self,
        s: &Session,
        q: &FindingsQuery,
    ) -> Result<ImageFindings, RegistryError> {
        if !q.files.paths.is_empty() {
            return Err(RegistryError::Unsupported {
                place: s.place(Some(&q.repository)),
                what: "report files are for registries without a scanner of their own; Harbor reports its own scan".into(),
            });
        }
        let client = self.client(s).await?;
        let Some(artifact) = client.artifact(&q.repository, &q.reference).await? else {
            return Err(RegistryError::NotFound {
                place: s.place(Some(&q.repository)),
                code: Default::default(),
                detail: format!(": Harbor has no artifact {}", q.reference),
            });
        };
        let digest = Digest::parse(&artifact.digest).map_err(|e| RegistryError::Malformed {
            place: s.place(Some(&q.repository)),
            detail: format!("artifact digest {:?}: {e}", artifact.digest),
        })?;
        let report = client
            .vulnerabilities(&q.repository, digest.as_str())
            .await?;
        Ok(crate::scan::harbor::image_findings(
            &q.shown_as,
            &digest,
            &artifact,
            report,
        ))
    }

    /// Each project's metadata, quota, immutable-tag rules and whether it keeps a
    /// retention policy.
    async fn facts(
        &self,
        s: &Session,
        repositories: &[String],
    ) -> Result<Vec<String>, RegistryError> {
        let client = self.client(s).await?;
        let mut projects: Vec<&str> = repositories
            .iter()
            .map(|r| r.split('/').next().unwrap_or(r))
            .collect();
        projects.sort();
        projects.dedup();
        let mut out = Vec::new();
        for p in projects {
            if let Some(f) = client.project_facts(p).await? {
                out.extend(f.lines());
            }
        }
        Ok(out)
    }

    /// The project's `auto_scan`, `public`, immutable-tag rules and retention policy.
    async fn repo_settings(
        &self,
        s: &Session,
        repository: &str,
    ) -> Result<super::RepoSettings, RegistryError> {
        let client = self.client(s).await?;
        let project = repository.split('/').next().unwrap_or(repository);
        let facts = client.project_facts(project).await?;
        let retention = self
            .own_policy(s, repository)
            .await
            .map(|p| p.map(|p| p.text))
            .map_err(|e| e.to_string());
        let policies = self.replication_policies(s).await;
        Ok(super::harbor_settings::from_facts(
            facts.as_ref(),
            repository,
            retention,
            policies,
        ))
    }

    /// The tag-retention policy of the repository's project (Harbor keeps one per project;
    /// its repository selectors say which repositories it touches).
    async fn own_policy(
        &self,
        s: &Session,
        repository: &str,
    ) -> Result<Option<OwnPolicy>, RegistryError> {
        let client = self.client(s).await?;
        let project = repository.split('/').next().unwrap_or(repository);
        let Some(p) = client.project(project).await? else {
            return Ok(None);
        };
        let id = p
            .metadata
            .as_ref()
            .and_then(|m| m.retention_id.clone())
            .unwrap_or_default();
        Ok(client.retention_policy(&p).await?.map(|text| OwnPolicy {
            format: PolicyFormat::Harbor,
            text,
            source: format!(
                "tag retention policy of project {project} (GET /api/v2.0/retentions/{id})"
            ),
        }))
    }
}
