//! Opening the `ManifestSource` a command's reference points at.

use crate::config::RegistrySettings;
use crate::registry::distribution::DistributionClient;
use crate::registry::layout::LayoutSource;
use crate::registry::{ManifestSource, Target};

pub async fn open(target: &Target) -> anyhow::Result<Box<dyn ManifestSource>> {
    match target {
        Target::Layout { root, .. } => Ok(Box::new(LayoutSource::open(root)?)),
        Target::Distribution { host, .. } => Ok(Box::new(DistributionClient::new(
            host,
            &RegistrySettings::for_address(host),
        )?)),
        other => anyhow::bail!(
            "{} is not reachable from this build yet",
            other.display_name()
        ),
    }
}
