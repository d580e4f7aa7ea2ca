//! Harbor's own tag-retention policy, read from the project and evaluated over the Harbor
//! crawl as the plan regscope shows: rules say what to retain, everything else in the
//! repositories they cover goes, an artifact holding an immutable tag is protected, and
//! accessories are not candidates.

use crate::support::fake_harbor::scenario::client;
use crate::support::fake_harbor::{FakeHarbor, ADMIN};
use crate::support::fixtures::{push_cosign_signature, tar, Entry, ImageFixture, Layer};
use base64::Engine as _;
use chrono::{TimeZone, Utc};
use regscope::inventory::harbor::repository_images;
use regscope::policy::reclaim::ReclaimScope;
use regscope::policy::{DeletionPlan, PlanOptions, Policy, PolicyFormat, Switches};
use serde_json::json;

fn image(text: &str) -> ImageFixture {
    ImageFixture::new(
        "amd64",
        "2026-01-01T00:00:00Z",
        vec![Layer::gzip(
            tar(&[Entry::File("etc/data", text.as_bytes())]),
            "COPY",
        )],
    )
}

#[tokio::test]
async fn the_projects_retention_policy_as_a_plan() {
    let Some(h) = FakeHarbor::start().await else {
        return;
    };
    h.add_project("lib", false, false);
    h.add_immutable_rule("lib", "**", "keep-*");
    h.set_retention("lib", json!({"algorithm": "or", "trigger": {"kind": "Schedule", "settings": {"cron": "0 0 0 * * *"}},
        "rules": [{"id": 7, "priority": 1, "disabled": false, "action": "retain", "template": "latestPushedK",
            "params": {"latestPushedK": 2},
            "tag_selectors": [{"kind": "doublestar", "decoration": "matches", "pattern": "release-*", "extras": "{\"untagged\":false}"}],
            "scope_selectors": {"repository": [{"kind": "doublestar", "decoration": "repoMatches", "pattern": "**"}]}}]}));
    let s = h.seeder();
    let mut pushed = Vec::new();
    for (day, tag) in [
        (1, "release-1"),
        (5, "release-2"),
        (9, "release-3"),
        (8, "dev-1"),
        (7, ""),
        (2, "keep-1"),
    ] {
        h.set_clock(Utc.with_ymd_and_hms(2026, 3, day, 0, 0, 0).unwrap());
        let tags: Vec<&str> = if tag.is_empty() { vec![] } else { vec![tag] };
        pushed.push(
            image(&format!("{day}{tag}"))
                .push(&s, "lib/app", &tags)
                .await,
        );
    }
    let sig = push_cosign_signature(&s, "lib/app", &pushed[2]).await;
    let c = client(&h, Some(ADMIN), None);
    let project = c
        .projects()
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.name == "lib")
        .unwrap();
    let text = c
        .retention_policy(&project)
        .await
        .unwrap()
        .expect("lib keeps a retention policy");
    let (images, _) = repository_images(&c, "lib/app").await.unwrap();
    let policy = Policy::parse(
        PolicyFormat::Harbor,
        &text,
        "retention policy of project lib",
    )
    .unwrap();
    let now = Utc.with_ymd_and_hms(2026, 3, 20, 0, 0, 0).unwrap();
    let ev = policy.evaluate(&images, now, &Switches::default());
    let plan = DeletionPlan::build(
        &images,
        &ev,
        &PlanOptions {
            registry: h.addr.clone(),
            format: PolicyFormat::Harbor,
            evaluated_at: now,
            policy_source: Some("retention policy of project lib".into()),
            switches: vec![],
            scope: ReclaimScope::Registry,
            in_use: None,
            unlock: false,
        },
    );
    let mut deleted: Vec<String> = plan.actions.iter().map(|a| a.digest.to_string()).collect();
    deleted.sort();
    // release-1 (not among the 2 newest release-*), dev-1 and the untagged one: retained by
    // no rule, so Harbor deletes them although no rule names them.
    let mut want = vec![
        pushed[0].digest.clone(),
        pushed[3].digest.clone(),
        pushed[4].digest.clone(),
    ];
    want.sort();
    assert_eq!(deleted, want, "{:#?}", plan.actions);
    assert!(plan
        .actions
        .iter()
        .all(|a| a.action == regscope::policy::ActionKind::Delete));
    // keep-1 is retained by no rule either, but its tag is immutable: Harbor keeps it.
    let keep = plan
        .protected
        .iter()
        .find(|p| p.digest.as_str() == pushed[5].digest)
        .expect("keep-1 protected");
    assert!(
        keep.why.contains("IMMUTABLE") || keep.why.to_lowercase().contains("immutable"),
        "{}",
        keep.why
    );
    // The signature of a retained artifact is not a candidate and stays.
    assert!(!deleted.contains(&sig.digest));
    assert!(h.pulls().is_empty(), "planning read no manifest");
}

