//! Opens the backend for a target. Every OCI-style backend implements `ManifestSource`,
//! so the crawl does not care which one it talks to.

use crate::config::RegistrySettings;
use crate::registry::distribution::DistributionClient;
use crate::registry::layout::LayoutSource;
use crate::registry::{ManifestSource, Place, RegistryError, Target};
use std::sync::Arc;

pub fn open_source(
    target: &Target,
    settings: &RegistrySettings,
) -> Result<Arc<dyn ManifestSource>, RegistryError> {
    match target {
        Target::Distribution { host, .. } => Ok(Arc::new(DistributionClient::new(host, settings)?)),
        Target::Layout { root, .. } => Ok(Arc::new(LayoutSource::open(root)?)),
        // The ECR backend fills this arm (registry::ecr).
        Target::Ecr { .. } => Err(RegistryError::Unsupported {
            place: Place {
                registry: target.display_name(),
                ..Place::default()
            },
            what: "AWS ECR targets are not supported yet".into(),
        }),
    }
}
