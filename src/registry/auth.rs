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
use super::transport::Transport;
use chrono::{DateTime, Utc};
use reqwest::header::HeaderValue;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::{Duration, Instant};

mod token;
use token::basic;
pub use token::ACR_REFRESH_TOKEN_USER;

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
    /// ACR's `/acr/v1` metadata API (tag and manifest properties); a pull token is refused there.
    MetadataRead(String),
}

impl Scope {
    pub fn as_token_scope(&self) -> String {
        match self {
            Scope::Catalog => "registry:catalog:*".into(),
            Scope::Pull(r) => format!("repository:{r}:pull"),
            Scope::Push(r) => format!("repository:{r}:pull,push"),
            Scope::Delete(r) => format!("repository:{r}:delete"),
            Scope::MetadataRead(r) => format!("repository:{r}:metadata_read"),
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
                        ..CredentialLookup::default()
                    },
                    None => credentials::lookup(&self.host, self.config_dir.clone()).await,
                };
                if let Some(w) = &found.warning {
                    tracing::warn!(registry = %self.host, "credentials: {w}");
                    credentials::report_warning(w);
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
}
