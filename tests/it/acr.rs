//! Azure Container Registry against the fake written from the ACR data-plane
//! specification (`support::fake_acr`), with manifests and blobs in a real docker-registry:
//! the inventory gets ACR's own times and locks, `acr purge --ago` ages tags by the tag's
//! `lastUpdateTime` and skips locked tags, every `/acr/v1` call asks for
//! `metadata_read`, and listings page past ACR's default of 100 through `Link` only.

use crate::support::fake_acr::{FakeAcr, AAD_TOKEN, ADMIN_PASSWORD, ADMIN_USER, REFRESH_USER};
use crate::support::fixtures::{push_index, tar, Entry, ImageFixture, Layer, Pushed};
use chrono::{DateTime, Duration, Utc};
use regscope::config::RegistrySettings;
use regscope::inventory::CrawlOptions;
use regscope::model::Image;
use regscope::policy::acr::AcrPurge;
use regscope::registry::acr::{exchange_aad_token, AcrSource};
use regscope::registry::credentials::Credential;
use regscope::registry::{ClientOptions, DistributionClient, Target};
use std::sync::Arc;

pub fn image(arch: &str, content: &[u8]) -> ImageFixture {
    ImageFixture::new(
        arch,
        "2025-06-01T00:00:00Z",
        vec![Layer::gzip(tar(&[Entry::File("f", content)]), "COPY f /")],
    )
}

pub fn source(fake: &FakeAcr, credential: Credential) -> AcrSource {
    let host = fake.host();
    let opts = ClientOptions {
        credential: Some(credential),
        docker_config_dir: Some(std::env::temp_dir().join("regscope-no-docker-config")),
        ..ClientOptions::default()
    };
    AcrSource::with_options(host, &RegistrySettings::for_address(host), opts).unwrap()
}

pub fn admin() -> Credential {
    Credential::Basic {
        username: ADMIN_USER.into(),
        password: ADMIN_PASSWORD.into(),
    }
}

pub async fn crawl(src: AcrSource) -> Vec<Image> {
    let src = Arc::new(src);
    let name = src.client().oci().host().to_string();
    let target = Target::parse(&name).unwrap();
    let opts = CrawlOptions::for_settings(&target, &RegistrySettings::for_address(&name));
    let (tx, rx) = tokio::sync::mpsc::channel(64);
    let run = regscope::inventory::acr::crawl(src, None, &opts, tx);
    let (_, out) = tokio::join!(run, regscope::inventory::collect(&name, rx));
    assert_eq!(out.fatal, None);
    assert!(
        out.inventory.errors.is_empty(),
        "{:?}",
        out.inventory.errors
    );
    out.inventory.images
}

/// `app`: v1 (40 days, on a manifest pushed 10 days ago: the tag is older than its
/// manifest), v2 (20 days, write-locked), latest (1 day), an untagged manifest, and a
/// two-platform index `multi`; `team/app`: test-8.
pub struct Seeded {
    pub now: DateTime<Utc>,
    pub v1: Pushed,
    pub v2: Pushed,
    pub latest: Pushed,
    pub untagged: Pushed,
    pub index: Pushed,
    pub children: Vec<Pushed>,
}

pub async fn seed(fake: &FakeAcr) -> Seeded {
    // ACR's times carry seven fractional digits (100 ns); the fake renders them so.
    let t = Utc::now();
    let now =
        DateTime::from_timestamp(t.timestamp(), t.timestamp_subsec_nanos() / 100 * 100).unwrap();
    let s = fake.seeder();
    let (a, b, c, d) = (
        image("amd64", b"one"),
        image("amd64", b"two"),
        image("amd64", b"three"),
        image("amd64", b"loose"),
    );
    let v1 = a.push(&s, "app", &["v1"]).await;
    let v2 = b.push(&s, "app", &["v2"]).await;
    let latest = c.push(&s, "app", &["latest"]).await;
    let untagged = d.push(&s, "app", &[]).await;
    let (x, y) = (image("amd64", b"x"), image("arm64", b"y"));
    let (px, py) = (x.push(&s, "app", &[]).await, y.push(&s, "app", &[]).await);
    let index = push_index(
        &s,
        "app",
        false,
        &[(&x, &px), (&y, &py)],
        vec![],
        &["multi"],
    )
    .await;
    image("amd64", b"eight")
        .push(&s, "team/app", &["test-8"])
        .await;
    let days = |n: i64| now - Duration::days(n);
    fake.set_tag("app", "v1", |t| {
        (t.created, t.updated) = (days(60), days(40))
    });
    fake.set_manifest("app", &v1.digest, |m| {
        (m.created, m.updated) = (days(10), days(10))
    });
    fake.set_tag("app", "v2", |t| {
        (t.created, t.updated) = (days(20), days(20));
        t.attrs.write_enabled = false;
    });
    fake.set_manifest("app", &v2.digest, |m| {
        (m.created, m.updated) = (days(20), days(20))
    });
    fake.set_tag("app", "latest", |t| {
        (t.created, t.updated) = (days(1), days(1))
    });
    fake.set_manifest("app", &untagged.digest, |m| {
        (m.created, m.updated) = (days(30), days(30));
        m.attrs.delete_enabled = false;
    });
    Seeded {
        now,
        v1,
        v2,
        latest,
        untagged,
        index,
        children: vec![px, py],
    }
}

