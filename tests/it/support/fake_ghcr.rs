//! The GitHub Container Registry, as two servers like the real hosts: GitHub's REST packages
//! API (`api.github.com`), written from github/rest-api-description (2022-11-28:
//! `GET /{orgs,users}/{owner}/packages?package_type=container`, `GET
//! .../packages/container/{package_name}/versions`, `DELETE .../versions/{package_version_id}`;
//! `per_page` at most 100, `Link` paging; a package version's `name` is the digest and
//! `metadata.container.tags` its tags; errors `{"message", "documentation_url"}`), and the
//! registry (`ghcr.io`), a proxy in front of a real docker-registry that refuses OCI
//! manifest DELETE as GHCR does. A version deleted through the API disappears from the
//! registry too. `package_type=container` is required; a package name with `/` only matches
//! when sent as `%2F`.

use super::stub::{StubReply, StubRequest, StubServer};
use serde_json::{json, Value};
use sha2::{Digest as _, Sha256};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

#[derive(Clone, Debug)]
pub struct FakeVersion {
    pub id: u64,
    pub digest: String,
    pub tags: Vec<String>,
    pub created: String,
    pub updated: String,
}

#[derive(Default)]
pub struct GhcrState {
    pub owner: String,
    /// The owner is an organization (`/orgs/`), else a user (`/users/`).
    pub is_org: bool,
    pub token: String,
    /// Package name -> `visibility` (`public` or `private`, as the REST API description's
    /// `package` schema enumerates it); `private` when not set.
    pub visibility: BTreeMap<String, String>,
    /// Package name (`team/app`) -> versions.
    pub packages: BTreeMap<String, Vec<FakeVersion>>,
    pub next_id: u64,
    /// The most the API puts on one page, whatever `per_page` asks (forces paging).
    pub page_limit: usize,
    pub base: String,
    pub upstream: String,
}

pub struct FakeGhcr {
    pub api: StubServer,
    pub registry: StubServer,
    pub state: Arc<Mutex<GhcrState>>,
}

const DOCS: &str = "https://docs.github.com/rest/packages/packages";

impl FakeGhcr {
    pub async fn start(upstream: &str, owner: &str, is_org: bool, token: &str) -> FakeGhcr {
        let state = Arc::new(Mutex::new(GhcrState {
            owner: owner.into(),
            is_org,
            token: token.into(),
            next_id: 1000,
            page_limit: 100,
            upstream: upstream.into(),
            ..GhcrState::default()
        }));
        let live = state.clone();
        let http = reqwest::Client::new();
        let api = StubServer::start(move |req: StubRequest| {
            let (live, http) = (live.clone(), http.clone());
            async move { answer(&req, &live, &http).await }
        })
        .await;
        state.lock().unwrap().base = api.base_url();
        let up = upstream.to_string();
        let http = reqwest::Client::new();
        let registry = StubServer::start(move |req: StubRequest| {
            let (up, http) = (up.clone(), http.clone());
            async move { pass(req, &up, &http).await }
        })
        .await;
        FakeGhcr {
            api,
            registry,
            state,
        }
    }

    pub fn api_base(&self) -> String {
        self.api.base_url()
    }

    /// Describes `OWNER/PACKAGE` as the registry at `registry_base` holds it: a version per
    /// tagged manifest, per index child, and per `untagged` digest, with the given times
    /// (`created`, `updated`) where named, else a day apart in push order.
    pub async fn describe(&self, package: &str, untagged: &[&str], times: &[(&str, &str, &str)]) {
        let (owner, base) = {
            let s = self.state.lock().unwrap();
            (s.owner.clone(), s.upstream.clone())
        };
        let repo = format!("{owner}/{package}");
        let http = reqwest::Client::new();
        let list: Value = serde_json::from_slice(
            &http
                .get(format!("{base}/v2/{repo}/tags/list"))
                .send()
                .await
                .unwrap()
                .bytes()
                .await
                .unwrap(),
        )
        .unwrap();
        let mut by_digest: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for t in list["tags"].as_array().into_iter().flatten() {
            let name = t.as_str().unwrap();
            let (digest, m) = manifest(&http, &base, &repo, name).await;
            for c in m["manifests"].as_array().into_iter().flatten() {
                by_digest
                    .entry(c["digest"].as_str().unwrap().into())
                    .or_default();
            }
            by_digest.entry(digest).or_default().push(name.into());
        }
        for d in untagged {
            by_digest.entry(d.to_string()).or_default();
        }
        let mut s = self.state.lock().unwrap();
        let mut versions = Vec::new();
        for (i, (digest, tags)) in by_digest.into_iter().enumerate() {
            s.next_id += 1;
            let (created, updated) = times
                .iter()
                .find(|(d, _, _)| *d == digest)
                .map(|(_, c, u)| (c.to_string(), u.to_string()))
                .unwrap_or_else(|| {
                    let t = format!("2026-01-{:02}T10:00:00Z", 1 + i % 28);
                    (t.clone(), t)
                });
            versions.push(FakeVersion {
                id: s.next_id,
                digest,
                tags,
                created,
                updated,
            });
        }
        // GitHub lists the newest first.
        versions.sort_by(|a, b| b.created.cmp(&a.created).then(b.id.cmp(&a.id)));
        s.packages.insert(package.to_string(), versions);
    }

