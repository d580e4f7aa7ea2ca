//! The one HTTP path to registries. Every request regscope sends to a registry (and to its
//! token server) goes through [`Transport::send`] or [`Transport::open_stream`], so every
//! request gets the same per-registry concurrency limit, the same retry policy (jittered
//! exponential backoff on 429/502/503/504 and connection errors, honouring `Retry-After`),
//! the same accounting ([`TrafficStats`]) and the same size caps.

use super::adaptive::{Concurrency, Limiter, Permit, Signal};
use super::error::{Place, RegistryError};
use super::net_error::{body_cut, error_chain, network_error, redact_query};
use super::status::retry_after;
use super::traffic::TrafficCell;
use super::TrafficStats;
use crate::config::RegistrySettings;
use futures::StreamExt;
use reqwest::header::WWW_AUTHENTICATE;
use reqwest::Method;
use std::sync::Arc;
use std::time::Duration;

/// Manifests are refused above this (the distribution registry's own limit is 4 MiB).
pub const MANIFEST_LIMIT: u64 = 4 * 1024 * 1024 + 64 * 1024;
/// JSON documents other than manifests (catalog pages, tag lists, token replies).
pub const DOCUMENT_LIMIT: u64 = 32 * 1024 * 1024;
/// Error bodies are read only this far: enough for a registry error document or a title.
const ERROR_BODY_LIMIT: u64 = 64 * 1024;
/// A server asking us to wait longer than this is not retried; the caller gets the
/// `Retry-After` value to show instead of a frozen screen.
pub const RETRY_AFTER_CAP: Duration = Duration::from_secs(60);

/// Timeouts and retry policy. The defaults suit a registry across the internet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TransportOptions {
    pub connect_timeout: Duration,
    /// Longest silence while waiting for response headers or body bytes.
    pub read_timeout: Duration,
    /// Longest whole exchange for a document read by [`Transport::send`] (manifest, tag
    /// list, catalog page, token), retries included: silence resets `read_timeout` with
    /// every byte, so a registry trickling one byte at a time is stopped only by this.
    pub request_timeout: Duration,
    /// Slowest average a streamed blob may keep once `read_timeout` has passed, in bytes
    /// per second (0: no floor).
    pub min_blob_rate: u64,
    /// Retries after the first attempt.
    pub max_retries: u32,
    pub backoff_base: Duration,
    pub backoff_max: Duration,
    /// Largest streamed blob accepted (layers); a larger `Content-Length` is refused.
    pub stream_limit: u64,
}

impl Default for TransportOptions {
    fn default() -> Self {
        TransportOptions {
            connect_timeout: Duration::from_secs(10),
            read_timeout: Duration::from_secs(30),
            request_timeout: Duration::from_secs(60),
            min_blob_rate: 1024,
            max_retries: 3,
            backoff_base: Duration::from_millis(250),
            backoff_max: Duration::from_secs(8),
            stream_limit: 64 * 1024 * 1024 * 1024,
        }
    }
}

impl TransportOptions {
    /// The defaults, overridden by whatever the registry's settings say.
    pub fn from_settings(s: &RegistrySettings) -> Self {
        let mut o = TransportOptions::default();
        if let Some(t) = s.connect_timeout_secs {
            o.connect_timeout = Duration::from_secs(t.clamp(1, 600));
        }
        // Out-of-range values were reset when the config was read; the clamps keep a
        // settings value built in code from overflowing the clock.
        if let Some(t) = s.read_timeout_secs {
            o.read_timeout = Duration::from_secs(t.clamp(1, 3600));
        }
        if let Some(t) = s.request_timeout_secs {
            o.request_timeout = Duration::from_secs(t.clamp(1, 86_400));
        }
        if let Some(r) = s.min_blob_bytes_per_sec {
            o.min_blob_rate = r;
        }
        if let Some(r) = s.max_retries {
            o.max_retries = r.min(10);
        }
        o
    }
}

pub use super::exchange::{Reply, Request, StreamReply};

