//! Google access tokens the way Google's own tools find them: the key file named by
//! `GOOGLE_APPLICATION_CREDENTIALS` (a service account's JWT-bearer grant, or an
//! authorized user's refresh token), else `gcloud auth print-access-token`, else the
//! metadata server of the machine (GCE, GKE, Cloud Run). One token serves both the
//! Artifact Registry API (Bearer) and the registry itself (Basic `oauth2accesstoken`).
//! Tokens are cached until shortly before they expire and dropped when a server says 401.

use super::service_account::KeyFile;
use crate::registry::error::{Place, RegistryError};
use crate::registry::transport::{Request, Transport, DOCUMENT_LIMIT};
use reqwest::header::{HeaderName, HeaderValue, CONTENT_TYPE};
use reqwest::Method;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Renew this long before the token dies, so no request carries a token that expires in flight.
const EXPIRY_MARGIN: Duration = Duration::from_secs(60);
/// `gcloud` prints no lifetime; its tokens last an hour, we reuse one for a few minutes.
const GCLOUD_REUSE: Duration = Duration::from_secs(300);
const GCLOUD_TIMEOUT: Duration = Duration::from_secs(30);
const METADATA_HOST: &str = "metadata.google.internal";

/// Where the tokens come from, for `--verbose` and the doctor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GoogleCredentialSource {
    KeyFile(PathBuf),
    Gcloud,
    MetadataServer(String),
    /// A token given directly (tests, `--token`-like callers).
    Fixed,
}

impl std::fmt::Display for GoogleCredentialSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            GoogleCredentialSource::KeyFile(p) => {
                write!(f, "GOOGLE_APPLICATION_CREDENTIALS ({})", p.display())
            }
            GoogleCredentialSource::Gcloud => f.write_str("gcloud auth print-access-token"),
            GoogleCredentialSource::MetadataServer(h) => write!(f, "the metadata server ({h})"),
            GoogleCredentialSource::Fixed => f.write_str("a token given to regscope"),
        }
    }
}

enum Source {
    Key(KeyFile),
    Gcloud(PathBuf),
    Metadata(String),
    Fixed(String),
}

struct Cached {
    token: String,
    renew_at: Instant,
}

pub struct GoogleAuth {
    source: Source,
    transport: Transport,
    cached: Mutex<Option<Cached>>,
    /// One refresh at a time: concurrent callers wait for it instead of each granting.
    refreshing: tokio::sync::Mutex<()>,
}

impl std::fmt::Debug for GoogleAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GoogleAuth")
            .field("source", &self.source())
            .finish_non_exhaustive()
    }
}

impl GoogleAuth {
    /// Finds credentials in the environment. A key file that cannot be read is an error
    /// naming it (the user set the variable on purpose), not a silent fallback.
    pub fn discover(transport: Transport, place: &Place) -> Result<Self, RegistryError> {
        let source = if let Some(p) =
            std::env::var_os("GOOGLE_APPLICATION_CREDENTIALS").filter(|p| !p.is_empty())
        {
            let key =
                KeyFile::read(std::path::Path::new(&p)).map_err(|why| RegistryError::Refused {
                    place: place.clone(),
                    why: format!("GOOGLE_APPLICATION_CREDENTIALS: {why}"),
                })?;
            Source::Key(key)
        } else if let Some(gcloud) = find_in_path("gcloud") {
            Source::Gcloud(gcloud)
        } else {
            let host = std::env::var("GCE_METADATA_HOST")
                .ok()
                .filter(|h| !h.is_empty())
                .unwrap_or_else(|| METADATA_HOST.to_string());
            Source::Metadata(host)
        };
        Ok(Self::with_source(source, transport))
    }

    /// Uses `key` (a key file already read) instead of the environment.
    pub fn from_key_file(key: KeyFile, transport: Transport) -> Self {
        Self::with_source(Source::Key(key), transport)
    }

    /// A fixed access token (no refresh).
    pub fn fixed(token: &str, transport: Transport) -> Self {
        Self::with_source(Source::Fixed(token.to_string()), transport)
    }

    fn with_source(source: Source, transport: Transport) -> Self {
        GoogleAuth {
            source,
            transport,
            cached: Mutex::new(None),
            refreshing: tokio::sync::Mutex::new(()),
        }
    }

    pub fn source(&self) -> GoogleCredentialSource {
        match &self.source {
            Source::Key(k) => GoogleCredentialSource::KeyFile(k.path().to_path_buf()),
            Source::Gcloud(_) => GoogleCredentialSource::Gcloud,
            Source::Metadata(h) => GoogleCredentialSource::MetadataServer(h.clone()),
            Source::Fixed(_) => GoogleCredentialSource::Fixed,
        }
    }

