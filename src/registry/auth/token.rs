//! The token endpoint of the Bearer flow: GET with Basic credentials or anonymously, the
//! OAuth2 POST form for refresh (identity) tokens with a GET fallback, and reading the
//! token reply (lifetime, granted scope). Tokens and passwords only ever travel in
//! request headers or bodies here; errors name the token server and the credential
//! source, never a secret.

use super::{Authenticator, CachedToken, DEFAULT_TOKEN_LIFETIME, EXPIRY_MARGIN};
use crate::registry::challenge::Challenge;
use crate::registry::credentials::Credential;
use crate::registry::error::{Place, RegistryError};
use crate::registry::status::reply_error;
use crate::registry::transport::{Request, DOCUMENT_LIMIT};
use base64::Engine as _;
use chrono::Utc;
use reqwest::header::{HeaderValue, AUTHORIZATION, CONTENT_TYPE};
use reqwest::Method;
use std::time::{Duration, Instant};

impl Authenticator {
    pub(super) async fn fetch_token(
        &self,
        c: &Challenge,
        scope: &str,
        place: &Place,
    ) -> Result<CachedToken, RegistryError> {
        let realm = c.realm.as_deref().ok_or_else(|| RegistryError::Malformed {
            place: place.clone(),
            detail: "the Bearer challenge has no realm".into(),
        })?;
        let realm_url = url::Url::parse(realm).map_err(|_| RegistryError::Malformed {
            place: place.clone(),
            detail: format!("the Bearer challenge realm {realm:?} is not a URL"),
        })?;
        // Host and port (a token server beside the registry often differs by port only),
        // never the URL's user info.
        let realm_host = match (realm_url.host_str().unwrap_or(""), realm_url.port()) {
            (host, Some(port)) => format!("{host}:{port}"),
            (host, None) => host.to_string(),
        };
        if realm_url.scheme() != "https"
            && !(self.allow_http_realm || crate::registry::is_loopback_host(realm_url.authority()))
        {
            return Err(RegistryError::Refused {
                place: place.clone(),
                why: format!("the token realm {realm_host} is plain HTTP; credentials are only sent over HTTPS"),
            });
        }
        let lookup = self.credentials().await.clone();
        {
            let mut info = self.info.lock().unwrap_or_else(|p| p.into_inner());
            info.scope_requested = Some(scope.to_string());
        }
        let service = c.service.clone().unwrap_or_default();
        // `az acr login --expose-token` gives a refresh token for the all-zero user: it is
        // exchanged with the OAuth2 refresh grant, as acr-cli does, not sent as a password.
        let credential = match &lookup.credential {
            Credential::Basic { username, password } if username == ACR_REFRESH_TOKEN_USER => {
                Credential::IdentityToken {
                    token: password.clone(),
                }
            }
            other => other.clone(),
        };
        // A hung or failing token server is named as such: the registry itself may be fine.
        let at_token_server = |e: RegistryError| at_token_server(e, &realm_host);
        let reply = match &credential {
            Credential::IdentityToken { token } => {
                let body = {
                    let mut form = url::form_urlencoded::Serializer::new(String::new());
                    form.append_pair("grant_type", "refresh_token")
                        .append_pair("service", &service)
                        .append_pair("client_id", "regscope")
                        .append_pair("refresh_token", token);
                    for s in scope.split(' ') {
                        form.append_pair("scope", s);
                    }
                    form.finish()
                };
                let post = Request::new(Method::POST, realm)
                    .header(
                        CONTENT_TYPE,
                        HeaderValue::from_static("application/x-www-form-urlencoded"),
                    )
                    .body(body.into_bytes());
                let reply = self
                    .transport
                    .send(&post, DOCUMENT_LIMIT, place)
                    .await
                    .map_err(at_token_server)?;
                if matches!(reply.status, 404 | 405) {
                    // Token servers without the OAuth2 endpoint take the refresh token as
                    // a password for Docker's `<token>` user.
                    let get = token_get(&realm_url, &service, scope, None)
                        .header(AUTHORIZATION, basic("<token>", token));
                    self.transport
                        .send(&get, DOCUMENT_LIMIT, place)
                        .await
                        .map_err(at_token_server)?
                } else {
                    reply
                }
            }
            Credential::Basic { username, password } => {
                let get = token_get(&realm_url, &service, scope, Some(username))
                    .header(AUTHORIZATION, basic(username, password));
                self.transport
                    .send(&get, DOCUMENT_LIMIT, place)
                    .await
                    .map_err(at_token_server)?
            }
            Credential::Anonymous => {
                let get = token_get(&realm_url, &service, scope, None);
                self.transport
                    .send(&get, DOCUMENT_LIMIT, place)
                    .await
                    .map_err(at_token_server)?
            }
        };
        if !reply.is_success() {
            let e = reply_error(&reply, place);
            return Err(match e {
                RegistryError::Unauthorized {
                    place,
                    code,
                    detail,
                } => RegistryError::Unauthorized {
                    place,
                    code,
                    detail: format!(
                        "{detail} (token server {realm_host} refused {})",
                        lookup.source
                    ),
                },
                RegistryError::Forbidden {
                    place,
                    code,
                    detail,
                } => RegistryError::Forbidden {
                    place,
                    code,
                    detail: format!("{detail} (token server {realm_host} refused scope {scope})"),
                },
                other => other,
            });
        }
        self.parse_token(&reply.body, place)
    }

