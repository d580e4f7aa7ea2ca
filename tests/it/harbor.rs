//! Harbor through its own API against the fake Harbor (written from Harbor's swagger, in
//! front of a real docker-registry): inventory facts from `/api/v2.0` alone, no pull
//! while listing, Basic and robot-account auth, pagination past one page, the project's
//! retention policy evaluated as a plan, and opening a manifest counting as a pull.

use crate::support::fake_harbor::scenario::{at, client, find, image, seed};
use crate::support::fake_harbor::{FakeHarbor, ADMIN, ROBOT};
use regscope::config::RegistrySettings;
use regscope::inventory::harbor::{repositories, repository_images};
use regscope::model::{ImageKind, ScanStatus};
use regscope::registry::credentials::Credential;
use serde_json::json;

#[tokio::test]
async fn inventory_facts_come_from_the_api_and_listing_pulls_nothing() {
    let Some(h) = FakeHarbor::start().await else {
        return;
    };
    let s = seed(&h).await;
    let pulls_before = h.pulls();
    let v2_before = h.server.hits("/v2/");
    let c = client(&h, Some(ADMIN), None);
    assert_eq!(repositories(&c, None).await.unwrap(), vec!["lib/team/web"]);
    let (images, issues) = repository_images(&c, "lib/team/web").await.unwrap();
    assert!(issues.is_empty(), "{issues:?}");
    // Browsing has no side effects: not one request through /v2, no pull recorded.
    assert_eq!(
        h.server.hits("/v2/"),
        v2_before,
        "the listing went through /v2"
    );
    assert_eq!(h.pulls(), pulls_before);
    assert_eq!(h.pull_time("lib/team/web", &s.latest), None);

    let v1 = find(&images, &s.v1);
    assert_eq!(v1.tags, vec!["v1.0"]);
    assert_eq!(v1.pushed_at, Some(at(1)));
    assert_eq!(v1.last_pulled_at, Some(at(4)));
    assert_eq!(
        v1.created_at.unwrap().to_rfc3339(),
        "2026-01-01T00:00:00+00:00"
    );
    let td = &v1.tag_details.as_ref().unwrap()[0];
    assert_eq!(
        (
            td.pushed_at,
            td.pulled_at,
            td.write_enabled,
            td.delete_enabled
        ),
        (Some(at(1)), Some(at(4)), Some(false), Some(false))
    );
    assert!(
        v1.locked.as_ref().is_some_and(|l| !l.delete_enabled),
        "an immutable tag locks the artifact"
    );
    let scan = v1.scan.as_ref().unwrap();
    assert_eq!(scan.status, ScanStatus::Scanned);
    assert_eq!(
        (
            scan.counts.critical,
            scan.counts.high,
            scan.counts.medium,
            scan.counts.low
        ),
        (1, 2, 1, 0)
    );
    assert_eq!(
        scan.scanned_at.unwrap().to_rfc3339(),
        "2026-03-04T13:00:03+00:00"
    );
    assert_eq!(v1.referrers.len(), 1);
    assert_eq!(v1.referrers[0].digest.as_str(), s.sig);
    assert_eq!(
        v1.referrers[0].artifact_type.as_deref(),
        Some("signature.cosign")
    );
    assert!(v1.size_bytes.unwrap() > 0);

    let latest = find(&images, &s.latest);
    assert_eq!(
        latest.last_pulled_at, None,
        "never pulled is null, not 0001-01-01"
    );
    assert_eq!(latest.tag_details.as_ref().unwrap()[0].pulled_at, None);
    assert_eq!(
        latest.tag_details.as_ref().unwrap()[0].write_enabled,
        Some(true)
    );
    assert_eq!(latest.locked, None);
    assert_eq!(latest.scan, None, "not scanned is unknown, not clean");
    assert_eq!(
        latest.referrers[0].artifact_type.as_deref(),
        Some("sbom.harbor")
    );

    let sig = find(&images, &s.sig);
    assert_eq!(sig.kind, ImageKind::Signature);
    assert_eq!(
        sig.subject.as_ref().map(|d| d.as_str()),
        Some(s.v1.as_str())
    );
    assert_eq!(
        sig.tags.len(),
        1,
        "the cosign .sig tag is on the signature's record"
    );
    let sbom = find(&images, &s.sbom);
    assert_eq!(sbom.kind, ImageKind::Attestation);
    assert_eq!(
        sbom.subject.as_ref().map(|d| d.as_str()),
        Some(s.latest.as_str())
    );

    let multi = find(&images, &s.multi);
    assert_eq!(multi.kind, ImageKind::Index);
    let mut children: Vec<String> = multi.children.iter().map(|d| d.to_string()).collect();
    children.sort();
    let mut want = s.children.clone();
    want.sort();
    assert_eq!(children, want);
    assert_eq!(multi.platforms.len(), 2);
    for c in &s.children {
        let child = find(&images, c);
        assert!(
            child.tags.is_empty() && child.size_bytes.is_some(),
            "untagged index children are listed (q=base=*)"
        );
    }
    let sbom_sig = find(&images, &s.sbom_sig);
    assert_eq!(sbom_sig.kind, ImageKind::Signature);
    assert_eq!(
        sbom_sig.subject.as_ref().map(|d| d.as_str()),
        Some(s.sbom.as_str())
    );
    assert_eq!(find(&images, &s.sbom).referrers.len(), 1);
    assert_eq!(images.len(), 8);
}

