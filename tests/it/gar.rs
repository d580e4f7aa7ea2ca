//! Artifact Registry through its own API: a real docker-registry holds the images, the
//! fake API describes them (from the discovery document) and the fake Google token
//! endpoint verifies the RS256 JWT grant of a service-account key made for the test.

use crate::support::fake_gar::FakeGar;
use crate::support::fake_google::FakeGoogleOauth;
use crate::support::fixtures::{ImageFixture, Layer, Pushed};
use crate::support::registry::TestRegistry;
use crate::support::seed::Seeder;
use regscope::config::RegistrySettings;
use regscope::inventory::{self, CrawlOptions, CrawlOutcome};
use regscope::registry::gar::GarConnectOptions;
use regscope::registry::Target;
use serde_json::json;

pub struct GarWorld {
    pub reg: TestRegistry,
    pub oauth: FakeGoogleOauth,
    pub api: FakeGar,
    /// Holds the key file.
    pub _dir: tempfile::TempDir,
    pub key: std::path::PathBuf,
    pub v1: Pushed,
    pub v2: Pushed,
    pub dangling: Pushed,
    pub web: Pushed,
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

/// `proj/docker-repo/team/app`: v1, v2 (+latest) and an untagged image;
/// `proj/docker-repo/web`: 1.0. Cleanup policies and settings as given.
pub async fn world(settings: serde_json::Value) -> Option<GarWorld> {
    let reg = TestRegistry::start()?;
    let s = Seeder::new(&reg.base_url());
    let app = "proj/docker-repo/team/app";
    let v1 = image("amd64", "2025-10-01T00:00:00Z", "one")
        .push(&s, app, &["v1"])
        .await;
    let v2 = image("amd64", "2025-11-01T00:00:00Z", "two")
        .push(&s, app, &["v2", "latest"])
        .await;
    let dangling = image("amd64", "2025-09-01T00:00:00Z", "old")
        .push(&s, app, &[])
        .await;
    let web = image("arm64", "2025-12-01T00:00:00Z", "web")
        .push(&s, "proj/docker-repo/web", &["1.0"])
        .await;
    let oauth = FakeGoogleOauth::start().await;
    let api = FakeGar::start("proj", "us", &reg.addr, oauth.state.clone()).await;
    api.add_repository("docker-repo", settings);
    api.describe(
        &reg.base_url(),
        "docker-repo",
        "team/app",
        &[&dangling.digest],
    )
    .await;
    api.describe(&reg.base_url(), "docker-repo", "web", &[])
        .await;
    api.set_times(&v1.digest, "2026-01-01T00:00:00Z", "2026-01-05T00:00:00.5Z");
    api.set_times(
        &v2.digest,
        "2026-03-01T12:30:00.123456Z",
        "2026-03-02T00:00:00.123456789Z",
    );
    api.set_times(
        &dangling.digest,
        "2025-12-01T00:00:00.000Z",
        "2025-12-01T00:00:00Z",
    );
    let dir = tempfile::tempdir().unwrap();
    let key = oauth.key_file(dir.path());
    Some(GarWorld {
        reg,
        oauth,
        api,
        _dir: dir,
        key,
        v1,
        v2,
        dangling,
        web,
    })
}

impl GarWorld {
    pub fn settings(&self) -> RegistrySettings {
        let mut s = RegistrySettings::for_address(&self.reg.addr);
        s.project = Some("proj".into());
        s.location = Some("us".into());
        s
    }

    pub fn connect(&self) -> GarConnectOptions {
        GarConnectOptions {
            api_base: Some(self.api.base_url()),
            key_file: Some(self.key.clone()),
            transport: None,
        }
    }