    pub fn requests(&self, method: &str, part: &str) -> Vec<String> {
        let reqs = self.api.requests.lock().unwrap();
        reqs.iter()
            .filter(|r| r.method == method && r.target.contains(part))
            .map(|r| r.target.clone())
            .collect()
    }

    pub fn version_id(&self, package: &str, digest: &str) -> Option<u64> {
        let s = self.state.lock().unwrap();
        s.packages
            .get(package)?
            .iter()
            .find(|v| v.digest == digest)
            .map(|v| v.id)
    }

    pub fn registry_requests(&self, method: &str) -> usize {
        let reqs = self.registry.requests.lock().unwrap();
        reqs.iter().filter(|r| r.method == method).count()
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

fn error(status: u16, message: &str) -> StubReply {
    StubReply::json(
        status,
        &json!({"message": message, "documentation_url": DOCS, "status": status.to_string()})
            .to_string(),
    )
}

fn version_row(s: &GhcrState, kind: &str, package: &str, v: &FakeVersion) -> Value {
    let enc = package.replace('/', "%2F");
    json!({
        "id": v.id, "name": v.digest,
        "url": format!("{}/{kind}/{}/packages/container/{enc}/versions/{}", s.base, s.owner, v.id),
        "package_html_url": format!("https://github.com/{kind}/{}/packages/container/package/{enc}", s.owner),
        "created_at": v.created, "updated_at": v.updated,
        "html_url": format!("https://github.com/{kind}/{}/packages/container/{enc}/{}", s.owner, v.id),
        "metadata": {"package_type": "container", "container": {"tags": v.tags}},
    })
}

async fn answer(
    req: &StubRequest,
    live: &Arc<Mutex<GhcrState>>,
    http: &reqwest::Client,
) -> StubReply {
    let upstream_delete = {
        let mut s = live.lock().unwrap();
        let auth = req.header("authorization").unwrap_or("");
        let given = auth
            .strip_prefix("Bearer ")
            .or_else(|| auth.strip_prefix("token "))
            .unwrap_or("");
        if given.is_empty() {
            return error(401, "Requires authentication");
        }
        if given != s.token {
            return error(401, "Bad credentials");
        }
        let kind = if s.is_org { "orgs" } else { "users" };
        // Segments as sent: a package name's `/` must arrive as `%2F`.
        let segs: Vec<&str> = req.path().trim_start_matches('/').split('/').collect();
        let q = req.query();
        let get = |k: &str| q.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
        let per = get("per_page")
            .and_then(|v| v.parse::<usize>().ok())
            .unwrap_or(30)
            .clamp(1, 100)
            .min(s.page_limit.max(1));
        let page = get("page")
            .and_then(|v| v.parse::<usize>().ok())
            .unwrap_or(1)
            .max(1);
        match (req.method.as_str(), segs.as_slice()) {
            ("GET", [k, o, "packages"]) if *k == kind && *o == s.owner => {
                if get("package_type").as_deref() != Some("container") {
                    return error(400, "package_type is required and must be one of npm, maven, rubygems, docker, nuget, container");
                }
                let rows: Vec<Value> = s.packages.iter().map(|(name, vs)| json!({
                    "id": 7000 + name.len(), "name": name, "package_type": "container",
                    "owner": {"login": s.owner, "type": if s.is_org { "Organization" } else { "User" }},
                    "version_count": vs.len(), "visibility": s.visibility.get(name).map_or("private", String::as_str),
                    "url": format!("{}/{kind}/{}/packages/container/{}", s.base, s.owner, name.replace('/', "%2F")),
                    "created_at": "2025-06-01T08:00:00Z", "updated_at": "2026-01-01T08:00:00Z",
                    "html_url": format!("https://github.com/{kind}/{}/packages/container/package/{}", s.owner, name.replace('/', "%2F")),
                })).collect();
                return paged(&s, req.path(), &q, rows, per, page);
            }
            ("GET", [k, o, "packages", "container", name, "versions"])
                if *k == kind && *o == s.owner =>
            {
                let package = name.replace("%2F", "/").replace("%2f", "/");
                let Some(vs) = s.packages.get(&package) else {
                    return error(404, "Package not found.");
                };
                let rows = vs
                    .iter()
                    .map(|v| version_row(&s, kind, &package, v))
                    .collect();
                return paged(&s, req.path(), &q, rows, per, page);
            }
            ("DELETE", [k, o, "packages", "container", name, "versions", id])
                if *k == kind && *o == s.owner =>
            {
                let package = name.replace("%2F", "/").replace("%2f", "/");
                let id: u64 = id.parse().unwrap_or(0);
                let owner = s.owner.clone();
                let upstream = s.upstream.clone();
                let Some(vs) = s.packages.get_mut(&package) else {
                    return error(404, "Package not found.");
                };
                let Some(i) = vs.iter().position(|v| v.id == id) else {
                    return error(404, "Package version not found.");
                };
                let v = vs.remove(i);
                format!("{upstream}/v2/{owner}/{package}/manifests/{}", v.digest)
            }
            ("GET", [k, ..]) if (*k == "orgs" || *k == "users") => return error(404, "Not Found"),
            _ => return error(404, "Not Found"),
        }
    };
    // The version is gone from the registry too (docker-registry deletes by digest).
    let r = http.delete(upstream_delete).send().await.unwrap();
    assert_eq!(
        r.status().as_u16(),
        202,
        "docker-registry deletes the manifest"
    );
    StubReply::new(204, &[], Vec::new())
}

fn paged(
    s: &GhcrState,
    path: &str,
    q: &[(String, String)],
    rows: Vec<Value>,
    per: usize,
    page: usize,
) -> StubReply {
    let start = (page - 1) * per;
    let end = (start + per).min(rows.len());
    let body = json!(rows[start.min(end)..end]).to_string();
    let mut reply = StubReply::json(200, &body);
    let link = |p: usize| {
        let mut qs: Vec<(String, String)> = q
            .iter()
            .filter(|(k, _)| k != "page" && k != "per_page")
            .cloned()
            .collect();
        qs.push(("per_page".into(), per.to_string()));
        qs.push(("page".into(), p.to_string()));
        let enc: String = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(qs)
            .finish();
        format!("{}{path}?{enc}", s.base)
    };
    let last = rows.len().div_ceil(per).max(1);
    let mut links = Vec::new();
    if page > 1 {
        links.push(format!("<{}>; rel=\"prev\"", link(page - 1)));
    }
    if end < rows.len() {
        links.push(format!("<{}>; rel=\"next\"", link(page + 1)));
        links.push(format!("<{}>; rel=\"last\"", link(last)));
    }
    if page > 1 {
        links.push(format!("<{}>; rel=\"first\"", link(1)));
    }
    if !links.is_empty() {
        reply = reply.with_header("link", &links.join(", "));
    }
    reply
}

/// The registry proxy: reads pass to the real registry; a manifest DELETE is refused as
/// GHCR refuses it.
async fn pass(req: StubRequest, upstream: &str, http: &reqwest::Client) -> StubReply {
    if req.method == "DELETE" {
        return StubReply::json(
            405,
            r#"{"errors":[{"code":"UNSUPPORTED","message":"The operation is unsupported."}]}"#,
        );
    }
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
    let body = resp.bytes().await.unwrap_or_default().to_vec();
    StubReply::Respond {
        status,
        headers,
        body,
    }
}
