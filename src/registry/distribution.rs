//! The OCI Distribution API client: one per registry host. Requests go through the shared
//! [`Transport`] and [`Authenticator`]; this file holds the client itself and the manifest
//! calls, `catalog.rs` the listings and `blobs.rs` blobs and referrers.

use super::auth::{insufficient_scope, AuthInfo, Authenticator, Scope};
use super::challenge::Challenge;
use super::credentials::{self, Credential};
use super::error::{Place, RegistryError};
use super::status::reply_error;
use super::transport::{Reply, Request, StreamReply, Transport, TransportOptions, MANIFEST_LIMIT};
use super::{media, FetchedManifest, Manifest, ManifestHead};
use crate::config::RegistrySettings;
use crate::model::Digest;
use reqwest::header::{HeaderName, HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE};
use reqwest::Method;
use std::path::PathBuf;

/// What tests and front ends may inject instead of the environment's defaults.
#[derive(Clone, Debug, Default)]
pub struct ClientOptions {
    /// The directory holding Docker's `config.json` (instead of `DOCKER_CONFIG`/~/.docker).
    pub docker_config_dir: Option<PathBuf>,
    /// Credentials to use instead of looking them up.
    pub credential: Option<Credential>,
    /// Timeouts and retries instead of those derived from the settings.
    pub transport: Option<TransportOptions>,
}

/// A client for one OCI Distribution registry (`HOST[:PORT]`).
#[derive(Debug)]
pub struct DistributionClient {
    /// The name people see (`docker.io`, `127.0.0.1:5000`).
    host: String,
    /// The host the API lives on (`registry-1.docker.io` for Docker Hub).
    api_host: String,
    /// `https://HOST` or `http://HOST`, decided on first use.
    base: tokio::sync::OnceCell<String>,
    settings: RegistrySettings,
    pub(crate) page_size: usize,
    pub(crate) transport: Transport,
    pub(crate) auth: Authenticator,
}

/// Builds a client for `host` with every default (the `registry::distribution::connect`
/// entry point for front ends).
pub fn connect(host: &str) -> Result<DistributionClient, RegistryError> {
    DistributionClient::new(host, &RegistrySettings::for_address(host))
}

impl DistributionClient {
    pub fn new(host: &str, settings: &RegistrySettings) -> Result<Self, RegistryError> {
        Self::with_options(host, settings, ClientOptions::default())
    }

    pub fn with_options(
        host: &str,
        settings: &RegistrySettings,
        options: ClientOptions,
    ) -> Result<Self, RegistryError> {
        let host = host.trim().trim_end_matches('/').to_string();
        if host.is_empty() || host.contains('/') || host.contains("://") {
            return Err(RegistryError::Refused {
                place: Place {
                    registry: host.clone(),
                    ..Place::default()
                },
                why: "a registry host is HOST[:PORT], without scheme or path".into(),
            });
        }
        let api_host = if credentials::is_docker_hub(&host) {
            "registry-1.docker.io".to_string()
        } else {
            host.clone()
        };
        let topts = options
            .transport
            .unwrap_or_else(|| TransportOptions::from_settings(settings));
        let transport = Transport::new(&host, settings, topts)?;
        let may_be_http = settings.insecure || super::is_loopback_host(&host);
        let auth = Authenticator::new(
            &host,
            transport.clone(),
            options.docker_config_dir,
            options.credential,
            may_be_http,
        );
        Ok(DistributionClient {
            host,
            api_host,
            base: tokio::sync::OnceCell::new(),
            settings: settings.clone(),
            page_size: super::catalog::PAGE_SIZE,
            transport,
            auth,
        })
    }

    /// Entries asked for per catalog or tag page (`n`); the registry may send fewer.
    pub fn with_page_size(mut self, n: usize) -> Self {
        self.page_size = n.clamp(1, 10_000);
        self
    }

    pub fn host(&self) -> &str {
        &self.host
    }

    /// How the registry authenticated us so far.
    pub fn auth_info(&self) -> AuthInfo {
        self.auth.info()
    }

    pub fn transport(&self) -> &Transport {
        &self.transport
    }

