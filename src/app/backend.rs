//! The app's port to the engine: crawl a registry, and open a source for lazy detail
//! fetches. Production wires it to `crate::inventory`; tests and benchmarks plug in
//! synthetic data without a network.

use crate::config::RegistrySettings;
use crate::inventory::InventoryEvent;
use crate::registry::{ManifestSource, Target};
use futures::future::BoxFuture;
use std::sync::Arc;
use tokio::sync::mpsc;

pub trait Backend: Send + Sync + 'static {
    /// Crawls one registry, sending events until it is done (then returns).
    fn crawl(
        &self,
        target: Target,
        settings: RegistrySettings,
        tx: mpsc::Sender<InventoryEvent>,
    ) -> BoxFuture<'static, ()>;

    /// A source for manifests and configs of this registry.
    fn source(
        &self,
        target: &Target,
        settings: &RegistrySettings,
    ) -> Result<Arc<dyn ManifestSource>, String>;

    /// The lifecycle policy a registry keeps for `repository` (ECR's
    /// `GetLifecyclePolicy`), as text; `Ok(None)` when it has none or the registry keeps
    /// no such thing. The default asks ECR for `ecr://` targets and says none otherwise.
    fn lifecycle_policy(
        &self,
        target: &Target,
        settings: &RegistrySettings,
        repository: &str,
    ) -> BoxFuture<'static, Result<Option<String>, String>> {
        let (target, settings, repository) =
            (target.clone(), settings.clone(), repository.to_string());
        Box::pin(async move {
            if !matches!(target, Target::Ecr { .. }) {
                return Ok(None);
            }
            let client = crate::registry::ecr::EcrClient::connect(
                &target,
                &settings,
                crate::registry::ecr::EcrConnectOptions::default(),
            )
            .await
            .map_err(|e| e.to_string())?;
            client
                .lifecycle_policy(&repository)
                .await
                .map(|p| p.map(|p| p.text))
                .map_err(|e| format!("{e} ({})", e.next_step()))
        })
    }
}
