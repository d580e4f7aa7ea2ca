//! The fake Harbor read through harbor-api-client from PyPI (generated from Harbor's
//! swagger by a Harbor maintainer; pinned in scripts/install-test-deps.sh), so the fake
//! answers what a client of the published API understands, not only what regscope reads.

use crate::support::fake_harbor::scenario::seed;
use crate::support::fake_harbor::{FakeHarbor, ADMIN};
use serde_json::{json, Value};

#[tokio::test]
async fn harbors_python_client_reads_the_fake() {
    let venv = concat!(env!("CARGO_MANIFEST_DIR"), "/.venv/bin/python");
    let ok = std::process::Command::new(venv)
        .args(["-c", "import harbor_client"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "harbor-api-client is not installed; run scripts/install-test-deps.sh"
        );
        eprintln!("SKIP: harbor-api-client not installed; run scripts/install-test-deps.sh");
        return;
    }
    let Some(h) = FakeHarbor::start().await else {
        return;
    };
    let s = seed(&h).await;
    h.set_retention("lib", json!({"algorithm": "or", "rules": [{"priority": 1, "disabled": false, "action": "retain",
        "template": "latestPushedK", "params": {"latestPushedK": 3},
        "tag_selectors": [{"kind": "doublestar", "decoration": "matches", "pattern": "**", "extras": "{\"untagged\":true}"}],
        "scope_selectors": {"repository": [{"kind": "doublestar", "decoration": "repoMatches", "pattern": "**"}]}}]}));
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/it/support/harbor_client_check.py"
    );
    let out = tokio::process::Command::new(venv)
        .args([script, &format!("http://{}", h.addr), ADMIN.0, ADMIN.1])
        .output()
        .await
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let got: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(got["projects"]["lib"]["public"], json!("false"));
    assert_eq!(got["projects"]["lib"]["auto_scan"], json!("true"));
    assert_eq!(got["quota"]["hard"]["storage"], json!(10_000_000));
    assert_eq!(got["immutable"], json!([["v1*"]]));
    assert_eq!(got["retention"][0]["template"], json!("latestPushedK"));
    assert_eq!(
        got["retention"][0]["extras"],
        json!(["{\"untagged\":true}"]),
        "extras is a JSON string"
    );
    assert_eq!(got["repositories"], json!(["lib/team/web"]));
    assert_eq!(got["first_page"], json!(2));
    let arts = got["artifacts"].as_object().unwrap();
    assert_eq!(
        arts.len(),
        5,
        "accessories are not listed; index children are (q=base=*)"
    );
    let v1 = &arts[&s.v1];
    assert_eq!(v1["push_time"], json!("2026-03-01T12:00:00+00:00"));
    assert_eq!(v1["pull_time"], json!("2026-03-04T12:00:00+00:00"));
    assert_eq!(v1["tags"][0]["immutable"], json!(true), "{v1}");
    assert_eq!(v1["accessories"][0]["digest"], json!(s.sig));
    assert_eq!(v1["accessories"][0]["type"], json!("signature.cosign"));
    assert_eq!(v1["scan"]["status"], json!("Success"));
    assert_eq!(v1["scan"]["summary"]["Critical"], json!(1));
    assert_eq!(
        arts[&s.latest]["pull_time"],
        json!("0001-01-01T00:00:00+00:00"),
        "never pulled is Go's zero time"
    );
    assert_eq!(
        arts[&s.latest]["accessories"][0]["type"],
        json!("sbom.harbor")
    );
    let mut children: Vec<String> =
        serde_json::from_value(arts[&s.multi]["children"].clone()).unwrap();
    children.sort();
    let mut want = s.children.clone();
    want.sort();
    assert_eq!(children, want);
}
