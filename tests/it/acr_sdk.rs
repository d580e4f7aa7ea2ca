//! The fake ACR read through Microsoft's own client, azure-containerregistry from PyPI
//! (pinned in scripts/install-test-deps.sh): its challenge-driven token flow (AAD token
//! -> /oauth2/exchange -> /oauth2/token with the challenge's scope; anonymous password
//! grant), its paging through `Link`, and its reading of the property documents, so the
//! fake answers what a client of the published API understands.

use crate::acr::seed;
use crate::support::fake_acr::{FakeAcr, AAD_TOKEN};
use serde_json::{json, Value};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn microsofts_python_client_reads_the_fake() {
    let venv = concat!(env!("CARGO_MANIFEST_DIR"), "/.venv/bin/python");
    let ok = std::process::Command::new(venv)
        .args(["-c", "import azure.containerregistry"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "azure-containerregistry is not installed; run scripts/install-test-deps.sh"
        );
        eprintln!("SKIP: azure-containerregistry not installed; run scripts/install-test-deps.sh");
        return;
    }
    let Some(fake) = FakeAcr::start().await else {
        return;
    };
    let s = seed(&fake).await;
    fake.state.lock().unwrap().anonymous_pull = true;
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/it/support/acr_sdk_check.py"
    );
    let out = tokio::process::Command::new(venv)
        .args([script, &fake.base_url(), AAD_TOKEN])
        .output()
        .await
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let got: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        got["repos"],
        json!(["app", "team/app"]),
        "paged one by one through Link"
    );
    assert_eq!(got["anonymous_repos"], json!(["app", "team/app"]));
    assert_eq!(
        got["repo"],
        json!({"name": "app", "tags": 4, "manifests": 7})
    );
    let tags = got["tags"].as_object().unwrap();
    assert_eq!(tags.len(), 4);
    assert_eq!(tags["v1"]["digest"], json!(s.v1.digest));
    assert_eq!(tags["v2"]["can_write"], json!(false));
    assert_eq!(tags["v2"]["can_delete"], json!(true));
    let days = |n: i64| (s.now - chrono::Duration::days(n)).timestamp();
    let when = |v: &Value| {
        chrono::DateTime::parse_from_rfc3339(v.as_str().unwrap())
            .unwrap()
            .timestamp()
    };
    assert_eq!(when(&tags["v1"]["updated"]), days(40));
    assert_eq!(when(&tags["v1"]["created"]), days(60));
    assert_eq!(when(&got["v1_manifest_created"]), days(10));
    let ms = got["manifests"].as_object().unwrap();
    assert_eq!(ms[&s.untagged.digest]["tags"], Value::Null);
    assert_eq!(ms[&s.untagged.digest]["can_delete"], json!(false));
    assert_eq!(ms[&s.v1.digest]["architecture"], json!("amd64"));
    assert_eq!(ms[&s.v1.digest]["os"], json!("linux"));
    for c in &s.children {
        assert_eq!(
            ms[&c.digest]["tags"],
            Value::Null,
            "index children are listed, untagged"
        );
    }
    assert_eq!(ms[&s.index.digest]["tags"], json!(["multi"]));
    assert_eq!(got["updated_latest_can_write"], json!(false));
    // The SDK's PATCH reached the fake's metadata, and it asked with the scopes ACR names.
    let st = fake.state.lock().unwrap();
    assert!(!st.repos["app"].tags["latest"].attrs.write_enabled);
    let log = &st.token_log;
    assert!(log
        .iter()
        .any(|(p, g, _)| p == "/oauth2/exchange" && g == "access_token"));
    assert!(log.iter().any(|(p, g, s)| p == "/oauth2/token"
        && g == "refresh_token"
        && s.iter().any(|x| x == "repository:app:metadata_read")));
    assert!(log
        .iter()
        .any(|(_, g, s)| g == "refresh_token"
            && s.iter().any(|x| x == "repository:app:metadata_write")));
    assert!(
        log.iter().any(|(_, g, _)| g == "password"),
        "the anonymous grant"
    );
}