/// `regscope plan HARBOR --now T` without `--policy`: the project's own retention policy,
/// with credentials from Docker's config.json (a robot account), reading no manifest.
#[tokio::test]
async fn regscope_plan_without_a_policy_file_uses_harbors_own() {
    let Some(h) = FakeHarbor::start().await else {
        return;
    };
    h.add_project("lib", false, false);
    h.add_immutable_rule("lib", "**", "keep-*");
    h.set_retention("lib", json!({"algorithm": "or", "trigger": {"kind": "Schedule", "settings": {"cron": "0 0 0 * * *"}},
        "rules": [{"id": 3, "priority": 1, "disabled": false, "action": "retain", "template": "nDaysSinceLastPull",
            "params": {"nDaysSinceLastPull": 7},
            "tag_selectors": [{"kind": "doublestar", "decoration": "matches", "pattern": "**", "extras": "{\"untagged\":true}"}],
            "scope_selectors": {"repository": [{"kind": "doublestar", "decoration": "repoMatches", "pattern": "**"}]}}]}));
    let s = h.seeder();
    h.set_clock(Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap());
    let old = image("old").push(&s, "lib/app", &["old"]).await;
    let pulled = image("pulled").push(&s, "lib/app", &["pulled"]).await;
    let keep = image("keep").push(&s, "lib/app", &["keep-1"]).await;
    // `pulled` was pulled on day 15; `old` and `keep-1` never were.
    h.set_clock(Utc.with_ymd_and_hms(2026, 3, 15, 0, 0, 0).unwrap());
    let r = reqwest::Client::new()
        .get(format!("http://{}/v2/lib/app/manifests/pulled", h.addr))
        .basic_auth(ADMIN.0, Some(ADMIN.1))
        .header("accept", "application/vnd.oci.image.manifest.v1+json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let pulls = h.pulls().len();
    let dir = tempfile::tempdir().unwrap();
    let auth = base64::engine::general_purpose::STANDARD.encode(format!(
        "{}:{}",
        crate::support::fake_harbor::ROBOT.0,
        crate::support::fake_harbor::ROBOT.1
    ));
    std::fs::write(
        dir.path().join("config.json"),
        json!({"auths": {&h.addr: {"auth": auth}}}).to_string(),
    )
    .unwrap();
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_regscope"))
        .args(["plan", &h.addr, "--now", "2026-03-20T00:00:00Z", "--json"])
        .env("DOCKER_CONFIG", dir.path())
        .env("HOME", dir.path())
        .env("REGSCOPE_DATA", dir.path().join("data"))
        .env("REGSCOPE_CONFIG", dir.path().join("config.toml"))
        .output()
        .await
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let plan: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(plan["policy_format"], json!("harbor"));
    let deleted: Vec<&str> = plan["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["digest"].as_str().unwrap())
        .collect();
    assert_eq!(deleted, vec![old.digest.as_str()], "{plan:#}");
    let protected: Vec<&str> = plan["protected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["digest"].as_str().unwrap())
        .collect();
    assert!(
        protected.contains(&keep.digest.as_str()),
        "the immutable keep-1 is protected: {plan:#}"
    );
    assert!(!deleted.contains(&pulled.digest.as_str()));
    assert_eq!(h.pulls().len(), pulls, "planning read no manifest");
}
