//! `--ca-file` against docker-registry serving TLS with certificates made by `openssl`, as
//! a user makes them: a self-signed `openssl req -x509` certificate (marked CA:TRUE, which
//! rustls alone refuses as a server's) is accepted when it is the file given, as curl and
//! skopeo accept it; a leaf signed by a CA is accepted with the CA's certificate; anything
//! else is refused, and the doctor then does not advise giving the file that was given.

use crate::support::fixtures::{tar, Entry, ImageFixture, Layer};
use crate::support::registry::TestRegistry;
use crate::support::seed::Seeder;
use std::path::{Path, PathBuf};
use std::process::Command;

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run openssl");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `openssl req -x509`: self-signed, CA:TRUE (OpenSSL's v3_ca default), for 127.0.0.1.
fn self_signed(dir: &Path, name: &str) -> (PathBuf, PathBuf) {
    let (cert, key) = (format!("{name}.pem"), format!("{name}.key"));
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            &key,
            "-out",
            &cert,
            "-days",
            "30",
            "-subj",
            "/CN=regscope-test",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ],
    );
    (dir.join(cert), dir.join(key))
}

/// A CA (`openssl req -x509`) and a leaf for 127.0.0.1 it signed: (ca.pem, leaf.pem, leaf.key).
fn ca_and_leaf(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let (ca, ca_key) = self_signed(dir, "ca");
    openssl(
        dir,
        &[
            "req",
            "-new",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            "leaf.key",
            "-out",
            "leaf.csr",
            "-subj",
            "/CN=127.0.0.1",
        ],
    );
    std::fs::write(
        dir.join("leaf.ext"),
        "basicConstraints=CA:FALSE\nsubjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            "leaf.csr",
            "-CA",
            &ca.display().to_string(),
            "-CAkey",
            &ca_key.display().to_string(),
            "-CAcreateserial",
            "-out",
            "leaf.pem",
            "-days",
            "30",
            "-extfile",
            "leaf.ext",
        ],
    );
    (ca, dir.join("leaf.pem"), dir.join("leaf.key"))
}

fn regscope(home: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_regscope"))
        .args(args)
        .env("REGSCOPE_CONFIG", home.join("config.toml"))
        .env("REGSCOPE_DATA", home.join("data"))
        .env("DOCKER_CONFIG", home.join("docker"))
        .env("XDG_RUNTIME_DIR", home.join("run"))
        .env("XDG_CONFIG_HOME", home.join("xdg"))
        .env_remove("REGISTRY_AUTH_FILE")
        .env_remove("REGSCOPE_LOG")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

async fn serve(cert: &Path, key: &Path, trust: &Path) -> Option<TestRegistry> {
    let pem = std::fs::read_to_string(cert).unwrap();
    let reg = TestRegistry::start_tls(&pem, &std::fs::read_to_string(key).unwrap())?;
    let s = Seeder::new(&reg.base_url()).with_root_ca(&std::fs::read(trust).unwrap());
    ImageFixture::new(
        "amd64",
        "2026-01-01T00:00:00Z",
        vec![Layer::gzip(tar(&[Entry::File("a", b"a")]), "COPY a /")],
    )
    .push(&s, "tls/app", &["v1"])
    .await;
    Some(reg)
}

#[tokio::test]
async fn a_self_signed_openssl_certificate_given_as_ca_file_is_accepted() {
    crate::require!("openssl");
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let (cert, key) = self_signed(h, "server");
    let Some(reg) = serve(&cert, &key, &cert).await else {
        return;
    };
    let ca = cert.display().to_string();

    // Without the file: refused, as before.
    let (code, _, err) = regscope(h, &["repos", &reg.addr]);
    assert_eq!(code, 1, "{err}");

    // With it: listed, inspected, and the doctor says pullable.
    let (code, out, err) = regscope(h, &["repos", &reg.addr, "--ca-file", &ca]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("tls/app"), "{out}");
    let (code, out, err) = regscope(h, &["images", &reg.addr, "--ca-file", &ca, "--json"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("\"v1\""), "{out}");
    let reference = format!("{}/tls/app:v1", reg.addr);
    let (code, out, err) = regscope(
        h,
        &[
            "doctor",
            &reference,
            "--ca-file",
            &ca,
            "--platform",
            "linux/amd64",
        ],
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("verdict: ok"), "{out}");

    // Another self-signed certificate with the same name is not this server's: refused,
    // and the advice is about the file given, not to give one.
    let (other, _) = self_signed(h, "other");
    let other = other.display().to_string();
    let (code, out, err) = regscope(h, &["doctor", &reference, "--ca-file", &other]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains(&format!("ca_file {other}")), "{out}");
    assert!(out.contains("openssl s_client"), "{out}");
    assert!(!out.contains("--ca-file /path/to"), "{out}");
    // The certificate's expiry is a date, not ASN.1 text.
    let expires = out
        .lines()
        .find(|l| l.contains("expires:"))
        .unwrap_or_else(|| panic!("no expiry line: {out}"));
    let date = expires.split("expires:").nth(1).unwrap().trim();
    assert!(
        chrono::NaiveDateTime::parse_from_str(date, "%Y-%m-%d %H:%M UTC").is_ok(),
        "{expires}"
    );
    let (code, _, err) = regscope(h, &["repos", &reg.addr, "--ca-file", &other]);
    assert_eq!(code, 1, "{err}");
}

#[tokio::test]
async fn a_leaf_signed_by_the_ca_in_ca_file_is_accepted_and_nothing_else() {
    crate::require!("openssl");
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let (ca, leaf, key) = ca_and_leaf(h);
    let Some(reg) = serve(&leaf, &key, &ca).await else {
        return;
    };
    let (code, out, err) = regscope(
        h,
        &["repos", &reg.addr, "--ca-file", &ca.display().to_string()],
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("tls/app"), "{out}");
    // The config's ca_file works the same.
    std::fs::write(
        h.join("config.toml"),
        format!(
            "[[registry]]\nname = \"lab\"\naddress = \"{}\"\nca_file = \"{}\"\n",
            reg.addr,
            ca.display()
        ),
    )
    .unwrap();
    let (code, out, err) = regscope(h, &["repos", "lab"]);
    assert_eq!(code, 0, "{out}{err}");
    // A CA that did not sign the leaf is no help.
    let (other, _) = self_signed(h, "other");
    let (code, _, err) = regscope(
        h,
        &[
            "repos",
            &reg.addr,
            "--ca-file",
            &other.display().to_string(),
        ],
    );
    assert_eq!(code, 1, "{err}");
}
