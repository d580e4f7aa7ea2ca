//! The fake's `/v2` and `/service/token`: Harbor's token flow in front of a real
//! `docker-registry`, with Harbor's bookkeeping of what passes: a manifest PUT makes or
//! tags an artifact (an OCI `subject` or a cosign `sha256-<hex>.sig` tag makes it an
//! accessory), a manifest GET is a pull that moves `pull_time`, and a manifest DELETE of
//! an artifact holding an immutable tag is refused.

use super::state::{Art, State, TagRec};
use crate::support::stub::{StubReply, StubRequest};
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};

pub fn token(state: &Arc<Mutex<State>>, req: &StubRequest) -> StubReply {
    let st = state.lock().unwrap();
    match st.check_basic(req.header("authorization")) {
        Ok(Some(_)) => {}
        _ => {
            return StubReply::json(
                401,
                r#"{"errors":[{"code":"UNAUTHORIZED","message":"unauthorized"}]}"#,
            )
        }
    }
    drop(st);
    let t = format!("fake-harbor-token-{}", fastrand::u64(..));
    state.lock().unwrap().tokens.push(t.clone());
    // Harbor's answer: the token in `token`, an empty `access_token`.
    let body = json!({"token": t, "access_token": "", "expires_in": 1800,
        "issued_at": super::state::time(Some(chrono::Utc::now()))});
    StubReply::json(200, &body.to_string())
}

fn authorized(st: &State, req: &StubRequest) -> bool {
    match req.header("authorization") {
        Some(h) if h.starts_with("Bearer ") => st.tokens.iter().any(|t| h[7..].trim() == t),
        Some(_) => matches!(st.check_basic(req.header("authorization")), Ok(Some(_))),
        None => false,
    }
}

/// `/v2/NAME/manifests/REF` -> (NAME, REF)
fn manifest_path(path: &str) -> Option<(String, String)> {
    let rest = path.strip_prefix("/v2/")?;
    let (name, reference) = rest.rsplit_once("/manifests/")?;
    Some((name.to_string(), reference.to_string()))
}

pub async fn proxy(
    state: &Arc<Mutex<State>>,
    backend: &str,
    http: &reqwest::Client,
    req: StubRequest,
) -> StubReply {
    let host = req.header("host").unwrap_or("").to_string();
    if !authorized(&state.lock().unwrap(), &req) {
        return StubReply::json(
            401,
            r#"{"errors":[{"code":"UNAUTHORIZED","message":"unauthorized to access repository"}]}"#,
        )
        .with_header(
            "www-authenticate",
            &format!("Bearer realm=\"http://{host}/service/token\",service=\"harbor-registry\""),
        )
        .with_header("docker-distribution-api-version", "registry/2.0");
    }
    let manifest = manifest_path(req.path());
    if let Some((name, reference)) = &manifest {
        let st = state.lock().unwrap();
        let project = name.split('/').next().unwrap_or("");
        if st.project(project).is_none() {
            return StubReply::json(
                404,
                &format!(
                    r#"{{"errors":[{{"code":"NOT_FOUND","message":"project {project} not found"}}]}}"#
                ),
            );
        }
        if req.method == "DELETE" {
            if let Some(a) = st.resolve(name, reference) {
                if a.tags.iter().any(|t| st.is_immutable(name, &t.name)) {
                    return StubReply::json(
                        412,
                        r#"{"errors":[{"code":"PRECONDITION","message":"the operation isn't allowed as the tag is immutable"}]}"#,
                    );
                }
            }
        }
        if req.method == "PUT"
            && !reference.starts_with("sha256:")
            && st.is_immutable(name, reference)
            && st.resolve(name, reference).is_some()
        {
            return StubReply::json(
                412,
                r#"{"errors":[{"code":"PRECONDITION","message":"the tag is immutable, cannot be overwritten"}]}"#,
            );
        }
    }
    let method = reqwest::Method::from_bytes(req.method.as_bytes()).unwrap();
    let mut out = http.request(method.clone(), format!("http://{backend}{}", req.target));
    for (k, v) in &req.headers {
        if !["host", "authorization", "content-length", "connection"]
            .contains(&k.to_ascii_lowercase().as_str())
        {
            out = out.header(k, v);
        }
    }
    if !req.body.is_empty() || ["PUT", "POST", "PATCH"].contains(&req.method.as_str()) {
        out = out.body(req.body.clone());
    }
    let resp = match out.send().await {
        Ok(r) => r,
        Err(e) => {
            return StubReply::json(
                502,
                &json!({"errors":[{"code":"UNKNOWN","message": e.to_string()}]}).to_string(),
            )
        }
    };
    let status = resp.status().as_u16();
    let mut headers = Vec::new();
    for (k, v) in resp.headers() {
        let k = k.as_str().to_string();
        if ["connection", "transfer-encoding", "date"].contains(&k.as_str())
            || (k == "content-length" && method != reqwest::Method::HEAD)
        {
            continue;
        }
        let v = v.to_str().unwrap_or("").replace(backend, &host);
        headers.push((k, v));
    }
    let digest = resp
        .headers()
        .get("docker-content-digest")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let body = resp.bytes().await.map(|b| b.to_vec()).unwrap_or_default();
    if let (Some((name, reference)), true) = (&manifest, (200..300).contains(&status)) {
        match req.method.as_str() {
            "GET" => record_pull(state, name, reference, digest.as_deref()),
            "PUT" => {
                let content_type = req.header("content-type").unwrap_or("").to_string();
                record_push(
                    state,
                    backend,
                    http,
                    name,
                    reference,
                    &content_type,
                    &req.body,
                )
                .await
            }
            "DELETE" => {
                let mut st = state.lock().unwrap();
                st.arts.retain(|a| {
                    !(a.repo == *name
                        && (a.digest == *reference
                            || a.subject.as_ref().is_some_and(|s| s.0 == *reference)))
                });
            }
            _ => {}
        }
    }
    StubReply::Respond {
        status,
        headers,
        body,
    }
}

