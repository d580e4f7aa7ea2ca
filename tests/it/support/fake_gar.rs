//! Artifact Registry's REST API (`artifactregistry.googleapis.com/v1`), written from its
//! discovery document (googleapis/google-api-go-client
//! `artifactregistry/v1/artifactregistry-api.json`): `repositories.list`/`get` and
//! `dockerImages.list` with `pageSize`/`pageToken`, Google's error document, and a Bearer
//! token that the fake Google token endpoint must have issued. The images it describes are
//! read from a real `docker-registry` (tags, digests, media types, sizes, build times);
//! upload and update times are the fake's own, as they are Google's.
//!
//! As the real service: `imageSizeBytes` is a JSON string, `tags` is absent when empty,
//! times carry 0, 3, 6 or 9 fractional digits, a `/` in an image path is `%2F` inside
//! the resource name, and untagged images are listed too.

use super::fake_google::OauthState;
use super::stub::{StubReply, StubRequest, StubServer};
use serde_json::{json, Value};
use sha2::{Digest as _, Sha256};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

#[derive(Clone, Debug)]
pub struct FakeImage {
    pub package: String,
    pub digest: String,
    pub tags: Vec<String>,
    pub size: u64,
    pub media_type: String,
    pub upload: String,
    pub update: String,
    pub build: Option<String>,
}

#[derive(Clone, Debug, Default)]
pub struct FakeRepo {
    /// Extra `Repository` fields: `cleanupPolicies`, `cleanupPolicyDryRun`, `dockerConfig`, ...
    pub settings: Value,
    pub images: Vec<FakeImage>,
}

#[derive(Default)]
pub struct GarState {
    pub project: String,
    pub location: String,
    /// The registry host written into `uri`.
    pub host: String,
    pub repos: BTreeMap<String, FakeRepo>,
    /// The most the fake puts on one page, whatever `pageSize` asks (forces paging).
    pub page_limit: usize,
}

pub struct FakeGar {
    pub stub: StubServer,
    pub state: Arc<Mutex<GarState>>,
}

impl FakeGar {
    pub async fn start(
        project: &str,
        location: &str,
        host: &str,
        oauth: Arc<Mutex<OauthState>>,
    ) -> FakeGar {
        let state = Arc::new(Mutex::new(GarState {
            project: project.into(),
            location: location.into(),
            host: host.into(),
            page_limit: 1000,
            ..GarState::default()
        }));
        let live = state.clone();
        let stub = StubServer::start(move |req: StubRequest| {
            let reply = answer(&req, &live.lock().unwrap(), &oauth.lock().unwrap());
            async move { reply }
        })
        .await;
        FakeGar { stub, state }
    }

    /// The API root, as `CLOUDSDK_API_ENDPOINT_OVERRIDES_ARTIFACTREGISTRY` carries it.
    pub fn base_url(&self) -> String {
        format!("{}/", self.stub.base_url())
    }

    pub fn add_repository(&self, id: &str, settings: Value) {
        self.state.lock().unwrap().repos.insert(
            id.into(),
            FakeRepo {
                settings,
                images: Vec::new(),
            },
        );
    }

