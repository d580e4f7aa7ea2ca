//! The fake ACR's `/v2` pass-through to a real docker-registry: manifests and blobs are
//! real. A manifest PUT is recorded in the fake's metadata (times, size, platform from the
//! image config, index references); a manifest DELETE is refused while the manifest is
//! locked, as ACR refuses it, and forgets the manifest and its tags once done.

use super::fake_acr::AcrState;
use super::fake_acr_meta::{ManifestMeta, RepoMeta};
use super::seed::sha256;
use super::stub::{StubReply, StubRequest};
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};

/// `/v2/{name}/manifests/{reference}` -> (name, reference).
fn manifest_path(path: &str) -> Option<(String, String)> {
    let rest = path.strip_prefix("/v2/")?;
    let i = rest.rfind("/manifests/")?;
    Some((
        rest[..i].to_string(),
        rest[i + "/manifests/".len()..].to_string(),
    ))
}

pub async fn pass(
    req: StubRequest,
    state: Arc<Mutex<AcrState>>,
    upstream: &str,
    http: &reqwest::Client,
) -> StubReply {
    let target = manifest_path(req.path());
    if let (Some((name, reference)), "DELETE") = (&target, req.method.as_str()) {
        let s = state.lock().unwrap();
        let locked = s
            .repos
            .get(name)
            .and_then(|r| r.manifests.get(reference))
            .is_some_and(|m| m.attrs.locked());
        if locked {
            return StubReply::json(
                405,
                &json!({"errors": [{"code": "UNSUPPORTED", "message": "The operation is unsupported: the image is locked (deleteEnabled or writeEnabled is false)."}]}).to_string(),
            );
        }
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
    let fake_base = format!("http://{}", state.lock().unwrap().host);
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
        let v = v.to_str().unwrap_or("").replace(upstream, &fake_base);
        headers.push((k, v));
    }
    let body = resp.bytes().await.unwrap_or_default().to_vec();
    if let Some((name, reference)) = target {
        if req.method == "PUT" && status == 201 {
            record(&req.body, &name, &reference, &state, upstream, http).await;
        }
        if req.method == "DELETE" && status == 202 {
            if let Some(r) = state.lock().unwrap().repos.get_mut(&name) {
                r.manifests.remove(&reference);
                r.tags.retain(|_, t| t.digest != reference);
            }
        }
    }
    StubReply::Respond {
        status,
        headers,
        body,
    }
}

async fn record(
    body: &[u8],
    name: &str,
    reference: &str,
    state: &Arc<Mutex<AcrState>>,
    upstream: &str,
    http: &reqwest::Client,
) {
    let v: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let digest = sha256(body);
    let mut m = ManifestMeta {
        media_type: v["mediaType"].as_str().unwrap_or_default().to_string(),
        config_media_type: v["config"]["mediaType"].as_str().map(str::to_string),
        ..ManifestMeta::default()
    };
    if let Some(entries) = v["manifests"].as_array() {
        m.size = body.len() as u64;
        m.references = entries
            .iter()
            .map(|e| {
                let p = |k: &str| e["platform"][k].as_str().map(str::to_string);
                (
                    e["digest"].as_str().unwrap_or("").to_string(),
                    p("architecture"),
                    p("os"),
                )
            })
            .collect();
    } else {
        let size = |d: &Value| d["size"].as_u64().unwrap_or(0);
        m.size = size(&v["config"])
            + v["layers"]
                .as_array()
                .map_or(0, |l| l.iter().map(size).sum());
        if let Some(cfg) = v["config"]["digest"].as_str() {
            let url = format!("{upstream}/v2/{name}/blobs/{cfg}");
            if let Ok(r) = http.get(url).send().await {
                let bytes = r.bytes().await.unwrap_or_default();
                let c: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
                m.architecture = c["architecture"].as_str().map(str::to_string);
                m.os = c["os"].as_str().map(str::to_string);
            }
        }
    }
    let mut s = state.lock().unwrap();
    let now = s.now;
    s.repos
        .entry(name.to_string())
        .or_insert_with(|| RepoMeta::new(now))
        .record_push(reference, &digest, m, now);
}
