//! Engine-side settings for one registry, as written in `config.toml` under
//! `[[registry]]`, and the loading of those entries that every command shares. The TUI's
//! own settings (keymap, theme, mouse) live in `app::config`, which reads the same file.

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Requests in flight where a fixed number is used (cloud APIs, fleet searches).
pub const DEFAULT_CONCURRENCY: usize = 16;
/// The adaptive in-flight limit of a registry's transport grows up to this by default.
pub const DEFAULT_CONCURRENCY_CEILING: usize = 64;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegistrySettings {
    /// A short name (`prod`, `hub`), used by `:registry NAME`.
    pub name: String,
    /// A target as on the command line (`ghcr.io/org`, `ecr://eu-west-1`, `oci:./dir`).
    pub address: String,
    /// What kind of registry this is (`harbor`, `acr`, ...); detected when absent, and
    /// wins over detection when given.
    #[serde(default)]
    pub kind: Option<crate::session::Kind>,
    /// Allow plain HTTP (and skip nothing else) for a non-loopback registry.
    #[serde(default)]
    pub insecure: bool,
    /// Removes deletion entirely for this registry.
    #[serde(default)]
    pub read_only: bool,
    /// Extra PEM CA certificates to trust for this registry.
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
    /// The most requests in flight at once (default 64). regscope starts at 16 (or this,
    /// when lower) and adapts under it: more while latency stays flat, fewer on 429s,
    /// `Retry-After` or rising latency.
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
    /// Artifact Registry: the Google Cloud project, when the address does not start with it.
    #[serde(default)]
    pub project: Option<String>,
    /// Artifact Registry: the location (`us`, `europe-west1`), when the host does not say it
    /// (`LOCATION-docker.pkg.dev`).
    #[serde(default)]
    pub location: Option<String>,
}

impl RegistrySettings {
    /// Settings for a target given on the command line, with every default.
    pub fn for_address(address: &str) -> Self {
        RegistrySettings {
            name: address.to_string(),
            address: address.to_string(),
            kind: None,
            insecure: false,
            read_only: false,
            ca_file: None,
            concurrency: None,
            color: None,
            profile: None,
            connect_timeout_secs: None,
            read_timeout_secs: None,
            max_retries: None,
            project: None,
            location: None,
        }
    }
    pub fn concurrency(&self) -> usize {
        self.concurrency
            .unwrap_or(DEFAULT_CONCURRENCY)
            .clamp(1, 256)
    }
    /// The ceiling of the adaptive in-flight limit (`registry::adaptive`): the configured
    /// `concurrency`, else [`DEFAULT_CONCURRENCY_CEILING`].
    pub fn concurrency_ceiling(&self) -> usize {
        self.concurrency
            .unwrap_or(DEFAULT_CONCURRENCY_CEILING)
            .clamp(1, 256)
    }
    /// Where the adaptive limit starts: 16, or the ceiling when that is lower.
    pub fn concurrency_start(&self) -> usize {
        crate::registry::adaptive::START.min(self.concurrency_ceiling())
    }
}

/// The `[[registry]]` entries of a config file, validated. Other sections (the TUI's theme,
/// keymap, ...) are not this module's business and are ignored here.
#[derive(Clone, Debug, Default)]
pub struct RegistryConfig {
    pub registries: Vec<RegistrySettings>,
    /// What was wrong, one sentence each, naming file and line.
    pub problems: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
struct RegistriesOnly {
    #[serde(default, rename = "registry")]
    registries: Vec<RegistrySettings>,
}

impl RegistryConfig {
    /// Reads `path`; a missing file is no entries, a broken one no entries plus a problem
    /// (`config error in FILE line L, column C: WHY; using defaults`).
    pub fn load(path: &Path) -> RegistryConfig {
        match std::fs::read_to_string(path) {
            Ok(text) => Self::parse(&text, path),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => RegistryConfig::default(),
            Err(e) => RegistryConfig {
                registries: Vec::new(),
                problems: vec![unreadable(path, &e)],
            },
        }
    }

    /// The config file of this environment (`REGSCOPE_CONFIG`, else the XDG config dir).
    pub fn discover() -> RegistryConfig {
        Self::load(&crate::paths::Paths::discover().config_file)
    }

    pub fn parse(text: &str, path: &Path) -> RegistryConfig {
        match toml::from_str::<RegistriesOnly>(text) {
            Ok(file) => {
                let mut problems = Vec::new();
                let registries = validate_registries(file.registries, path, &mut problems);
                RegistryConfig {
                    registries,
                    problems,
                }
            }
            Err(e) => RegistryConfig {
                registries: Vec::new(),
                problems: vec![describe_toml_error(text, path, &e)],
            },
        }
    }

