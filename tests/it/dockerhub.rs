//! Docker Hub through its own API: a real docker-registry holds the images behind a proxy
//! that counts manifest GETs as pulls (and reports the allowance as Docker's registry
//! does); the fake Hub API describes them as the service does. Listing must make no
//! manifest GET; opening an image makes one, and the caps say it counts as a pull.
//!
//! No vendor client is checked here: Docker publishes no client library of the Hub API on
//! PyPI (the packages there are third parties'), so the fake follows the API reference in
//! docker/docs and the answers of the service (`images` an array, `tag_status`).

use crate::support::fake_hub::{FakeHub, PULL_LIMIT};
use crate::support::fixtures::{
    push_buildkit_attestation, push_index, ImageFixture, Layer, Pushed,
};
use crate::support::registry::TestRegistry;
use crate::support::seed::Seeder;
use base64::Engine as _;
use regscope::config::RegistrySettings;
use regscope::inventory::{self, CrawlOutcome};
use regscope::registry::dockerhub::{HubClient, HubConnectOptions};
use serde_json::Value;

pub const USER: &str = "bob";
pub const PAT: &str = "dckr_pat_7fGk2mQ";

pub struct HubWorld {
    pub reg: TestRegistry,
    pub hub: FakeHub,
    pub dir: tempfile::TempDir,
    pub v1: Pushed,
    pub multi: Pushed,
    pub amd64: Pushed,
    pub arm64: Pushed,
    pub web: Pushed,
    pub secret: Pushed,
}

fn image(arch: &str, created: &str, text: &str) -> ImageFixture {
    let layer = Layer::gzip(
        crate::support::fixtures::tar(&[crate::support::fixtures::Entry::File(
            "app.txt",
            text.as_bytes(),
        )]),
        "COPY app.txt /",
    );
    ImageFixture::new(arch, created, vec![layer])
}

/// `acme/app`: v1 (amd64) and v2 + latest (an index of amd64, arm64 and an attestation);
/// `acme/web`: 1.0; `acme/secret` (private): s1. The docker config holds `secret` for the
/// registry proxy's address.
pub async fn world(secret: &str) -> Option<HubWorld> {
    let reg = TestRegistry::start()?;
    let s = Seeder::new(&reg.base_url());
    let v1 = image("amd64", "2025-10-01T00:00:00Z", "one")
        .push(&s, "acme/app", &["v1"])
        .await;
    let fa = image("amd64", "2025-11-01T00:00:00Z", "two-amd64");
    let fr = image("arm64", "2025-11-01T00:00:00Z", "two-arm64");
    let amd64 = fa.push(&s, "acme/app", &[]).await;
    let arm64 = fr.push(&s, "acme/app", &[]).await;
    let (att, _) = push_buildkit_attestation(&s, "acme/app", &amd64).await;
    let multi = push_index(
        &s,
        "acme/app",
        false,
        &[(&fa, &amd64), (&fr, &arm64)],
        vec![att],
        &["v2", "latest"],
    )
    .await;
    let web = image("arm64", "2025-12-01T00:00:00Z", "web")
        .push(&s, "acme/web", &["1.0"])
        .await;
    let sec = image("amd64", "2025-12-01T00:00:00Z", "private")
        .push(&s, "acme/secret", &["s1"])
        .await;
    let hub = FakeHub::start(&reg.base_url(), USER, PAT).await;
    let base = reg.base_url();
    hub.describe(
        &base,
        "acme/app",
        false,
        &[
            ("v1", "2026-01-01T00:00:00.000000Z"),
            ("v2", "2026-03-01T12:30:00.123456Z"),
            ("latest", "2026-03-02T08:00:00.5Z"),
        ],
    )
    .await;
    hub.describe(&base, "acme/web", false, &[]).await;
    hub.describe(&base, "acme/secret", true, &[]).await;
    hub.set_pulled("acme/app", "v2", "2026-04-01T09:00:00.000001Z");
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("docker")).unwrap();
    let auth = base64::engine::general_purpose::STANDARD.encode(format!("{USER}:{secret}"));
    let cfg = serde_json::json!({"auths": {hub.registry.addr.clone(): {"auth": auth}}});
    std::fs::write(dir.path().join("docker/config.json"), cfg.to_string()).unwrap();
    Some(HubWorld {
        reg,
        hub,
        dir,
        v1,
        multi,
        amd64,
        arm64,
        web,
        secret: sec,
    })
}

impl HubWorld {
    pub fn host(&self) -> String {
        self.hub.registry.addr.clone()
    }

    pub fn connect(&self) -> HubConnectOptions {
        HubConnectOptions {
            api_base: Some(self.hub.api_base()),
            docker_config_dir: Some(self.dir.path().join("docker")),
            transport: None,
        }
    }

    pub async fn client(&self, prefix: &str) -> HubClient {
        let settings = RegistrySettings::for_address(&self.host());
        HubClient::connect(&self.host(), Some(prefix), &settings, self.connect())
            .await
            .unwrap()
    }

