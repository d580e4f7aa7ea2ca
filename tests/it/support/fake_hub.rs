//! The Docker Hub, as two servers like the real hosts: the Hub API (`hub.docker.com`),
//! written from the Hub API reference in docker/docs (`content/reference/api/hub/latest.yaml`:
//! `POST /v2/auth/token`, `GET /v2/namespaces/{namespace}/repositories`, `GET
//! /v2/namespaces/{namespace}/repositories/{repository}/tags`, `page`/`page_size` at most
//! 100, `next` an absolute URL) and kept to what the service really answers where the
//! schema is wrong: a tag's `images` is an array, its status is `tag_status`, `v2` is a
//! boolean, never-pulled times are `null`. Every API answer carries the API's own
//! `X-RateLimit-*` (calls per minute, not pulls). The registry (`registry-1.docker.io`) is
//! a proxy in front of a real docker-registry that counts manifest GETs against a pull
//! allowance and reports it in `ratelimit-limit` / `ratelimit-remaining`, as Docker's does;
//! a HEAD is not counted.

use super::stub::{StubReply, StubRequest, StubServer};
use serde_json::{json, Value};
use sha2::{Digest as _, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};

/// A tag as the Hub keeps it.
#[derive(Clone, Debug, Default)]
pub struct HubTagState {
    pub digest: String,
    pub media_type: String,
    /// (digest, os, arch, variant, size) per platform manifest.
    pub images: Vec<(String, String, String, Option<String>, u64)>,
    pub full_size: u64,
    pub pushed: String,
    pub pulled: Option<String>,
}

#[derive(Default)]
pub struct HubState {
    /// The account that may log in, and the secret it logs in with (password or PAT).
    pub user: String,
    pub secret: String,
    /// Tokens issued and not expired.
    pub valid: BTreeSet<String>,
    pub issued: usize,
    /// `namespace/name` -> (private, tags by name).
    pub repos: BTreeMap<String, (bool, BTreeMap<String, HubTagState>)>,
    /// The most the API puts on one page, whatever `page_size` asks (forces paging).
    pub page_limit: usize,
    /// The API's own origin, written into `next`.
    pub base: String,
}

pub struct FakeHub {
    pub api: StubServer,
    pub registry: StubServer,
    pub state: Arc<Mutex<HubState>>,
    /// Pulls left in the window the registry proxy reports.
    pub allowance: Arc<Mutex<u64>>,
}

pub const PULL_LIMIT: u64 = 100;

impl FakeHub {
    /// The API and the registry proxy before `upstream` (`http://127.0.0.1:PORT`).
    pub async fn start(upstream: &str, user: &str, secret: &str) -> FakeHub {
        let state = Arc::new(Mutex::new(HubState {
            user: user.into(),
            secret: secret.into(),
            page_limit: 100,
            ..HubState::default()
        }));
        let live = state.clone();
        let api = StubServer::start(move |req: StubRequest| {
            let reply = answer(&req, &mut live.lock().unwrap());
            async move {
                reply
                    .with_header("x-ratelimit-limit", "180")
                    .with_header("x-ratelimit-remaining", "179")
                    .with_header("x-ratelimit-reset", "1893456000")
            }
        })
        .await;
        state.lock().unwrap().base = api.base_url();
        let allowance = Arc::new(Mutex::new(PULL_LIMIT - 24));
        let left = allowance.clone();
        let upstream = upstream.to_string();
        let http = reqwest::Client::new();
        let registry = StubServer::start(move |req: StubRequest| {
            let (left, upstream, http) = (left.clone(), upstream.clone(), http.clone());
            async move { pass(req, &left, &upstream, &http).await }
        })
        .await;
        FakeHub {
            api,
            registry,
            state,
            allowance,
        }
    }

    pub fn api_base(&self) -> String {
        self.api.base_url()
    }

    /// Manifest GETs the registry saw (each a pull on Docker Hub).
    pub fn manifest_gets(&self) -> usize {
        self.manifest_requests("GET")
    }

    pub fn manifest_requests(&self, method: &str) -> usize {
        let reqs = self.registry.requests.lock().unwrap();
        reqs.iter()
            .filter(|r| r.method == method && r.path().contains("/manifests/"))
            .count()
    }

    pub fn requests_to(&self, part: &str) -> usize {
        let reqs = self.api.requests.lock().unwrap();
        reqs.iter().filter(|r| r.path().contains(part)).count()
    }

    pub fn issued(&self) -> usize {
        self.state.lock().unwrap().issued
    }

    /// Every token issued so far stops working (ten minutes passed).
    pub fn expire_all(&self) {
        self.state.lock().unwrap().valid.clear();
    }

