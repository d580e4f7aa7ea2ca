//! Harbor through its own API against the fake Harbor (written from Harbor's swagger, in
//! front of a real docker-registry): inventory facts from `/api/v2.0` alone, no pull
//! while listing, Basic and robot-account auth, pagination past one page, the project's
//! retention policy evaluated as a plan, and opening a manifest counting as a pull.

use crate::support::fake_harbor::{FakeHarbor, ADMIN, ROBOT};
use crate::support::fixtures::{
    push_cosign_signature, push_index, push_referrer, tar, Entry, ImageFixture, Layer,
};
use chrono::{DateTime, TimeZone, Utc};
use regscope::config::RegistrySettings;
use regscope::inventory::harbor::{repositories, repository_images};
use regscope::model::{Image, ImageKind, ScanStatus};
use regscope::registry::credentials::Credential;
use regscope::registry::harbor::{HarborClient, HarborOptions};
use serde_json::json;

fn at(day: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, day, 12, 0, 0).unwrap()
}

fn image(arch: &str, text: &[u8]) -> ImageFixture {
    ImageFixture::new(
        arch,
        "2026-01-01T00:00:00Z",
        vec![Layer::gzip(
            tar(&[Entry::File("etc/data", text)]),
            "COPY data /etc/",
        )],
    )
}

pub fn client(
    h: &FakeHarbor,
    user: Option<(&str, &str)>,
    page_size: Option<usize>,
) -> HarborClient {
    let credential = Some(match user {
        Some((u, p)) => Credential::Basic {
            username: u.into(),
            password: p.into(),
        },
        None => Credential::Anonymous,
    });
    HarborClient::new(
        &h.addr,
        &RegistrySettings::for_address(&h.addr),
        HarborOptions {
            credential,
            page_size,
            ..Default::default()
        },
    )
    .unwrap()
}

fn find<'a>(images: &'a [Image], digest: &str) -> &'a Image {
    images
        .iter()
        .find(|i| i.digest.as_str() == digest)
        .unwrap_or_else(|| panic!("{digest} not listed"))
}

/// lib/team/web: `v1.0` (immutable by rule, pulled once, scanned) with a cosign signature,
/// `latest` with an SPDX SBOM, and a two-platform index `multi`.
pub struct Seeded {
    pub v1: String,
    pub latest: String,
    pub multi: String,
    pub children: Vec<String>,
    pub sig: String,
    pub sbom: String,
}

pub async fn seed(h: &FakeHarbor) -> Seeded {
    h.add_project("lib", false, true);
    h.add_immutable_rule("lib", "**", "v1*");
    h.set_quota("lib", 10_000_000);
    let s = h.seeder();
    h.set_clock(at(1));
    let v1 = image("amd64", b"one")
        .push(&s, "lib/team/web", &["v1.0"])
        .await;
    let sig = push_cosign_signature(&s, "lib/team/web", &v1).await;
    h.set_clock(at(2));
    let latest_img = image("arm64", b"two");
    let latest = latest_img.push(&s, "lib/team/web", &["latest"]).await;
    let sbom = push_referrer(
        &s,
        "lib/team/web",
        &latest,
        "application/spdx+json",
        b"{\"spdxVersion\":\"SPDX-2.3\"}",
        false,
    )
    .await;
    h.set_clock(at(3));
    let (a, b) = (image("amd64", b"ma"), image("arm64", b"mb"));
    let (pa, pb) = (
        a.push(&s, "lib/team/web", &[]).await,
        b.push(&s, "lib/team/web", &[]).await,
    );
    let multi = push_index(
        &s,
        "lib/team/web",
        false,
        &[(&a, &pa), (&b, &pb)],
        vec![],
        &["multi"],
    )
    .await;
    // One pull of v1.0 on day 4, through /v2 as docker would.
    h.set_clock(at(4));
    let r = reqwest::Client::new()
        .get(format!("http://{}/v2/lib/team/web/manifests/v1.0", h.addr))
        .basic_auth(ADMIN.0, Some(ADMIN.1))
        .header("accept", "application/vnd.oci.image.manifest.v1+json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    h.set_scan("lib/team/web", &v1.digest, json!({"report_id": "r1", "scan_status": "Success", "severity": "High",
        "duration": 3, "start_time": "2026-03-04T13:00:00.000Z", "end_time": "2026-03-04T13:00:03.000Z", "complete_percent": 100,
        "summary": {"total": 4, "fixable": 2, "summary": {"Critical": 1, "High": 2, "Medium": 1}},
        "scanner": {"name": "Trivy", "vendor": "Aqua Security", "version": "v0.50"}}));
    Seeded {
        v1: v1.digest,
        latest: latest.digest,
        multi: multi.digest,
        children: vec![pa.digest, pb.digest],
        sig: sig.digest,
        sbom: sbom.digest,
    }
}

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
    assert_eq!(images.len(), 7);
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
