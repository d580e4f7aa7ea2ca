//! Where regscope keeps things: the config file (XDG config dir, `REGSCOPE_CONFIG`
//! overrides), data, cache, and the log file in the state dir.

use std::path::PathBuf;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Paths {
    pub config_file: PathBuf,
    pub data_dir: PathBuf,
    pub cache_dir: PathBuf,
    /// Where the log file goes (the XDG state dir; the local data dir where there is none).
    pub state_dir: PathBuf,
}

impl Paths {
    pub fn log_file(&self) -> PathBuf {
        self.state_dir.join("regscope.log")
    }

    pub fn discover() -> Paths {
        let dirs = directories::ProjectDirs::from("", "", "regscope");
        let fallback = std::env::temp_dir().join("regscope");
        let (config_dir, data_dir, cache_dir, state_dir) = match &dirs {
            Some(d) => (
                d.config_dir().to_path_buf(),
                d.data_dir().to_path_buf(),
                d.cache_dir().to_path_buf(),
                d.state_dir()
                    .map(|p| p.to_path_buf())
                    .unwrap_or_else(|| d.data_local_dir().to_path_buf()),
            ),
            None => (
                fallback.clone(),
                fallback.clone(),
                fallback.clone(),
                fallback.clone(),
            ),
        };
        // REGSCOPE_DATA moves everything regscope writes under one directory, as the audit
        // log, the layer cache and the demo already do (design.md: XDG, with overrides).
        let (data_dir, cache_dir, state_dir) =
            match std::env::var_os("REGSCOPE_DATA").filter(|v| !v.is_empty()) {
                Some(d) => {
                    let d = PathBuf::from(d);
                    (d.clone(), d.join("cache"), d.join("state"))
                }
                None => (data_dir, cache_dir, state_dir),
            };
        let config_file = std::env::var_os("REGSCOPE_CONFIG")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .unwrap_or_else(|| config_dir.join("config.toml"));
        Paths {
            config_file,
            data_dir,
            cache_dir,
            state_dir,
        }
    }
}