    pub async fn crawl(&self, prefix: &str) -> CrawlOutcome {
        let client = self.client(prefix).await;
        let (tx, rx) = tokio::sync::mpsc::channel(64);
        let h = tokio::spawn(async move { inventory::dockerhub::crawl(&client, 4, &tx).await });
        let out = inventory::collect(&self.host(), rx).await;
        h.await.unwrap();
        out
    }
}

fn at(s: &str) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339(s)
        .unwrap()
        .with_timezone(&chrono::Utc)
}

#[tokio::test]
async fn dockerhub_inventory_comes_from_the_hub_api_without_one_manifest_get() {
    let Some(w) = world(PAT).await else {
        return;
    };
    // One repository and one tag a page: every listing follows `next`.
    w.hub.state.lock().unwrap().page_limit = 1;
    let out = w.crawl("acme").await;
    assert_eq!(out.fatal, None);
    assert!(
        out.inventory.errors.is_empty(),
        "{:?}",
        out.inventory.errors
    );
    assert_eq!(out.repositories, ["acme/app", "acme/secret", "acme/web"]);
    assert_eq!(
        w.hub.manifest_gets(),
        0,
        "listing a namespace reads no manifest"
    );
    assert_eq!(
        w.hub.manifest_requests("HEAD"),
        1,
        "one HEAD for the allowance"
    );
    let rl = out
        .stats
        .rate_limit
        .clone()
        .expect("the HEAD's rate-limit headers");
    assert_eq!(
        (rl.remaining, rl.limit, rl.window_secs),
        (Some(PULL_LIMIT - 24), Some(PULL_LIMIT), Some(21600)),
        "the pull allowance, not the API's X-RateLimit"
    );
    assert_eq!(w.hub.issued(), 1, "one token exchange serves the crawl");
    // 3 repositories a page each, plus 3 + 1 + 1 tags a page each.
    assert_eq!(w.hub.requests_to("/tags"), 5);
    assert_eq!(w.hub.requests_to("/repositories") - 5, 3);

    let find = |d: &str| {
        out.inventory
            .images
            .iter()
            .find(|i| i.digest.as_str() == d)
            .unwrap()
    };
    let v1 = find(&w.v1.digest);
    assert_eq!(v1.tags, ["v1"]);
    assert_eq!(v1.pushed_at, Some(at("2026-01-01T00:00:00Z")));
    assert_eq!(v1.last_pulled_at, None, "never pulled is null on the Hub");
    assert_eq!(v1.size_bytes, Some(w.v1.blobs.iter().map(|b| b.1).sum()));
    assert_eq!(
        v1.platforms
            .iter()
            .map(|p| p.to_string())
            .collect::<Vec<_>>(),
        ["linux/amd64"]
    );

    let m = find(&w.multi.digest);
    assert_eq!(m.tags, ["latest", "v2"]);
    assert_eq!(m.kind, regscope::model::ImageKind::Index);
    assert_eq!(
        m.pushed_at,
        Some(at("2026-03-02T08:00:00.5Z")),
        "the latest push of its tags"
    );
    assert_eq!(m.last_pulled_at, Some(at("2026-04-01T09:00:00.000001Z")));
    assert_eq!(
        m.platforms
            .iter()
            .map(|p| p.to_string())
            .collect::<Vec<_>>(),
        ["linux/amd64", "linux/arm64"],
        "the attestation's unknown/unknown is no platform"
    );
    assert!(m.children.iter().any(|c| c.as_str() == w.amd64.digest));
    assert!(m.children.iter().any(|c| c.as_str() == w.arm64.digest));
    let details = m.tag_details.as_ref().unwrap();
    assert_eq!(details[1].name, "v2");
    assert_eq!(
        details[1].pushed_at,
        Some(at("2026-03-01T12:30:00.123456Z"))
    );
    assert_eq!(
        details[1].pulled_at,
        Some(at("2026-04-01T09:00:00.000001Z"))
    );
    assert_eq!(details[0].pulled_at, None);
    let children_size: u64 = [&w.amd64, &w.arm64]
        .iter()
        .flat_map(|p| p.blobs.iter().map(|b| b.1))
        .sum();
    assert!(
        m.size_bytes.unwrap() > children_size,
        "every child once, the attestation too: {:?} vs {children_size}",
        m.size_bytes
    );
    assert_eq!(find(&w.web.digest).repository, "acme/web");
    assert_eq!(
        find(&w.secret.digest).tags,
        ["s1"],
        "the token shows private repositories"
    );
    assert_eq!(out.inventory.images.len(), 4);
}

#[tokio::test]
async fn dockerhub_expired_token_is_exchanged_again_once() {
    let Some(w) = world(PAT).await else {
        return;
    };
    let client = w.client("acme").await;
    assert_eq!(client.repositories().await.unwrap().len(), 3);
    assert_eq!(w.hub.issued(), 1);
    w.hub.expire_all();
    let tags = client.tags("acme/secret").await.unwrap();
    assert_eq!(tags.len(), 1);
    assert_eq!(w.hub.issued(), 2, "the 401 made exactly one new exchange");
    client.tags("acme/app").await.unwrap();
    assert_eq!(w.hub.issued(), 2, "the new token is reused");
}

