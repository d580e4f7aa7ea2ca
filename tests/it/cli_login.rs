//! `regscope login`/`logout` and every credential path through the CLI, against the real
//! registry behind htpasswd Basic auth: a login/logout round trip into base64 `auths`, the
//! same through a real credential helper (a script speaking the docker-credential
//! protocol), a wrong password refused before anything is stored, podman's auth files
//! read after Docker's, a broken helper as a warning, and "no credentials" naming the files.

use crate::support::registry::{RegistryAuth, TestRegistry};
use base64::Engine as _;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const USER: &str = "alice";
const PASSWORD: &str = "correct horse";

struct Env {
    dir: tempfile::TempDir,
    /// Extra environment for every run.
    vars: Vec<(String, String)>,
}

impl Env {
    fn new() -> Env {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let vars = vec![
            (
                "DOCKER_CONFIG".into(),
                d.join("docker").display().to_string(),
            ),
            ("REGSCOPE_DATA".into(), d.join("data").display().to_string()),
            (
                "REGSCOPE_CONFIG".into(),
                d.join("config.toml").display().to_string(),
            ),
            // Podman's files of this test only, never the machine's.
            (
                "XDG_RUNTIME_DIR".into(),
                d.join("run").display().to_string(),
            ),
            (
                "XDG_CONFIG_HOME".into(),
                d.join("xdg").display().to_string(),
            ),
            (
                "PATH".into(),
                format!(
                    "{}:{}",
                    d.join("bin").display(),
                    std::env::var("PATH").unwrap_or_default()
                ),
            ),
        ];
        Env { dir, vars }
    }

    fn path(&self, p: &str) -> PathBuf {
        self.dir.path().join(p)
    }

    fn run(&self, args: &[&str], stdin: &str) -> (i32, String, String) {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_regscope"));
        cmd.args(args)
            .env_remove("REGSCOPE_LOG")
            .env_remove("REGISTRY_AUTH_FILE")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in &self.vars {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("run regscope");
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    fn docker_config(&self) -> serde_json::Value {
        let text = std::fs::read(self.path("docker/config.json")).unwrap_or_default();
        serde_json::from_slice(&text).unwrap_or(serde_json::Value::Null)
    }

    /// A credential helper `docker-credential-NAME` on PATH that keeps what it is given in
    /// a file, as the docker-credential-helpers protocol says (store/get/erase on stdin).
    fn helper(&self, name: &str) -> PathBuf {
        let bin = self.path("bin");
        std::fs::create_dir_all(&bin).unwrap();
        let store = self.path(&format!("{name}.json"));
        let script = format!(
            "#!/bin/sh\nset -e\nstore='{store}'\ncase \"$1\" in\n\
             store) cat > \"$store\" ;;\n\
             get) read server || true; if [ -f \"$store\" ]; then cat \"$store\"; else echo 'credentials not found in native keychain'; exit 1; fi ;;\n\
             erase) read server || true; if [ -f \"$store\" ]; then rm \"$store\"; else echo 'credentials not found in native keychain'; exit 1; fi ;;\n\
             *) exit 2 ;;\nesac\n",
            store = store.display()
        );
        let file = bin.join(format!("docker-credential-{name}"));
        std::fs::write(&file, script).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        store
    }
}

fn registry() -> Option<TestRegistry> {
    TestRegistry::start_with(RegistryAuth::Basic {
        user: USER.into(),
        password: PASSWORD.into(),
    })
}

fn write_json(path: &Path, v: &serde_json::Value) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, v.to_string()).unwrap();
}

fn basic(user: &str, pass: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(format!("{user}:{pass}"))
}

#[test]
fn login_checks_the_password_stores_base64_auths_and_logout_removes_them() {
    let Some(reg) = registry() else { return };
    let env = Env::new();
    let host = reg.addr.as_str();

    let (code, _, err) = env.run(&["login", host, "-u", USER, "--password-stdin"], "wrong\n");
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("refused, nothing stored"), "{err}");
    assert!(!err.contains("wrong"), "secret echoed: {err}");
    assert!(!env.path("docker/config.json").exists());

    let (code, out, err) = env.run(
        &["login", host, "-u", USER, "--password-stdin"],
        &format!("{PASSWORD}\n"),
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("Login Succeeded"), "{out}");
    assert_eq!(
        env.docker_config()["auths"][host]["auth"],
        basic(USER, PASSWORD)
    );

    let (code, _, err) = env.run(&["repos", host], "");
    assert_eq!(code, 0, "the stored login is used: {err}");

    let (code, out, err) = env.run(&["logout", host], "");
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("Removed"), "{out}");
    assert!(env.docker_config()["auths"].get(host).is_none());

    // Anonymous now: the error names the files that were read.
    let (code, _, err) = env.run(&["repos", host], "");
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("no credentials found"), "{err}");
    assert!(err.contains("config.json"), "{err}");
    assert!(err.contains("containers/auth.json (missing)"), "{err}");

    let (code, out, _) = env.run(&["logout", host], "");
    assert_eq!(code, 0);
    assert!(out.contains("Not logged in"), "{out}");
}