    /// A live access token, granted now if the cached one is missing or about to expire.
    pub async fn token(&self, place: &Place) -> Result<String, RegistryError> {
        if let Some(t) = self.cached_token() {
            return Ok(t);
        }
        let _one = self.refreshing.lock().await;
        if let Some(t) = self.cached_token() {
            return Ok(t);
        }
        let (token, lifetime) = self.grant(place).await?;
        let renew_at = Instant::now() + lifetime.saturating_sub(EXPIRY_MARGIN);
        *self.cached.lock().unwrap_or_else(|p| p.into_inner()) = Some(Cached {
            token: token.clone(),
            renew_at,
        });
        Ok(token)
    }

    /// Forgets `token` after a server refused it (expired or revoked), so the next call
    /// grants a new one. A token already replaced by another caller is left alone.
    pub fn refused(&self, token: &str) {
        let mut c = self.cached.lock().unwrap_or_else(|p| p.into_inner());
        if c.as_ref().is_some_and(|c| c.token == token) {
            *c = None;
        }
    }

    fn cached_token(&self) -> Option<String> {
        let c = self.cached.lock().unwrap_or_else(|p| p.into_inner());
        c.as_ref()
            .filter(|c| Instant::now() < c.renew_at)
            .map(|c| c.token.clone())
    }

    async fn grant(&self, place: &Place) -> Result<(String, Duration), RegistryError> {
        let refused = |why: String| RegistryError::Unauthorized {
            place: place.clone(),
            code: Default::default(),
            detail: format!(": {why}"),
        };
        match &self.source {
            Source::Fixed(t) => Ok((t.clone(), Duration::from_secs(3600))),
            Source::Key(key) => {
                let form = key
                    .grant_form(chrono::Utc::now())
                    .map_err(|why| refused(why.to_string()))?;
                let req = Request::new(Method::POST, key.token_uri())
                    .header(
                        CONTENT_TYPE,
                        HeaderValue::from_static("application/x-www-form-urlencoded"),
                    )
                    .body(form.into_bytes());
                let what = format!("the token endpoint {}", host_of(key.token_uri()));
                self.token_reply(&req, &what, place).await
            }
            Source::Metadata(host) => {
                let url = format!(
                    "http://{host}/computeMetadata/v1/instance/service-accounts/default/token"
                );
                let req = Request::new(Method::GET, url).header(
                    HeaderName::from_static("metadata-flavor"),
                    HeaderValue::from_static("Google"),
                );
                self.token_reply(&req, &format!("the metadata server {host}"), place)
                    .await
                    .map_err(|e| {
                        refused(format!(
                            "no Google credentials: GOOGLE_APPLICATION_CREDENTIALS is not set, gcloud is not installed, and {e}"
                        ))
                    })
            }
            Source::Gcloud(bin) => {
                let out = tokio::time::timeout(
                    GCLOUD_TIMEOUT,
                    tokio::process::Command::new(bin)
                        .args(["auth", "print-access-token"])
                        .stdin(std::process::Stdio::null())
                        .kill_on_drop(true)
                        .output(),
                )
                .await
                .map_err(|_| {
                    refused("gcloud auth print-access-token did not answer in 30 s".into())
                })?
                .map_err(|e| refused(format!("cannot run gcloud: {e}")))?;
                let token = String::from_utf8_lossy(&out.stdout).trim().to_string();
                if !out.status.success() || token.is_empty() {
                    return Err(refused(format!(
                        "gcloud auth print-access-token failed ({}); run `gcloud auth login`",
                        out.status
                    )));
                }
                Ok((token, GCLOUD_REUSE))
            }
        }
    }

    async fn token_reply(
        &self,
        req: &Request,
        what: &str,
        place: &Place,
    ) -> Result<(String, Duration), RegistryError> {
        #[derive(serde::Deserialize)]
        struct Reply {
            access_token: Option<String>,
            expires_in: Option<u64>,
        }
        let reply = self.transport.send(req, DOCUMENT_LIMIT, place).await?;
        if !reply.is_success() {
            // OAuth errors are `{"error": "invalid_grant", "error_description": "..."}`.
            let doc: serde_json::Value = serde_json::from_slice(&reply.body).unwrap_or_default();
            let code = doc["error"].as_str().unwrap_or("").to_string();
            let why = doc["error_description"].as_str().unwrap_or("");
            return Err(RegistryError::Unauthorized {
                place: place.clone(),
                code: crate::registry::CodeSuffix((!code.is_empty()).then_some(code)),
                detail: format!(": {what} refused the grant (HTTP {}) {why}", reply.status)
                    .trim_end()
                    .to_string(),
            });
        }
        let doc: Reply =
            serde_json::from_slice(&reply.body).map_err(|e| RegistryError::Malformed {
                place: place.clone(),
                detail: format!("{what} answered something other than a token: {e}"),
            })?;
        let token =
            doc.access_token
                .filter(|t| !t.is_empty())
                .ok_or_else(|| RegistryError::Malformed {
                    place: place.clone(),
                    detail: format!("{what} answered without an access_token"),
                })?;
        Ok((token, Duration::from_secs(doc.expires_in.unwrap_or(3600))))
    }
}

fn host_of(url: &str) -> String {
    url::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_else(|| url.to_string())
}

fn find_in_path(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join(name))
            .find(|p| p.is_file())
    })
}