    pub(crate) fn place(&self, repository: Option<&str>, reference: Option<&str>) -> Place {
        Place {
            registry: self.host.clone(),
            repository: repository.map(str::to_string),
            reference: reference.map(str::to_string),
        }
    }

    /// `https://HOST`, or `http://HOST` for a loopback or `insecure` registry that does
    /// not speak TLS (decided once, by trying TLS first).
    pub async fn base_url(&self) -> Result<&str, RegistryError> {
        self.base
            .get_or_try_init(|| async {
                let https = format!("https://{}", self.api_host);
                if !(self.settings.insecure || super::is_loopback_host(&self.host)) {
                    return Ok(https);
                }
                if self.transport.speaks_tls(&format!("{https}/v2/")).await {
                    Ok(https)
                } else {
                    Ok(format!("http://{}", self.api_host))
                }
            })
            .await
            .map(String::as_str)
    }

    /// Sends a request with whatever authorisation the registry asks for; returns the
    /// final reply whatever its status.
    pub(crate) async fn call(
        &self,
        req: Request,
        scope: &Scope,
        cap: u64,
        place: &Place,
    ) -> Result<Reply, RegistryError> {
        let url = self.url(&req.url).await?;
        let mut auth = self.auth.header_for(scope, place).await?;
        let mut rounds = 0;
        loop {
            let body = req.body.as_deref();
            let sent = build(&req.method, &url, &req.headers, body, auth.as_ref());
            let reply = self.transport.send(&sent, cap, place).await?;
            if reply.status == 401 && rounds < 2 {
                rounds += 1;
                let next = self
                    .auth
                    .on_unauthorized(&reply.headers, scope, auth.as_ref(), place)
                    .await?;
                if next.is_some() {
                    auth = next;
                    continue;
                }
            }
            return Ok(reply);
        }
    }

    /// Like [`call`](Self::call) but leaves a successful body on the wire.
    pub(crate) async fn call_stream(
        &self,
        path: &str,
        scope: &Scope,
        place: &Place,
    ) -> Result<StreamReply, RegistryError> {
        let url = self.url(path).await?;
        let mut auth = self.auth.header_for(scope, place).await?;
        let mut rounds = 0;
        loop {
            let req = build(&Method::GET, &url, &[], None, auth.as_ref());
            match self.transport.open_stream(&req, place).await? {
                Ok(stream) => return Ok(stream),
                Err(reply) if reply.status == 401 && rounds < 2 => {
                    rounds += 1;
                    let next = self
                        .auth
                        .on_unauthorized(&reply.headers, scope, auth.as_ref(), place)
                        .await?;
                    match next {
                        Some(n) => auth = Some(n),
                        None => return Err(self.failure(&reply, scope, place).await),
                    }
                }
                Err(reply) => return Err(self.failure(&reply, scope, place).await),
            }
        }
    }

    /// The error for a final non-success reply. A 401 that still says
    /// `insufficient_scope` after we presented a token means the scope was not granted.
    pub(crate) async fn failure(
        &self,
        reply: &Reply,
        scope: &Scope,
        place: &Place,
    ) -> RegistryError {
        if reply.status == 401 {
            let ch = Challenge::from_headers(&reply.headers);
            if ch.and_then(|c| c.error).as_deref() == Some("insufficient_scope") {
                let authed = !matches!(
                    self.auth.credentials().await.credential,
                    Credential::Anonymous
                );
                return insufficient_scope(place, scope, authed);
            }
            if let RegistryError::Unauthorized {
                place,
                code,
                detail,
            } = reply_error(reply, place)
            {
                let source = &self.auth.credentials().await.source;
                let detail = if matches!(source, credentials::CredentialSource::Anonymous) {
                    format!("{detail} (no credentials found for {})", self.host)
                } else {
                    format!("{detail} (credentials from {source} were refused)")
                };
                return RegistryError::Unauthorized {
                    place,
                    code,
                    detail,
                };
            }
        }
        reply_error(reply, place)
    }

    async fn url(&self, path: &str) -> Result<String, RegistryError> {
        if path.starts_with("http://") || path.starts_with("https://") {
            return Ok(path.to_string());
        }
        Ok(format!("{}{path}", self.base_url().await?))
    }

