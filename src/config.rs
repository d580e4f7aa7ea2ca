//! Engine-side settings for one registry, as written in `config.toml` under
//! `[[registry]]`. The TUI's own settings (keymap, theme) live in `app::config`.

use serde::{Deserialize, Serialize};
use std::path::PathBuf;

pub const DEFAULT_CONCURRENCY: usize = 16;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegistrySettings {
    /// A short name (`prod`, `hub`), used by `:registry NAME`.
    pub name: String,
    /// A target as on the command line (`ghcr.io/org`, `ecr://eu-west-1`, `oci:./dir`).
    pub address: String,
    /// Allow plain HTTP (and skip nothing else) for a non-loopback registry.
    #[serde(default)]
    pub insecure: bool,
    /// Removes deletion entirely for this registry.
    #[serde(default)]
    pub read_only: bool,
    /// Extra PEM CA certificates to trust for this registry.
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
    /// Requests in flight at once; the default suits most registries.
    #[serde(default)]
    pub concurrency: Option<usize>,
    /// A colour name or `#rrggbb` that marks this registry everywhere (make prod red).
    #[serde(default)]
    pub color: Option<String>,
    /// AWS profile for ECR targets.
    #[serde(default)]
    pub profile: Option<String>,
    /// Seconds to wait for a TCP+TLS connection (default 10).
    #[serde(default)]
    pub connect_timeout_secs: Option<u64>,
    /// Longest silence while reading a response, in seconds (default 30).
    #[serde(default)]
    pub read_timeout_secs: Option<u64>,
    /// Retries of a failed request (429, 502-504, connection errors); default 3.
    #[serde(default)]
    pub max_retries: Option<u32>,
}

impl RegistrySettings {
    /// Settings for a target given on the command line, with every default.
    pub fn for_address(address: &str) -> Self {
        RegistrySettings {
            name: address.to_string(),
            address: address.to_string(),
            insecure: false,
            read_only: false,
            ca_file: None,
            concurrency: None,
            color: None,
            profile: None,
            connect_timeout_secs: None,
            read_timeout_secs: None,
            max_retries: None,
        }
    }
    pub fn concurrency(&self) -> usize {
        self.concurrency
            .unwrap_or(DEFAULT_CONCURRENCY)
            .clamp(1, 256)
    }
}
