//! `regscope audit` on Artifact Registry (the binary against the fake API, written from the
//! discovery document, in front of docker-registry): `repositories.get`'s
//! `vulnerabilityScanningConfig`, `dockerConfig.immutableTags`, `cleanupPolicies` and
//! `cleanupPolicyDryRun` become the `scanning`, `tag-immutability` and `lifecycle-policy`
//! checks; who may pull (IAM) stays unknown, replication not applicable.

use crate::audit::{check, json_of_output};
use crate::gar::{world, GarWorld};
use serde_json::{json, Value};

async fn audit(w: &GarWorld) -> (Option<i32>, Value) {
    let dir = w._dir.path();
    let config = format!(
        "[[registry]]\nname = \"gar-test\"\naddress = \"{}/proj/docker-repo\"\nkind = \"gar\"\nlocation = \"us\"\n",
        w.reg.addr
    );
    std::fs::write(dir.join("config.toml"), config).unwrap();
    // The fakes serve on this test's runtime: wait for the child without blocking it.
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_regscope"))
        .args([
            "audit",
            "gar-test",
            "--json",
            "--now",
            "2026-06-01T00:00:00Z",
        ])
        .env("GOOGLE_APPLICATION_CREDENTIALS", &w.key)
        .env(
            "CLOUDSDK_API_ENDPOINT_OVERRIDES_ARTIFACTREGISTRY",
            w.api.base_url(),
        )
        .env("HOME", dir)
        .env("DOCKER_CONFIG", dir)
        .env("REGSCOPE_DATA", dir.join("data"))
        .env("REGSCOPE_CONFIG", dir.join("config.toml"))
        .output()
        .await
        .unwrap();
    (out.status.code(), json_of_output(&out))
}

fn set(w: &GarWorld, settings: Value) {
    w.api
        .state
        .lock()
        .unwrap()
        .repos
        .get_mut("docker-repo")
        .unwrap()
        .settings = settings;
}

#[tokio::test]
async fn audit_of_artifact_registry_reads_the_repository_settings() {
    let good = json!({
        "vulnerabilityScanningConfig": {"enablementConfig": "INHERITED",
            "enablementState": "SCANNING_ACTIVE", "lastEnableTime": "2025-06-01T08:00:00Z"},
        "dockerConfig": {"immutableTags": true},
        "cleanupPolicyDryRun": false,
        "cleanupPolicies": {"untagged-30d": {"id": "untagged-30d", "action": "DELETE",
            "condition": {"tagState": "UNTAGGED", "olderThan": "2592000s"}}},
    });
    let Some(w) = world(good).await else {
        return;
    };
    let (code, doc) = audit(&w).await;
    let repos: Vec<String> = doc["repositories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["repository"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(repos.len(), 2, "{repos:?}");
    for repo in &repos {
        for (id, want) in [
            ("scanning", "pass"),
            ("tag-immutability", "pass"),
            ("lifecycle-policy", "pass"),
            ("public-access", "unknown"),
            ("replication", "n/a"),
        ] {
            let c = check(&doc, repo, id);
            assert_eq!(c["status"], want, "{repo} {id}: {c}");
        }
    }
    let app = repos.iter().find(|r| r.ends_with("team/app")).unwrap();
    let c = check(&doc, app, "scanning");
    assert!(
        c["evidence"]
            .to_string()
            .contains("enablementState=SCANNING_ACTIVE"),
        "{c}"
    );
    let c = check(&doc, app, "lifecycle-policy");
    assert!(
        c["evidence"]
            .to_string()
            .contains("1 cleanup policy, cleanupPolicyDryRun=false"),
        "{c}"
    );
    assert!(
        c["evidence"]
            .to_string()
            .contains("today it would delete 1 manifest and"),
        "the untagged image older than 30 days goes: {c}"
    );
    assert_eq!(code, Some(0), "nothing fails: {doc:#}");

    // The same repository run wrong: scanning off (with Google's reason), tags mutable
    // (`immutableTags` absent, as the API leaves a false out), cleanup as a dry run.
    set(
        &w,
        json!({
            "vulnerabilityScanningConfig": {"enablementConfig": "DISABLED",
                "enablementState": "SCANNING_DISABLED",
                "enablementStateReason": "Repository scanning is disabled by the repository config."},
            "dockerConfig": {},
            "cleanupPolicyDryRun": true,
            "cleanupPolicies": {"untagged-30d": {"id": "untagged-30d", "action": "DELETE",
                "condition": {"tagState": "UNTAGGED", "olderThan": "2592000s"}}},
        }),
    );
    let (code, doc) = audit(&w).await;
    assert_eq!(code, Some(1), "scanning off fails: {doc:#}");
    let c = check(&doc, app, "scanning");
    assert_eq!(c["status"], "fail", "{c}");
    assert!(
        c["evidence"]
            .to_string()
            .contains("disabled by the repository config"),
        "{c}"
    );
    let c = check(&doc, app, "tag-immutability");
    assert_eq!(c["status"], "warn", "{c}");
    assert!(
        c["evidence"].to_string().contains("immutableTags=false"),
        "{c}"
    );
    let c = check(&doc, app, "lifecycle-policy");
    assert_eq!(c["status"], "warn", "{c}");
    assert!(c["summary"].as_str().unwrap().contains("dry run"), "{c}");

    // No cleanup policy at all, and a repository that says nothing about scanning.
    set(&w, json!({}));
    let (_, doc) = audit(&w).await;
    let c = check(&doc, app, "lifecycle-policy");
    assert_eq!(c["status"], "warn", "{c}");
    assert_eq!(c["summary"], "no lifecycle policy is set");
    let c = check(&doc, app, "scanning");
    assert_ne!(c["status"], "pass", "unread is never pass: {c}");
}
