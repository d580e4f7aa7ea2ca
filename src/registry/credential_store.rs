//! Storing and erasing credentials as `docker login` and `docker logout` do, so Docker,
//! crane, skopeo and regscope keep sharing one `config.json`: through the host's
//! `credHelpers` entry or the `credsStore` helper when configured (the file then keeps an
//! empty `auths` entry, as Docker's native store writes), else as base64 `user:password` in
//! `auths`. The rest of the file is kept as it was; it is replaced atomically, mode 0600.

use super::credentials::{config_dir, server_key};
use serde_json::{Map, Value};
use std::path::{Path, PathBuf};
use std::time::Duration;

const HELPER_TIMEOUT: Duration = Duration::from_secs(20);

/// Where a login went or a logout came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StoredIn {
    /// `docker-credential-NAME`, named by `credsStore` or `credHelpers` (`field`).
    Helper { field: &'static str, name: String },
    /// An `auths` entry of this file.
    File(PathBuf),
}

impl std::fmt::Display for StoredIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoredIn::Helper { field, name } => {
                write!(f, "docker-credential-{name} ({field})")
            }
            StoredIn::File(p) => write!(f, "{}", p.display()),
        }
    }
}

/// Docker's `config.json` in `dir` (else `DOCKER_CONFIG`, else `~/.docker`).
pub fn config_file(dir: Option<&Path>) -> Result<PathBuf, String> {
    config_dir(dir)
        .map(|d| d.join("config.json"))
        .ok_or_else(|| "cannot tell the home directory for ~/.docker/config.json".into())
}

/// Stores `username`/`secret` for `host`. The caller has verified them.
pub async fn store(
    host: &str,
    username: &str,
    secret: &str,
    dir: Option<&Path>,
) -> Result<StoredIn, String> {
    let path = config_file(dir)?;
    let mut doc = read(&path)?;
    let key = server_key(host);
    let stored = match helper_for(&doc, host) {
        Some((field, name)) => {
            let input = serde_json::json!({
                "ServerURL": key, "Username": username, "Secret": secret,
            });
            run_helper(&name, "store", &input.to_string()).await?;
            set_auth(&mut doc, &key, Value::Object(Map::new()));
            StoredIn::Helper { field, name }
        }
        None => {
            use base64::Engine as _;
            let auth =
                base64::engine::general_purpose::STANDARD.encode(format!("{username}:{secret}"));
            set_auth(&mut doc, &key, serde_json::json!({ "auth": auth }));
            StoredIn::File(path.clone())
        }
    };
    write(&path, &doc)?;
    Ok(stored)
}

/// Erases what is stored for `host`: the helper's copy and the `auths` entry. `Ok(None)`
/// when nothing was stored.
pub async fn erase(host: &str, dir: Option<&Path>) -> Result<Option<StoredIn>, String> {
    let path = config_file(dir)?;
    let mut doc = read(&path)?;
    let key = server_key(host);
    let mut erased = None;
    if let Some((field, name)) = helper_for(&doc, host) {
        match run_helper(&name, "erase", &key).await {
            Ok(_) => erased = Some(StoredIn::Helper { field, name }),
            // Helpers say "credentials not found in native keychain" for an unknown server.
            Err(e) if e.to_lowercase().contains("not found") && !e.ends_with(" not found") => {}
            Err(e) => return Err(e),
        }
    }
    let removed = doc
        .get_mut("auths")
        .and_then(Value::as_object_mut)
        .map(|auths| {
            let keys: Vec<String> = auths
                .keys()
                .filter(|k| same_host(k, host))
                .cloned()
                .collect();
            keys.iter().filter(|k| auths.remove(*k).is_some()).count()
        })
        .unwrap_or(0);
    if removed > 0 {
        write(&path, &doc)?;
        erased.get_or_insert(StoredIn::File(path));
    }
    Ok(erased)
}

fn same_host(key: &str, host: &str) -> bool {
    let k = key
        .trim_start_matches("https://")
        .trim_start_matches("http://");
    let k = k.split('/').next().unwrap_or(k);
    k.eq_ignore_ascii_case(host) || server_key(k) == server_key(host)
}

/// The helper that holds `host`'s credentials: its `credHelpers` entry, else `credsStore`.
fn helper_for(doc: &Value, host: &str) -> Option<(&'static str, String)> {
    let per_host = doc
        .get("credHelpers")
        .and_then(Value::as_object)
        .and_then(|m| m.iter().find(|(k, _)| same_host(k, host)))
        .and_then(|(_, v)| v.as_str())
        .filter(|s| !s.is_empty());
    if let Some(h) = per_host {
        return Some(("credHelpers", h.to_string()));
    }
    doc.get("credsStore")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(|s| ("credsStore", s.to_string()))
}

