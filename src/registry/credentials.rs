//! Credentials people already have: Docker's `config.json` (`auths` with base64 `auth` or
//! an `identitytoken`, `credHelpers`, `credsStore`), found through `DOCKER_CONFIG` or
//! `~/.docker`, then podman's and skopeo's `auth.json` (same format: `REGISTRY_AUTH_FILE`,
//! else `$XDG_RUNTIME_DIR/containers/auth.json` and `~/.config/containers/auth.json`), read
//! after Docker's as crane reads them. Missing files mean anonymous. Helpers run as child processes with a
//! timeout, off the async runtime's worker threads. Nothing here ever prints a secret:
//! [`Credential`]'s `Debug` is redacted and errors name only files and helpers.

use base64::Engine as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A helper that has not answered by then is treated as broken (some prompt for input).
const HELPER_TIMEOUT: Duration = Duration::from_secs(20);

#[derive(Clone, PartialEq, Eq, Default)]
pub enum Credential {
    #[default]
    Anonymous,
    Basic {
        username: String,
        password: String,
    },
    /// An OAuth2 refresh token (`identitytoken`, or a helper's `<token>` user).
    IdentityToken {
        token: String,
    },
}

impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Credential::Anonymous => f.write_str("Anonymous"),
            Credential::Basic { username, .. } => {
                write!(
                    f,
                    "Basic {{ username: {username:?}, password: <redacted> }}"
                )
            }
            Credential::IdentityToken { .. } => f.write_str("IdentityToken(<redacted>)"),
        }
    }
}

/// Where the credential came from, for the doctor and `--verbose`.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub enum CredentialSource {
    #[default]
    Anonymous,
    /// An `auths` entry of this config file.
    ConfigFile { path: PathBuf, key: String },
    /// `credHelpers` entry for the host.
    Helper { helper: String },
    /// `credsStore`.
    Store { helper: String },
    /// Given directly (tests, or a future `--user`).
    Explicit,
}

impl std::fmt::Display for CredentialSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CredentialSource::Anonymous => f.write_str("anonymous (no credentials found)"),
            CredentialSource::ConfigFile { path, key } => {
                write!(f, "{} (auths entry {key:?})", path.display())
            }
            CredentialSource::Helper { helper } => {
                write!(
                    f,
                    "credential helper docker-credential-{helper} (credHelpers)"
                )
            }
            CredentialSource::Store { helper } => {
                write!(
                    f,
                    "credential store docker-credential-{helper} (credsStore)"
                )
            }
            CredentialSource::Explicit => f.write_str("credentials given to regscope"),
        }
    }
}

/// The result of a lookup: what was found, where, and anything that went wrong on the way
/// (a broken helper is a warning and anonymous access, not a failure).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CredentialLookup {
    pub credential: Credential,
    pub source: CredentialSource,
    pub warning: Option<String>,
    /// The files looked in, in order (`PATH` or `PATH (missing)`), for "no credentials".
    pub searched: Vec<String>,
}

impl CredentialLookup {
    /// `read A, B (missing)`: where the lookup looked, for errors that say none were found.
    pub fn searched_text(&self) -> String {
        if self.searched.is_empty() {
            "no credential file was found".into()
        } else {
            format!("read {}", self.searched.join(", "))
        }
    }
}

/// Where a credential warning goes besides the log: the CLI prints it on stderr (a broken
/// helper must not look like anonymous access); the TUI shows it in its error list.
static WARNING_SINK: std::sync::OnceLock<fn(&str)> = std::sync::OnceLock::new();

/// Sets the warning sink (first call wins).
pub fn on_warning(sink: fn(&str)) {
    let _ = WARNING_SINK.set(sink);
}

/// Hands a warning to the sink, if one is set.
pub fn report_warning(w: &str) {
    if let Some(sink) = WARNING_SINK.get() {
        sink(w);
    }
}