fn find<'a>(images: &'a [Image], repo: &str, digest: &str) -> &'a Image {
    images
        .iter()
        .find(|i| i.repository == repo && i.digest.as_str() == digest)
        .unwrap_or_else(|| panic!("{repo}@{digest} not in the inventory"))
}

#[tokio::test]
async fn inventory_carries_acr_times_locks_and_untagged_manifests() {
    let Some(fake) = FakeAcr::start().await else {
        return;
    };
    let seeded = seed(&fake).await;
    let images = crawl(source(&fake, admin())).await;
    let days = |n: i64| seeded.now - Duration::days(n);

    let v1 = find(&images, "app", &seeded.v1.digest);
    assert_eq!(v1.pushed_at, Some(days(10)), "createdTime of the manifest");
    assert_eq!(v1.updated_at, Some(days(10)));
    let d = &v1.tag_details.as_ref().unwrap()[0];
    assert_eq!(
        (d.name.as_str(), d.pushed_at, d.last_update),
        ("v1", Some(days(60)), Some(days(40)))
    );
    assert!(
        d.pushed_at < v1.pushed_at,
        "a tag can be older than its manifest"
    );
    assert_eq!(
        (d.write_enabled, d.delete_enabled),
        (Some(true), Some(true))
    );

    let v2 = find(&images, "app", &seeded.v2.digest);
    let d2 = &v2.tag_details.as_ref().unwrap()[0];
    assert_eq!(d2.write_enabled, Some(false));
    let lock = v2.locked.as_ref().unwrap();
    assert!(
        lock.write_enabled && lock.delete_enabled,
        "the tag's lock is not the manifest's"
    );

    // `_manifests` lists the untagged manifest the OCI API cannot enumerate.
    let loose = find(&images, "app", &seeded.untagged.digest);
    assert!(loose.tags.is_empty());
    assert_eq!(loose.pushed_at, Some(days(30)));
    assert!(!loose.locked.as_ref().unwrap().delete_enabled);
    let index = find(&images, "app", &seeded.index.digest);
    assert_eq!(index.tags, vec!["multi".to_string()]);
    for c in &seeded.children {
        assert!(find(&images, "app", &c.digest).pushed_at.is_some());
    }
    assert!(find(&images, "app", &seeded.latest.digest)
        .updated_at
        .is_some());
    let t8 = images.iter().find(|i| i.repository == "team/app").unwrap();
    assert_eq!(t8.tag_details.as_ref().unwrap()[0].name, "test-8");

    // Every /acr/v1 call asked for metadata_read on its repository, never a pull scope.
    let asked = fake.scopes_asked();
    assert!(
        asked.iter().any(|s| s == "repository:app:metadata_read"),
        "{asked:?}"
    );
    assert!(
        asked
            .iter()
            .any(|s| s == "repository:team/app:metadata_read"),
        "{asked:?}"
    );
}

#[tokio::test]
async fn acr_purge_ago_untags_by_tag_update_time_and_skips_locked_tags() {
    let Some(fake) = FakeAcr::start().await else {
        return;
    };
    let seeded = seed(&fake).await;
    let images = crawl(source(&fake, admin())).await;
    let untagged = |args: &str| -> Vec<String> {
        let p = AcrPurge::parse(args).unwrap();
        let ev = p.evaluate(&images, seeded.now, &Default::default());
        let mut v: Vec<String> = ev.decisions.iter().filter_map(|d| d.tag.clone()).collect();
        v.sort();
        v
    };
    // v1's manifest is 10 days old but the tag was last updated 40 days ago: the tag's
    // time decides. v2 (20 days) is write-locked, so acr purge leaves it.
    assert_eq!(untagged("acr purge --filter 'app:.*' --ago 7d"), vec!["v1"]);
    assert_eq!(
        untagged("acr purge --filter 'app:.*' --ago 7d --include-locked"),
        vec!["v1", "v2"]
    );
    assert_eq!(
        untagged("acr purge --filter 'app:.*' --ago 30d"),
        vec!["v1"]
    );
    let p = AcrPurge::parse("acr purge --filter 'app:.*' --ago 7d").unwrap();
    let ev = p.evaluate(&images, seeded.now, &Default::default());
    assert!(ev
        .protected
        .iter()
        .any(|x| x.why.contains("tag v2 is locked")));
}