    /// `GET /v2/`: the API version check a runtime does first (the doctor's reach step).
    pub async fn ping(&self) -> Result<Reply, RegistryError> {
        let place = self.place(None, None);
        let url = format!("{}/v2/", self.base_url().await?);
        self.transport
            .send(&Request::new(Method::GET, url), 64 * 1024, &place)
            .await
    }

    pub async fn head_manifest(
        &self,
        repo: &str,
        reference: &str,
    ) -> Result<ManifestHead, RegistryError> {
        let place = self.place(Some(repo), Some(reference));
        check_names(repo, reference, &place)?;
        let reply = self
            .call(
                Request::new(Method::HEAD, format!("/v2/{repo}/manifests/{reference}"))
                    .with(accept_manifests()),
                &Scope::Pull(repo.into()),
                0,
                &place,
            )
            .await?;
        if !reply.is_success() {
            return Err(self
                .failure(&reply, &Scope::Pull(repo.into()), &place)
                .await);
        }
        let header_digest = reply
            .header("docker-content-digest")
            .and_then(|d| Digest::parse(d.trim()).ok());
        let digest = header_digest.or_else(|| Digest::parse(reference).ok());
        let media_type = reply
            .header("content-type")
            .map(|m| m.split(';').next().unwrap_or("").trim().to_string());
        let size = reply
            .header("content-length")
            .and_then(|l| l.trim().parse::<u64>().ok());
        match (digest, media_type, size) {
            (Some(digest), Some(mt), Some(size))
                if media::is_index(&mt) || media::is_manifest(&mt) =>
            {
                Ok(ManifestHead {
                    digest,
                    media_type: mt,
                    size,
                })
            }
            // Some registries omit headers on HEAD; a GET tells everything (and verifies).
            _ => {
                let m = self.manifest(repo, reference).await?;
                Ok(ManifestHead {
                    digest: m.digest,
                    media_type: m.media_type,
                    size: m.bytes.len() as u64,
                })
            }
        }
    }

    pub async fn manifest(
        &self,
        repo: &str,
        reference: &str,
    ) -> Result<FetchedManifest, RegistryError> {
        let place = self.place(Some(repo), Some(reference));
        check_names(repo, reference, &place)?;
        let scope = Scope::Pull(repo.into());
        let reply = self
            .call(
                Request::new(Method::GET, format!("/v2/{repo}/manifests/{reference}"))
                    .with(accept_manifests()),
                &scope,
                MANIFEST_LIMIT,
                &place,
            )
            .await?;
        if !reply.is_success() {
            return Err(self.failure(&reply, &scope, &place).await);
        }
        let bytes = reply.body;
        let asked = Digest::parse(reference).ok();
        let claimed = reply
            .headers
            .get("docker-content-digest")
            .and_then(|v| v.to_str().ok())
            .and_then(|d| Digest::parse(d.trim()).ok());
        for expected in [&asked, &claimed].into_iter().flatten() {
            if !expected.verifies(&bytes) {
                return Err(RegistryError::DigestMismatch {
                    place,
                    expected: expected.to_string(),
                    actual: Digest::sha256_of(&bytes).to_string(),
                });
            }
        }
        let digest = asked.unwrap_or_else(|| Digest::sha256_of(&bytes));
        let served = reply
            .headers
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|m| m.split(';').next().unwrap_or("").trim().to_string())
            .unwrap_or_default();
        let manifest = Manifest::parse(&bytes, &served).map_err(|e| RegistryError::Malformed {
            place: place.clone(),
            detail: if served.contains("html") {
                "the registry served an HTML page instead of a manifest".to_string()
            } else {
                e.to_string()
            },
        })?;
        let media_type = manifest.media_type(&served);
        Ok(FetchedManifest {
            digest,
            media_type,
            bytes,
            manifest,
        })
    }

    /// Deletes a manifest by digest, after checking with the full Accept list that the
    /// registry still serves it (so a 404 is named before anything is attempted).
    pub async fn delete_manifest(&self, repo: &str, digest: &Digest) -> Result<(), RegistryError> {
        self.head_manifest(repo, digest.as_str()).await?;
        let place = self.place(Some(repo), Some(digest.as_str()));
        let scope = Scope::Delete(repo.into());
        let reply = self
            .call(
                Request::new(Method::DELETE, format!("/v2/{repo}/manifests/{digest}"))
                    .with(accept_manifests()),
                &scope,
                0,
                &place,
            )
            .await?;
        match reply.status {
            200..=299 => Ok(()),
            405 => Err(RegistryError::Unsupported {
                place,
                what: "manifest deletion (HTTP 405: deletion is disabled on this registry)".into(),
            }),
            _ => Err(self.failure(&reply, &scope, &place).await),
        }
    }

    pub async fn put_manifest(
        &self,
        repo: &str,
        reference: &str,
        media_type: &str,
        bytes: &[u8],
    ) -> Result<Digest, RegistryError> {
        let place = self.place(Some(repo), Some(reference));
        check_names(repo, reference, &place)?;
        let computed = Digest::sha256_of(bytes);
        if let Ok(d) = Digest::parse(reference) {
            if !d.verifies(bytes) {
                return Err(RegistryError::DigestMismatch {
                    place,
                    expected: d.to_string(),
                    actual: computed.to_string(),
                });
            }
        }
        if bytes.len() as u64 > MANIFEST_LIMIT {
            return Err(RegistryError::TooLarge {
                place,
                limit: MANIFEST_LIMIT,
            });
        }
        let ctype = HeaderValue::from_str(media_type).map_err(|_| RegistryError::Other {
            place: place.clone(),
            detail: format!("media type {media_type:?} is not a valid header value"),
        })?;
        let scope = Scope::Push(repo.into());
        let reply = self
            .call(
                Request::new(Method::PUT, format!("/v2/{repo}/manifests/{reference}"))
                    .header(CONTENT_TYPE, ctype)
                    .body(bytes.to_vec()),
                &scope,
                64 * 1024,
                &place,
            )
            .await?;
        if !reply.is_success() {
            return Err(self.failure(&reply, &scope, &place).await);
        }
        if let Some(claimed) = reply
            .header("docker-content-digest")
            .and_then(|d| Digest::parse(d.trim()).ok())
        {
            if claimed.algorithm() == "sha256" && claimed != computed {
                return Err(RegistryError::DigestMismatch {
                    place,
                    expected: computed.to_string(),
                    actual: claimed.to_string(),
                });
            }
        }
        Ok(computed)
    }
}

