//! `regscope audit` on Harbor (the binary against the fake Harbor in front of
//! docker-registry): each project's `auto_scan`, `public`, immutable-tag rules (with their
//! repository selectors) and tag-retention policy (with its schedule) become the
//! `scanning`, `public-access`, `tag-immutability` and `lifecycle-policy` checks, read
//! through `/api/v2.0` only (no manifest read: in Harbor that is a pull).

use crate::audit::{check, json_of_output};
use crate::support::fake_harbor::scenario::image;
use crate::support::fake_harbor::{FakeHarbor, ADMIN, ROBOT};
use base64::Engine as _;
use chrono::{TimeZone, Utc};
use serde_json::{json, Value};
use std::path::Path;
use std::process::Output;

/// A retention policy keeping the newest 5 pushed artifacts of every repository, on the
/// given cron (Harbor's "None" schedule is an empty cron).
fn retention(cron: &str, disabled: bool) -> Value {
    json!({"algorithm": "or", "trigger": {"kind": "Schedule", "settings": {"cron": cron}},
        "rules": [{"id": 1, "priority": 1, "disabled": disabled, "action": "retain", "template": "latestPushedK",
            "params": {"latestPushedK": 5},
            "tag_selectors": [{"kind": "doublestar", "decoration": "matches", "pattern": "**", "extras": "{\"untagged\":true}"}],
            "scope_selectors": {"repository": [{"kind": "doublestar", "decoration": "repoMatches", "pattern": "**"}]}}]})
}

/// Runs the binary with `user`'s credentials in Docker's config.json; the fake serves on
/// this test's runtime, so the child is awaited without blocking it.
pub async fn regscope_harbor(
    h: &FakeHarbor,
    user: (&str, &str),
    dir: &Path,
    args: &[&str],
) -> Output {
    let auth = base64::engine::general_purpose::STANDARD.encode(format!("{}:{}", user.0, user.1));
    std::fs::write(
        dir.join("config.json"),
        json!({"auths": {&h.addr: {"auth": auth}}}).to_string(),
    )
    .unwrap();
    tokio::process::Command::new(env!("CARGO_BIN_EXE_regscope"))
        .args(args)
        .env("DOCKER_CONFIG", dir)
        .env("HOME", dir)
        .env("REGSCOPE_DATA", dir.join("data"))
        .env("REGSCOPE_CONFIG", dir.join("config.toml"))
        .output()
        .await
        .unwrap()
}

#[tokio::test]
async fn audit_of_a_harbor_reads_each_projects_settings() {
    let Some(h) = FakeHarbor::start().await else {
        return;
    };
    // prod: run properly. dev: public, no scan on push, an immutable rule for other
    // repositories only. ops: a retention policy with no schedule. lab: every rule off.
    h.add_project("prod", false, true);
    h.add_immutable_rule("prod", "**", "v*");
    h.set_retention("prod", retention("0 0 0 * * *", false));
    h.add_project("dev", true, false);
    h.add_immutable_rule("dev", "other/**", "**");
    h.add_project("ops", false, true);
    h.set_retention("ops", retention("", false));
    h.add_project("lab", false, true);
    h.set_retention("lab", retention("0 0 0 * * *", true));
    h.set_clock(Utc.with_ymd_and_hms(2026, 11, 20, 0, 0, 0).unwrap());
    let s = h.seeder();
    image("amd64", b"api")
        .push(&s, "prod/api", &["v1.0.0"])
        .await;
    image("amd64", b"web")
        .push(&s, "dev/web", &["latest"])
        .await;
    image("amd64", b"job")
        .push(&s, "ops/job", &["latest"])
        .await;
    image("amd64", b"exp")
        .push(&s, "lab/exp", &["latest"])
        .await;
    let pulls_before = h.pulls().len();

    let dir = tempfile::tempdir().unwrap();
    let out = regscope_harbor(
        &h,
        ADMIN,
        dir.path(),
        &["audit", &h.addr, "--json", "--now", "2026-12-01T00:00:00Z"],
    )
    .await;
    let doc = json_of_output(&out);
    assert_eq!(
        out.status.code(),
        Some(1),
        "dev is public and scans nothing: {doc:#}"
    );
    assert_eq!(h.pulls().len(), pulls_before, "the audit read no manifest");

    let status = |repo: &str, id: &str| check(&doc, repo, id)["status"].clone();
    // prod/api: scanned on push, private, v* immutable, retention on a schedule.
    for (id, want) in [
        ("scanning", "pass"),
        ("public-access", "pass"),
        ("tag-immutability", "pass"),
        ("lifecycle-policy", "pass"),
    ] {
        assert_eq!(status("prod/api", id), want, "prod/api {id}: {doc:#}");
    }
    let c = check(&doc, "prod/api", "scanning");
    assert!(c["evidence"].to_string().contains("auto_scan=true"), "{c}");
    let c = check(&doc, "prod/api", "tag-immutability");
    assert!(
        c["evidence"]
            .to_string()
            .contains("repositories matching ** / tags matching v*"),
        "{c}"
    );
    let c = check(&doc, "prod/api", "lifecycle-policy");
    assert!(
        c["evidence"].to_string().contains("today it would delete"),
        "what the policy would delete is evaluated: {c}"
    );

    // dev/web: every setting wrong.
    let c = check(&doc, "dev/web", "scanning");
    assert_eq!(c["status"], "fail", "{c}");
    assert!(c["evidence"].to_string().contains("auto_scan=false"), "{c}");
    let c = check(&doc, "dev/web", "public-access");
    assert_eq!(c["status"], "fail", "{c}");
    assert!(
        c["evidence"].to_string().contains("project dev is public"),
        "{c}"
    );
    let c = check(&doc, "dev/web", "tag-immutability");
    assert_eq!(
        c["status"], "warn",
        "a rule for other repositories only: {c}"
    );
    assert!(
        c["evidence"]
            .to_string()
            .contains("1 immutable-tag rule, 0 cover this repository"),
        "{c}"
    );
    let c = check(&doc, "dev/web", "lifecycle-policy");
    assert_eq!(c["status"], "warn", "{c}");
    assert_eq!(c["summary"], "no lifecycle policy is set");

    // A retention policy that never runs by itself, or whose rules are all off, deletes
    // nothing: not a pass.
    let c = check(&doc, "ops/job", "lifecycle-policy");
    assert_eq!(c["status"], "warn", "{c}");
    assert!(
        c["summary"].as_str().unwrap().contains("no schedule"),
        "{c}"
    );
    let c = check(&doc, "lab/exp", "lifecycle-policy");
    assert_eq!(c["status"], "warn", "{c}");
    assert!(c["summary"].as_str().unwrap().contains("every rule"), "{c}");
    for repo in ["prod/api", "ops/job", "lab/exp"] {
        assert_eq!(status(repo, "public-access"), "pass", "{repo}");
        assert_eq!(status(repo, "scanning"), "pass", "{repo}");
    }
}