    /// Describes `namespace/name` as the registry at `registry_base` holds it (read
    /// directly, not through the counting proxy): each tag's digest, media type, platform
    /// entries with their digests and compressed sizes. Pushed times are given per tag.
    pub async fn describe(
        &self,
        registry_base: &str,
        repo: &str,
        private: bool,
        pushed: &[(&str, &str)],
    ) {
        let http = reqwest::Client::new();
        let list: Value = get_json(&http, &format!("{registry_base}/v2/{repo}/tags/list")).await;
        let mut tags = BTreeMap::new();
        for t in list["tags"].as_array().into_iter().flatten() {
            let name = t.as_str().unwrap();
            let (digest, m) = manifest(&http, registry_base, repo, name).await;
            let mut images = Vec::new();
            if let Some(children) = m["manifests"].as_array() {
                for c in children {
                    let d = c["digest"].as_str().unwrap();
                    let (_, child) = manifest(&http, registry_base, repo, d).await;
                    let p = &c["platform"];
                    images.push((
                        d.to_string(),
                        p["os"].as_str().unwrap_or("").to_string(),
                        p["architecture"].as_str().unwrap_or("").to_string(),
                        p["variant"].as_str().map(str::to_string),
                        blob_sizes(&child),
                    ));
                }
            } else {
                let cfg: Value = get_json(
                    &http,
                    &format!(
                        "{registry_base}/v2/{repo}/blobs/{}",
                        m["config"]["digest"].as_str().unwrap()
                    ),
                )
                .await;
                images.push((
                    digest.clone(),
                    cfg["os"].as_str().unwrap_or("").to_string(),
                    cfg["architecture"].as_str().unwrap_or("").to_string(),
                    cfg["variant"].as_str().map(str::to_string),
                    blob_sizes(&m),
                ));
            }
            // The Hub's `full_size` of an index is one platform's size, not the sum.
            let full_size = images.first().map(|i| i.4).unwrap_or(0);
            let when = pushed
                .iter()
                .find(|(t, _)| *t == name)
                .map(|(_, w)| w.to_string())
                .unwrap_or_else(|| "2026-01-01T00:00:00.000000Z".into());
            tags.insert(
                name.to_string(),
                HubTagState {
                    digest,
                    media_type: m["mediaType"].as_str().unwrap_or("").to_string(),
                    images,
                    full_size,
                    pushed: when,
                    pulled: None,
                },
            );
        }
        self.state
            .lock()
            .unwrap()
            .repos
            .insert(repo.to_string(), (private, tags));
    }

    /// Records a pull of `repo:tag` at `when`, as the Hub's counters would.
    pub fn set_pulled(&self, repo: &str, tag: &str, when: &str) {
        let mut s = self.state.lock().unwrap();
        let t = s.repos.get_mut(repo).unwrap().1.get_mut(tag).unwrap();
        t.pulled = Some(when.to_string());
    }
}

