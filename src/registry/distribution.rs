//! The OCI Distribution API client: one per registry host. Requests go through the shared
//! [`Transport`] and [`Authenticator`]; this file holds the client itself (scheme, auth
//! rounds, failure mapping), `manifests.rs` the manifest calls, `catalog.rs` the listings
//! and `blobs.rs` blobs, referrers and the [`ManifestSource`](super::ManifestSource) impl.

use super::auth::{insufficient_scope, AuthInfo, Authenticator, Scope};
use super::challenge::Challenge;
use super::credentials::{self, Credential};
use super::error::{Place, RegistryError};
use super::status::reply_error;
use super::transport::{Reply, Request, StreamReply, Transport, TransportOptions};
use crate::config::RegistrySettings;
use reqwest::header::{HeaderName, HeaderValue, AUTHORIZATION, WWW_AUTHENTICATE};
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

    /// The host the API answers on (`registry-1.docker.io` for Docker Hub).
    pub fn api_host(&self) -> &str {
        &self.api_host
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
            let sent = build(
                &req.method,
                &url,
                &req.headers,
                body,
                auth.as_ref(),
                req.probe,
            );
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
            self.count_unanswered(&reply);
            return Ok(reply);
        }
    }

    /// Like [`call`](Self::call) but leaves a successful body on the wire.
    pub(crate) async fn call_stream(
        &self,
        path: &str,
        headers: &[(HeaderName, HeaderValue)],
        scope: &Scope,
        place: &Place,
    ) -> Result<StreamReply, RegistryError> {
        let url = self.url(path).await?;
        let mut auth = self.auth.header_for(scope, place).await?;
        let mut rounds = 0;
        loop {
            let req = build(&Method::GET, &url, headers, None, auth.as_ref(), false);
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
                        None => {
                            self.count_unanswered(&reply);
                            return Err(self.failure(&reply, scope, place).await);
                        }
                    }
                }
                Err(reply) => {
                    self.count_unanswered(&reply);
                    return Err(self.failure(&reply, scope, place).await);
                }
            }
        }
    }

    /// A 401 challenge still standing after our answer is a real failure; the transport
    /// counted it as a challenge, so it is counted as an error here.
    fn count_unanswered(&self, reply: &Reply) {
        if reply.status == 401 && reply.headers.contains_key(WWW_AUTHENTICATE) {
            self.transport.count_error();
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
                let found = self.auth.credentials().await;
                let source = &found.source;
                let detail = if matches!(source, credentials::CredentialSource::Anonymous) {
                    format!(
                        "{detail} (no credentials found for {}; {})",
                        self.host,
                        found.searched_text()
                    )
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

    /// `GET /v2/` with the client's credentials, as `docker login` checks them: `Ok` when
    /// the registry accepts them (or asks for none), the refusal otherwise.
    pub async fn check_credentials(&self) -> Result<(), RegistryError> {
        let place = self.place(None, None);
        let req = Request::new(Method::GET, "/v2/");
        let reply = self.call(req, &Scope::Catalog, 64 * 1024, &place).await?;
        if (200..300).contains(&reply.status) {
            Ok(())
        } else {
            Err(self.failure(&reply, &Scope::Catalog, &place).await)
        }
    }

    /// `GET /v2/`: the API version check a runtime does first (the doctor's reach step).
    pub async fn ping(&self) -> Result<Reply, RegistryError> {
        let place = self.place(None, None);
        let url = format!("{}/v2/", self.base_url().await?);
        self.transport
            .send(&Request::new(Method::GET, url), 64 * 1024, &place)
            .await
    }
}

fn build(
    method: &Method,
    url: &str,
    headers: &[(HeaderName, HeaderValue)],
    body: Option<&[u8]>,
    auth: Option<&HeaderValue>,
    probe: bool,
) -> Request {
    let mut req = Request::new(method.clone(), url).probe(probe);
    req.headers.extend(headers.iter().cloned());
    if let Some(a) = auth {
        req = req.header(AUTHORIZATION, a.clone());
    }
    if let Some(b) = body {
        req = req.body(b.to_vec());
    }
    req
}
