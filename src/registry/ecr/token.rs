//! Credentials for the registry endpoint (`ACCOUNT.dkr.ecr.REGION.amazonaws.com`), where
//! the OCI Distribution API serves manifests and blobs: `GetAuthorizationToken` gives a
//! Basic user and password valid for 12 hours. They are cached and fetched again before
//! they expire. The password never appears in `Debug`, logs or errors.

use super::error::{to_registry_error, with_retry};
use super::images::to_chrono;
use super::EcrClient;
use crate::registry::RegistryError;
use base64::Engine as _;
use chrono::{DateTime, Duration, Utc};

/// Fetch a new token this long before the old one expires, so a request in flight never
/// carries an expired one.
pub const REFRESH_MARGIN: Duration = Duration::minutes(15);

/// A password that will not print.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn expose(&self) -> &str {
        &self.0
    }
}
impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(..)")
    }
}

/// Basic credentials for the registry endpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EcrRegistryAuth {
    /// `https://ACCOUNT.dkr.ecr.REGION.amazonaws.com`
    pub endpoint: Option<String>,
    pub username: String,
    pub password: Secret,
    pub expires_at: DateTime<Utc>,
}

impl EcrRegistryAuth {
    pub fn needs_refresh(&self, now: DateTime<Utc>) -> bool {
        now + REFRESH_MARGIN >= self.expires_at
    }
}

#[derive(Default)]
pub struct TokenCache(tokio::sync::Mutex<Option<EcrRegistryAuth>>);

/// Splits the token (`base64("AWS:<password>")`).
pub fn decode_token(token: &str) -> Option<(String, Secret)> {
    let raw = base64::engine::general_purpose::STANDARD
        .decode(token.trim())
        .ok()?;
    let text = String::from_utf8(raw).ok()?;
    let (user, pass) = text.split_once(':')?;
    Some((user.to_string(), Secret(pass.to_string())))
}

impl EcrClient {
    /// Current Basic credentials for the registry endpoint, fetched when missing or
    /// within [`REFRESH_MARGIN`] of expiry.
    pub async fn registry_auth(&self) -> Result<EcrRegistryAuth, RegistryError> {
        let mut slot = self.tokens.0.lock().await;
        if let Some(a) = slot.as_ref() {
            if !a.needs_refresh(Utc::now()) {
                return Ok(a.clone());
            }
        }
        let place = self.place(None, None);
        #[allow(deprecated)] // registryIds is deprecated but still names another account's registry
        let out = with_retry(&self.retry, &self.counters, || {
            self.sdk
                .get_authorization_token()
                .set_registry_ids(self.account().map(|a| vec![a.to_string()]))
                .send()
        })
        .await
        .map_err(|e| to_registry_error(&e, place.clone(), "GetAuthorizationToken"))?;
        let data = out
            .authorization_data()
            .first()
            .ok_or_else(|| RegistryError::Malformed {
                place: place.clone(),
                detail: "GetAuthorizationToken returned no authorization data".into(),
            })?;
        let (username, password) = data
            .authorization_token()
            .and_then(decode_token)
            .ok_or_else(|| RegistryError::Malformed {
                place: place.clone(),
                detail: "the authorization token is not base64 of USER:PASSWORD".into(),
            })?;
        let auth = EcrRegistryAuth {
            endpoint: data.proxy_endpoint().map(str::to_string),
            username,
            password,
            // No expiry given: assume the shortest lifetime ECR has documented.
            expires_at: data
                .expires_at()
                .and_then(to_chrono)
                .unwrap_or_else(|| Utc::now() + Duration::hours(1)),
        };
        *slot = Some(auth.clone());
        Ok(auth)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_and_never_prints_the_password() {
        let tok = base64::engine::general_purpose::STANDARD.encode("AWS:s3cr3t-value");
        let (u, p) = decode_token(&tok).unwrap();
        assert_eq!((u.as_str(), p.expose()), ("AWS", "s3cr3t-value"));
        let auth = EcrRegistryAuth {
            endpoint: None,
            username: u,
            password: p,
            expires_at: Utc::now(),
        };
        assert!(!format!("{auth:?}").contains("s3cr3t"));
        assert!(decode_token("not base64!").is_none());
    }

    #[test]
    fn refreshes_before_expiry_not_after() {
        let now = Utc::now();
        let a = |exp| EcrRegistryAuth {
            endpoint: None,
            username: "AWS".into(),
            password: Secret("x".into()),
            expires_at: exp,
        };
        assert!(!a(now + Duration::hours(12)).needs_refresh(now));
        assert!(
            a(now + Duration::minutes(10)).needs_refresh(now),
            "inside the margin"
        );
        assert!(a(now - Duration::minutes(1)).needs_refresh(now));
    }
}