    fn parse_token(&self, body: &[u8], place: &Place) -> Result<CachedToken, RegistryError> {
        #[derive(serde::Deserialize)]
        struct TokenReply {
            token: Option<String>,
            access_token: Option<String>,
            expires_in: Option<u64>,
        }
        let r: TokenReply = serde_json::from_slice(body).map_err(|e| RegistryError::Malformed {
            place: place.clone(),
            detail: format!("the token server's answer is not a token document: {e}"),
        })?;
        let token = r
            .token
            .filter(|t| !t.is_empty())
            .or(r.access_token)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| RegistryError::Malformed {
                place: place.clone(),
                detail: "the token server's answer holds no token".into(),
            })?;
        let lifetime = Duration::from_secs(r.expires_in.unwrap_or(DEFAULT_TOKEN_LIFETIME));
        let mut header = HeaderValue::from_str(&format!("Bearer {token}")).map_err(|_| {
            RegistryError::Malformed {
                place: place.clone(),
                detail: "the token holds characters not allowed in a header".into(),
            }
        })?;
        header.set_sensitive(true);
        let mut info = self.info.lock().unwrap_or_else(|p| p.into_inner());
        info.token_expires_at =
            Some(Utc::now() + chrono::Duration::from_std(lifetime).unwrap_or_default());
        info.scope_granted = jwt_access(&token);
        Ok(CachedToken {
            header,
            renew_at: Instant::now() + lifetime.saturating_sub(EXPIRY_MARGIN.min(lifetime / 2)),
        })
    }
}

fn token_get(realm: &url::Url, service: &str, scope: &str, account: Option<&str>) -> Request {
    let mut u = realm.clone();
    {
        let mut q = u.query_pairs_mut();
        if !service.is_empty() {
            q.append_pair("service", service);
        }
        for s in scope.split(' ') {
            q.append_pair("scope", s);
        }
        if let Some(a) = account {
            q.append_pair("account", a);
        }
    }
    Request::new(Method::GET, u.to_string())
}

/// The user name ACR gives with a refresh token (`az acr login --expose-token`).
pub const ACR_REFRESH_TOKEN_USER: &str = "00000000-0000-0000-0000-000000000000";

pub(super) fn basic(user: &str, password: &str) -> HeaderValue {
    let raw = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
    let mut v = HeaderValue::from_str(&format!("Basic {raw}"))
        .unwrap_or_else(|_| HeaderValue::from_static("Basic"));
    v.set_sensitive(true);
    v
}

/// The `access` claim of a JWT, as `repository:NAME:pull,push` strings, when readable.
fn jwt_access(token: &str) -> Option<String> {
    let payload = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    #[derive(serde::Deserialize)]
    struct Claims {
        #[serde(default)]
        access: Vec<Access>,
    }
    #[derive(serde::Deserialize)]
    struct Access {
        #[serde(rename = "type")]
        kind: String,
        name: String,
        #[serde(default)]
        actions: Vec<String>,
    }
    let claims: Claims = serde_json::from_slice(&bytes).ok()?;
    let parts: Vec<String> = claims
        .access
        .iter()
        .map(|a| format!("{}:{}:{}", a.kind, a.name, a.actions.join(",")))
        .collect();
    Some(if parts.is_empty() {
        "(none)".to_string()
    } else {
        parts.join(" ")
    })
}

/// `e` (a failure to reach or read the token endpoint) saying it was the token server.
fn at_token_server(e: RegistryError, host: &str) -> RegistryError {
    match e {
        RegistryError::Timeout {
            place,
            after,
            during,
        } => RegistryError::Timeout {
            place,
            after,
            during: format!("token server {host}: {during}"),
        },
        RegistryError::Unreachable { place, detail } => RegistryError::Unreachable {
            place,
            detail: format!("token server {host}: {detail}"),
        },
        RegistryError::Interrupted { place, detail } => RegistryError::Interrupted {
            place,
            detail: format!("token server {host}: {detail}"),
        },
        RegistryError::Tls { place, detail } => RegistryError::Tls {
            place,
            detail: format!("token server {host}: {detail}"),
        },
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jwt_access_claim_is_readable_and_basic_is_sensitive() {
        let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(r#"{"access":[{"type":"repository","name":"a","actions":["pull"]}]}"#);
        assert_eq!(
            jwt_access(&format!("h.{payload}.s")).as_deref(),
            Some("repository:a:pull")
        );
        assert_eq!(jwt_access("opaque"), None);
        assert!(basic("u", "p").is_sensitive());
    }
}
