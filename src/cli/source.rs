//! What every command needs before it talks to a registry: the `[[registry]]` settings the
//! config file holds for it (CA file, `insecure`, concurrency, profile, `read_only`), and the
//! `ManifestSource` for a reference's target opened with them. One lookup, so a registry's
//! settings apply to every command alike.

use crate::config::{RegistryConfig, RegistrySettings};
use crate::inventory::open_source;
use crate::registry::ecr::OPENING_COUNTS_AS_PULL;
use crate::registry::{ManifestSource, Target};
use std::sync::Arc;

/// The config entry for `registry` (a target as typed, a registry name, or a host), else the
/// defaults for it. Problems with the config file are printed as warnings; the command goes on
/// with the defaults, as a broken config must never stop a read-only command.
pub fn settings_for(registry: &str) -> RegistrySettings {
    settings_for_any(&[registry])
}

/// As [`settings_for`], trying each name in turn (`docker.io`, then its API host); the
/// defaults are for the first.
pub fn settings_for_any(names: &[&str]) -> RegistrySettings {
    let cfg = RegistryConfig::discover();
    for p in &cfg.problems {
        eprintln!("regscope: warning: {p}");
    }
    names
        .iter()
        .find_map(|n| cfg.find(n))
        .unwrap_or_else(|| RegistrySettings::for_address(names.first().copied().unwrap_or("")))
}

/// The source behind `target`, opened with its configured settings.
pub async fn open(target: &Target) -> anyhow::Result<Arc<dyn ManifestSource>> {
    let settings = settings_for(&target.display_name());
    if let Target::Ecr { .. } = target {
        // Reading manifests through ECR moves "last pulled"; say so before doing it.
        eprintln!("note: {OPENING_COUNTS_AS_PULL}");
    }
    Ok(open_source(target, &settings)?)
}