    /// Describes `PROJECT/REPO/PACKAGE` as the registry at `registry_base` holds it: every
    /// tag, plus the `untagged` digests (which the OCI API cannot list).
    pub async fn describe(
        &self,
        registry_base: &str,
        repo: &str,
        package: &str,
        untagged: &[&str],
    ) {
        let project = self.state.lock().unwrap().project.clone();
        let oci = format!("{project}/{repo}/{package}");
        let http = reqwest::Client::new();
        let body = http
            .get(format!("{registry_base}/v2/{oci}/tags/list"))
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        let list: Value = serde_json::from_slice(&body).unwrap();
        let mut by_digest: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for t in list["tags"].as_array().into_iter().flatten() {
            let (digest, _) = manifest(&http, registry_base, &oci, t.as_str().unwrap()).await;
            by_digest
                .entry(digest)
                .or_default()
                .push(t.as_str().unwrap().to_string());
        }
        for d in untagged {
            by_digest.entry(d.to_string()).or_default();
        }
        let mut images = Vec::new();
        for (i, (digest, tags)) in by_digest.into_iter().enumerate() {
            let (_, m) = manifest(&http, registry_base, &oci, &digest).await;
            let (size, build) = size_and_build(&http, registry_base, &oci, &m).await;
            // A different number of fractional digits per image, as Google writes them.
            let frac = ["", ".123", ".123456", ".123456789"][i % 4];
            images.push(FakeImage {
                package: package.into(),
                digest,
                tags,
                size,
                media_type: m["mediaType"].as_str().unwrap_or("").into(),
                upload: format!("2026-01-{:02}T10:00:00{frac}Z", 1 + i % 28),
                update: format!("2026-02-{:02}T10:00:00{frac}Z", 1 + i % 28),
                build,
            });
        }
        let mut s = self.state.lock().unwrap();
        let r = s.repos.entry(repo.into()).or_default();
        r.images.retain(|im| im.package != package);
        r.images.extend(images);
    }

    /// Sets an image's upload (and update) time.
    pub fn set_times(&self, digest: &str, upload: &str, update: &str) {
        let mut s = self.state.lock().unwrap();
        for r in s.repos.values_mut() {
            for im in r.images.iter_mut().filter(|im| im.digest == digest) {
                im.upload = upload.into();
                im.update = update.into();
            }
        }
    }

    pub fn requests_to(&self, suffix: &str) -> usize {
        self.stub
            .requests
            .lock()
            .unwrap()
            .iter()
            .filter(|r| r.path().ends_with(suffix))
            .count()
    }
}

const ACCEPT: &str = "application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.docker.distribution.manifest.v2+json";

async fn manifest(
    http: &reqwest::Client,
    base: &str,
    repo: &str,
    reference: &str,
) -> (String, Value) {
    let r = http
        .get(format!("{base}/v2/{repo}/manifests/{reference}"))
        .header("accept", ACCEPT)
        .send()
        .await
        .unwrap();
    assert!(
        r.status().is_success(),
        "{repo}:{reference}: {}",
        r.status()
    );
    let body = r.bytes().await.unwrap();
    (
        format!("sha256:{}", hex::encode(Sha256::digest(&body))),
        serde_json::from_slice(&body).unwrap(),
    )
}

/// Compressed size of config and layers (an index: of its images), and the config's date.
async fn size_and_build(
    http: &reqwest::Client,
    base: &str,
    repo: &str,
    m: &Value,
) -> (u64, Option<String>) {
    if let Some(children) = m["manifests"].as_array() {
        let mut total = 0;
        for c in children {
            let (_, child) = manifest(http, base, repo, c["digest"].as_str().unwrap()).await;
            let blobs = child["layers"]
                .as_array()
                .into_iter()
                .flatten()
                .chain([&child["config"]]);
            total += blobs.filter_map(|b| b["size"].as_u64()).sum::<u64>();
        }
        return (total, None);
    }
    let blobs = m["layers"]
        .as_array()
        .into_iter()
        .flatten()
        .chain([&m["config"]]);
    let size = blobs.filter_map(|b| b["size"].as_u64()).sum();
    let body = http
        .get(format!(
            "{base}/v2/{repo}/blobs/{}",
            m["config"]["digest"].as_str().unwrap_or("")
        ))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let cfg: Value = serde_json::from_slice(&body).unwrap_or_default();
    (size, cfg["created"].as_str().map(str::to_string))
}

fn error(code: u16, status: &str, message: &str) -> StubReply {
    StubReply::json(
        code,
        &json!({"error": {"code": code, "message": message, "status": status}}).to_string(),
    )
}

