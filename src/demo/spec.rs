//! The demo fleet description (`assets/demo-fleet.toml`), embedded in the binary.

use serde::Deserialize;

pub const EMBEDDED: &str = include_str!("../../assets/demo-fleet.toml");

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FleetSpec {
    pub seed: u64,
    /// `"auto"` or an RFC 3339 instant.
    pub epoch: String,
    #[serde(rename = "base")]
    pub bases: Vec<BaseSpec>,
    #[serde(rename = "repository")]
    pub repositories: Vec<RepoSpec>,
    #[serde(default, rename = "vulnerability")]
    pub vulnerabilities: Vec<VulnSpec>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BaseSpec {
    pub name: String,
    pub pretty: String,
    pub os_release_id: String,
    pub version: String,
    pub rootfs_kb: usize,
    pub packages: Vec<String>,
    pub rebuild_days: u32,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RepoSpec {
    pub name: String,
    /// `base` publishes the base images themselves; `app` (default) builds on one.
    #[serde(default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub stack: Option<String>,
    pub base: String,
    pub archs: Vec<String>,
    pub first_day: u32,
    pub last_day: u32,
    pub every_days: u32,
    #[serde(default)]
    pub weekdays_only: bool,
    #[serde(default)]
    pub version: Option<String>,
    #[serde(default)]
    pub release_every: Option<u32>,
    #[serde(default)]
    pub moving: Vec<String>,
    #[serde(default)]
    pub sha_tags: usize,
    /// `referrer` (OCI 1.1 subject), `tag` (cosign `sha256-<hex>.sig`), or absent.
    #[serde(default)]
    pub signature: Option<String>,
    #[serde(default)]
    pub sbom: bool,
    #[serde(default)]
    pub attestations: bool,
    /// `trivy`, `grype`, `sarif`, `cosign` (vulnerability attestation), or absent.
    #[serde(default)]
    pub scanner: Option<String>,
    #[serde(default = "default_app_kb")]
    pub app_kb: usize,
    #[serde(default)]
    pub waste: Vec<String>,
    #[serde(default)]
    pub reproducible: bool,
}

fn default_app_kb() -> usize {
    16
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VulnSpec {
    pub id: String,
    pub package: String,
    pub installed: String,
    #[serde(default)]
    pub fixed: Option<String>,
    #[serde(default)]
    pub fixed_day: Option<u32>,
    pub severity: String,
    pub title: String,
    /// Bases whose package this is; empty means every base that has the package.
    #[serde(default)]
    pub bases: Vec<String>,
}

impl FleetSpec {
    pub fn parse(text: &str) -> Result<FleetSpec, String> {
        let spec: FleetSpec = toml::from_str(text).map_err(|e| e.to_string())?;
        for r in &spec.repositories {
            if !spec.bases.iter().any(|b| b.name == r.base) {
                return Err(format!("repository {}: unknown base {:?}", r.name, r.base));
            }
            if r.every_days == 0 || r.first_day < r.last_day || r.archs.is_empty() {
                return Err(format!(
                    "repository {}: needs every_days > 0, first_day >= last_day and an arch",
                    r.name
                ));
            }
        }
        Ok(spec)
    }

    pub fn embedded() -> FleetSpec {
        Self::parse(EMBEDDED).expect("assets/demo-fleet.toml parses (tested)")
    }
}