#[tokio::test]
async fn harbor_replication_policies_decide_the_replication_check() {
    let Some(h) = FakeHarbor::start().await else {
        return;
    };
    for p in ["prod", "dev", "lab"] {
        h.add_project(p, false, true);
    }
    let dr = ("dr-site", "https://harbor-dr.example.com");
    h.add_replication_policy(
        "to-dr",
        true,
        dr,
        "event_based",
        json!([{"type": "name", "value": "prod/**"}, {"type": "tag", "value": "v*", "decoration": "matches"}]),
        true,
    );
    h.add_replication_policy(
        "lab-by-hand",
        true,
        dr,
        "manual",
        json!([{"type": "name", "value": "lab/**"}]),
        true,
    );
    h.add_replication_policy(
        "dev-off",
        true,
        dr,
        "event_based",
        json!([{"type": "name", "value": "dev/**"}]),
        false,
    );
    // Pulled in from elsewhere: copies nothing out, whatever its filter says.
    h.add_replication_policy(
        "mirror-in",
        false,
        ("upstream", "https://upstream.example.com"),
        "scheduled",
        json!([{"type": "name", "value": "**"}]),
        true,
    );
    let s = h.seeder();
    for repo in ["prod/api", "dev/web", "lab/exp"] {
        image("amd64", repo.as_bytes())
            .push(&s, repo, &["latest"])
            .await;
    }
    let dir = tempfile::tempdir().unwrap();
    let audit = |user| {
        let (h, dir) = (&h, dir.path());
        async move {
            json_of_output(&regscope_harbor(h, user, dir, &["audit", &h.addr, "--json"]).await)
        }
    };
    let doc = audit(ADMIN).await;
    let c = check(&doc, "prod/api", "replication");
    assert_eq!(c["status"], "pass", "{c}");
    assert!(
        c["summary"]
            .as_str()
            .unwrap()
            .contains("dr-site (https://harbor-dr.example.com)"),
        "{c}"
    );
    assert!(
        c["evidence"].to_string().contains("only tag v*"),
        "the tag filter is said: {c}"
    );
    for (repo, why) in [
        ("lab/exp", "manual trigger: runs only when started by hand"),
        ("dev/web", "is disabled"),
    ] {
        let c = check(&doc, repo, "replication");
        assert_eq!(c["status"], "warn", "{repo}: {c}");
        assert_eq!(c["summary"], "no replication rule covers this repository");
        assert!(c["evidence"].to_string().contains(why), "{repo}: {c}");
    }

    // A project member cannot list replication policies: unknown, never pass.
    let doc = audit(ROBOT).await;
    let c = check(&doc, "prod/api", "replication");
    assert_eq!(c["status"], "unknown", "{c}");
    assert!(
        c["summary"]
            .as_str()
            .unwrap()
            .contains("system administrators only"),
        "{c}"
    );

    // Only inbound replication: this Harbor copies nothing out.
    h.state
        .lock()
        .unwrap()
        .replication
        .retain(|p| p["name"] == "mirror-in");
    let doc = audit(ADMIN).await;
    let c = check(&doc, "prod/api", "replication");
    assert_eq!(c["status"], "n/a", "{c}");
    assert!(
        c["evidence"]
            .to_string()
            .contains("1 replication policy, 0 push from this Harbor"),
        "{c}"
    );
}
