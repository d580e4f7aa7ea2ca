//! Where regscope keeps things, decided in one place for the engine, the CLI and the TUI:
//! the config file (`REGSCOPE_CONFIG`, else `config.toml` in the config dir), the data dir
//! (audit logs, exported plans), the cache dir (layer indexes), the state dir (the log file)
//! and the demo fleet.
//!
//! `REGSCOPE_DATA` moves everything regscope writes under one directory: data in it, cache
//! in `cache/`, logs in `state/`, the demo in `demo/`. Otherwise the XDG variables win on
//! every OS (design.md), then the platform's directories (`directories`), then a folder in
//! the temporary dir when no home is known at all.

use std::ffi::OsString;
use std::path::PathBuf;

const APP: &str = "regscope";

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Paths {
    pub config_file: PathBuf,
    pub data_dir: PathBuf,
    pub cache_dir: PathBuf,
    /// Where the log file goes (the XDG state dir; the local data dir where there is none).
    pub state_dir: PathBuf,
    /// The demo fleet's layout tree.
    pub demo_dir: PathBuf,
    /// False when neither `REGSCOPE_DATA`, an XDG variable nor a home directory said where
    /// to write, and the temporary dir stands in.
    pub known: bool,
}

impl Paths {
    /// The paths for this process's environment.
    pub fn discover() -> Paths {
        Self::from_env(|k| std::env::var_os(k).filter(|v| !v.is_empty()))
    }

    /// As [`Paths::discover`], reading variables through `env` (tests pass their own).
    pub fn from_env(env: impl Fn(&str) -> Option<OsString>) -> Paths {
        let dirs = directories::ProjectDirs::from("", "", APP);
        // An XDG variable counts only when absolute, as the XDG spec (and `directories`) say.
        let xdg = |k: &str| {
            env(k)
                .map(PathBuf::from)
                .filter(|p| p.is_absolute())
                .map(|p| p.join(APP))
        };
        let fallback = std::env::temp_dir().join(APP);
        let platform = |pick: fn(&directories::ProjectDirs) -> PathBuf| {
            dirs.as_ref().map(pick).unwrap_or_else(|| fallback.clone())
        };
        let config_dir =
            xdg("XDG_CONFIG_HOME").unwrap_or_else(|| platform(|d| d.config_dir().into()));
        let data_dir = xdg("XDG_DATA_HOME").unwrap_or_else(|| platform(|d| d.data_dir().into()));
        let cache_dir = xdg("XDG_CACHE_HOME").unwrap_or_else(|| platform(|d| d.cache_dir().into()));
        let state_dir = xdg("XDG_STATE_HOME").unwrap_or_else(|| {
            platform(|d| {
                d.state_dir()
                    .unwrap_or_else(|| d.data_local_dir())
                    .to_path_buf()
            })
        });
        let config_file = env("REGSCOPE_CONFIG")
            .map(PathBuf::from)
            .unwrap_or_else(|| config_dir.join("config.toml"));
        match env("REGSCOPE_DATA").map(PathBuf::from) {
            Some(d) => Paths {
                config_file,
                cache_dir: d.join("cache"),
                state_dir: d.join("state"),
                demo_dir: d.join("demo"),
                data_dir: d,
                known: true,
            },
            None => Paths {
                config_file,
                demo_dir: cache_dir.join("demo"),
                data_dir,
                cache_dir,
                state_dir,
                known: dirs.is_some() || env("XDG_CACHE_HOME").is_some(),
            },
        }
    }

    pub fn log_file(&self) -> PathBuf {
        self.state_dir.join("regscope.log")
    }

    /// Layer indexes, by layer digest.
    pub fn layer_cache_dir(&self) -> PathBuf {
        self.cache_dir.join("layers")
    }

    /// Where `regscope plan` exports and the TUI's exported plans go.
    pub fn plans_dir(&self) -> PathBuf {
        self.data_dir.join("plans")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn paths(vars: &[(&str, &str)]) -> Paths {
        let map: HashMap<String, OsString> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), OsString::from(v)))
            .collect();
        Paths::from_env(|k| map.get(k).cloned())
    }

    #[test]
    fn regscope_data_moves_everything_written() {
        let p = paths(&[("REGSCOPE_DATA", "/d"), ("XDG_CACHE_HOME", "/xc")]);
        assert_eq!(p.data_dir, PathBuf::from("/d"));
        assert_eq!(p.cache_dir, PathBuf::from("/d/cache"));
        assert_eq!(p.layer_cache_dir(), PathBuf::from("/d/cache/layers"));
        assert_eq!(p.state_dir, PathBuf::from("/d/state"));
        assert_eq!(p.demo_dir, PathBuf::from("/d/demo"));
        assert_eq!(p.plans_dir(), PathBuf::from("/d/plans"));
        assert!(p.known);
    }

    #[test]
    fn xdg_variables_win_and_config_override_is_a_file() {
        let p = paths(&[
            ("XDG_CONFIG_HOME", "/xcfg"),
            ("XDG_DATA_HOME", "/xd"),
            ("XDG_CACHE_HOME", "/xc"),
            ("XDG_STATE_HOME", "/xs"),
        ]);
        assert_eq!(p.config_file, PathBuf::from("/xcfg/regscope/config.toml"));
        assert_eq!(p.data_dir, PathBuf::from("/xd/regscope"));
        assert_eq!(p.demo_dir, PathBuf::from("/xc/regscope/demo"));
        assert_eq!(p.log_file(), PathBuf::from("/xs/regscope/regscope.log"));
        let p = paths(&[
            ("REGSCOPE_CONFIG", "/etc/r.toml"),
            ("XDG_CACHE_HOME", "rel"),
        ]);
        assert_eq!(p.config_file, PathBuf::from("/etc/r.toml"));
        assert_ne!(p.cache_dir, PathBuf::from("rel/regscope"));
    }
}