/// Per-registry HTTP client. Cheap to clone; clones share the connection pool, the
/// concurrency limit and the counters.
#[derive(Clone)]
pub struct Transport {
    client: reqwest::Client,
    /// Requests in flight, adapted to how the registry answers (`adaptive`).
    limit: Arc<Limiter>,
    traffic: Arc<TrafficCell>,
    options: TransportOptions,
    registry: String,
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transport")
            .field("registry", &self.registry)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl Transport {
    pub fn new(
        registry: &str,
        settings: &RegistrySettings,
        options: TransportOptions,
    ) -> Result<Self, RegistryError> {
        let place = Place {
            registry: registry.to_string(),
            ..Place::default()
        };
        let mut builder = reqwest::Client::builder()
            .user_agent(concat!("regscope/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(options.connect_timeout)
            .read_timeout(options.read_timeout)
            .pool_max_idle_per_host(settings.concurrency_ceiling())
            .pool_idle_timeout(Duration::from_secs(90))
            .redirect(reqwest::redirect::Policy::limited(5));
        if settings.insecure {
            // `insecure = true` is the user's explicit choice for this registry (as Docker's
            // insecure-registries): plain HTTP allowed and certificates not verified.
            builder = builder.tls_danger_accept_invalid_certs(true);
        }
        if let Some(path) = &settings.ca_file {
            let pem = std::fs::read(path).map_err(|e| RegistryError::Refused {
                place: place.clone(),
                why: format!("cannot read ca_file {}: {e}", path.display()),
            })?;
            let certs =
                super::tls::read_pem_certificates(&pem).map_err(|e| RegistryError::Refused {
                    place: place.clone(),
                    why: format!("ca_file {} is not PEM certificates: {e}", path.display()),
                })?;
            if certs.is_empty() {
                return Err(RegistryError::Refused {
                    place,
                    why: format!("ca_file {} holds no certificate", path.display()),
                });
            }
            // With `insecure` nothing is verified anyway; else the file's certificates are
            // trusted as roots, and a server certificate that is itself in the file as it
            // is (a self-signed `openssl req -x509` one), as curl and skopeo do.
            if !settings.insecure {
                let tls =
                    super::tls::client_config(certs).map_err(|why| RegistryError::Refused {
                        place: place.clone(),
                        why,
                    })?;
                builder = builder.tls_backend_preconfigured(tls);
            }
        }
        let client = builder.build().map_err(|e| RegistryError::Other {
            place,
            detail: format!("cannot build the HTTP client: {e}"),
        })?;
        Ok(Transport {
            client,
            limit: Limiter::new(settings.concurrency_start(), settings.concurrency_ceiling()),
            traffic: Arc::new(TrafficCell::default()),
            options,
            registry: registry.to_string(),
        })
    }

    pub fn options(&self) -> &TransportOptions {
        &self.options
    }

    pub fn stats(&self) -> TrafficStats {
        let mut s = self.traffic.snapshot();
        s.concurrency = Some(self.concurrency());
        s
    }

    /// The adaptive in-flight limit's figures so far.
    pub fn concurrency(&self) -> Concurrency {
        self.limit.figures()
    }

    /// Sends `req` (retrying as the policy says) and reads the body, refusing more than
    /// `cap` bytes for a success. Returns every final status; only transport failures and
    /// oversize bodies are errors here. The whole exchange, retries included, must finish
    /// within `request_timeout`.
    pub async fn send(
        &self,
        req: &Request,
        cap: u64,
        place: &Place,
    ) -> Result<Reply, RegistryError> {
        let deadline = self.options.request_timeout;
        match tokio::time::timeout(deadline, self.send_and_read(req, cap, place)).await {
            Ok(result) => result,
            Err(_) => {
                self.traffic.add_error();
                Err(RegistryError::Timeout {
                    place: place.clone(),
                    after: deadline,
                    during: "the whole request took longer than request_timeout_secs".into(),
                })
            }
        }
    }

    /// [`send`](Self::send) without the deadline. A body cut mid-way (reset, truncation,
    /// silence) is retried like a failed request: the first bytes prove nothing.
    async fn send_and_read(
        &self,
        req: &Request,
        cap: u64,
        place: &Place,
    ) -> Result<Reply, RegistryError> {
        let mut attempt: u32 = 0;
        loop {
            let (resp, permit) = self.send_with_retries(req, place).await?;
            let status = resp.status().as_u16();
            let headers = resp.headers().clone();
            let url = resp.url().to_string();
            let success = (200..300).contains(&status);
            let limit = if success { cap } else { ERROR_BODY_LIMIT };
            let body = if req.method == Method::HEAD {
                Ok(Vec::new())
            } else {
                self.read_body(resp, limit, success, place).await
            };
            drop(permit);
            match body {
                Ok(body) => {
                    return Ok(Reply {
                        status,
                        headers,
                        body,
                        url,
                    })
                }
                Err(e) if e.is_transient() && attempt < self.options.max_retries => {
                    let wait = self.backoff(attempt);
                    attempt += 1;
                    self.traffic.add_retry();
                    tracing::debug!(registry = %self.registry, url = %redact_query(&req.url), attempt, ?wait, error = %e, "body cut; retrying");
                    tokio::time::sleep(wait).await;
                }
                Err(e) => {
                    self.traffic.add_error();
                    return Err(e);
                }
            }
        }
    }

    /// Sends `req` and hands back the response unread when it succeeded; any other final
    /// status is read (bounded) and returned as a [`Reply`] for the caller to map.
    pub async fn open_stream(
        &self,
        req: &Request,
        place: &Place,
    ) -> Result<Result<StreamReply, Reply>, RegistryError> {
        let (resp, permit) = self.send_with_retries(req, place).await?;
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        if (200..300).contains(&status) {
            if let Some(len) = resp.content_length() {
                if len > self.options.stream_limit {
                    self.traffic.add_error();
                    return Err(RegistryError::TooLarge {
                        place: place.clone(),
                        limit: self.options.stream_limit,
                    });
                }
            }
            return Ok(Ok(StreamReply {
                status,
                headers,
                response: resp,
                permit,
            }));
        }
        let url = resp.url().to_string();
        let body = self
            .read_body(resp, ERROR_BODY_LIMIT, false, place)
            .await
            .inspect_err(|_| self.traffic.add_error())?;
        Ok(Err(Reply {
            status,
            headers,
            body,
            url,
        }))
    }

    /// Whether the server at `url` speaks TLS: one attempt, no retries. A certificate
    /// problem still means TLS (the caller will report it); a server answering the
    /// handshake with plain HTTP, closing, or not answering in time means it does not.
    pub async fn speaks_tls(&self, url: &str) -> bool {
        let _permit = self.limit.acquire().await;
        self.traffic.add_request();
        let wait = self.options.connect_timeout;
        match tokio::time::timeout(wait, self.client.get(url).send()).await {
            Ok(Ok(_)) => true,
            Ok(Err(e)) => {
                let chain = error_chain(&e).to_lowercase();
                [
                    "certificate",
                    "unknownissuer",
                    "notvalidforname",
                    "expired",
                    "badsignature",
                ]
                .iter()
                .any(|w| chain.contains(w))
            }
            Err(_) => false,
        }
    }

    /// The leaf certificate (DER) a TLS server presents, read without verifying it, so the
    /// doctor can say whose certificate failed verification. Nothing is sent but `GET /v2/`.
    pub async fn peer_certificate(&self, url: &str) -> Option<Vec<u8>> {
        let client = reqwest::Client::builder()
            .tls_danger_accept_invalid_certs(true)
            .tls_info(true)
            .connect_timeout(self.options.connect_timeout)
            .read_timeout(self.options.read_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .ok()?;
        self.traffic.add_request();
        let resp = client.get(url).send().await.ok()?;
        let info = resp.extensions().get::<reqwest::tls::TlsInfo>()?;
        info.peer_certificate().map(<[u8]>::to_vec)
    }

    /// Counts a failure the transport could not see as one: a 401 challenge that the
    /// caller could not answer (wrong password, no credentials).
    pub fn count_error(&self) {
        self.traffic.add_error();
    }

    /// Counts bytes that a stream reader consumed (the transport cannot see them).
    pub fn count_bytes(&self, n: u64) {
        self.traffic.add_bytes(n);
    }

    async fn send_with_retries(
        &self,
        req: &Request,
        place: &Place,
    ) -> Result<(reqwest::Response, Permit), RegistryError> {
        let mut attempt: u32 = 0;
        loop {
            let permit = self.limit.acquire().await;
            self.traffic.add_request();
            let result = self.build(req).send().await;
            let wait = match result {
                Ok(resp) => {
                    let status = resp.status().as_u16();
                    self.traffic.observe_headers(resp.headers());
                    let busy = matches!(status, 429 | 503 | 504)
                        || resp.headers().contains_key(reqwest::header::RETRY_AFTER);
                    let signal = if busy {
                        Signal::Throttled
                    } else {
                        Signal::Answered
                    };
                    self.limit.answered(&permit, signal);
                    if status == 429 {
                        self.traffic.add_throttled();
                    }
                    // Only the final answer counts (a 503 that a retry fixed is a
                    // retry, not an error).
                    let last = !matches!(status, 429 | 502 | 503 | 504)
                        || attempt >= self.options.max_retries;
                    let wait = if last {
                        None
                    } else {
                        match retry_after(resp.headers()) {
                            Some(d) if d > RETRY_AFTER_CAP => None,
                            Some(d) => Some(d),
                            None => Some(self.backoff(attempt)),
                        }
                    };
                    match wait {
                        Some(d) => d,
                        None => {
                            let challenged = resp.headers().contains_key(WWW_AUTHENTICATE);
                            self.traffic.classify(status, req.probe, challenged);
                            return Ok((resp, permit));
                        }
                    }
                }
                Err(e) => {
                    let err = network_error(&e, place, &self.options, req);
                    if matches!(err, RegistryError::Timeout { .. }) {
                        self.limit.answered(&permit, Signal::Throttled);
                    }
                    let retryable = matches!(
                        err,
                        RegistryError::Unreachable { .. } | RegistryError::Timeout { .. }
                    );
                    if !retryable || attempt >= self.options.max_retries {
                        self.traffic.add_error();
                        return Err(err);
                    }
                    self.backoff(attempt)
                }
            };
            drop(permit);
            attempt += 1;
            self.traffic.add_retry();
            tracing::debug!(registry = %self.registry, url = %redact_query(&req.url), attempt, ?wait, "retrying");
            tokio::time::sleep(wait).await;
        }
    }

    fn build(&self, req: &Request) -> reqwest::RequestBuilder {
        let mut b = self.client.request(req.method.clone(), &req.url);
        for (k, v) in &req.headers {
            b = b.header(k, v);
        }
        if let Some(body) = &req.body {
            b = b.body(body.clone());
        }
        b
    }

    /// Equal-jitter exponential backoff: half of base·2^attempt (capped) fixed, the other
    /// half random, so waits keep their order of magnitude while spreading the herd.
    fn backoff(&self, attempt: u32) -> Duration {
        let ceiling = self
            .options
            .backoff_base
            .saturating_mul(1u32 << attempt.min(16))
            .min(self.options.backoff_max);
        let ms = ceiling.as_millis().max(1) as u64;
        Duration::from_millis(ms / 2 + fastrand::u64(0..=ms / 2))
    }

    async fn read_body(
        &self,
        resp: reqwest::Response,
        limit: u64,
        refuse_over: bool,
        place: &Place,
    ) -> Result<Vec<u8>, RegistryError> {
        let promised = resp.content_length();
        if refuse_over && promised.is_some_and(|n| n > limit) {
            return Err(RegistryError::TooLarge {
                place: place.clone(),
                limit,
            });
        }
        let mut body = Vec::new();
        let mut stream = resp.bytes_stream();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|e| match body_cut(&e, body.len() as u64, promised) {
                Some(detail) => RegistryError::Interrupted {
                    place: place.clone(),
                    detail,
                },
                None => network_error(&e, place, &self.options, &Request::new(Method::GET, "")),
            })?;
            self.traffic.add_bytes(chunk.len() as u64);
            if body.len() as u64 + chunk.len() as u64 > limit {
                if refuse_over {
                    return Err(RegistryError::TooLarge {
                        place: place.clone(),
                        limit,
                    });
                }
                let room = (limit as usize).saturating_sub(body.len());
                body.extend_from_slice(&chunk[..room.min(chunk.len())]);
                break;
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }
}
