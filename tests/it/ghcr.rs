//! GHCR through GitHub's packages API: a real docker-registry holds the images behind a
//! proxy that refuses OCI DELETE (as GHCR does); the fake API (from
//! github/rest-api-description) lists every package version, untagged ones too, and
//! deletes versions. PyGithub's own requester and `Link` paging read the fake.

use crate::support::fake_ghcr::FakeGhcr;
use crate::support::fixtures::{push_index, ImageFixture, Layer, Pushed};
use crate::support::registry::TestRegistry;
use crate::support::seed::Seeder;
use regscope::config::RegistrySettings;
use regscope::inventory::{self, CrawlOptions, CrawlOutcome};
use regscope::registry::ghcr::{GhcrClient, GhcrConnectOptions};
use regscope::registry::Target;
use serde_json::Value;

pub const TOKEN: &str = "ghp_fakeTokenForTests0000000000000000";

pub struct GhcrWorld {
    pub reg: TestRegistry,
    pub gh: FakeGhcr,
    pub dir: tempfile::TempDir,
    pub v1: Pushed,
    pub multi: Pushed,
    pub amd64: Pushed,
    pub arm64: Pushed,
    pub dangling: Pushed,
    pub web: Pushed,
}

pub fn image(arch: &str, created: &str, text: &str) -> ImageFixture {
    let layer = Layer::gzip(
        crate::support::fixtures::tar(&[crate::support::fixtures::Entry::File(
            "app.txt",
            text.as_bytes(),
        )]),
        "COPY app.txt /",
    );
    ImageFixture::new(arch, created, vec![layer])
}

/// `acme/team/app`: v1, v2 + latest (an index of amd64 and arm64) and an untagged old
/// image; `acme/web`: 1.0. The owner is an organization when `org`.
pub async fn world(org: bool) -> Option<GhcrWorld> {
    let reg = TestRegistry::start()?;
    let s = Seeder::new(&reg.base_url());
    let app = "acme/team/app";
    let v1 = image("amd64", "2025-10-01T00:00:00Z", "one")
        .push(&s, app, &["v1"])
        .await;
    let fa = image("amd64", "2025-11-01T00:00:00Z", "two-amd64");
    let fr = image("arm64", "2025-11-01T00:00:00Z", "two-arm64");
    let amd64 = fa.push(&s, app, &[]).await;
    let arm64 = fr.push(&s, app, &[]).await;
    let multi = push_index(
        &s,
        app,
        false,
        &[(&fa, &amd64), (&fr, &arm64)],
        vec![],
        &["v2", "latest"],
    )
    .await;
    let dangling = image("amd64", "2025-09-01T00:00:00Z", "old")
        .push(&s, app, &[])
        .await;
    let web = image("arm64", "2025-12-01T00:00:00Z", "web")
        .push(&s, "acme/web", &["1.0"])
        .await;
    let gh = FakeGhcr::start(&reg.base_url(), "acme", org, TOKEN).await;
    gh.describe(
        "team/app",
        &[&dangling.digest],
        &[
            (&v1.digest, "2026-01-01T00:00:00Z", "2026-01-05T00:00:00Z"),
            (
                &multi.digest,
                "2026-03-01T12:30:00Z",
                "2026-03-02T08:00:00Z",
            ),
            (
                &dangling.digest,
                "2025-12-01T00:00:00Z",
                "2025-12-01T00:00:00Z",
            ),
        ],
    )
    .await;
    gh.describe("web", &[], &[]).await;
    Some(GhcrWorld {
        reg,
        gh,
        dir: tempfile::tempdir().unwrap(),
        v1,
        multi,
        amd64,
        arm64,
        dangling,
        web,
    })
}

impl GhcrWorld {
    pub fn host(&self) -> String {
        self.gh.registry.addr.clone()
    }

    pub fn connect(&self) -> GhcrConnectOptions {
        GhcrConnectOptions {
            api_base: Some(self.gh.api_base()),
            token: Some(TOKEN.into()),
            docker_config_dir: Some(self.dir.path().join("docker")),
            transport: None,
        }
    }

