//! `regscope doctor` as a user runs it: exit codes, JSON on stdout, the checklist, and
//! `ca_file` taken from the config file.

use crate::support::fixtures::{tar, Entry, ImageFixture, Layer};
use crate::support::registry::TestRegistry;
use crate::support::seed::Seeder;
use std::process::Command;

fn regscope(args: &[&str], config: &std::path::Path) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_regscope"))
        .args(args)
        .env("REGSCOPE_CONFIG", config)
        .env("DOCKER_CONFIG", config.parent().unwrap())
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

#[tokio::test]
async fn exit_codes_json_and_ca_file_from_the_config() {
    let key = rcgen::KeyPair::generate().unwrap();
    let cert = rcgen::CertificateParams::new(vec!["127.0.0.1".to_string()])
        .unwrap()
        .self_signed(&key)
        .unwrap();
    let Some(reg) = TestRegistry::start_tls(&cert.pem(), &key.serialize_pem()) else {
        return;
    };
    let s = Seeder::new(&reg.base_url()).with_root_ca(cert.pem().as_bytes());
    let img = ImageFixture::new(
        "amd64",
        "2026-01-01T00:00:00Z",
        vec![Layer::gzip(tar(&[Entry::File("a", b"a")]), "COPY a /")],
    );
    img.push(&s, "cli/app", &["v1"]).await;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    let reference = format!("{}/cli/app:v1", reg.addr);

    // No config: the certificate is not trusted.
    let (code, out, _) = regscope(&["doctor", &reference, "--json"], &config);
    assert_eq!(code, 1, "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["verdict"], "tls");
    assert_eq!(v["reference"], reference);
    assert_eq!(v["steps"][1]["name"], "reach");
    assert_eq!(v["steps"][1]["status"], "fail");

    // The registry's ca_file in config.toml makes it pullable.
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, cert.pem()).unwrap();
    std::fs::write(
        &config,
        format!(
            "[[registry]]\nname = \"test\"\naddress = \"{}\"\nca_file = \"{}\"\n",
            reg.addr,
            ca.display()
        ),
    )
    .unwrap();
    let (code, out, err) = regscope(
        &["doctor", &reference, "--platform", "linux/amd64"],
        &config,
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("✔ reach"), "{out}");
    assert!(out.contains("verdict: ok"), "{out}");
    assert!(
        out.contains(&format!("next: docker pull {reference}")),
        "{out}"
    );

    let (code, _, err) = regscope(&["doctor", "Not A Ref!"], &config);
    assert_eq!(code, 2, "{err}");
    let (code, _, err) = regscope(&["doctor", &reference, "--platform", "linux"], &config);
    assert_eq!(code, 2, "{err}");
}