fn record_pull(state: &Arc<Mutex<State>>, name: &str, reference: &str, digest: Option<&str>) {
    let mut st = state.lock().unwrap();
    let now = st.now();
    let digest = digest.unwrap_or(reference).to_string();
    st.pulls.push(format!("{name}@{digest} ({reference})"));
    if let Some(a) = st.art_mut(name, &digest) {
        a.pull_time = Some(now);
        if let Some(t) = a.tags.iter_mut().find(|t| t.name == reference) {
            t.pull_time = Some(now);
        }
    }
}

/// Harbor's accessory type for a manifest with a subject.
fn accessory_type(artifact_type: &str) -> &'static str {
    match artifact_type {
        t if t.contains("cosign") => "signature.cosign",
        t if t.contains("notary") => "signature.notation",
        t if t.contains("sbom") || t.contains("spdx") || t.contains("cyclonedx") => "sbom.harbor",
        _ => "subject.accessory",
    }
}

async fn record_push(
    state: &Arc<Mutex<State>>,
    backend: &str,
    http: &reqwest::Client,
    name: &str,
    reference: &str,
    content_type: &str,
    body: &[u8],
) {
    let digest = crate::support::seed::sha256(body);
    let m: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let mt = m["mediaType"].as_str().unwrap_or(content_type).to_string();
    let config_mt = m["config"]["mediaType"].as_str().unwrap_or("").to_string();
    let mut size = body.len() as u64;
    let mut extra = json!({});
    let mut children = Vec::new();
    if let Some(ms) = m["manifests"].as_array() {
        let st = state.lock().unwrap();
        for c in ms {
            let cd = c["digest"].as_str().unwrap_or("").to_string();
            size += st.art(name, &cd).map(|a| a.size).unwrap_or(0);
            children.push((cd, c["platform"].clone()));
        }
    } else {
        size += m["config"]["size"].as_u64().unwrap_or(0);
        size += m["layers"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|l| l["size"].as_u64())
            .sum::<u64>();
        if let Some(cd) = m["config"]["digest"].as_str() {
            // Harbor reads the config when the manifest arrives (not a pull).
            if let Ok(r) = http
                .get(format!("http://{backend}/v2/{name}/blobs/{cd}"))
                .send()
                .await
            {
                let bytes = r.bytes().await.unwrap_or_default();
                let cfg: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
                for k in [
                    "architecture",
                    "os",
                    "variant",
                    "created",
                    "author",
                    "config",
                ] {
                    if !cfg[k].is_null() && cfg[k] != json!("") {
                        extra[k] = cfg[k].clone();
                    }
                }
            }
        }
    }
    let artifact_type = m["artifactType"].as_str().map(str::to_string);
    let mut subject = m["subject"]["digest"].as_str().map(|s| {
        (
            s.to_string(),
            accessory_type(artifact_type.as_deref().unwrap_or(&config_mt)).to_string(),
        )
    });
    // cosign's tag convention: `sha256-<hex>.sig` signs `sha256:<hex>`.
    if let Some(hex) = reference
        .strip_prefix("sha256-")
        .and_then(|r| r.strip_suffix(".sig"))
    {
        subject = Some((format!("sha256:{hex}"), "signature.cosign".into()));
    }
    let mut st = state.lock().unwrap();
    let now = st.now();
    st.repo_id(name);
    if st.art(name, &digest).is_none() {
        let id = st.id();
        st.arts.push(Art {
            id,
            repo: name.to_string(),
            digest: digest.clone(),
            manifest_media_type: mt,
            config_media_type: config_mt,
            artifact_type,
            size,
            push_time: now,
            pull_time: None,
            extra_attrs: extra,
            children,
            tags: vec![],
            subject,
            scan: None,
            vulns: None,
        });
    }
    if !reference.starts_with("sha256:") {
        // A tag moves: off whatever artifact held it, onto this one, with a new push time.
        for a in st.arts.iter_mut().filter(|a| a.repo == name) {
            a.tags.retain(|t| t.name != reference);
        }
        let id = st.id();
        let a = st.art_mut(name, &digest).unwrap();
        a.tags.push(TagRec {
            id,
            name: reference.to_string(),
            push_time: now,
            pull_time: None,
        });
        a.push_time = a.push_time.max(now);
    }
}
