//! Artifact Registry: the crawl lists images through `dockerImages.list` (untagged ones
//! too) and takes upload and update times from it; manifests come through the OCI API with
//! the same Google token. A repository's own cleanup policies (`repositories.get`) are the
//! registry's own policy, and their dry-run switch is said where the plan names its source.

use super::driver::{Driver, OwnPolicy};
use super::Session;
use crate::inventory::{CrawlOptions, InventoryEvent};
use crate::policy::PolicyFormat;
use crate::registry::gar::{own_cleanup, GarClient, GarConnectOptions};
use crate::registry::{RegistryError, Target};
use async_trait::async_trait;
use std::sync::Arc;
use tokio::sync::mpsc::Sender;
use tokio::sync::OnceCell;

#[derive(Default)]
pub struct Gar {
    client: OnceCell<Arc<GarClient>>,
}

impl Gar {
    /// The session's clients (built once; a failure is retried on the next call).
    pub async fn client(&self, s: &Session) -> Result<Arc<GarClient>, RegistryError> {
        self.client
            .get_or_try_init(|| async {
                let Target::Distribution { host, prefix } = s.target() else {
                    return Err(RegistryError::Refused {
                        place: s.place(None),
                        why: "an Artifact Registry is addressed as LOCATION-docker.pkg.dev/PROJECT[/REPOSITORY]".into(),
                    });
                };
                let opts = GarConnectOptions::default();
                GarClient::connect(host, prefix.as_deref(), s.settings(), opts)
                    .await
                    .map(Arc::new)
            })
            .await
            .cloned()
    }
}

#[async_trait]
impl Driver for Gar {
    async fn crawl(&self, s: &Session, opts: &CrawlOptions, tx: Sender<InventoryEvent>) {
        match self.client(s).await {
            Ok(client) => crate::inventory::gar::crawl(client, opts, tx).await,
            Err(e) => crate::inventory::finish_fatal(&s.name(), &e, tx).await,
        }
    }

    /// The cleanup policies of the Artifact Registry repository holding `repository`
    /// (`PROJECT/REPOSITORY/IMAGE`), in the policy-file form.
    async fn own_policy(
        &self,
        s: &Session,
        repository: &str,
    ) -> Result<Option<OwnPolicy>, RegistryError> {
        let client = self.client(s).await?;
        let mut parts = repository.splitn(3, '/');
        let (Some(project), Some(repo)) = (parts.next(), parts.next()) else {
            return Ok(None);
        };
        let r = client
            .api
            .repository(project, &client.address.location, repo)
            .await?;
        let own = own_cleanup(&r).map_err(|e| RegistryError::Malformed {
            place: s.place(Some(repository)),
            detail: format!("the repository's cleanup policies cannot be read: {e}"),
        })?;
        if own.policy.is_none() {
            return Ok(None);
        }
        let run = if own.dry_run {
            "run as a DRY RUN (cleanupPolicyDryRun): Artifact Registry deletes nothing"
        } else {
            "ACTIVE: Artifact Registry deletes what they match itself, within about a day"
        };
        Ok(Some(OwnPolicy {
            format: PolicyFormat::Gar,
            text: own.file_form.to_string(),
            source: format!(
                "cleanup policies of repository {project}/{repo} (repositories.get), {run}"
            ),
        }))
    }

    /// `repositories.get`: vulnerabilityScanningConfig, dockerConfig.immutableTags and the
    /// cleanup policies with their dry-run flag. Access (IAM) is not read: unknown.
    async fn repo_settings(
        &self,
        s: &Session,
        repository: &str,
    ) -> Result<super::RepoSettings, RegistryError> {
        let client = self.client(s).await?;
        let mut parts = repository.splitn(3, '/');
        let (Some(project), Some(repo)) = (parts.next(), parts.next()) else {
            return Ok(super::RepoSettings::not_read(s.kind().label()));
        };
        let r = client
            .api
            .repository(project, &client.address.location, repo)
            .await?;
        let own = own_cleanup(&r).map_err(|e| e.to_string());
        Ok(super::gar_settings::from_repository(&r, own))
    }
}