    pub async fn crawl(&self, prefix: &str) -> CrawlOutcome {
        let settings = RegistrySettings::for_address(&self.host());
        let target = Target::parse(&self.host()).unwrap();
        let opts = CrawlOptions::for_settings(&target, &settings);
        let client = GhcrClient::connect(&self.host(), Some(prefix), &settings, self.connect())
            .await
            .unwrap();
        let (tx, rx) = tokio::sync::mpsc::channel(64);
        let h = tokio::spawn(async move {
            inventory::ghcr::crawl(std::sync::Arc::new(client), &opts, tx).await
        });
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
async fn ghcr_inventory_has_every_version_with_its_times() {
    let Some(w) = world(true).await else {
        return;
    };
    // One package and one version a page: every listing follows `Link`.
    w.gh.state.lock().unwrap().page_limit = 1;
    let out = w.crawl("acme").await;
    assert_eq!(out.fatal, None);
    assert!(
        out.inventory.errors.is_empty(),
        "{:?}",
        out.inventory.errors
    );
    assert_eq!(out.repositories, ["acme/team/app", "acme/web"]);
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
    assert_eq!(v1.updated_at, Some(at("2026-01-05T00:00:00Z")));
    let m = find(&w.multi.digest);
    assert_eq!(m.tags, ["latest", "v2"]);
    assert_eq!(m.pushed_at, Some(at("2026-03-01T12:30:00Z")));
    assert_eq!(m.children.len(), 2);
    // Untagged versions only the API can list: the old image, and the index's children.
    let d = find(&w.dangling.digest);
    assert!(d.tags.is_empty());
    assert_eq!(d.pushed_at, Some(at("2025-12-01T00:00:00Z")));
    assert_eq!(
        d.size_bytes,
        Some(w.dangling.blobs.iter().map(|b| b.1).sum())
    );
    assert!(find(&w.amd64.digest).pushed_at.is_some());
    assert!(find(&w.arm64.digest).tags.is_empty());
    assert_eq!(find(&w.web.digest).repository, "acme/web");
    assert_eq!(out.inventory.images.len(), 6);
    // package_type=container on every package list; `/` in a name as %2F; one per page.
    let lists = w.gh.requests("GET", "/packages?");
    assert!(
        lists.iter().all(|t| t.contains("package_type=container")),
        "{lists:?}"
    );
    let versions =
        w.gh.requests("GET", "/packages/container/team%2Fapp/versions");
    assert_eq!(
        versions.len(),
        5,
        "five versions at one a page: {versions:?}"
    );
    assert_eq!(w.gh.registry_requests("DELETE"), 0);
}

#[tokio::test]
async fn ghcr_a_user_owner_is_listed_under_users() {
    let Some(w) = world(false).await else {
        return;
    };
    let out = w.crawl("acme/team/app").await;
    assert_eq!(out.fatal, None, "{:?}", out.inventory.errors);
    assert_eq!(
        out.repositories,
        ["acme/team/app"],
        "the package prefix filters"
    );
    assert_eq!(out.inventory.images.len(), 5);
    assert!(!w.gh.requests("GET", "/users/acme/packages?").is_empty());
}

#[tokio::test]
async fn ghcr_a_bad_token_is_named() {
    let Some(w) = world(true).await else {
        return;
    };
    let mut opts = w.connect();
    opts.token = Some("ghp_wrong".into());
    let settings = RegistrySettings::for_address(&w.host());
    let client = GhcrClient::connect(&w.host(), Some("acme"), &settings, opts)
        .await
        .unwrap();
    let e = client.packages().await.unwrap_err().to_string();
    assert!(e.contains("401") && e.contains("Bad credentials"), "{e}");
    assert!(!e.contains("ghp_wrong"), "{e}");
}

pub fn regscope(w: &GhcrWorld, args: &[&str]) -> std::process::Output {
    let d = w.dir.path();
    std::process::Command::new(env!("CARGO_BIN_EXE_regscope"))
        .args(args)
        .current_dir(d)
        .env("REGSCOPE_DATA", d.join("data"))
        .env("REGSCOPE_CONFIG", d.join("config.toml"))
        .env("DOCKER_CONFIG", d.join("docker"))
        .env("GITHUB_API_URL", w.gh.api_base())
        .env("GITHUB_TOKEN", TOKEN)
        .env_remove("GH_TOKEN")
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
async fn ghcr_a_reviewed_plan_deletes_versions_through_the_api() {
    let Some(w) = world(true).await else {
        return;
    };
    let d = w.dir.path();
    let config = format!(
        "[[registry]]\nname = \"ghcr-test\"\naddress = \"{}/acme\"\nkind = \"ghcr\"\n",
        w.host()
    );
    std::fs::write(d.join("config.toml"), config).unwrap();
    // v1 is older than 30 days on 2026-06-01; nothing else carries a v1 tag.
    let policy = r#"{"rules":[{"rulePriority":1,"description":"old v1","selection":{"tagStatus":"tagged","tagPrefixList":["v1"],"countType":"sinceImagePushed","countUnit":"days","countNumber":30},"action":{"type":"expire"}}]}"#;
    std::fs::write(d.join("p.json"), policy).unwrap();
    let o = regscope(
        &w,
        &[
            "plan",
            "ghcr-test",
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
    let digests: Vec<&str> = plan["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["digest"].as_str().unwrap())
        .collect();
    assert_eq!(digests, [w.v1.digest.as_str()], "{plan:#}");
    let id = w.gh.version_id("team/app", &w.v1.digest).unwrap();

    let o = regscope(&w, &["delete", "--plan", "plan.json", "--yes", "--json"]);
    assert!(o.status.success(), "{}", text(&o));
    let report: Value = serde_json::from_slice(&o.stdout).unwrap();
    let r = &report["results"][0];
    assert_eq!(r["digest"], w.v1.digest.as_str(), "{report:#}");
    assert_eq!(r["outcome"], "deleted", "{report:#}");
    // Through the API (the registry refuses OCI DELETE, and was not asked).
    let deletes = w.gh.requests("DELETE", "/versions/");
    assert_eq!(
        deletes,
        [format!(
            "/orgs/acme/packages/container/team%2Fapp/versions/{id}"
        )]
    );
    assert_eq!(w.gh.registry_requests("DELETE"), 0);
    let s = Seeder::new(&w.reg.base_url());
    assert_eq!(s.manifest_status("acme/team/app", &w.v1.digest).await, 404);
    assert_eq!(
        s.manifest_status("acme/team/app", &w.multi.digest).await,
        200
    );
    assert_eq!(w.gh.version_id("team/app", &w.v1.digest), None);
    // The audit log holds the intent (with the manifest) and the deletion.
    let audit = std::fs::read_to_string(report["audit_log"].as_str().unwrap()).unwrap();
    let events: Vec<Value> = audit
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let of = |ev: &str| {
        events
            .iter()
            .any(|e| e["event"] == ev && e["digest"] == w.v1.digest.as_str())
    };
    assert!(of("intent") && of("deleted"), "{audit}");
}

/// PyGithub has no typed packages API; its own requester (token header, errors) and
/// `PaginatedList` (`Link` paging, one item a page) read the fake, and delete a version.
const PYGITHUB_SCRIPT: &str = r#"
import json, sys, urllib.parse
from github import Github, Auth, GithubException
from github.GithubObject import NonCompletableGithubObject
from github.PaginatedList import PaginatedList
token, base, owner, package = sys.argv[1:5]
class Raw(NonCompletableGithubObject):
    def _initAttributes(self): pass
    def _useAttributes(self, attributes): pass
g = Github(auth=Auth.Token(token), base_url=base, per_page=1)
req = g.requester
pkgs = [p.raw_data for p in PaginatedList(Raw, req, f"/orgs/{owner}/packages", {"package_type": "container"})]
enc = urllib.parse.quote(package, safe="")
versions = [v.raw_data for v in PaginatedList(Raw, req, f"/orgs/{owner}/packages/container/{enc}/versions", None)]
untagged = [v for v in versions if not v["metadata"]["container"]["tags"]]
status, _, _ = req.requestJson("DELETE", f"/orgs/{owner}/packages/container/{enc}/versions/{untagged[0]['id']}")
try:
    Github(auth=Auth.Token("ghp_wrong"), base_url=base).requester.requestJsonAndCheck("GET", f"/orgs/{owner}/packages", {"package_type": "container"})
    bad = None
except GithubException as e:
    bad = [e.status, e.data.get("message")]
print(json.dumps({"packages": [p["name"] for p in pkgs], "versions": [{"id": v["id"], "name": v["name"],
    "tags": v["metadata"]["container"]["tags"], "created": v["created_at"], "updated": v["updated_at"]} for v in versions],
    "deleted": untagged[0]["name"], "status": status, "bad": bad}))
"#;

#[tokio::test]
async fn ghcr_fake_answers_pygithub_as_github_does() {
    let Some(py) = crate::support::vendor::python_with("github") else {
        return;
    };
    let Some(w) = world(true).await else {
        return;
    };
    let base = w.gh.api_base();
    let v = crate::support::vendor::run_json(
        &py,
        PYGITHUB_SCRIPT,
        &[TOKEN, &base, "acme", "team/app"],
        &[],
    )
    .await;
    assert_eq!(v["packages"], serde_json::json!(["team/app", "web"]));
    let versions = v["versions"].as_array().unwrap();
    assert_eq!(versions.len(), 5, "one a page, every page: {v}");
    let v1 = versions
        .iter()
        .find(|x| x["name"] == w.v1.digest.as_str())
        .unwrap();
    assert_eq!(v1["tags"], serde_json::json!(["v1"]));
    assert_eq!(v1["created"], "2026-01-01T00:00:00Z");
    assert_eq!(v["status"], 204);
    assert_eq!(v["bad"], serde_json::json!([401, "Bad credentials"]));
    let deleted = v["deleted"].as_str().unwrap();
    assert_eq!(w.gh.version_id("team/app", deleted), None);
    let s = Seeder::new(&w.reg.base_url());
    assert_eq!(s.manifest_status("acme/team/app", deleted).await, 404);
}
