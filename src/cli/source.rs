//! What every command needs before it talks to a registry: the `[[registry]]` settings the
//! config file holds for it (CA file, `insecure`, concurrency, profile, `read_only`), and the
//! `ManifestSource` for a reference's target opened with them. One lookup, so a registry's
//! settings apply to every command alike.

use crate::app::config::paths::Paths;
use crate::app::config::AppConfig;
use crate::config::RegistrySettings;
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
    let cfg = AppConfig::load(&Paths::discover().config_file);
    for p in &cfg.problems {
        eprintln!("regscope: warning: {p}");
    }
    names
        .iter()
        .find_map(|n| find(&cfg.registries, n))
        .unwrap_or_else(|| RegistrySettings::for_address(names.first().copied().unwrap_or("")))
}

/// Matches by name, by address, or by the host part of either (`127.0.0.1:5000/team-a`
/// uses the entry for `127.0.0.1:5000`).
pub fn find(configured: &[RegistrySettings], registry: &str) -> Option<RegistrySettings> {
    let host = |a: &str| a.split('/').next().unwrap_or("").to_string();
    configured
        .iter()
        .find(|r| r.name == registry || r.address == registry)
        .or_else(|| {
            configured
                .iter()
                .find(|r| host(&r.address) == host(registry))
        })
        .cloned()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_by_name_address_or_host() {
        let mut prod = RegistrySettings::for_address("reg.example.com:5000");
        prod.name = "prod".into();
        prod.insecure = true;
        let list = [prod];
        assert!(find(&list, "prod").unwrap().insecure);
        assert!(find(&list, "reg.example.com:5000").unwrap().insecure);
        assert!(find(&list, "reg.example.com:5000/team-a").unwrap().insecure);
        assert!(find(&list, "other.example.com").is_none());
    }
}