async fn get_json(http: &reqwest::Client, url: &str) -> Value {
    let body = http.get(url).send().await.unwrap().bytes().await.unwrap();
    serde_json::from_slice(&body).unwrap()
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

fn blob_sizes(m: &Value) -> u64 {
    m["layers"]
        .as_array()
        .into_iter()
        .flatten()
        .chain([&m["config"]])
        .filter_map(|b| b["size"].as_u64())
        .sum()
}

fn error(status: u16, message: &str) -> StubReply {
    StubReply::json(
        status,
        &json!({"errinfo": {}, "detail": message, "message": message}).to_string(),
    )
}

fn answer(req: &StubRequest, s: &mut HubState) -> StubReply {
    if req.method == "POST" && req.path() == "/v2/auth/token" {
        let body: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
        if body["identifier"] != json!(s.user) || body["secret"] != json!(s.secret) {
            return error(401, "Incorrect authentication credentials");
        }
        s.issued += 1;
        // A JWT's shape; the fake only needs to know it issued it.
        let token = format!("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ7fSJ9.sig{}", s.issued);
        s.valid.insert(token.clone());
        return StubReply::json(200, &json!({"access_token": token}).to_string());
    }
    if req.method != "GET" {
        return error(405, "Method not allowed");
    }
    let bearer = req
        .header("authorization")
        .and_then(|h| h.strip_prefix("Bearer "));
    let authed = match bearer {
        Some(t) if s.valid.contains(t) => true,
        Some(_) => return error(401, "Given token not valid for any token type"),
        None => false,
    };
    let q = req.query();
    let get = |k: &str| q.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let size: usize = get("page_size").and_then(|v| v.parse().ok()).unwrap_or(10);
    if size == 0 || size > 100 {
        return StubReply::json(
            400,
            &json!({"fields": {"page_size": ["Ensure this value is less than or equal to 100."]}, "text": "Invalid page_size"}).to_string(),
        );
    }
    let page: usize = get("page").and_then(|v| v.parse().ok()).unwrap_or(1).max(1);
    let segments: Vec<&str> = req.path().trim_start_matches('/').split('/').collect();
    let (all, path): (Vec<Value>, String) = match segments.as_slice() {
        ["v2", "namespaces", ns, "repositories"] => {
            let rows = s
                .repos
                .iter()
                .filter(|(name, (private, _))| {
                    name.split('/').next() == Some(*ns) && (authed || !*private)
                })
                .map(|(name, (private, tags))| repository_row(name, *private, tags))
                .collect();
            (rows, req.path().to_string())
        }
        ["v2", "namespaces", ns, "repositories", repo, "tags"] => {
            match s.repos.get(&format!("{ns}/{repo}")) {
                Some((private, tags)) if authed || !*private => (
                    tags.iter().map(|(n, t)| tag_row(n, t)).collect(),
                    req.path().to_string(),
                ),
                _ => return error(404, "object not found"),
            }
        }
        _ => return error(404, "Not Found"),
    };
    let size = size.min(s.page_limit.max(1));
    let start = (page - 1) * size;
    if start >= all.len() && page > 1 {
        return error(404, "That page contains no results");
    }
    let end = (start + size).min(all.len());
    let link = |p: usize| format!("{}{path}?page={p}&page_size={size}", s.base);
    let doc = json!({
        "count": all.len(),
        "next": if end < all.len() { json!(link(page + 1)) } else { Value::Null },
        "previous": if page > 1 { json!(link(page - 1)) } else { Value::Null },
        "results": all[start.min(end)..end],
    });
    StubReply::json(200, &doc.to_string())
}

fn repository_row(name: &str, private: bool, tags: &BTreeMap<String, HubTagState>) -> Value {
    let (ns, repo) = name.split_once('/').unwrap();
    json!({
        "name": repo, "namespace": ns, "repository_type": "image", "status": 1,
        "status_description": "active", "description": "", "is_private": private,
        "star_count": 0, "pull_count": 0,
        "last_updated": tags.values().map(|t| t.pushed.clone()).max(),
        "last_modified": "2026-01-01T00:00:00.000000Z", "date_registered": "2025-01-01T00:00:00.000000Z",
        "affiliation": "", "media_types": [], "content_types": ["image"], "categories": [],
        "storage_size": tags.values().map(|t| t.full_size).sum::<u64>(),
    })
}

fn tag_row(name: &str, t: &HubTagState) -> Value {
    let images: Vec<Value> = t
        .images
        .iter()
        .map(|(d, os, arch, variant, size)| {
            json!({"architecture": arch, "features": "", "variant": variant, "digest": d,
                "os": os, "os_features": "", "os_version": null, "size": size,
                "status": "active", "last_pulled": t.pulled, "last_pushed": t.pushed})
        })
        .collect();
    json!({
        "creator": 1, "id": 1, "images": images, "last_updated": t.pushed,
        "last_updater": 1, "last_updater_username": "bob", "name": name, "repository": 1,
        "full_size": t.full_size, "v2": true, "tag_status": "active",
        "tag_last_pulled": t.pulled, "tag_last_pushed": t.pushed,
        "media_type": t.media_type, "content_type": "image", "digest": t.digest,
    })
}

/// The registry proxy: forwards to the real registry and reports the pull allowance; a
/// manifest GET uses one pull, a HEAD none.
async fn pass(
    req: StubRequest,
    left: &Mutex<u64>,
    upstream: &str,
    http: &reqwest::Client,
) -> StubReply {
    let is_manifest = req.path().contains("/manifests/");
    let method = reqwest::Method::from_bytes(req.method.as_bytes()).unwrap();
    let mut out = http.request(method, format!("{upstream}{}", req.target));
    for (k, v) in &req.headers {
        if matches!(
            k.to_ascii_lowercase().as_str(),
            "content-type" | "accept" | "range"
        ) {
            out = out.header(k, v);
        }
    }
    if !req.body.is_empty() {
        out = out.body(req.body.clone());
    }
    let Ok(resp) = out.send().await else {
        return StubReply::json(502, r#"{"errors":[{"code":"UNAVAILABLE"}]}"#);
    };
    let status = resp.status().as_u16();
    let mut headers: Vec<(String, String)> = Vec::new();
    for (k, v) in resp.headers() {
        let k = k.as_str().to_ascii_lowercase();
        let keep_len = k == "content-length" && req.method == "HEAD";
        if matches!(
            k.as_str(),
            "connection" | "transfer-encoding" | "content-length"
        ) && !keep_len
        {
            continue;
        }
        headers.push((k, v.to_str().unwrap_or("").to_string()));
    }
    if is_manifest {
        let mut n = left.lock().unwrap();
        if req.method == "GET" && status == 200 {
            *n = n.saturating_sub(1);
        }
        headers.push(("ratelimit-limit".into(), format!("{PULL_LIMIT};w=21600")));
        headers.push(("ratelimit-remaining".into(), format!("{};w=21600", *n)));
        headers.push(("docker-ratelimit-source".into(), "203.0.113.7".into()));
    }
    let body = resp.bytes().await.unwrap_or_default().to_vec();
    StubReply::Respond {
        status,
        headers,
        body,
    }
}
