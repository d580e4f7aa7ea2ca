//! The `/api/v2.0` client: one per Harbor host. Basic credentials are sent preemptively,
//! because a 401 from Harbor's API carries no `WWW-Authenticate` challenge to answer;
//! robot accounts (`robot$name`) are Basic credentials like any other. Listings page with
//! `page`/`page_size` (at most 100) until Harbor stops offering a `rel="next"` link.

use crate::config::RegistrySettings;
use crate::registry::credentials::{self, Credential, CredentialLookup};
use crate::registry::error::{Place, RegistryError};
use crate::registry::status::reply_error;
use crate::registry::transport::{Reply, Request, Transport, TransportOptions, DOCUMENT_LIMIT};
use base64::Engine as _;
use reqwest::header::{HeaderValue, ACCEPT, AUTHORIZATION};
use reqwest::Method;
use serde::de::DeserializeOwned;
use std::path::PathBuf;

/// Harbor's maximum `page_size`; every listing asks for full pages.
pub const PAGE_SIZE: usize = 100;
/// A listing that has not ended after this many pages is refused (a server looping).
const MAX_PAGES: usize = 100_000;

/// What tests and front ends may inject instead of the environment's defaults.
#[derive(Clone, Debug, Default)]
pub struct HarborOptions {
    /// The directory holding Docker's `config.json` (instead of `DOCKER_CONFIG`).
    pub docker_config_dir: Option<PathBuf>,
    /// Credentials to use instead of looking them up.
    pub credential: Option<Credential>,
    pub transport: Option<TransportOptions>,
    /// Entries per page (1..=100); the default is the maximum.
    pub page_size: Option<usize>,
}

#[derive(Debug)]
pub struct HarborClient {
    host: String,
    settings: RegistrySettings,
    base: tokio::sync::OnceCell<String>,
    transport: Transport,
    options: HarborOptions,
    creds: tokio::sync::OnceCell<CredentialLookup>,
    page_size: usize,
}

impl HarborClient {
    pub fn new(
        host: &str,
        settings: &RegistrySettings,
        options: HarborOptions,
    ) -> Result<Self, RegistryError> {
        let host = host.trim().trim_end_matches('/').to_string();
        if host.is_empty() || host.contains('/') || host.contains("://") {
            return Err(RegistryError::Refused {
                place: Place {
                    registry: host,
                    ..Place::default()
                },
                why: "a Harbor host is HOST[:PORT], without scheme or path".into(),
            });
        }
        let topts = options
            .transport
            .clone()
            .unwrap_or_else(|| TransportOptions::from_settings(settings));
        let transport = Transport::new(&host, settings, topts)?;
        let page_size = options.page_size.unwrap_or(PAGE_SIZE).clamp(1, PAGE_SIZE);
        Ok(HarborClient {
            host,
            settings: settings.clone(),
            base: tokio::sync::OnceCell::new(),
            transport,
            options,
            creds: tokio::sync::OnceCell::new(),
            page_size,
        })
    }

    pub fn host(&self) -> &str {
        &self.host
    }

    pub fn stats(&self) -> crate::registry::TrafficStats {
        self.transport.stats()
    }

    pub fn concurrency(&self) -> usize {
        self.settings.concurrency()
    }

    pub(crate) fn place(&self, repository: Option<&str>, reference: Option<&str>) -> Place {
        Place {
            registry: self.host.clone(),
            repository: repository.map(str::to_string),
            reference: reference.map(str::to_string),
        }
    }

    /// Where the credentials came from (for `--verbose` and the doctor); never the secret.
    pub async fn credential_source(&self) -> credentials::CredentialSource {
        self.credentials().await.source.clone()
    }

    async fn credentials(&self) -> &CredentialLookup {
        self.creds
            .get_or_init(|| async {
                let found = match &self.options.credential {
                    Some(c) => CredentialLookup {
                        credential: c.clone(),
                        source: credentials::CredentialSource::Explicit,
                        ..CredentialLookup::default()
                    },
                    None => {
                        credentials::lookup(&self.host, self.options.docker_config_dir.clone())
                            .await
                    }
                };
                if let Some(w) = &found.warning {
                    tracing::warn!(registry = %self.host, "credentials: {w}");
                }
                found
            })
            .await
    }