fn answer(req: &StubRequest, s: &GarState, oauth: &OauthState) -> StubReply {
    let token = req
        .header("authorization")
        .and_then(|h| h.strip_prefix("Bearer "))
        .unwrap_or("");
    if !oauth.valid.contains(token) {
        return error(401, "UNAUTHENTICATED", "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.")
            .with_header("www-authenticate", "Bearer realm=\"https://accounts.google.com/\", error=\"invalid_token\"");
    }
    if req.method != "GET" {
        return error(405, "UNIMPLEMENTED", "not in this fake");
    }
    let parent = format!("projects/{}/locations/{}", s.project, s.location);
    let Some(rest) = req.path().strip_prefix("/v1/") else {
        return error(404, "NOT_FOUND", "Requested entity was not found.");
    };
    let Some(rest) = rest.strip_prefix(&parent) else {
        return error(403, "PERMISSION_DENIED", &format!("Permission 'artifactregistry.repositories.list' denied on resource '{rest}' (or it may not exist)."));
    };
    let q = req.query();
    let page_size = q
        .iter()
        .find(|(k, _)| k == "pageSize")
        .and_then(|(_, v)| v.parse::<usize>().ok())
        .filter(|n| *n > 0)
        .unwrap_or(100)
        .min(s.page_limit);
    let offset = q
        .iter()
        .find(|(k, _)| k == "pageToken")
        .and_then(|(_, v)| {
            v.strip_prefix("page-")
                .and_then(|n| n.parse::<usize>().ok())
        })
        .unwrap_or(0);
    let segments: Vec<&str> = rest.trim_start_matches('/').split('/').collect();
    match segments.as_slice() {
        ["repositories"] => {
            let all: Vec<Value> = s.repos.iter().map(|(id, r)| repository(s, id, r)).collect();
            page(all, offset, page_size, "repositories")
        }
        ["repositories", id] => match s.repos.get(*id) {
            Some(r) => StubReply::json(200, &repository(s, id, r).to_string()),
            None => error(
                404,
                "NOT_FOUND",
                &format!("Repository \"{parent}/repositories/{id}\" not found"),
            ),
        },
        ["repositories", id, "dockerImages"] => match s.repos.get(*id) {
            Some(r) => {
                let all: Vec<Value> = r.images.iter().map(|im| docker_image(s, id, im)).collect();
                page(all, offset, page_size, "dockerImages")
            }
            None => error(
                404,
                "NOT_FOUND",
                &format!("Repository \"{parent}/repositories/{id}\" not found"),
            ),
        },
        _ => error(404, "NOT_FOUND", "Requested entity was not found."),
    }
}

fn page(all: Vec<Value>, offset: usize, size: usize, field: &str) -> StubReply {
    let end = (offset + size).min(all.len());
    let mut doc = json!({ field: all[offset.min(end)..end] });
    if end < all.len() {
        doc["nextPageToken"] = json!(format!("page-{end}"));
    }
    StubReply::json(200, &doc.to_string())
}

fn repository(s: &GarState, id: &str, r: &FakeRepo) -> Value {
    let mut v = json!({
        "name": format!("projects/{}/locations/{}/repositories/{id}", s.project, s.location),
        "format": "DOCKER", "mode": "STANDARD_REPOSITORY",
        "createTime": "2025-06-01T08:00:00.123456Z", "updateTime": "2026-01-01T08:00:00Z",
        "sizeBytes": r.images.iter().map(|i| i.size).sum::<u64>().to_string(),
    });
    if let Some(extra) = r.settings.as_object() {
        for (k, x) in extra {
            v[k] = x.clone();
        }
    }
    v
}

fn docker_image(s: &GarState, repo: &str, im: &FakeImage) -> Value {
    let mut v = json!({
        "name": format!("projects/{}/locations/{}/repositories/{repo}/dockerImages/{}@{}",
            s.project, s.location, im.package.replace('/', "%2F"), im.digest),
        "uri": format!("{}/{}/{repo}/{}@{}", s.host, s.project, im.package, im.digest),
        "imageSizeBytes": im.size.to_string(),
        "uploadTime": im.upload, "updateTime": im.update, "mediaType": im.media_type,
    });
    if !im.tags.is_empty() {
        v["tags"] = json!(im.tags);
    }
    if let Some(b) = &im.build {
        v["buildTime"] = json!(b);
    }
    v
}
