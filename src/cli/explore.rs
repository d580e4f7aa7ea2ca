//! `regscope [TARGET...]`: the interactive explorer on the targets given, or on every
//! `[[registry]]` of the config file when none are. Also the `--version` text with the
//! paths regscope uses.

use crate::app::{self, AppConfig, RunOptions};
use crate::config::RegistrySettings;
use crate::paths::Paths;
use crate::registry::Target;
use std::sync::Arc;

/// `--version`: the version plus where config, data, cache and logs live.
pub fn long_version() -> String {
    let p = Paths::discover();
    let store = p.cache_dir.join(crate::store::FILE_NAME);
    let size = crate::store::size_on_disk(&store);
    let store_line = if size == 0 {
        format!("{} (not created yet)", store.display())
    } else {
        format!("{} ({})", store.display(), crate::text::size(size))
    };
    format!(
        "{}\nconfig: {}\ndata:   {}\ncache:  {}\nstore:  {}\nlog:    {}",
        env!("CARGO_PKG_VERSION"),
        p.config_file.display(),
        p.data_dir.display(),
        p.cache_dir.display(),
        store_line,
        p.log_file().display()
    )
}

/// Pairs each command-line target with its settings: a config entry whose name or address
/// matches, else the defaults for that address.
pub fn resolve(
    args: &[String],
    configured: &[RegistrySettings],
) -> Result<Vec<(Target, RegistrySettings)>, String> {
    let pick: Vec<RegistrySettings> = if args.is_empty() {
        configured.to_vec()
    } else {
        args.iter()
            .map(|a| {
                configured
                    .iter()
                    .find(|r| r.name == *a || r.address == *a)
                    .cloned()
                    .unwrap_or_else(|| RegistrySettings::for_address(a))
            })
            .collect()
    };
    pick.into_iter()
        .map(|s| {
            Target::parse(&s.address)
                .map(|t| (t, s.clone()))
                .map_err(|e| format!("{}: {e}", s.address))
        })
        .collect()
}

/// Opens the explorer; the exit code.
pub fn run(args: Vec<String>) -> anyhow::Result<i32> {
    run_named(args, None)
}

/// Opens the explorer when every argument looks like a registry; a word that does not is
/// a mistyped command: `unknown command` with a suggestion, exit 2, before any network.
pub fn run_checked(args: Vec<String>, commands: &[String]) -> anyhow::Result<i32> {
    let configured: Vec<String> = crate::config::RegistryConfig::discover()
        .registries
        .into_iter()
        .map(|r| r.name)
        .collect();
    if let Some(word) = args
        .iter()
        .find(|a| !super::words::looks_like_target(a, &configured))
    {
        eprintln!(
            "regscope: {}",
            super::words::unknown_command(word, commands)
        );
        return Ok(super::output::EXIT_USAGE);
    }
    run(args)
}

/// Opens the explorer on `address` shown as `name` unless the config names it otherwise
/// (`regscope demo` shows its fleet as `demo`, not as the directory it was built in).
pub fn run_as(address: &str, name: &str) -> anyhow::Result<i32> {
    run_named(vec![address.to_string()], Some(name))
}

fn run_named(args: Vec<String>, name: Option<&str>) -> anyhow::Result<i32> {
    let paths = Paths::discover();
    let config = AppConfig::load(&paths.config_file);
    let mut resolved = resolve(&args, &config.registries);
    if let (Ok(targets), Some(name)) = (&mut resolved, name) {
        for (_, s) in targets.iter_mut().filter(|(_, s)| s.name == s.address) {
            s.name = name.to_string();
        }
    }
    let targets = match resolved {
        Ok(t) => t
            .into_iter()
            .map(|(t, s)| (t, super::flags::apply(s)))
            .collect::<Vec<_>>(),
        Err(e) => {
            eprintln!("regscope: {e}");
            return Ok(2);
        }
    };
    if targets.is_empty() {
        eprintln!(
            "regscope: no registries to open. Give one (regscope ghcr.io/ORG, regscope oci:./dir), \
             add [[registry]] entries to {}, or try `regscope demo`.",
            paths.config_file.display()
        );
        return Ok(2);
    }
    run_targets(targets, config, &paths)?;
    Ok(0)
}

/// Opens the explorer on resolved targets (also what `regscope demo` calls).
pub fn run_targets(
    targets: Vec<(Target, RegistrySettings)>,
    config: AppConfig,
    paths: &Paths,
) -> anyhow::Result<()> {
    for p in &config.problems {
        // Also in the TUI's error list; this line survives in the scrollback.
        eprintln!("regscope: {p}");
    }
    let _log = app::logging::init(&paths.state_dir);
    tracing::info!(targets = targets.len(), "opening the explorer");
    app::run(
        targets,
        RunOptions {
            backend: Arc::new(app::engine::EngineBackend),
            config,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_pick_up_config_settings_by_name_or_address() {
        let mut prod = RegistrySettings::for_address("ghcr.io/acme");
        prod.name = "prod".into();
        prod.read_only = true;
        let cfg = vec![prod];
        let t = resolve(&["prod".into()], &cfg).unwrap();
        assert!(t[0].1.read_only);
        let t = resolve(&["ghcr.io/acme".into()], &cfg).unwrap();
        assert!(t[0].1.read_only);
        let t = resolve(&["127.0.0.1:5000".into()], &cfg).unwrap();
        assert!(!t[0].1.read_only);
        assert_eq!(resolve(&[], &cfg).unwrap().len(), 1);
        assert!(resolve(&["https://x".into()], &cfg).is_err());
    }
}