#[derive(serde::Deserialize, Default)]
struct DockerConfig {
    #[serde(default)]
    auths: std::collections::BTreeMap<String, AuthEntry>,
    #[serde(default, rename = "credHelpers")]
    cred_helpers: std::collections::BTreeMap<String, String>,
    #[serde(default, rename = "credsStore")]
    creds_store: Option<String>,
}

#[derive(serde::Deserialize, Default)]
struct AuthEntry {
    auth: Option<String>,
    username: Option<String>,
    password: Option<String>,
    identitytoken: Option<String>,
}

/// The directory holding `config.json`: the given one, else `DOCKER_CONFIG`, else `~/.docker`.
pub fn config_dir(explicit: Option<&Path>) -> Option<PathBuf> {
    if let Some(p) = explicit {
        return Some(p.to_path_buf());
    }
    if let Some(p) = std::env::var_os("DOCKER_CONFIG").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    directories::BaseDirs::new().map(|b| b.home_dir().join(".docker"))
}

/// The key Docker uses for a registry host (Docker Hub has its historical URL).
pub fn server_key(host: &str) -> String {
    if is_docker_hub(host) {
        "https://index.docker.io/v1/".to_string()
    } else {
        host.to_string()
    }
}

pub fn is_docker_hub(host: &str) -> bool {
    matches!(
        host,
        "docker.io" | "index.docker.io" | "registry-1.docker.io" | "registry.hub.docker.com"
    )
}

/// `https://host/v1/` → `host`, so config keys written any way match.
fn normalise_key(key: &str) -> String {
    let k = key
        .trim()
        .trim_start_matches("https://")
        .trim_start_matches("http://");
    let host = k.split('/').next().unwrap_or(k);
    if is_docker_hub(host) {
        "docker.io".into()
    } else {
        host.to_ascii_lowercase()
    }
}

/// The files credentials are looked up in, in order: Docker's `config.json` (in `dir`, or
/// where `DOCKER_CONFIG`/`~/.docker` says), then, when `dir` is not given, the
/// containers-auth.json files podman and skopeo write.
pub fn auth_files(dir: Option<&Path>) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = config_dir(dir)
        .map(|d| d.join("config.json"))
        .into_iter()
        .collect();
    if dir.is_some() {
        return files;
    }
    let env = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    if let Some(f) = env("REGISTRY_AUTH_FILE") {
        // containers-auth.json(5): when set, the only auth file the tools read.
        files.push(f);
    } else {
        if let Some(run) = env("XDG_RUNTIME_DIR") {
            files.push(run.join("containers/auth.json"));
        }
        let config = env("XDG_CONFIG_HOME")
            .or_else(|| directories::BaseDirs::new().map(|b| b.home_dir().join(".config")));
        if let Some(c) = config {
            files.push(c.join("containers/auth.json"));
        }
    }
    files.dedup();
    files
}

/// Finds credentials for `host`. Never fails: problems become a warning and anonymous.
/// The first file with an answer for the host wins; a broken entry or helper is a warning
/// and the next file is tried.
pub async fn lookup(host: &str, dir: Option<PathBuf>) -> CredentialLookup {
    let mut searched = Vec::new();
    let mut warning: Option<String> = None;
    for path in auth_files(dir.as_deref()) {
        let read_path = path.clone();
        let text = match tokio::task::spawn_blocking(move || std::fs::read(&read_path)).await {
            Ok(Ok(t)) => t,
            Ok(Err(e)) if e.kind() == std::io::ErrorKind::NotFound => {
                searched.push(format!("{} (missing)", path.display()));
                continue;
            }
            Ok(Err(e)) => {
                searched.push(format!("{} (unreadable)", path.display()));
                warning.get_or_insert(format!("cannot read {}: {e}", path.display()));
                continue;
            }
            Err(_) => {
                warning.get_or_insert("reading the credential files was cancelled".into());
                break;
            }
        };
        searched.push(path.display().to_string());
        let found = lookup_in(host, &path, &text).await;
        if let Some(w) = found.warning.clone() {
            warning.get_or_insert(w);
        }
        if !matches!(found.credential, Credential::Anonymous) {
            return CredentialLookup {
                warning,
                searched,
                ..found
            };
        }
    }
    CredentialLookup {
        warning,
        searched,
        ..CredentialLookup::default()
    }
}

