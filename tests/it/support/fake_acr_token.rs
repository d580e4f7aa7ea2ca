//! The fake ACR's token endpoints, per the specification's `Authentication_*` operations:
//! `POST /oauth2/exchange` (grant_type `access_token`: an AAD token for a refresh token),
//! `POST /oauth2/token` (grant_type `refresh_token`, or `password` with an empty refresh
//! token for anonymous pull), `GET /oauth2/token` with Basic credentials (the admin user,
//! or the all-zero user with a refresh token as password).

use super::fake_acr::*;
use super::stub::{StubReply, StubRequest};
use base64::Engine as _;
use serde_json::json;

fn form(body: &[u8]) -> Vec<(String, String)> {
    url::form_urlencoded::parse(body).into_owned().collect()
}

fn get(p: &[(String, String)], k: &str) -> Option<String> {
    p.iter().find(|(a, _)| a == k).map(|(_, v)| v.clone())
}

fn refused(message: &str) -> StubReply {
    StubReply::json(
        401,
        &json!({"errors": [{"code": "UNAUTHORIZED", "message": message}]}).to_string(),
    )
}

/// What anonymous pull allows: the catalog and reading, never writing or deleting.
fn anonymous_grants(asked: &[Grant]) -> Vec<Grant> {
    asked
        .iter()
        .map(|(t, n, a)| {
            if t == "registry" {
                // The catalog, which the SDK lists anonymously on such a registry.
                return (t.clone(), n.clone(), a.clone());
            }
            let keep: Vec<String> = a
                .iter()
                .filter(|x| matches!(x.as_str(), "pull" | "metadata_read" | "*"))
                .map(|x| if x == "*" { "pull".into() } else { x.clone() })
                .collect();
            (t.clone(), n.clone(), keep)
        })
        .collect()
}

fn grants(scopes: &[String]) -> Vec<Grant> {
    scopes
        .iter()
        .flat_map(|s| s.split_whitespace())
        .filter_map(|s| {
            let (kind, rest) = s.split_once(':')?;
            let (name, actions) = rest.rsplit_once(':')?;
            Some((
                kind.to_string(),
                name.to_string(),
                actions.split(',').map(str::to_string).collect(),
            ))
        })
        .collect()
}

pub fn answer(req: &StubRequest, s: &mut AcrState) -> StubReply {
    let path = req.path();
    let params = if req.method == "POST" {
        form(&req.body)
    } else {
        req.query()
    };
    let scopes: Vec<String> = params
        .iter()
        .filter(|(k, _)| k == "scope")
        .map(|(_, v)| v.clone())
        .collect();
    if get(&params, "service").as_deref() != Some(s.host.as_str()) {
        return StubReply::json(
            400,
            &json!({"errors": [{"code": "BADREQUEST", "message": "service does not name this registry"}]}).to_string(),
        );
    }
    let grant = get(&params, "grant_type").unwrap_or_default();
    match (req.method.as_str(), path) {
        ("POST", "/oauth2/exchange") => {
            s.token_log.push((path.into(), grant.clone(), scopes));
            let ok_grant = matches!(
                grant.as_str(),
                "access_token" | "access_token_refresh_token"
            );
            if !ok_grant || get(&params, "access_token").as_deref() != Some(AAD_TOKEN) {
                return refused("the AAD access token was not accepted");
            }
            let t = s_token(s, "refresh_token", vec![]);
            StubReply::json(200, &json!({"refresh_token": t}).to_string())
        }
        ("POST", "/oauth2/token") => {
            s.token_log
                .push((path.into(), grant.clone(), scopes.clone()));
            let asked = grants(&scopes);
            let granted = match grant.as_str() {
                "refresh_token" => {
                    let rt = get(&params, "refresh_token").unwrap_or_default();
                    if !s.refresh_tokens.contains(&rt) {
                        return refused("the refresh token is not valid for this registry");
                    }
                    asked
                }
                "password" if s.anonymous_pull => anonymous_grants(&asked),
                _ => return refused("anonymous pull is not enabled on this registry"),
            };
            let t = s_token(s, "access_token", granted);
            StubReply::json(200, &json!({"access_token": t}).to_string())
        }
        ("GET", "/oauth2/token") => {
            let decoded = req
                .header("authorization")
                .and_then(|h| h.strip_prefix("Basic "))
                .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
                .and_then(|b| String::from_utf8(b).ok());
            let asked = grants(&scopes);
            let granted = match decoded {
                Some(d) if d == format!("{ADMIN_USER}:{ADMIN_PASSWORD}") => {
                    s.token_log.push((path.into(), "basic".into(), scopes));
                    asked
                }
                Some(d) => match d.split_once(':') {
                    Some((REFRESH_USER, rt)) if s.refresh_tokens.contains(rt) => {
                        s.token_log
                            .push((path.into(), "basic-refresh".into(), scopes));
                        asked
                    }
                    _ => return refused("invalid username or password"),
                },
                None if s.anonymous_pull => {
                    s.token_log.push((path.into(), "anonymous".into(), scopes));
                    anonymous_grants(&asked)
                }
                None => return refused("anonymous pull is not enabled on this registry"),
            };
            let t = s_token(s, "access_token", granted);
            StubReply::json(200, &json!({"access_token": t}).to_string())
        }
        _ => StubReply::json(404, r#"{"errors":[{"code":"NOT_FOUND"}]}"#),
    }
}

fn s_token(s: &mut AcrState, kind: &str, grants: Vec<Grant>) -> String {
    s.issue(kind, grants)
}
