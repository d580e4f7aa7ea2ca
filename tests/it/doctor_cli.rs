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

/// `regscope doctor` on an ECR reference with the user's own AWS setup: credentials from the
/// environment, then from a profile named in config.toml, then none at all.
#[tokio::test]
async fn ecr_doctor_with_environment_profile_and_no_credentials() {
    use crate::support::moto::{Moto, ACCOUNT, REGION};
    let Some(m) = Moto::start() else { return };
    super::doctor_ecr::seed(&m, None).await;
    let dir = tempfile::tempdir().unwrap();
    let (aws_config, aws_creds) = (dir.path().join("aws-config"), dir.path().join("aws-creds"));
    std::fs::write(&aws_config, "").unwrap();
    std::fs::write(
        &aws_creds,
        "[ci]\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = s\n",
    )
    .unwrap();
    let config = dir.path().join("config.toml");
    let reference = format!("{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/team/api:v1.0.0");
    let run = |env: &[(&str, &str)]| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_regscope"));
        c.args(["doctor", &reference, "--platform", "linux/amd64", "--json"]);
        for k in [
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_SESSION_TOKEN",
            "AWS_PROFILE",
            "AWS_REGION",
            "AWS_DEFAULT_REGION",
            "AWS_ENDPOINT_URL",
            "AWS_WEB_IDENTITY_TOKEN_FILE",
            "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
            "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        ] {
            c.env_remove(k);
        }
        c.env("REGSCOPE_CONFIG", &config)
            .env("AWS_ENDPOINT_URL_ECR", &m.url)
            .env("AWS_CONFIG_FILE", &aws_config)
            .env("AWS_SHARED_CREDENTIALS_FILE", &aws_creds)
            .env("AWS_EC2_METADATA_DISABLED", "true");
        for (k, v) in env {
            c.env(k, v);
        }
        let out = c.output().unwrap();
        let json: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
        (
            out.status.code(),
            json,
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    };
    let auth_lines = |v: &serde_json::Value| v["steps"][2]["lines"].to_string();

    let (code, v, err) = run(&[
        ("AWS_ACCESS_KEY_ID", "AKIDENV"),
        ("AWS_SECRET_ACCESS_KEY", "s"),
    ]);
    assert_eq!(code, Some(0), "{v:#}\n{err}");
    assert_eq!(v["verdict"], "ok");
    assert_eq!(v["steps"][2]["name"], "auth");
    assert!(
        auth_lines(&v).contains("environment variables (AWS_ACCESS_KEY_ID)"),
        "{v:#}"
    );
    assert!(err.contains("counts as a pull"), "{err}");
    for s in v["steps"].as_array().unwrap() {
        for k in [
            "name",
            "status",
            "detail",
            "elapsed_ms",
            "http_status",
            "error_code",
        ] {
            assert!(s.get(k).is_some(), "{k} missing in {s}");
        }
    }

    // The profile comes from the [[registry]] entry written as ecr://ACCOUNT/REGION.
    std::fs::write(
        &config,
        format!("[[registry]]\nname = \"prod\"\naddress = \"ecr://{ACCOUNT}/{REGION}\"\nprofile = \"ci\"\n"),
    )
    .unwrap();
    let (code, v, err) = run(&[]);
    assert_eq!(code, Some(0), "{v:#}\n{err}");
    assert!(auth_lines(&v).contains("profile ci"), "{v:#}");

    std::fs::write(&config, "").unwrap();
    let (code, v, err) = run(&[]);
    assert_eq!(code, Some(1), "{v:#}\n{err}");
    assert_eq!(v["verdict"], "unauthorized");
    assert_eq!(v["steps"][2]["status"], "fail");
    assert!(
        v["summary"]
            .as_str()
            .unwrap()
            .contains("No usable AWS credentials"),
        "{v:#}"
    );
}