fn build(
    method: &Method,
    url: &str,
    headers: &[(HeaderName, HeaderValue)],
    body: Option<&[u8]>,
    auth: Option<&HeaderValue>,
) -> Request {
    let mut req = Request::new(method.clone(), url);
    req.headers.extend(headers.iter().cloned());
    if let Some(a) = auth {
        req = req.header(AUTHORIZATION, a.clone());
    }
    if let Some(b) = body {
        req = req.body(b.to_vec());
    }
    req
}

pub(crate) fn accept_manifests() -> (HeaderName, HeaderValue) {
    (
        ACCEPT,
        HeaderValue::from_str(&media::ACCEPT_MANIFESTS.join(", ")).expect("static media types"),
    )
}

/// Repository names and references go into URL paths: refuse anything that is not one,
/// so `../` or `?` can never reach the registry.
pub(crate) fn check_names(repo: &str, reference: &str, place: &Place) -> Result<(), RegistryError> {
    check_repo(repo, place)?;
    let ok_tag = !reference.is_empty()
        && reference.len() <= 128
        && reference
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
        && reference
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
    if ok_tag || Digest::parse(reference).is_ok() {
        Ok(())
    } else {
        Err(RegistryError::Other {
            place: place.clone(),
            detail: format!("{reference:?} is neither a tag nor a digest"),
        })
    }
}

pub(crate) fn check_repo(repo: &str, place: &Place) -> Result<(), RegistryError> {
    let ok = !repo.is_empty()
        && repo.len() <= 255
        && repo.split('/').all(|part| {
            !part.is_empty()
                && part.chars().all(|c| {
                    c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-')
                })
                && part
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphanumeric())
                && part
                    .chars()
                    .last()
                    .is_some_and(|c| c.is_ascii_alphanumeric())
        });
    if ok {
        Ok(())
    } else {
        Err(RegistryError::Other {
            place: place.clone(),
            detail: format!("{repo:?} is not a valid repository name"),
        })
    }
}