#[tokio::test]
async fn dockerhub_refused_login_is_named_without_the_secret() {
    let Some(w) = world("dckr_pat_wrong0000").await else {
        return;
    };
    let out = w.crawl("acme").await;
    let fatal = out.fatal.expect("a refused login ends the crawl");
    assert!(
        fatal.contains("Incorrect authentication credentials"),
        "{fatal}"
    );
    assert!(fatal.contains("\"bob\""), "{fatal}");
    assert!(!fatal.contains("dckr_pat_wrong0000"), "{fatal}");
    assert_eq!(w.hub.issued(), 0);
}

#[tokio::test]
async fn dockerhub_anonymous_sees_public_repositories_only() {
    let Some(w) = world(PAT).await else {
        return;
    };
    std::fs::remove_file(w.dir.path().join("docker/config.json")).unwrap();
    let out = w.crawl("acme").await;
    assert_eq!(out.fatal, None);
    assert_eq!(out.repositories, ["acme/app", "acme/web"]);
    assert_eq!(w.hub.issued(), 0);
    assert_eq!(w.hub.manifest_gets(), 0);
}

pub fn regscope(w: &HubWorld, args: &[&str]) -> std::process::Output {
    let d = w.dir.path();
    std::process::Command::new(env!("CARGO_BIN_EXE_regscope"))
        .args(args)
        .current_dir(d)
        .env("REGSCOPE_DATA", d.join("data"))
        .env("REGSCOPE_CONFIG", d.join("config.toml"))
        .env("DOCKER_CONFIG", d.join("docker"))
        .env("REGSCOPE_DOCKERHUB_API", w.hub.api_base())
        .output()
        .unwrap()
}

fn text(o: &std::process::Output) -> String {
    format!(
        "{}\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

// The fakes run on this runtime while the binary runs: a second worker keeps them answering.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dockerhub_through_the_cli_lists_without_pulls_and_plans_are_review_only() {
    let Some(w) = world(PAT).await else {
        return;
    };
    let d = w.dir.path();
    let config = format!(
        "[[registry]]\nname = \"hub-test\"\naddress = \"{}/acme\"\nkind = \"dockerhub\"\n",
        w.host()
    );
    std::fs::write(d.join("config.toml"), config).unwrap();
    let o = regscope(&w, &["images", "hub-test", "--json", "--verbose"]);
    assert!(o.status.success(), "{}", text(&o));
    let inv: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(inv["images"].as_array().unwrap().len(), 4, "{inv}");
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains("kind dockerhub"), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "rate limit {} of {PULL_LIMIT} left",
            PULL_LIMIT - 24
        )),
        "{stderr}"
    );
    assert_eq!(w.hub.manifest_gets(), 0, "{stderr}");

    let policy = r#"{"rules":[{"rulePriority":1,"description":"old","selection":{"tagStatus":"any","countType":"sinceImagePushed","countUnit":"days","countNumber":30},"action":{"type":"expire"}}]}"#;
    std::fs::write(d.join("p.json"), policy).unwrap();
    let o = regscope(
        &w,
        &[
            "plan",
            "hub-test",
            "--policy",
            "p.json",
            "--now",
            "2026-06-01T00:00:00Z",
            "--json",
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    std::fs::write(d.join("plan.json"), &o.stdout).unwrap();
    let plan: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(!plan["actions"].as_array().unwrap().is_empty(), "{plan}");
    let o = regscope(&w, &["delete", "--plan", "plan.json", "--yes", "--json"]);
    assert!(!o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("for review only"), "{}", text(&o));
    assert_eq!(
        w.hub.manifest_gets(),
        0,
        "neither planning nor refusing reads a manifest"
    );
    let s = Seeder::new(&w.reg.base_url());
    assert_eq!(s.manifest_status("acme/app", &w.v1.digest).await, 200);
}

#[tokio::test]
async fn dockerhub_opening_an_image_is_one_pull_and_says_so() {
    let Some(w) = world(PAT).await else {
        return;
    };
    let target = regscope::registry::Target::parse(&format!("{}/acme", w.host())).unwrap();
    let settings = RegistrySettings::for_address(&w.host());
    let session = regscope::session::Session::with_kind(
        &target,
        &settings,
        regscope::session::Kind::DockerHub,
    );
    let note = session.opening_note().unwrap();
    assert!(note.contains("counts as a pull in Docker Hub"), "{note}");
    let caps = session.caps();
    assert!(caps.records_push_time && caps.records_pull_time && caps.meters_gets);
    let src = session.source().unwrap();
    src.manifest("acme/app", "v1").await.unwrap();
    assert_eq!(w.hub.manifest_gets(), 1);
    assert_eq!(*w.hub.allowance.lock().unwrap(), PULL_LIMIT - 25);
}