    /// The entry for `registry` (a target as typed, a registry name, or a host): by name, by
    /// address, else by the host part of either (`127.0.0.1:5000/team-a` uses the entry for
    /// `127.0.0.1:5000`).
    pub fn find(&self, registry: &str) -> Option<RegistrySettings> {
        let host = |a: &str| a.split('/').next().unwrap_or("").to_string();
        self.registries
            .iter()
            .find(|r| r.name == registry || r.address == registry)
            .or_else(|| {
                self.registries
                    .iter()
                    .find(|r| host(&r.address) == host(registry))
            })
            .or_else(|| {
                // One ECR registry written two ways: `ecr://ACCOUNT/REGION` and
                // `ACCOUNT.dkr.ecr.REGION.amazonaws.com`.
                let ecr = |a: &str| match crate::registry::Target::parse(a) {
                    Ok(crate::registry::Target::Ecr {
                        account: Some(account),
                        region,
                        ..
                    }) => Some((account, region)),
                    _ => None,
                };
                let wanted = ecr(registry)?;
                self.registries
                    .iter()
                    .find(|r| ecr(&r.address).as_ref() == Some(&wanted))
            })
            .cloned()
    }
}

/// Keeps the entries whose address is a target regscope understands; the others become
/// problems naming the file and the entry.
pub fn validate_registries(
    entries: Vec<RegistrySettings>,
    path: &Path,
    problems: &mut Vec<String>,
) -> Vec<RegistrySettings> {
    let mut kept = Vec::new();
    for r in entries {
        let fits = crate::registry::Target::parse(&r.address)
            .and_then(|t| r.kind.map_or(Ok(()), |k| k.fits(&t)));
        if let Err(e) = fits {
            problems.push(format!(
                "config {}: registry {:?}: {e}; skipped",
                path.display(),
                r.name
            ));
        } else {
            kept.push(r);
        }
    }
    kept
}

/// `config error in FILE: cannot read it (WHY); using defaults`.
pub fn unreadable(path: &Path, e: &std::io::Error) -> String {
    format!(
        "config error in {}: cannot read it ({e}); using defaults",
        path.display()
    )
}

/// `config error in FILE line L, column C: WHY; using defaults`.
pub fn describe_toml_error(text: &str, path: &Path, e: &toml::de::Error) -> String {
    let why = e.message().trim().to_string();
    match e.span() {
        Some(span) => {
            let before = &text[..span.start.min(text.len())];
            let line = before.matches('\n').count() + 1;
            let col = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
            format!(
                "config error in {} line {line}, column {col}: {why}; using defaults",
                path.display()
            )
        }
        None => format!("config error in {}: {why}; using defaults", path.display()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_by_name_address_or_host() {
        let mut prod = RegistrySettings::for_address("reg.example.com:5000");
        prod.name = "prod".into();
        prod.insecure = true;
        let cfg = RegistryConfig {
            registries: vec![prod],
            problems: Vec::new(),
        };
        assert!(cfg.find("prod").unwrap().insecure);
        assert!(cfg.find("reg.example.com:5000").unwrap().insecure);
        assert!(cfg.find("reg.example.com:5000/team-a").unwrap().insecure);
        assert!(cfg.find("other.example.com").is_none());

        let mut ecr = RegistrySettings::for_address("ecr://123456789012/eu-west-1");
        ecr.profile = Some("prod".into());
        let cfg = RegistryConfig {
            registries: vec![ecr],
            problems: Vec::new(),
        };
        let found = cfg.find("123456789012.dkr.ecr.eu-west-1.amazonaws.com");
        assert_eq!(found.unwrap().profile.as_deref(), Some("prod"));
        assert!(cfg
            .find("123456789012.dkr.ecr.us-east-1.amazonaws.com")
            .is_none());
    }

    #[test]
    fn registries_load_beside_tui_sections_and_bad_entries_are_named() {
        let text = "mouse = true\n[theme]\nname = \"light\"\n\n[[registry]]\nname = \"ok\"\naddress = \"127.0.0.1:5000\"\n\n[[registry]]\nname = \"bad\"\naddress = \"https://nope\"\n";
        let c = RegistryConfig::parse(text, Path::new("c.toml"));
        assert_eq!(c.registries.len(), 1);
        assert_eq!(c.registries[0].name, "ok");
        assert_eq!(c.problems.len(), 1, "{:?}", c.problems);
        assert!(c.problems[0].contains("\"bad\""), "{:?}", c.problems);
        let c = RegistryConfig::parse("[[registry]\n", Path::new("/x/c.toml"));
        assert!(c.registries.is_empty());
        assert!(
            c.problems[0].starts_with("config error in /x/c.toml line 1, column"),
            "{:?}",
            c.problems
        );
        assert!(
            RegistryConfig::load(Path::new("/nonexistent/regscope/c.toml"))
                .problems
                .is_empty()
        );
    }
}