#[tokio::test]
async fn refresh_token_and_aad_exchange_and_a_pull_token_refused_by_acr_v1() {
    let Some(fake) = FakeAcr::start().await else {
        return;
    };
    seed(&fake).await;
    // The all-zero user's refresh token goes through the OAuth2 refresh grant.
    let refresh = Credential::Basic {
        username: REFRESH_USER.into(),
        password: fake.refresh_token(),
    };
    let images = crawl(source(&fake, refresh)).await;
    assert!(images.iter().any(|i| i.tag_details.is_some()));
    let log = fake.state.lock().unwrap().token_log.clone();
    assert!(log.iter().any(|(p, g, s)| p == "/oauth2/token"
        && g == "refresh_token"
        && s.iter().any(|x| x == "repository:app:metadata_read")));
    assert!(
        !log.iter().any(|(_, g, _)| g.starts_with("basic")),
        "{log:?}"
    );

    // An AAD token is exchanged for a refresh token, which then reads /acr/v1.
    let host = fake.host();
    let oci = DistributionClient::new(host, &RegistrySettings::for_address(host)).unwrap();
    let rt = exchange_aad_token(&oci, AAD_TOKEN, Some("tenant"))
        .await
        .unwrap();
    let src = source(&fake, Credential::IdentityToken { token: rt });
    let tags = src.client().tags("app").await.unwrap();
    assert_eq!(tags.len(), 4);
    assert!(exchange_aad_token(&oci, "not-an-aad-token", None)
        .await
        .is_err());

    // Every 401 carries the Bearer challenge with the scope that call needs.
    let http = reqwest::Client::new();
    for (path, scope) in [
        ("/acr/v1/_catalog", "registry:catalog:*"),
        (
            "/acr/v1/team%2Fapp/_manifests",
            "repository:team/app:metadata_read",
        ),
        ("/v2/team/app/tags/list", "repository:team/app:pull"),
    ] {
        let r = http
            .get(format!("{}{path}", fake.base_url()))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 401, "{path}");
        let ch = r.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .to_string();
        assert!(
            ch.starts_with("Bearer ") && ch.contains(&format!("scope=\"{scope}\"")),
            "{ch}"
        );
    }

    // A token with pull only is refused by /acr/v1 with a challenge naming metadata_read.
    let pull = fake.state.lock().unwrap().issue(
        "access_token",
        vec![("repository".into(), "app".into(), vec!["pull".into()])],
    );
    let r = reqwest::Client::new()
        .get(format!("{}/acr/v1/app/_tags", fake.base_url()))
        .bearer_auth(&pull)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
    let ch = r.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        ch.contains("scope=\"repository:app:metadata_read\""),
        "{ch}"
    );
    assert!(
        ch.contains("realm=\"http://") && ch.contains("/oauth2/token\""),
        "{ch}"
    );
    let ok = reqwest::Client::new()
        .get(format!("{}/v2/app/tags/list", fake.base_url()))
        .bearer_auth(&pull)
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status().as_u16(), 200, "the same token pulls");
}

#[tokio::test]
async fn listings_page_past_the_default_hundred_through_link() {
    let Some(fake) = FakeAcr::start().await else {
        return;
    };
    let s = fake.seeder();
    let p = image("amd64", b"many").push(&s, "many", &["t000"]).await;
    for i in 1..105 {
        s.push_manifest("many", &format!("t{i:03}"), &p.media_type, &p.manifest)
            .await;
    }
    let src = source(&fake, admin());
    let tags = src.client().tags("many").await.unwrap();
    assert_eq!(tags.len(), 105);
    assert_eq!(tags.last().unwrap().name, "t104");
    let pages = fake
        .server
        .requests
        .lock()
        .unwrap()
        .iter()
        .filter(|r| r.path() == "/acr/v1/many/_tags" && r.header("authorization").is_some())
        .map(|r| r.target.clone())
        .collect::<Vec<_>>();
    assert_eq!(pages.len(), 2, "{pages:?}");
    assert!(pages[1].contains("last=t099"), "{pages:?}");
}
