//! Docker Hub: the crawl lists a namespace through the Hub API (tags, platforms, sizes,
//! last pushed and last pulled) and reads no manifest, since every manifest GET counts
//! against the pull rate limit; one HEAD, which is not counted, reads the remaining
//! allowance. Manifests and blobs come through the OCI source only when the user opens an
//! image (the caps say that counts as a pull). Plans on Docker Hub are for review: the
//! registry refuses OCI manifest DELETE, and the Hub's published API deletes no tags or
//! images (decisions.md, "Docker Hub plans are review-only").

use super::driver::Driver;
use super::Session;
use crate::inventory::{CrawlOptions, InventoryEvent};
use crate::policy::execute::DeletionTarget;
use crate::registry::dockerhub::{HubClient, HubConnectOptions};
use crate::registry::{RegistryError, Target};
use async_trait::async_trait;
use std::sync::Arc;
use tokio::sync::mpsc::Sender;
use tokio::sync::OnceCell;

/// Why nothing is deleted on Docker Hub, said where a deletion is asked for.
pub const REVIEW_ONLY: &str = "deleting on Docker Hub: plans there are for review only (the registry refuses OCI manifest DELETE and the Hub's published API deletes no tags or images); delete in Docker Hub's web interface or with Docker's own tools";

#[derive(Default)]
pub struct DockerHub {
    client: OnceCell<Arc<HubClient>>,
    /// The namespace's repository rows (`is_private`), read once for the audit.
    rows: OnceCell<Result<Vec<crate::registry::dockerhub::HubRepository>, String>>,
}

impl DockerHub {
    /// The session's clients (built once; a failure is retried on the next call).
    pub async fn client(&self, s: &Session) -> Result<Arc<HubClient>, RegistryError> {
        self.client
            .get_or_try_init(|| async {
                let Target::Distribution { host, prefix } = s.target() else {
                    return Err(RegistryError::Refused {
                        place: s.place(None),
                        why: "Docker Hub is addressed as docker.io/NAMESPACE[/REPOSITORY]".into(),
                    });
                };
                HubClient::connect(
                    host,
                    prefix.as_deref(),
                    s.settings(),
                    HubConnectOptions::default(),
                )
                .await
                .map(Arc::new)
            })
            .await
            .cloned()
    }
}

#[async_trait]
impl Driver for DockerHub {
    async fn crawl(&self, s: &Session, _opts: &CrawlOptions, tx: Sender<InventoryEvent>) {
        match self.client(s).await {
            Ok(client) => {
                crate::inventory::dockerhub::crawl(&client, s.settings().concurrency(), &tx).await
            }
            Err(e) => crate::inventory::finish_fatal(&s.name(), &e, tx).await,
        }
    }

    /// Who may pull, from the namespace listing's `is_private`; the rest unknown.
    async fn repo_settings(
        &self,
        s: &Session,
        repository: &str,
    ) -> Result<super::RepoSettings, RegistryError> {
        let rows = self
            .rows
            .get_or_init(|| async {
                let client = self.client(s).await.map_err(|e| e.to_string())?;
                client.repository_rows().await.map_err(|e| e.to_string())
            })
            .await;
        Ok(super::access_settings::hub(
            s.kind().label(),
            rows,
            repository,
        ))
    }

    async fn deletion_target(&self, s: &Session) -> Result<Arc<dyn DeletionTarget>, RegistryError> {
        Err(RegistryError::Unsupported {
            place: s.place(None),
            what: REVIEW_ONLY.into(),
        })
    }
}