/// One file's answer for `host`.
async fn lookup_in(host: &str, path: &Path, text: &[u8]) -> CredentialLookup {
    let config: DockerConfig = match serde_json::from_slice(text) {
        Ok(c) => c,
        Err(e) => {
            // serde_json's message names line and column, never the content.
            return warn(format!("{} is not valid JSON: {e}", path.display()));
        }
    };
    let want = normalise_key(host);
    if let Some((_, helper)) = config
        .cred_helpers
        .iter()
        .find(|(k, _)| normalise_key(k) == want)
    {
        let mut found = run_helper(helper, &server_key(host), "credHelpers").await;
        if matches!(found.credential, Credential::Anonymous) && found.warning.is_none() {
            found.source = CredentialSource::Anonymous;
        } else if found.warning.is_none() {
            found.source = CredentialSource::Helper {
                helper: helper.clone(),
            };
        }
        return found;
    }
    let entry = config.auths.iter().find(|(k, _)| normalise_key(k) == want);
    if let Some(store) = config.creds_store.as_deref().filter(|s| !s.is_empty()) {
        let found = run_helper(store, &server_key(host), "credsStore").await;
        if !matches!(found.credential, Credential::Anonymous) {
            return CredentialLookup {
                source: CredentialSource::Store {
                    helper: store.to_string(),
                },
                ..found
            };
        }
        if entry.is_none_or(|(_, e)| decode_entry(e).is_none()) {
            return found;
        }
    }
    match entry.and_then(|(k, e)| decode_entry(e).map(|c| (k, c))) {
        Some((key, Ok(credential))) => CredentialLookup {
            credential,
            source: CredentialSource::ConfigFile {
                path: path.to_path_buf(),
                key: key.clone(),
            },
            ..CredentialLookup::default()
        },
        Some((key, Err(why))) => warn(format!("{} auths entry {key:?}: {why}", path.display())),
        None => CredentialLookup::default(),
    }
}

fn warn(w: String) -> CredentialLookup {
    CredentialLookup {
        warning: Some(w),
        ..CredentialLookup::default()
    }
}

/// An `auths` entry as a credential; `None` for an empty entry (`{}`, common with stores).
fn decode_entry(e: &AuthEntry) -> Option<Result<Credential, String>> {
    if let Some(t) = e.identitytoken.as_deref().filter(|t| !t.is_empty()) {
        return Some(Ok(Credential::IdentityToken {
            token: t.to_string(),
        }));
    }
    if let Some(a) = e.auth.as_deref().filter(|a| !a.is_empty()) {
        let raw = match base64::engine::general_purpose::STANDARD.decode(a.trim()) {
            Ok(r) => r,
            Err(_) => return Some(Err("`auth` is not valid base64".into())),
        };
        let text = match String::from_utf8(raw) {
            Ok(t) => t,
            Err(_) => return Some(Err("`auth` is not UTF-8".into())),
        };
        return Some(match text.split_once(':') {
            Some((u, p)) => Ok(Credential::Basic {
                username: u.to_string(),
                password: p.to_string(),
            }),
            None => Err("`auth` is not `user:password`".into()),
        });
    }
    match (&e.username, &e.password) {
        (Some(u), Some(p)) if !u.is_empty() => Some(Ok(Credential::Basic {
            username: u.clone(),
            password: p.clone(),
        })),
        _ => None,
    }
}

