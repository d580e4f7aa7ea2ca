//! The production [`Backend`]: crawls with `crate::inventory` and opens sources with
//! `inventory::open_source` for lazy detail fetches.

use super::backend::Backend;
use crate::config::RegistrySettings;
use crate::inventory::{self, CrawlOptions, InventoryEvent};
use crate::registry::{ManifestSource, Target};
use futures::future::BoxFuture;
use std::sync::Arc;
use tokio::sync::mpsc;

#[derive(Clone, Debug, Default)]
pub struct EngineBackend;

impl Backend for EngineBackend {
    fn crawl(
        &self,
        target: Target,
        settings: RegistrySettings,
        tx: mpsc::Sender<InventoryEvent>,
    ) -> BoxFuture<'static, ()> {
        Box::pin(async move {
            let opts = CrawlOptions::for_settings(&target, &settings);
            inventory::run(&target, &settings, &opts, tx).await;
        })
    }

    fn source(
        &self,
        target: &Target,
        settings: &RegistrySettings,
    ) -> Result<Arc<dyn ManifestSource>, String> {
        inventory::open_source(target, settings).map_err(|e| e.to_string())
    }
}