#[tokio::test]
async fn project_facts_quota_immutable_rules_and_retention() {
    let Some(h) = FakeHarbor::start().await else {
        return;
    };
    let _ = seed(&h).await;
    h.set_retention("lib", json!({"algorithm": "or", "trigger": {"kind": "Schedule", "settings": {"cron": "0 0 0 * * *"}},
        "rules": [{"priority": 1, "disabled": false, "action": "retain", "template": "latestPushedK", "params": {"latestPushedK": 1},
        "tag_selectors": [{"kind": "doublestar", "decoration": "matches", "pattern": "**", "extras": "{\"untagged\":true}"}],
        "scope_selectors": {"repository": [{"kind": "doublestar", "decoration": "repoMatches", "pattern": "**"}]}}]}));
    let c = client(&h, Some(ROBOT), None);
    let f = c.project_facts("lib").await.unwrap().unwrap();
    assert_eq!((f.public, f.auto_scan), (Some(false), Some(true)));
    assert_eq!(f.quota.as_ref().unwrap().hard, Some(10_000_000));
    assert!(f.quota.as_ref().unwrap().used.unwrap() > 0);
    assert_eq!(f.immutable_rules.len(), 1);
    assert_eq!(
        f.immutable_rules[0].describe(),
        "repositories matching ** / tags matching v1*"
    );
    let text = f.retention_policy.clone().expect("retention policy");
    assert!(text.contains("latestPushedK"));
    assert!(f.lines().iter().any(|l| l.contains("storage quota: ")));
    assert!(c.project_facts("nope").await.unwrap().is_none());
}

#[tokio::test]
async fn robot_accounts_anonymous_and_wrong_passwords() {
    let Some(h) = FakeHarbor::start().await else {
        return;
    };
    h.add_project("lib", false, false);
    h.add_project("pub", true, false);
    let s = h.seeder();
    image("amd64", b"x").push(&s, "lib/app", &["1"]).await;
    image("amd64", b"y").push(&s, "pub/app", &["1"]).await;
    let robot = client(&h, Some(ROBOT), None);
    assert_eq!(
        repositories(&robot, None).await.unwrap(),
        vec!["lib/app", "pub/app"]
    );
    let anon = client(&h, None, None);
    assert_eq!(
        repositories(&anon, None).await.unwrap(),
        vec!["pub/app"],
        "anonymous sees public projects only"
    );
    let e = repository_images(&anon, "lib/app").await.unwrap_err();
    assert_eq!(e.http_status(), Some(401), "{e}");
    let wrong = client(&h, Some((ROBOT.0, "nope")), None);
    let e = repositories(&wrong, None).await.unwrap_err();
    assert_eq!(e.http_status(), Some(401));
    assert!(
        !e.to_string().contains("nope"),
        "the password never appears: {e}"
    );
    assert!(robot.is_harbor().await && anon.is_harbor().await);
}

#[tokio::test]
async fn listings_page_past_one_page() {
    let Some(h) = FakeHarbor::start().await else {
        return;
    };
    let s = h.seeder();
    for p in ["p1", "p2", "p3"] {
        h.add_project(p, false, false);
    }
    for i in 0..5 {
        image("amd64", format!("r{i}").as_bytes())
            .push(&s, &format!("p2/r{i}"), &["t"])
            .await;
    }
    let shared = image("amd64", b"shared");
    for i in 0..5 {
        h.set_clock(at(1 + i));
        shared.push(&s, "p1/many", &[&format!("t{i}")]).await;
        image("amd64", format!("a{i}").as_bytes())
            .push(&s, "p1/many", &[])
            .await;
    }
    let c = client(&h, Some(ADMIN), Some(2));
    let repos = repositories(&c, None).await.unwrap();
    assert_eq!(repos.len(), 6, "{repos:?}");
    let (images, _) = repository_images(&c, "p1/many").await.unwrap();
    assert_eq!(images.len(), 6);
    assert_eq!(
        find(
            &images,
            &crate::support::seed::sha256(&shared.manifest_json(&shared.config_json()).1)
        )
        .tags
        .len(),
        5
    );
    let calls = h.api_calls();
    assert!(
        calls
            .iter()
            .any(|c| c.starts_with("/api/v2.0/projects?") && c.contains("page=2")),
        "{calls:?}"
    );
    assert!(
        calls
            .iter()
            .any(|c| c.contains("/repositories/many/artifacts?") && c.contains("page=3")),
        "{calls:?}"
    );
    assert!(calls.iter().all(|c| !c.contains("page_size=1000")));
}

#[tokio::test]
async fn opening_a_manifest_counts_as_a_pull() {
    let Some(h) = FakeHarbor::start().await else {
        return;
    };
    h.add_project("lib", false, false);
    let pushed = image("amd64", b"x")
        .push(&h.seeder(), "lib/app", &["1"])
        .await;
    h.set_clock(at(9));
    // Harbor's /v2 token flow: a Bearer challenge to /service/token, whose answer has an
    // empty `access_token` beside the real `token`.
    let d = regscope::registry::DistributionClient::with_options(
        &h.addr,
        &RegistrySettings::for_address(&h.addr),
        regscope::registry::ClientOptions {
            credential: Some(Credential::Basic {
                username: ROBOT.0.into(),
                password: ROBOT.1.into(),
            }),
            ..Default::default()
        },
    )
    .unwrap();
    let m = d.manifest("lib/app", &pushed.digest).await.unwrap();
    assert_eq!(m.digest.as_str(), pushed.digest);
    assert_eq!(
        h.pull_time("lib/app", &pushed.digest),
        Some(at(9)),
        "the fake records a manifest GET as a pull, as Harbor does"
    );
    assert_eq!(h.pulls().len(), 1);
    assert!(regscope::registry::harbor::OPENING_COUNTS_AS_PULL.contains("counts as a pull"));
}