fn set_auth(doc: &mut Value, key: &str, entry: Value) {
    let Some(obj) = doc.as_object_mut() else {
        return;
    };
    let auths = obj
        .entry("auths")
        .or_insert_with(|| Value::Object(Map::new()));
    if !auths.is_object() {
        *auths = Value::Object(Map::new());
    }
    if let Some(a) = auths.as_object_mut() {
        a.insert(key.to_string(), entry);
    }
}

fn read(path: &Path) -> Result<Value, String> {
    match std::fs::read(path) {
        Ok(bytes) if bytes.iter().all(u8::is_ascii_whitespace) => Ok(Value::Object(Map::new())),
        Ok(bytes) => match serde_json::from_slice::<Value>(&bytes) {
            Ok(v) if v.is_object() => Ok(v),
            Ok(_) => Err(format!("{} is not a JSON object", path.display())),
            Err(e) => Err(format!("{} is not valid JSON: {e}", path.display())),
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Value::Object(Map::new())),
        Err(e) => Err(format!("cannot read {}: {e}", path.display())),
    }
}

/// Writes beside the file and renames over it, so a crash never leaves half a config.
fn write(path: &Path, doc: &Value) -> Result<(), String> {
    use std::io::Write as _;
    let dir = path.parent().unwrap_or(Path::new("."));
    create_private_dir(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let text = serde_json::to_string_pretty(doc).expect("a JSON value serialises");
    let tmp = dir.join(format!(".config.json.regscope-{}", std::process::id()));
    let result = (|| {
        let mut f = open_private(&tmp)?;
        f.write_all(text.as_bytes())?;
        f.write_all(b"\n")?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(format!("cannot write {}: {e}", path.display()));
    }
    Ok(())
}

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)
}

#[cfg(unix)]
fn open_private(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
}

#[cfg(not(unix))]
fn open_private(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::File::create(path)
}

/// `docker-credential-NAME ACTION` with `input` on stdin; its stdout, or why it failed
/// (the helper's own message, which names no secret: helpers print only errors there).
async fn run_helper(name: &str, action: &str, input: &str) -> Result<String, String> {
    use tokio::io::AsyncWriteExt;
    let bin = format!("docker-credential-{name}");
    let mut child = tokio::process::Command::new(&bin)
        .arg(action)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => format!("{bin} not found"),
            _ => format!("cannot run {bin}: {e}"),
        })?;
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(input.as_bytes()).await;
    }
    let out = tokio::time::timeout(HELPER_TIMEOUT, child.wait_with_output())
        .await
        .map_err(|_| format!("{bin} {action} did not answer within {HELPER_TIMEOUT:?}"))?
        .map_err(|e| format!("{bin} {action} failed: {e}"))?;
    if !out.status.success() {
        let said = String::from_utf8_lossy(&out.stdout).trim().to_string()
            + String::from_utf8_lossy(&out.stderr).trim();
        let said: String = said.chars().take(200).collect();
        return Err(format!("{bin} {action} exited with {}: {said}", out.status));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn stores_base64_auths_keeping_the_rest_of_the_file_and_erases_them() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("config.json");
        std::fs::write(
            &file,
            r#"{"psFormat":"table","auths":{"other.example":{"auth":"eDp5"}}}"#,
        )
        .unwrap();
        let s = store("reg.example:5000", "alice", "s3cret", Some(dir.path()))
            .await
            .unwrap();
        assert_eq!(s, StoredIn::File(file.clone()));
        let doc: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
        assert_eq!(doc["psFormat"], "table");
        assert_eq!(doc["auths"]["other.example"]["auth"], "eDp5");
        // base64("alice:s3cret")
        assert_eq!(doc["auths"]["reg.example:5000"]["auth"], "YWxpY2U6czNjcmV0");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&file).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let e = erase("reg.example:5000", Some(dir.path())).await.unwrap();
        assert_eq!(e, Some(StoredIn::File(file.clone())));
        let doc: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
        assert!(doc["auths"].get("reg.example:5000").is_none());
        assert_eq!(doc["auths"]["other.example"]["auth"], "eDp5");
        assert_eq!(erase("reg.example:5000", Some(dir.path())).await, Ok(None));
    }

    #[tokio::test]
    async fn docker_hub_uses_its_historical_key_and_a_missing_helper_fails_loudly() {
        let dir = tempfile::tempdir().unwrap();
        store("docker.io", "bob", "pw", Some(dir.path()))
            .await
            .unwrap();
        let doc: Value =
            serde_json::from_slice(&std::fs::read(dir.path().join("config.json")).unwrap())
                .unwrap();
        assert!(doc["auths"]["https://index.docker.io/v1/"]["auth"].is_string());
        std::fs::write(
            dir.path().join("config.json"),
            r#"{"credsStore":"regscope-test-absent"}"#,
        )
        .unwrap();
        let e = store("reg.example", "bob", "pw", Some(dir.path()))
            .await
            .unwrap_err();
        assert_eq!(e, "docker-credential-regscope-test-absent not found");
    }
}