    pub async fn crawl(&self, prefix: &str) -> CrawlOutcome {
        let settings = self.settings();
        let target = Target::parse(&self.reg.addr).unwrap();
        let opts = CrawlOptions::for_settings(&target, &settings);
        let (tx, rx) = tokio::sync::mpsc::channel(64);
        let (host, prefix, connect) = (self.reg.addr.clone(), prefix.to_string(), self.connect());
        let h = tokio::spawn(async move {
            inventory::gar::run(&host, Some(&prefix), &settings, &opts, connect, tx).await
        });
        let out = inventory::collect(&self.reg.addr, rx).await;
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
async fn gar_inventory_has_upload_and_update_times_and_untagged_images() {
    let Some(w) = world(json!({"dockerConfig": {"immutableTags": false}})).await else {
        return;
    };
    // Two images a page, so both listings take more than one page.
    w.api.state.lock().unwrap().page_limit = 2;
    let out = w.crawl("proj/docker-repo").await;
    assert_eq!(out.fatal, None);
    assert!(
        out.inventory.errors.is_empty(),
        "{:?}",
        out.inventory.errors
    );
    assert_eq!(
        out.repositories,
        ["proj/docker-repo/team/app", "proj/docker-repo/web"]
    );
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
    assert_eq!(v1.updated_at, Some(at("2026-01-05T00:00:00.5Z")));
    assert_eq!(
        v1.created_at,
        Some(at("2025-10-01T00:00:00Z")),
        "buildTime is the config's date"
    );
    assert_eq!(v1.locked, None);
    let v2 = find(&w.v2.digest);
    assert_eq!(v2.tags, ["latest", "v2"]);
    assert_eq!(v2.pushed_at, Some(at("2026-03-01T12:30:00.123456Z")));
    assert_eq!(v2.updated_at, Some(at("2026-03-02T00:00:00.123456789Z")));
    // The untagged image only the API can list, with its real blobs from the registry.
    let d = find(&w.dangling.digest);
    assert!(d.tags.is_empty());
    assert_eq!(d.pushed_at, Some(at("2025-12-01T00:00:00Z")));
    assert_eq!(
        d.size_bytes,
        Some(w.dangling.blobs.iter().map(|b| b.1).sum())
    );
    let web = find(&w.web.digest);
    assert_eq!(web.repository, "proj/docker-repo/web");
    assert_eq!(
        web.platforms
            .iter()
            .map(|p| p.to_string())
            .collect::<Vec<_>>(),
        ["linux/arm64"]
    );
    assert_eq!(out.inventory.images.len(), 4);
    assert_eq!(w.oauth.granted(), 1, "one grant serves the whole crawl");
    assert_eq!(
        w.api.requests_to("/dockerImages"),
        2,
        "four images at two a page"
    );
}

#[tokio::test]
async fn gar_expired_token_is_refreshed_once_and_the_listing_goes_on() {
    let Some(w) = world(json!({})).await else {
        return;
    };
    let client = regscope::registry::gar::GarClient::connect(
        &w.reg.addr,
        Some("proj/docker-repo"),
        &w.settings(),
        w.connect(),
    )
    .await
    .unwrap();
    assert_eq!(w.oauth.granted(), 1);
    w.oauth.expire_all();
    let repos = client.repositories().await.unwrap();
    assert_eq!(repos.len(), 1);
    assert_eq!(w.oauth.granted(), 2, "the 401 made exactly one new grant");
    let images = client
        .api
        .docker_images("proj", "us", "docker-repo")
        .await
        .unwrap();
    assert_eq!(images.len(), 4);
    assert_eq!(w.oauth.granted(), 2, "the new token is reused");
}

#[tokio::test]
async fn gar_immutable_tags_lock_the_tagged_versions() {
    let Some(w) = world(json!({"dockerConfig": {"immutableTags": true}})).await else {
        return;
    };
    let out = w.crawl("proj/docker-repo/team").await;
    assert!(
        out.inventory.errors.is_empty(),
        "{:?}",
        out.inventory.errors
    );
    assert_eq!(
        out.repositories,
        ["proj/docker-repo/team/app"],
        "the image prefix filters"
    );
    for img in &out.inventory.images {
        let locked = img.locked.as_ref().is_some_and(|l| !l.delete_enabled);
        assert_eq!(
            locked,
            !img.tags.is_empty(),
            "{}: {:?}",
            img.digest,
            img.tags
        );
    }
}

#[tokio::test]
async fn gar_bad_credentials_are_named_not_a_panic() {
    let Some(w) = world(json!({})).await else {
        return;
    };
    std::fs::write(&w.key, r#"{"type":"service_account","client_email":"x@y"}"#).unwrap();
    let out = w.crawl("proj/docker-repo").await;
    let fatal = out.fatal.unwrap();
    assert!(
        fatal.contains("private_key") && fatal.contains("service-account.json"),
        "{fatal}"
    );
    assert_eq!(w.oauth.granted(), 0);
}

/// google-auth signs the JWT grant with its own RSA code and the Artifact Registry client
/// (REST transport) reads the fake's answers into its own types.
const VENDOR_SCRIPT: &str = r#"
import json, sys
from google.oauth2 import service_account, credentials
from google.auth.transport.requests import Request
from google.cloud import artifactregistry_v1
key, base, parent = sys.argv[1], sys.argv[2], sys.argv[3]
sa = service_account.Credentials.from_service_account_file(key, scopes=["https://www.googleapis.com/auth/cloud-platform"])
sa.refresh(Request())
client = artifactregistry_v1.ArtifactRegistryClient(
    credentials=credentials.Credentials(token=sa.token), transport="rest",
    client_options={"api_endpoint": base})
repo = client.get_repository(name=parent)
images = []
for im in client.list_docker_images(request={"parent": parent, "page_size": 1}):
    images.append({"name": im.name, "tags": list(im.tags), "size": im.image_size_bytes,
        "upload": im.upload_time.isoformat(), "update": im.update_time.isoformat(), "media": im.media_type})
print(json.dumps({"dry_run": repo.cleanup_policy_dry_run, "immutable": repo.docker_config.immutable_tags,
    "policies": sorted(repo.cleanup_policies.keys()),
    "older": repo.cleanup_policies["old"].condition.older_than.total_seconds(),
    "action": artifactregistry_v1.CleanupPolicy.Action(repo.cleanup_policies["old"].action).name,
    "scan": repo.vulnerability_scanning_config.enablement_state.name, "images": images}))
"#;

#[tokio::test]
async fn gar_fake_answers_googles_own_client_as_the_service_does() {
    let Some(py) = crate::support::vendor::python_with("google.cloud.artifactregistry_v1") else {
        return;
    };
    let settings = json!({
        "cleanupPolicyDryRun": true,
        "cleanupPolicies": {"old": {"id": "old", "action": "DELETE",
            "condition": {"tagState": "ANY", "olderThan": "2592000s"}}},
        "dockerConfig": {"immutableTags": true},
        "vulnerabilityScanningConfig": {"enablementConfig": "INHERITED", "enablementState": "SCANNING_ACTIVE"},
    });
    let Some(w) = world(settings).await else {
        return;
    };
    let parent = "projects/proj/locations/us/repositories/docker-repo";
    let base = w.api.stub.base_url();
    let key = w.key.display().to_string();
    let v = crate::support::vendor::run_json(&py, VENDOR_SCRIPT, &[&key, &base, parent], &[]).await;
    assert_eq!(
        w.oauth.granted(),
        1,
        "google-auth's own JWT grant was accepted"
    );
    assert_eq!(v["dry_run"], true);
    assert_eq!(v["immutable"], true);
    assert_eq!(v["policies"], json!(["old"]));
    assert_eq!(v["older"], 2592000.0);
    assert_eq!(v["action"], "DELETE");
    assert_eq!(v["scan"], "SCANNING_ACTIVE");
    let images = v["images"].as_array().unwrap();
    assert_eq!(
        images.len(),
        4,
        "page_size 1 paged through every image: {v}"
    );
    let v2 = images
        .iter()
        .find(|i| i["name"].as_str().unwrap().ends_with(&w.v2.digest))
        .unwrap();
    assert!(v2["name"]
        .as_str()
        .unwrap()
        .contains("/dockerImages/team%2Fapp@"));
    let mut tags: Vec<&str> = v2["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    tags.sort();
    assert_eq!(tags, ["latest", "v2"]);
    assert_eq!(v2["upload"], "2026-03-01T12:30:00.123456+00:00");
    assert_eq!(
        v2["size"].as_i64().unwrap() as u64,
        w.v2.blobs.iter().map(|b| b.1).sum::<u64>()
    );
    let dangling = images
        .iter()
        .find(|i| i["name"].as_str().unwrap().ends_with(&w.dangling.digest))
        .unwrap();
    assert_eq!(dangling["tags"], json!([]));
}

#[tokio::test]
async fn gar_own_cleanup_policies_evaluate_as_a_plan_and_the_dry_run_is_said() {
    let settings = json!({
        "cleanupPolicyDryRun": true,
        "cleanupPolicies": {
            "untagged-30d": {"id": "untagged-30d", "action": "DELETE",
                "condition": {"tagState": "UNTAGGED", "olderThan": "2592000s"}},
            "old-v": {"id": "old-v", "action": "DELETE",
                "condition": {"tagState": "TAGGED", "tagPrefixes": ["v"], "olderThan": "2592000s"}},
            "keep-newest": {"id": "keep-newest", "action": "KEEP",
                "mostRecentVersions": {"packageNamePrefixes": ["team/"], "keepCount": 1}},
        },
    });
    let Some(w) = world(settings).await else {
        return;
    };
    let out = w.crawl("proj/docker-repo").await;
    assert!(
        out.inventory.errors.is_empty(),
        "{:?}",
        out.inventory.errors
    );
    let client = regscope::registry::gar::GarClient::connect(
        &w.reg.addr,
        Some("proj/docker-repo"),
        &w.settings(),
        w.connect(),
    )
    .await
    .unwrap();
    let cleanups = client.repository_cleanups().await.unwrap();
    assert_eq!(cleanups.len(), 1);
    assert!(cleanups[0].dry_run);
    let now = at("2026-06-01T00:00:00Z");
    let images = &out.inventory.images;
    let ev = regscope::policy::gar_own::evaluate_own(images, &cleanups, now, &Default::default());
    let deleted: std::collections::BTreeSet<String> = ev
        .decisions
        .iter()
        .map(|d| images[d.image].digest.to_string())
        .collect();
    // v2 is team/app's newest upload (kept); v1 is an old v-tag; the untagged one is old.
    assert_eq!(
        deleted,
        [w.v1.digest.clone(), w.dangling.digest.clone()]
            .into_iter()
            .collect(),
        "{ev:?}"
    );
    assert!(ev
        .protected
        .iter()
        .any(|p| images[p.image].digest.as_str() == w.v2.digest));
    assert!(ev.warnings[0].contains("DRY RUN"), "{:?}", ev.warnings);
    let rules: Vec<&str> = ev.decisions.iter().map(|d| &*d.rule).collect();
    assert!(
        rules.contains(&"untagged-30d") && rules.contains(&"old-v"),
        "{rules:?}"
    );
}

#[tokio::test]
async fn gar_plan_without_policy_is_the_repositorys_own_cleanup_policy() {
    let settings = json!({
        "cleanupPolicyDryRun": true,
        "cleanupPolicies": {
            "untagged-30d": {"id": "untagged-30d", "action": "DELETE",
                "condition": {"tagState": "UNTAGGED", "olderThan": "2592000s"}},
        },
    });
    let Some(w) = world(settings).await else {
        return;
    };
    let dir = w._dir.path();
    let config = format!(
        "[[registry]]\nname = \"gar-test\"\naddress = \"{}/proj/docker-repo\"\nkind = \"gar\"\nlocation = \"us\"\n",
        w.reg.addr
    );
    std::fs::write(dir.join("config.toml"), config).unwrap();
    // The fakes serve on this test's runtime: wait for the child without blocking it.
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_regscope"))
        .args([
            "plan",
            "gar-test",
            "--now",
            "2026-06-01T00:00:00Z",
            "--json",
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
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let plan: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(plan["policy_format"], "gar");
    let actions = plan["actions"].as_array().unwrap();
    let digests: Vec<&str> = actions
        .iter()
        .map(|a| a["digest"].as_str().unwrap())
        .collect();
    assert_eq!(digests, [w.dangling.digest.as_str()], "{plan:#}");
    assert_eq!(actions[0]["rule"], "untagged-30d");
    let text = plan.to_string();
    assert!(text.contains("DRY RUN"), "the dry run is said: {plan:#}");
    assert_eq!(w.oauth.granted(), 1, "{stderr}");
}
