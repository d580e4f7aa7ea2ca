//! Opening the `ManifestSource` a command's reference points at.

use crate::config::RegistrySettings;
use crate::registry::distribution::DistributionClient;
use crate::registry::ecr::{EcrConnectOptions, EcrManifestSource, OPENING_COUNTS_AS_PULL};
use crate::registry::layout::LayoutSource;
use crate::registry::{ManifestSource, Target};

pub async fn open(target: &Target) -> anyhow::Result<Box<dyn ManifestSource>> {
    match target {
        Target::Layout { root, .. } => Ok(Box::new(LayoutSource::open(root)?)),
        Target::Distribution { host, .. } => Ok(Box::new(DistributionClient::new(
            host,
            &RegistrySettings::for_address(host),
        )?)),
        Target::Ecr { .. } => {
            let settings = RegistrySettings::for_address(&target.display_name());
            // Reading manifests through ECR moves "last pulled"; say so before doing it.
            eprintln!("note: {OPENING_COUNTS_AS_PULL}");
            Ok(Box::new(EcrManifestSource::lazy(
                target,
                &settings,
                EcrConnectOptions::default(),
            )))
        }
    }
}
