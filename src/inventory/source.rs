//! Opens the backend for a target. Every OCI-style backend implements `ManifestSource`,
//! so the crawl does not care which one it talks to.

use crate::config::RegistrySettings;
use crate::registry::distribution::DistributionClient;
use crate::registry::ecr::{EcrConnectOptions, EcrManifestSource};
use crate::registry::layout::LayoutSource;
use crate::registry::{ManifestSource, RegistryError, Target};
use std::sync::Arc;

pub fn open_source(
    target: &Target,
    settings: &RegistrySettings,
) -> Result<Arc<dyn ManifestSource>, RegistryError> {
    match target {
        Target::Distribution { host, .. } => Ok(Arc::new(DistributionClient::new(host, settings)?)),
        Target::Layout { root, .. } => Ok(Arc::new(LayoutSource::open(root)?)),
        // Manifests and blobs through the OCI API with ECR's token (reading a manifest
        // counts as a pull there); inventories of ECR use `inventory::ecr::crawl` instead.
        Target::Ecr { .. } => Ok(Arc::new(EcrManifestSource::lazy(
            target,
            settings,
            EcrConnectOptions::default(),
        ))),
    }
}
