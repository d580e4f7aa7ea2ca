//! `regscope repos|images|inspect` on an `ecr://` target, as a user runs them: the binary
//! with an environment that points the SDK at moto (`AWS_ENDPOINT_URL_ECR`, honoured as the
//! SDK does) and nothing of the developer's AWS setup.

use crate::ecr::manifest;
use crate::support::moto::{Moto, ACCOUNT, REGION};
use serde_json::Value;

pub fn regscope(m: &Moto, args: &[&str]) -> std::process::Output {
    let empty = m.dir.path().join("empty-aws-file");
    std::fs::write(&empty, "").unwrap();
    std::process::Command::new(env!("CARGO_BIN_EXE_regscope"))
        .args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", m.dir.path())
        .env("AWS_ENDPOINT_URL_ECR", &m.url)
        .env("AWS_ACCESS_KEY_ID", "AKIDTEST")
        .env("AWS_SECRET_ACCESS_KEY", "test-secret")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", &empty)
        .env("AWS_SHARED_CREDENTIALS_FILE", &empty)
        .output()
        .expect("run regscope")
}

#[tokio::test]
async fn ecr_cli_images_and_repos_on_an_ecr_target() {
    let Some(m) = Moto::start() else { return };
    m.create_repository("team-a/api", false, true).await;
    m.create_repository("team-b/web", true, false).await;
    let oci = "application/vnd.oci.image.manifest.v1+json";
    let d1 = m
        .put_image("team-a/api", &manifest("cli-1", 10), oci, Some("v1"))
        .await;
    m.put_image("team-a/api", &manifest("cli-2", 20), oci, None)
        .await;
    m.put_image("team-b/web", &manifest("cli-3", 30), oci, Some("prod"))
        .await;
    let target = format!("ecr://{ACCOUNT}/{REGION}");

    let out = regscope(&m, &["images", &target, "--json"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["schema"], "regscope.inventory/v1");
    let images = doc["images"].as_array().unwrap();
    assert_eq!(images.len(), 3);
    let v1 = images.iter().find(|i| i["digest"] == d1.as_str()).unwrap();
    assert_eq!(v1["tags"], serde_json::json!(["v1"]));
    assert!(v1["pushed_at"].is_string(), "{v1}");
    assert!(v1["last_pulled_at"].is_null(), "unknown stays null: {v1}");
    assert!(v1["unique_bytes"].is_null());

    let out = regscope(&m, &["images", &format!("{target}/team-a")]);
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        table.contains("PUSHED") && table.contains("PULLED") && table.contains("SCAN"),
        "{table}"
    );
    assert!(
        table.contains("team-a/api") && !table.contains("team-b/web"),
        "{table}"
    );

    let out = regscope(&m, &["repos", &target, "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let repos: Value = serde_json::from_slice(&out.stdout).unwrap();
    let names: Vec<_> = repos
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["repository"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, ["team-a/api", "team-b/web"]);
    assert!(repos[0]["newest_push"].is_string(), "{repos}");
    assert!(
        repos[0].get("oldest_pull").is_none(),
        "no pull time known: {repos}"
    );
    let out = regscope(&m, &["repos", &target]);
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        table.contains("PUSHED") && table.contains("team-b/web"),
        "{table}"
    );
    eprintln!("{table}");

    // Listing never pulled.
    let ops = m.recorded_operations();
    assert!(ops.iter().any(|o| o == "DescribeImages"), "{ops:?}");
    assert!(!ops.iter().any(|o| o == "BatchGetImage"), "{ops:?}");
}