    /// `https://HOST/api/v2.0`, or plain HTTP for a loopback or `insecure` Harbor that does
    /// not speak TLS (decided once, by trying TLS first).
    async fn api_base(&self) -> &str {
        self.base
            .get_or_init(|| async {
                let https = format!("https://{}", self.host);
                let may_be_http =
                    self.settings.insecure || crate::registry::is_loopback_host(&self.host);
                if !may_be_http
                    || self
                        .transport
                        .speaks_tls(&format!("{https}/api/v2.0/systeminfo"))
                        .await
                {
                    format!("{https}/api/v2.0")
                } else {
                    format!("http://{}/api/v2.0", self.host)
                }
            })
            .await
    }

    async fn authorization(&self) -> Option<HeaderValue> {
        match &self.credentials().await.credential {
            Credential::Basic { username, password } => {
                let raw = base64::engine::general_purpose::STANDARD
                    .encode(format!("{username}:{password}"));
                let mut v = HeaderValue::from_str(&format!("Basic {raw}")).ok()?;
                v.set_sensitive(true);
                Some(v)
            }
            // Harbor's API takes no OAuth refresh token; anonymous sees public projects.
            Credential::IdentityToken { .. } | Credential::Anonymous => None,
        }
    }

    /// GET `path_and_query` (relative to `/api/v2.0`); any final status is returned.
    pub(crate) async fn get(
        &self,
        path_and_query: &str,
        place: &Place,
    ) -> Result<Reply, RegistryError> {
        self.get_with(path_and_query, place, None).await
    }

    /// GET with one extra request header (`X-Accept-Vulnerabilities`).
    async fn get_with(
        &self,
        path_and_query: &str,
        place: &Place,
        extra: Option<(&'static str, HeaderValue)>,
    ) -> Result<Reply, RegistryError> {
        let url = format!("{}{path_and_query}", self.api_base().await);
        let mut req = Request::new(Method::GET, url)
            .header(ACCEPT, HeaderValue::from_static("application/json"));
        if let Some((name, value)) = extra {
            req = req.header(reqwest::header::HeaderName::from_static(name), value);
        }
        if let Some(a) = self.authorization().await {
            req = req.header(AUTHORIZATION, a);
        }
        self.transport.send(&req, DOCUMENT_LIMIT, place).await
    }

    /// GET and decode one JSON document; `Ok(None)` on 404.
    pub(crate) async fn get_json<T: DeserializeOwned>(
        &self,
        path_and_query: &str,
        place: &Place,
    ) -> Result<Option<T>, RegistryError> {
        self.get_json_with(path_and_query, place, None).await
    }

    pub(crate) async fn get_json_with<T: DeserializeOwned>(
        &self,
        path_and_query: &str,
        place: &Place,
        extra: Option<(&'static str, HeaderValue)>,
    ) -> Result<Option<T>, RegistryError> {
        let reply = self.get_with(path_and_query, place, extra).await?;
        if reply.status == 404 {
            return Ok(None);
        }
        if !reply.is_success() {
            return Err(reply_error(&reply, place));
        }
        decode(&reply, place).map(Some)
    }

    /// Every entry of a paged listing. `query` is the listing's own query (`with_tag=true`)
    /// without `page`/`page_size`. The next page is asked for while Harbor's `Link` offers
    /// `rel="next"` (built here as `page+1`: Harbor writes the link with its query
    /// unescaped, which does not survive a `q=` filter), or, without a `Link` header,
    /// while `X-Total-Count` says more remain.
    pub(crate) async fn list<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &str,
        place: &Place,
    ) -> Result<Vec<T>, RegistryError> {
        let mut out: Vec<T> = Vec::new();
        for page in 1..=MAX_PAGES {
            let sep = if query.is_empty() { "" } else { "&" };
            let pq = format!(
                "{path}?{query}{sep}page={page}&page_size={}",
                self.page_size
            );
            let reply = self.get(&pq, place).await?;
            if !reply.is_success() {
                return Err(reply_error(&reply, place));
            }
            let items: Vec<T> = decode(&reply, place)?;
            let got = items.len();
            out.extend(items);
            let more = match reply.header("link") {
                Some(link) => crate::registry::catalog::next_link(link).is_some(),
                None => reply
                    .header("x-total-count")
                    .and_then(|t| t.trim().parse::<usize>().ok())
                    .is_some_and(|total| out.len() < total),
            };
            if !more || got == 0 {
                return Ok(out);
            }
        }
        Err(RegistryError::Malformed {
            place: place.clone(),
            detail: format!("{path}: still paging after {MAX_PAGES} pages"),
        })
    }
}

fn decode<T: DeserializeOwned>(reply: &Reply, place: &Place) -> Result<T, RegistryError> {
    serde_json::from_slice(&reply.body).map_err(|e| RegistryError::Malformed {
        place: place.clone(),
        detail: format!("Harbor's answer is not the document its API describes: {e}"),
    })
}
