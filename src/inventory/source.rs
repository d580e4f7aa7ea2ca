//! Opens the backend for a target. Every OCI-style backend implements `ManifestSource`,
//! so the crawl does not care which one it talks to.

use crate::config::RegistrySettings;
use crate::registry::layout::LayoutSource;
use crate::registry::{ManifestSource, Place, RegistryError, Target};
use std::sync::Arc;

pub fn open_source(
    target: &Target,
    settings: &RegistrySettings,
) -> Result<Arc<dyn ManifestSource>, RegistryError> {
    let _ = settings;
    match target {
        Target::Distribution { host, .. } => Err(RegistryError::Unsupported {
            place: Place {
                registry: host.clone(),
                ..Place::default()
            },
            what: "the OCI Distribution backend is not built yet".into(),
        }),
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
