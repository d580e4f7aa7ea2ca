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
}
