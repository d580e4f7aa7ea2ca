//! The CNCF distribution registry (`docker-registry serve`), started per test on
//! 127.0.0.1:0 with deletion enabled, optionally behind htpasswd Basic auth.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub enum RegistryAuth {
    None,
    /// htpasswd Basic auth with one user.
    Basic {
        user: String,
        password: String,
    },
    /// Token auth: the registry trusts tokens signed by the key whose certificate is at
    /// `cert_pem`, issued by `issuer` at `realm`.
    Token {
        realm: String,
        service: String,
        issuer: String,
        cert_pem: String,
    },
}

pub struct TestRegistry {
    child: Child,
    pub dir: tempfile::TempDir,
    /// `127.0.0.1:PORT`
    pub addr: String,
    pub tls: bool,
}

impl TestRegistry {
    pub fn start() -> Option<TestRegistry> {
        Self::start_with(RegistryAuth::None)
    }

    pub fn start_with(auth: RegistryAuth) -> Option<TestRegistry> {
        Self::start_full(auth, None)
    }

    /// Serves HTTPS with the given PEM certificate and key (`http.tls`).
    pub fn start_tls(cert_pem: &str, key_pem: &str) -> Option<TestRegistry> {
        Self::start_full(RegistryAuth::None, Some((cert_pem, key_pem)))
    }

    fn start_full(auth: RegistryAuth, tls: Option<(&str, &str)>) -> Option<TestRegistry> {
        let bin = super::require_binary("docker-registry")?;
        let dir = tempfile::tempdir().expect("tempdir");
        let data = dir.path().join("data");
        let auth_yaml = match &auth {
            RegistryAuth::None => String::new(),
            RegistryAuth::Basic { user, password } => {
                let hash = bcrypt::hash(password, 4).expect("bcrypt");
                let file = dir.path().join("htpasswd");
                std::fs::write(&file, format!("{user}:{hash}\n")).unwrap();
                format!(
                    "auth:\n  htpasswd:\n    realm: regscope-test\n    path: {}\n",
                    file.display()
                )
            }
            RegistryAuth::Token {
                realm,
                service,
                issuer,
                cert_pem,
            } => {
                let file = dir.path().join("token-ca.pem");
                std::fs::write(&file, cert_pem).unwrap();
                format!(
                    "auth:\n  token:\n    realm: {realm}\n    service: {service}\n    issuer: {issuer}\n    rootcertbundle: {}\n",
                    file.display()
                )
            }
        };
        let tls_yaml = match tls {
            None => String::new(),
            Some((cert, key)) => {
                let (c, k) = (dir.path().join("tls.crt"), dir.path().join("tls.key"));
                std::fs::write(&c, cert).unwrap();
                std::fs::write(&k, key).unwrap();
                format!(
                    "  tls:\n    certificate: {}\n    key: {}\n",
                    c.display(),
                    k.display()
                )
            }
        };
        // Foreign layers (Windows base layers, `urls` in the descriptor) are accepted as
        // Docker Hub, ACR and ECR accept them; distribution refuses them unless allowed.
        let config = format!(
            "version: 0.1\nvalidation:\n  manifests:\n    urls:\n      allow:\n        - ^https?://\nlog:\n  level: info\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: {}\n  delete:\n    enabled: true\n  maintenance:\n    uploadpurging:\n      enabled: false\nhttp:\n  addr: 127.0.0.1:0\n  secret: regscope-test-secret\n{tls_yaml}{auth_yaml}",
            data.display()
        );
        let cfg = dir.path().join("config.yml");
        std::fs::write(&cfg, config).unwrap();
        let mut child = Command::new(bin)
            .arg("serve")
            .arg(&cfg)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start docker-registry");
        let stderr = child.stderr.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut sent = false;
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if !sent {
                    if let Some(rest) = line.split("listening on ").nth(1) {
                        let addr: String = rest
                            .chars()
                            .take_while(|c| !c.is_whitespace() && *c != '"' && *c != ',')
                            .collect();
                        let _ = tx.send(addr);
                        sent = true;
                    }
                }
                // keep draining so the registry never blocks on a full pipe
            }
        });
        let deadline = Instant::now() + Duration::from_secs(20);
        let addr = loop {
            if let Ok(a) = rx.recv_timeout(Duration::from_millis(100)) {
                break a;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                panic!("docker-registry did not report its address within 20 s");
            }
            if let Ok(Some(status)) = child.try_wait() {
                panic!("docker-registry exited early: {status}");
            }
        };
        Some(TestRegistry {
            child,
            dir,
            addr,
            tls: tls.is_some(),
        })
    }

    pub fn base_url(&self) -> String {
        let scheme = if self.tls { "https" } else { "http" };
        format!("{scheme}://{}", self.addr)
    }

    /// Removes a blob from the registry's storage behind its back (for "blob missing" tests).
    pub fn remove_blob_data(&self, digest: &str) {
        let hex = digest.trim_start_matches("sha256:");
        let p = self
            .dir
            .path()
            .join("data/docker/registry/v2/blobs/sha256")
            .join(&hex[..2])
            .join(hex);
        std::fs::remove_dir_all(&p).unwrap_or_else(|e| panic!("remove {}: {e}", p.display()));
    }
}

impl TestRegistry {
    /// Replaces a stored blob's (or manifest's) bytes behind the registry's back, so it
    /// serves content that no longer matches its digest.
    pub fn overwrite_blob_data(&self, digest: &str, bytes: &[u8]) {
        let hex = digest.trim_start_matches("sha256:");
        let p = self
            .dir
            .path()
            .join("data/docker/registry/v2/blobs/sha256")
            .join(&hex[..2])
            .join(hex)
            .join("data");
        std::fs::write(&p, bytes).unwrap_or_else(|e| panic!("write {}: {e}", p.display()));
    }
}

impl Drop for TestRegistry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
