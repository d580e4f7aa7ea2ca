//! Registry authentication: anonymous first, then whatever the registry's challenge asks
//! for: Basic with the user's credentials, or the Bearer token flow with the scope each
//! call needs (`registry:catalog:*`, `repository:NAME:pull`, `...:delete`, `...:pull,push`).
//! Tokens are cached by (realm, service, scope) until shortly before they expire; a refresh
//! (identity) token is exchanged with the OAuth2 POST form, falling back to GET. What
//! happened is recorded in [`AuthInfo`] for the doctor. Secrets never leave this module
//! except as the `Authorization` header of a request.

use super::challenge::{Challenge, Scheme};
use super::credentials::{self, Credential, CredentialLookup, CredentialSource};
use super::error::{CodeSuffix, Place, RegistryError};
use super::status::reply_error;
use super::transport::{Request, Transport, DOCUMENT_LIMIT};
use base64::Engine as _;
use chrono::{DateTime, Utc};
use reqwest::header::{HeaderValue, AUTHORIZATION, CONTENT_TYPE};
use reqwest::Method;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Tokens are renewed this long before they expire, so a request never carries a token
/// that dies in flight.
const EXPIRY_MARGIN: Duration = Duration::from_secs(15);
/// The distribution token spec: a token without `expires_in` lives 60 seconds.
const DEFAULT_TOKEN_LIFETIME: u64 = 60;

/// What a call needs to be allowed to do.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Scope {
    Catalog,
    Pull(String),
    Push(String),
    Delete(String),
}

impl Scope {
    pub fn as_token_scope(&self) -> String {
        match self {
            Scope::Catalog => "registry:catalog:*".into(),
            Scope::Pull(r) => format!("repository:{r}:pull"),
            Scope::Push(r) => format!("repository:{r}:pull,push"),
            Scope::Delete(r) => format!("repository:{r}:delete"),
        }
    }
}

/// How the registry authenticated us, as last observed (for the doctor and `--verbose`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuthInfo {
    /// `None` until the registry challenged us (an open registry never does).
    pub challenge: Option<Scheme>,
    pub realm: Option<String>,
    pub service: Option<String>,
    pub source: CredentialSource,
    pub credential_warning: Option<String>,
    pub scope_requested: Option<String>,
    /// The `access` claim of the last token, when it is a readable JWT.
    pub scope_granted: Option<String>,
    pub token_expires_at: Option<DateTime<Utc>>,
}

#[derive(Clone)]
struct CachedToken {
    header: HeaderValue,
    renew_at: Instant,
}

pub struct Authenticator {
    host: String,
    transport: Transport,
    config_dir: Option<PathBuf>,
    explicit: Option<Credential>,
    /// Plain-HTTP token realms are refused unless the registry itself may be plain HTTP.
    allow_http_realm: bool,
    creds: tokio::sync::OnceCell<CredentialLookup>,
    challenge: Mutex<Option<Challenge>>,
    tokens: Mutex<HashMap<String, CachedToken>>,
    info: Mutex<AuthInfo>,
}

impl std::fmt::Debug for Authenticator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Authenticator")
            .field("host", &self.host)
            .field("info", &self.info())
            .finish_non_exhaustive()
    }
}

impl Authenticator {
    pub fn new(
        host: &str,
        transport: Transport,
        config_dir: Option<PathBuf>,
        explicit: Option<Credential>,
        allow_http_realm: bool,
    ) -> Self {
        Authenticator {
            host: host.to_string(),
            transport,
            config_dir,
            explicit,
            allow_http_realm,
            creds: tokio::sync::OnceCell::new(),
            challenge: Mutex::new(None),
            tokens: Mutex::new(HashMap::new()),
            info: Mutex::new(AuthInfo::default()),
        }
    }

    pub fn info(&self) -> AuthInfo {
        self.info.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// The credentials for this registry, looked up once.
    pub async fn credentials(&self) -> &CredentialLookup {
        self.creds
            .get_or_init(|| async {
                let found = match &self.explicit {
                    Some(c) => CredentialLookup {
                        credential: c.clone(),
                        source: CredentialSource::Explicit,
                        warning: None,
                    },
                    None => credentials::lookup(&self.host, self.config_dir.clone()).await,
                };
                if let Some(w) = &found.warning {
                    tracing::warn!(registry = %self.host, "credentials: {w}");
                }
                let mut info = self.info.lock().unwrap_or_else(|p| p.into_inner());
                info.source = found.source.clone();
                info.credential_warning = found.warning.clone();
                found
            })
            .await
    }

    /// The `Authorization` header to send up front, once the registry has told us how it
    /// authenticates (saves a 401 round trip per scope).
    pub async fn header_for(
        &self,
        scope: &Scope,
        place: &Place,
    ) -> Result<Option<HeaderValue>, RegistryError> {
        let known = self
            .challenge
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        match known {
            None => Ok(None),
            Some(c) => self.answer(&c, scope, None, place).await,
        }
    }

    /// Answers a 401. `None` means there is nothing better to send than what was sent.
    pub async fn on_unauthorized(
        &self,
        headers: &reqwest::header::HeaderMap,
        scope: &Scope,
        sent: Option<&HeaderValue>,
        place: &Place,
    ) -> Result<Option<HeaderValue>, RegistryError> {
        let Some(challenge) = Challenge::from_headers(headers) else {
            return Ok(None);
        };
        {
            let mut info = self.info.lock().unwrap_or_else(|p| p.into_inner());
            info.challenge = Some(challenge.scheme.clone());
            info.realm = challenge.realm.clone();
            info.service = challenge.service.clone();
        }
        *self.challenge.lock().unwrap_or_else(|p| p.into_inner()) = Some(challenge.clone());
        let extra = if challenge.error.as_deref() == Some("insufficient_scope") {
            challenge.scope.clone()
        } else {
            None
        };
        if extra.is_some() || sent.is_some() {
            self.forget(&challenge, scope);
        }
        let answer = self
            .answer(&challenge, scope, extra.as_deref(), place)
            .await?;
        Ok(answer.filter(|a| Some(a) != sent))
    }

    fn forget(&self, c: &Challenge, scope: &Scope) {
        let key = cache_key(c, &scope.as_token_scope());
        self.tokens
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&key);
    }

