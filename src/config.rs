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
    /// Longest whole exchange for a document (manifest, tag list, catalog page, token),
    /// retries included, in seconds (default 60). A registry trickling bytes resets the
    /// silence timeout forever; this one it cannot.
    #[serde(default)]
    pub request_timeout_secs: Option<u64>,
    /// Slowest average a blob download may keep, in bytes per second, once its first
    /// `read_timeout_secs` have passed (default 1024). Blobs have no total deadline: a
    /// large layer on a slow link is honest.
    #[serde(default)]
    pub min_blob_bytes_per_sec: Option<u64>,
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
            request_timeout_secs: None,
            min_blob_bytes_per_sec: None,
            max_retries: None,
            project: None,
            location: None,
        }
    }
    /// Resets every number out of its range to the default, one sentence per reset. A
    /// timeout of `u64::MAX` seconds would overflow the clock; 0 would mean "never wait".
    pub fn check_numbers(&mut self) -> Vec<String> {
        let mut said = Vec::new();
        let mut check = |field: &str, value: &mut Option<u64>, lo: u64, hi: u64, default: &str| {
            if let Some(v) = *value {
                if v < lo || v > hi {
                    said.push(format!(
                        "{field} = {v} is out of range ({lo} to {hi}); using the default ({default})"
                    ));
                    *value = None;
                }
            }
        };
        check(
            "connect_timeout_secs",
            &mut self.connect_timeout_secs,
            1,
            600,
            "10",
        );
        check(
            "read_timeout_secs",
            &mut self.read_timeout_secs,
            1,
            3600,
            "30",
        );
        check(
            "request_timeout_secs",
            &mut self.request_timeout_secs,
            1,
            86_400,
            "60",
        );
        check(
            "min_blob_bytes_per_sec",
            &mut self.min_blob_bytes_per_sec,
            0,
            1 << 40,
            "1024",
        );
        let mut retries = self.max_retries.map(u64::from);
        check("max_retries", &mut retries, 0, 10, "3");
        self.max_retries = retries.map(|r| r as u32);
        let mut conc = self.concurrency.map(|c| c as u64);
        check(
            "concurrency",
            &mut conc,
            1,
            256,
            "16; 64 as the adaptive ceiling",
        );
        self.concurrency = conc.map(|c| c as usize);
        said
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
        match read_config(path) {
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
/// `config error in FILE: [[registry]] entry N ("NAME"): WHY; entry skipped`. A number out
/// of range is reset to its default (`...; using the default (30)`) and the entry kept, so
/// its other settings (`read_only` above all) still apply.
pub fn validate_registries(
    entries: Vec<RegistrySettings>,
    path: &Path,
    problems: &mut Vec<String>,
) -> Vec<RegistrySettings> {
    let mut kept = Vec::new();
    for (i, mut r) in entries.into_iter().enumerate() {
        let at = format!(
            "config error in {}: [[registry]] entry {} ({:?})",
            path.display(),
            i + 1,
            r.name
        );
        let fits = crate::registry::Target::parse(&r.address)
            .map_err(|e| format!("address {:?}: {e}", r.address))
            .and_then(|t| {
                r.kind
                    .map_or(Ok(()), |k| k.fits(&t).map_err(|e| e.to_string()))
            });
        if let Err(e) = fits {
            problems.push(format!("{at}: {e}; entry skipped"));
            continue;
        }
        for why in r.check_numbers() {
            problems.push(format!("{at}: {why}"));
        }
        kept.push(r);
    }
    kept
}

/// The config file's text, capped by the bytes read (a config path pointing at
/// `/dev/zero` or a FIFO must not hang the program or fill its memory).
pub fn read_config(path: &Path) -> std::io::Result<String> {
    crate::files::read_text_capped(path, crate::files::TEXT_LIMIT).map_err(|e| match e {
        crate::files::CappedError::Io(e) => e,
        other => std::io::Error::other(other.to_string()),
    })
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
        assert!(
            c.problems[0].starts_with(
                "config error in c.toml: [[registry]] entry 2 (\"bad\"): address \"https://nope\""
            ),
            "{:?}",
            c.problems
        );
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

    #[test]
    fn numbers_out_of_range_are_config_errors_and_the_entry_keeps_the_rest() {
        let text = "[[registry]]\nname = \"prod\"\naddress = \"127.0.0.1:5000\"\nread_only = true\nread_timeout_secs = 18446744073709551615\nconnect_timeout_secs = 0\nrequest_timeout_secs = 5\nmax_retries = 4294967295\nconcurrency = 0\n";
        let c = RegistryConfig::parse(text, Path::new("c.toml"));
        assert_eq!(c.registries.len(), 1, "{:?}", c.problems);
        let r = &c.registries[0];
        assert!(r.read_only, "the entry's other settings still apply");
        assert_eq!(
            (
                r.read_timeout_secs,
                r.connect_timeout_secs,
                r.request_timeout_secs
            ),
            (None, None, Some(5))
        );
        assert_eq!((r.max_retries, r.concurrency), (None, None));
        assert_eq!(c.problems.len(), 4, "{:?}", c.problems);
        assert!(
            c.problems[1].starts_with("config error in c.toml: [[registry]] entry 1 (\"prod\"): read_timeout_secs = 18446744073709551615 is out of range"),
            "{:?}",
            c.problems
        );
        // The transport built from it does not overflow the clock.
        let o = crate::registry::transport::TransportOptions::from_settings(r);
        assert_eq!(o.read_timeout, std::time::Duration::from_secs(30));
    }
}