/// Runs `docker-credential-NAME get` with the server on stdin; `field` is the config key
/// that named the helper (`credsStore`, `credHelpers`), for warnings.
async fn run_helper(name: &str, server: &str, field: &str) -> CredentialLookup {
    use tokio::io::AsyncWriteExt;
    let bin = format!("docker-credential-{name}");
    let warn = |w: String| warn(format!("{field} {name:?}: {w}"));
    let child = tokio::process::Command::new(&bin)
        .arg("get")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn();
    let mut child = match child {
        Ok(c) => c,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return warn(format!("{bin} not found"))
        }
        Err(e) => return warn(format!("cannot run {bin}: {e}")),
    };
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(server.as_bytes()).await;
    }
    let out = match tokio::time::timeout(HELPER_TIMEOUT, child.wait_with_output()).await {
        Ok(Ok(o)) => o,
        Ok(Err(e)) => return warn(format!("{bin} failed: {e}")),
        Err(_) => return warn(format!("{bin} did not answer within {HELPER_TIMEOUT:?}")),
    };
    if !out.status.success() {
        let msg = String::from_utf8_lossy(&out.stdout).to_lowercase()
            + &String::from_utf8_lossy(&out.stderr).to_lowercase();
        if msg.contains("not found") {
            return CredentialLookup::default();
        }
        return warn(format!("{bin} get exited with {}", out.status));
    }
    #[derive(serde::Deserialize)]
    struct HelperReply {
        #[serde(rename = "Username", default)]
        username: String,
        #[serde(rename = "Secret", default)]
        secret: String,
    }
    match serde_json::from_slice::<HelperReply>(&out.stdout) {
        Ok(r) if r.secret.is_empty() => CredentialLookup::default(),
        Ok(r) if r.username == "<token>" => CredentialLookup {
            credential: Credential::IdentityToken { token: r.secret },
            ..CredentialLookup::default()
        },
        Ok(r) => CredentialLookup {
            credential: Credential::Basic {
                username: r.username,
                password: r.secret,
            },
            ..CredentialLookup::default()
        },
        Err(_) => warn(format!(
            "{bin} get printed something that is not its JSON reply"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn reads_auths_with_base64_and_identity_tokens_and_hides_secrets() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("config.json"),
            r#"{"auths":{"https://reg.example/v2/":{"auth":"YWxpY2U6czNjcmV0"},
                "tok.example":{"identitytoken":"refresh-xyz"}, "empty.example":{}}}"#,
        )
        .unwrap();
        let d = Some(dir.path().to_path_buf());
        let l = lookup("reg.example", d.clone()).await;
        assert_eq!(
            l.credential,
            Credential::Basic {
                username: "alice".into(),
                password: "s3cret".into()
            }
        );
        assert!(matches!(l.source, CredentialSource::ConfigFile { .. }));
        assert!(!format!("{:?}", l).contains("s3cret"));
        let t = lookup("tok.example", d.clone()).await;
        assert!(!format!("{t:?}").contains("refresh-xyz"));
        assert!(matches!(t.credential, Credential::IdentityToken { .. }));
        let anonymous = |l: CredentialLookup| {
            l.credential == Credential::Anonymous
                && l.source == CredentialSource::Anonymous
                && l.warning.is_none()
        };
        assert!(anonymous(lookup("empty.example", d.clone()).await));
        let none = lookup("other.example", d).await;
        let file = dir.path().join("config.json").display().to_string();
        assert_eq!(none.searched, vec![file.clone()]);
        assert_eq!(none.searched_text(), format!("read {file}"));
        assert!(anonymous(none));
    }

    #[tokio::test]
    async fn missing_file_is_anonymous_and_a_missing_helper_is_a_warning() {
        let dir = tempfile::tempdir().unwrap();
        let l = lookup("reg.example", Some(dir.path().into())).await;
        assert_eq!(l.credential, Credential::Anonymous);
        assert!(l.warning.is_none());
        assert!(l.searched[0].ends_with("config.json (missing)"), "{l:?}");
        std::fs::write(
            dir.path().join("config.json"),
            r#"{"credHelpers":{"reg.example":"regscope-test-absent"}}"#,
        )
        .unwrap();
        let l = lookup("reg.example", Some(dir.path().into())).await;
        assert_eq!(l.credential, Credential::Anonymous);
        assert_eq!(
            l.warning.unwrap(),
            "credHelpers \"regscope-test-absent\": docker-credential-regscope-test-absent not found"
        );
    }
}