    async fn answer(
        &self,
        c: &Challenge,
        scope: &Scope,
        extra_scope: Option<&str>,
        place: &Place,
    ) -> Result<Option<HeaderValue>, RegistryError> {
        match c.scheme {
            Scheme::Basic => Ok(match &self.credentials().await.credential {
                Credential::Basic { username, password } => Some(basic(username, password)),
                Credential::IdentityToken { .. } | Credential::Anonymous => None,
            }),
            Scheme::Bearer => {
                let mut wanted = scope.as_token_scope();
                if let Some(x) = extra_scope.filter(|x| !x.split(' ').any(|s| s == wanted)) {
                    wanted = format!("{wanted} {x}");
                }
                let key = cache_key(c, &wanted);
                if let Some(t) = self
                    .tokens
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .get(&key)
                {
                    if Instant::now() < t.renew_at {
                        return Ok(Some(t.header.clone()));
                    }
                }
                let token = self.fetch_token(c, &wanted, place).await?;
                self.tokens
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .insert(key, token.clone());
                Ok(Some(token.header))
            }
            Scheme::Other(_) => Ok(None),
        }
    }

    async fn fetch_token(
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
        let realm_host = realm_url.host_str().unwrap_or("").to_string();
        if realm_url.scheme() != "https"
            && !(self.allow_http_realm || super::is_loopback_host(realm_url.authority()))
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
        let reply = match &lookup.credential {
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
                let reply = self.transport.send(&post, DOCUMENT_LIMIT, place).await?;
                if matches!(reply.status, 404 | 405) {
                    // Token servers without the OAuth2 endpoint take the refresh token as
                    // a password for Docker's `<token>` user.
                    let get = token_get(&realm_url, &service, scope, None)
                        .header(AUTHORIZATION, basic("<token>", token));
                    self.transport.send(&get, DOCUMENT_LIMIT, place).await?
                } else {
                    reply
                }
            }
            Credential::Basic { username, password } => {
                let get = token_get(&realm_url, &service, scope, Some(username))
                    .header(AUTHORIZATION, basic(username, password));
                self.transport.send(&get, DOCUMENT_LIMIT, place).await?
            }
            Credential::Anonymous => {
                let get = token_get(&realm_url, &service, scope, None);
                self.transport.send(&get, DOCUMENT_LIMIT, place).await?
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

/// A token request mistake worth naming for callers: a 401 after a token was granted
/// means the token lacked the scope.
pub fn insufficient_scope(place: &Place, scope: &Scope, authenticated: bool) -> RegistryError {
    let scope = scope.as_token_scope();
    if authenticated {
        RegistryError::Forbidden {
            place: place.clone(),
            code: CodeSuffix(Some("insufficient_scope".into())),
            detail: format!(": the token server did not grant {scope}"),
        }
    } else {
        RegistryError::Unauthorized {
            place: place.clone(),
            code: CodeSuffix(Some("insufficient_scope".into())),
            detail: format!(": anonymous access does not grant {scope}; log in"),
        }
    }
}

fn cache_key(c: &Challenge, scope: &str) -> String {
    format!(
        "{}|{}|{scope}",
        c.realm.as_deref().unwrap_or(""),
        c.service.as_deref().unwrap_or("")
    )
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

fn basic(user: &str, password: &str) -> HeaderValue {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_are_what_the_distribution_spec_names() {
        assert_eq!(Scope::Catalog.as_token_scope(), "registry:catalog:*");
        assert_eq!(
            Scope::Pull("a/b".into()).as_token_scope(),
            "repository:a/b:pull"
        );
        assert_eq!(
            Scope::Delete("a".into()).as_token_scope(),
            "repository:a:delete"
        );
        assert_eq!(
            Scope::Push("a".into()).as_token_scope(),
            "repository:a:pull,push"
        );
    }

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
