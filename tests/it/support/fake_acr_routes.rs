//! The fake ACR's routes: token endpoints, `/acr/v1`, and the `/v2` pass-through, each
//! behind the Bearer challenge ACR sends (realm `/oauth2/token`, service = login server,
//! scope = what this call needs).

use super::fake_acr::*;
use super::stub::{StubReply, StubRequest};
use base64::Engine as _;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};

fn errors(status: u16, code: &str, message: &str) -> StubReply {
    StubReply::json(
        status,
        &json!({"errors": [{"code": code, "message": message}]}).to_string(),
    )
}

/// `repository:team/app:pull,push` -> ("repository", "team/app", ["pull", "push"]).
fn parse_scope(s: &str) -> Option<Grant> {
    let (kind, rest) = s.split_once(':')?;
    let (name, actions) = rest.rsplit_once(':')?;
    Some((
        kind.into(),
        name.into(),
        actions.split(',').map(str::to_string).collect(),
    ))
}

fn allows(grants: &[Grant], need: &Grant) -> bool {
    need.2.iter().all(|action| {
        grants.iter().any(|(t, n, a)| {
            *t == need.0 && (*n == need.1 || n == "*") && a.iter().any(|x| x == action || x == "*")
        })
    })
}

enum Who {
    Nobody,
    Admin,
    Token(Vec<Grant>),
}

fn who(req: &StubRequest, s: &AcrState) -> Who {
    let Some(h) = req.header("authorization") else {
        return Who::Nobody;
    };
    if let Some(t) = h.strip_prefix("Bearer ") {
        return s
            .access
            .get(t)
            .map_or(Who::Nobody, |g| Who::Token(g.clone()));
    }
    let decoded = h
        .strip_prefix("Basic ")
        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
        .and_then(|b| String::from_utf8(b).ok())
        .unwrap_or_default();
    if decoded == format!("{ADMIN_USER}:{ADMIN_PASSWORD}") {
        Who::Admin
    } else {
        Who::Nobody
    }
}

/// The scope a request needs (`None`: any valid credential, as for `GET /v2/`).
fn needed(req: &StubRequest) -> Option<String> {
    let path = req.path();
    let m = req.method.as_str();
    if path == "/v2/_catalog" || path == "/acr/v1/_catalog" {
        return Some("registry:catalog:*".into());
    }
    if let Some(rest) = path.strip_prefix("/acr/v1/") {
        let name = acr_name(rest).0;
        let action = match m {
            "PATCH" => "metadata_write",
            "DELETE" => "delete",
            _ => "metadata_read",
        };
        return Some(format!("repository:{name}:{action}"));
    }
    let rest = path.strip_prefix("/v2/").filter(|r| !r.is_empty())?;
    let name = ["/manifests/", "/blobs/", "/tags/list", "/referrers/"]
        .iter()
        .filter_map(|k| rest.rfind(k))
        .min()
        .map(|i| &rest[..i])
        .unwrap_or(rest);
    let action = match m {
        "GET" | "HEAD" => "pull",
        "DELETE" => "delete",
        _ => "pull,push",
    };
    Some(format!("repository:{name}:{action}"))
}

/// `/acr/v1/{name}[/_tags|/_manifests[/{ref}]]` -> (name, sub-path after the name).
pub fn acr_name(rest: &str) -> (String, String) {
    let decoded = percent_encoding_decode(rest);
    for k in ["/_tags", "/_manifests"] {
        if let Some(i) = decoded.find(k) {
            return (decoded[..i].to_string(), decoded[i..].to_string());
        }
    }
    (decoded, String::new())
}

fn percent_encoding_decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("x={}", s.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

fn challenge(
    s: &mut AcrState,
    req: &StubRequest,
    scope: Option<&str>,
    presented: bool,
) -> StubReply {
    let mut h = format!(
        "Bearer realm=\"http://{}/oauth2/token\",service=\"{}\"",
        s.host, s.host
    );
    if let Some(sc) = scope {
        h.push_str(&format!(",scope=\"{sc}\""));
        if presented {
            h.push_str(",error=\"insufficient_scope\"");
        }
    }
    s.challenges
        .push((req.path().to_string(), scope.unwrap_or("").to_string()));
    errors(
        401,
        "UNAUTHORIZED",
        "authentication required, visit https://aka.ms/acr/authorization for more information.",
    )
    .with_header("www-authenticate", &h)
}

pub async fn answer(
    req: StubRequest,
    state: Arc<Mutex<AcrState>>,
    upstream: &str,
    http: &reqwest::Client,
) -> StubReply {
    let path = req.path().to_string();
    if path.starts_with("/oauth2/") {
        return super::fake_acr_token::answer(&req, &mut state.lock().unwrap());
    }
    {
        let mut s = state.lock().unwrap();
        let scope = needed(&req);
        let ok = match (who(&req, &s), &scope) {
            (Who::Admin, _) => true,
            (Who::Token(_), None) => true,
            (Who::Token(g), Some(sc)) => parse_scope(sc).is_some_and(|n| allows(&g, &n)),
            (Who::Nobody, _) => false,
        };
        if !ok {
            let presented = req.header("authorization").is_some();
            return challenge(&mut s, &req, scope.as_deref(), presented);
        }
        if let Some(rest) = path.strip_prefix("/acr/v1/") {
            let body: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
            return super::fake_acr_api::answer(&mut s, &req, rest, &body);
        }
    }
    super::fake_acr_proxy::pass(req, state, upstream, http).await
}