#[test]
fn login_through_a_credential_helper_and_a_broken_helper_is_a_warning() {
    let Some(reg) = registry() else { return };
    let env = Env::new();
    let host = reg.addr.as_str();
    let store = env.helper("regtest");
    write_json(
        &env.path("docker/config.json"),
        &serde_json::json!({"credsStore": "regtest", "psFormat": "table"}),
    );

    let (code, out, err) = env.run(
        &["login", host, "-u", USER, "--password-stdin"],
        &format!("{PASSWORD}\n"),
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("docker-credential-regtest (credsStore)"),
        "{out}"
    );
    let kept: serde_json::Value = serde_json::from_slice(&std::fs::read(&store).unwrap()).unwrap();
    assert_eq!(kept["Username"], USER);
    assert_eq!(kept["Secret"], PASSWORD);
    assert_eq!(kept["ServerURL"], host);
    let cfg = env.docker_config();
    assert_eq!(cfg["auths"][host], serde_json::json!({}), "{cfg}");
    assert_eq!(cfg["psFormat"], "table");
    assert!(!cfg.to_string().contains(&basic(USER, PASSWORD)));

    let (code, _, err) = env.run(&["repos", host, "-v"], "");
    assert_eq!(code, 0, "read back through the helper: {err}");

    let (code, _, err) = env.run(&["logout", host], "");
    assert_eq!(code, 0, "{err}");
    assert!(!store.exists(), "the helper erased it");

    // A credsStore whose program is missing: a warning on stderr, not silence.
    write_json(
        &env.path("docker/config.json"),
        &serde_json::json!({"credsStore": "desktop-absent"}),
    );
    let (code, _, err) = env.run(&["repos", host], "");
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains(
            "regscope: warning: credsStore \"desktop-absent\": docker-credential-desktop-absent not found"
        ),
        "{err}"
    );
}

#[test]
fn podman_auth_files_are_read_after_dockers() {
    let Some(reg) = registry() else { return };
    let host = reg.addr.as_str();
    let good = serde_json::json!({"auths": {host: {"auth": basic(USER, PASSWORD)}}});

    // $XDG_RUNTIME_DIR/containers/auth.json, with no Docker config at all.
    let env = Env::new();
    write_json(&env.path("run/containers/auth.json"), &good);
    let (code, _, err) = env.run(&["repos", host], "");
    assert_eq!(code, 0, "{err}");

    // ~/.config/containers/auth.json (XDG_CONFIG_HOME), after a Docker config that has
    // nothing for this host.
    let env = Env::new();
    write_json(
        &env.path("docker/config.json"),
        &serde_json::json!({"auths": {"other.example": {"auth": basic("x", "y")}}}),
    );
    write_json(&env.path("xdg/containers/auth.json"), &good);
    let (code, _, err) = env.run(&["repos", host], "");
    assert_eq!(code, 0, "{err}");

    // REGISTRY_AUTH_FILE; and Docker's answer comes first when both have one.
    let mut env = Env::new();
    let file = env.path("elsewhere/auth.json");
    write_json(&file, &good);
    env.vars
        .push(("REGISTRY_AUTH_FILE".into(), file.display().to_string()));
    write_json(
        &env.path("docker/config.json"),
        &serde_json::json!({"auths": {host: {"auth": basic(USER, "stale")}}}),
    );
    let (code, _, err) = env.run(&["repos", host], "");
    assert_eq!(code, 1, "Docker's (wrong) entry is read first: {err}");
    assert!(err.contains("were refused"), "{err}");
    std::fs::remove_file(env.path("docker/config.json")).unwrap();
    let (code, _, err) = env.run(&["repos", host], "");
    assert_eq!(code, 0, "{err}");
}
