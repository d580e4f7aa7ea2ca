//! Blobs (configs read whole and verified, layers streamed), the referrers API, and the
//! [`ManifestSource`] implementation that ties the Distribution client together.

use super::auth::Scope;
use super::distribution::DistributionClient;
use super::error::RegistryError;
use super::manifests::check_repo;
use super::transport::Request;
use super::{
    media, BlobRange, BlobReader, Descriptor, FetchedManifest, IndexManifest, ManifestHead,
    ManifestSource, Referrers, TrafficStats,
};
use crate::model::Digest;
use async_trait::async_trait;
use futures::StreamExt;
use reqwest::header::{HeaderValue, ACCEPT, CONTENT_RANGE, RANGE};
use reqwest::Method;

impl DistributionClient {
    pub async fn get_blob(
        &self,
        repo: &str,
        digest: &Digest,
        limit: u64,
    ) -> Result<Vec<u8>, RegistryError> {
        let place = self.place(Some(repo), Some(digest.as_str()));
        check_repo(repo, &place)?;
        let scope = Scope::Pull(repo.into());
        let reply = self
            .call(
                Request::new(Method::GET, format!("/v2/{repo}/blobs/{digest}")),
                &scope,
                limit,
                &place,
            )
            .await?;
        if !reply.is_success() {
            return Err(self.failure(&reply, &scope, &place).await);
        }
        if !digest.verifies(&reply.body) {
            return Err(RegistryError::DigestMismatch {
                place,
                expected: digest.to_string(),
                actual: Digest::sha256_of(&reply.body).to_string(),
            });
        }
        Ok(reply.body)
    }

    pub async fn open_blob(
        &self,
        repo: &str,
        digest: &Digest,
    ) -> Result<BlobReader, RegistryError> {
        let place = self.place(Some(repo), Some(digest.as_str()));
        check_repo(repo, &place)?;
        let stream = self
            .call_stream(
                &format!("/v2/{repo}/blobs/{digest}"),
                &[],
                &Scope::Pull(repo.into()),
                &place,
            )
            .await?;
        Ok(self.body_reader(stream, place))
    }

    /// Bytes `start..end` of a blob with one `Range` request. A 206 must start where we
    /// asked; a 200 is the whole blob (the registry, or a proxy, ignores `Range`).
    pub async fn open_blob_range(
        &self,
        repo: &str,
        digest: &Digest,
        start: u64,
        end: Option<u64>,
    ) -> Result<BlobRange, RegistryError> {
        let place = self.place(Some(repo), Some(digest.as_str()));
        check_repo(repo, &place)?;
        let spec = match end {
            Some(e) => format!("bytes={start}-{}", e.saturating_sub(1).max(start)),
            None => format!("bytes={start}-"),
        };
        let range = HeaderValue::from_str(&spec).expect("a byte range is a valid header");
        let stream = self
            .call_stream(
                &format!("/v2/{repo}/blobs/{digest}"),
                &[(RANGE, range)],
                &Scope::Pull(repo.into()),
                &place,
            )
            .await?;
        if stream.status != 206 {
            return Ok(BlobRange::Whole(self.body_reader(stream, place)));
        }
        let served = stream
            .headers
            .get(CONTENT_RANGE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("bytes "))
            .and_then(|v| v.split('-').next())
            .and_then(|v| v.trim().parse::<u64>().ok());
        if served != Some(start) {
            return Err(RegistryError::Malformed {
                place,
                detail: format!("asked for {spec}, the registry answered 206 with another range"),
            });
        }
        Ok(BlobRange::Partial(self.body_reader(stream, place)))
    }

    fn body_reader(
        &self,
        stream: super::transport::StreamReply,
        place: super::Place,
    ) -> BlobReader {
        let transport = self.transport.clone();
        let limit = transport.options().stream_limit;
        let floor = ThroughputFloor::new(transport.options());
        let promised = stream.response.content_length();
        let permit = stream.permit;
        let mut total: u64 = 0;
        let body = stream.response.bytes_stream().map(move |chunk| {
            // The permit lives as long as the stream: open layers count against the limit.
            let _held = &permit;
            let chunk = chunk.map_err(|e| {
                let why = super::net_error::body_cut(&e, total, promised)
                    .unwrap_or_else(|| format!("reading blob: {e}"));
                std::io::Error::other(format!("{place}: {why}"))
            })?;
            total += chunk.len() as u64;
            transport.count_bytes(chunk.len() as u64);
            if total > limit {
                return Err(std::io::Error::other(format!(
                    "{place}: blob exceeds {limit} bytes"
                )));
            }
            floor.check(total).map_err(|why| {
                std::io::Error::new(std::io::ErrorKind::TimedOut, format!("{place}: {why}"))
            })?;
            Ok(chunk)
        });
        Box::pin(tokio_util::io::StreamReader::new(body))
    }

    pub async fn blob_size(
        &self,
        repo: &str,
        digest: &Digest,
    ) -> Result<Option<u64>, RegistryError> {
        let place = self.place(Some(repo), Some(digest.as_str()));
        check_repo(repo, &place)?;
        let scope = Scope::Pull(repo.into());
        let reply = self
            .call(
                Request::new(Method::HEAD, format!("/v2/{repo}/blobs/{digest}")).probe(true),
                &scope,
                0,
                &place,
            )
            .await?;
        match reply.status {
            200..=299 => match reply
                .header("content-length")
                .and_then(|l| l.trim().parse().ok())
            {
                Some(n) => Ok(Some(n)),
                None => Err(RegistryError::Malformed {
                    place,
                    detail: "a blob HEAD answered without Content-Length".into(),
                }),
            },
            404 => Ok(None),
            _ => Err(self.failure(&reply, &scope, &place).await),
        }
    }

    /// The referrers API (OCI 1.1). A registry without it (404, 405, or a non-index
    /// answer) is `Unsupported`, for the caller to try the `sha256-<hex>` tag fallback.
    pub async fn referrer_list(
        &self,
        repo: &str,
        digest: &Digest,
    ) -> Result<Referrers, RegistryError> {
        let place = self.place(Some(repo), Some(digest.as_str()));
        check_repo(repo, &place)?;
        let scope = Scope::Pull(repo.into());
        let accept = (ACCEPT, HeaderValue::from_static(media::OCI_INDEX));
        let mut next = format!("/v2/{repo}/referrers/{digest}");
        let mut out: Vec<Descriptor> = Vec::new();
        for _ in 0..1000 {
            let reply = self
                .call(
                    Request::new(Method::GET, &next)
                        .with(accept.clone())
                        .probe(true),
                    &scope,
                    super::transport::MANIFEST_LIMIT,
                    &place,
                )
                .await?;
            match reply.status {
                200 => {}
                404 | 405 => return Ok(Referrers::Unsupported),
                _ => return Err(self.failure(&reply, &scope, &place).await),
            }
            let ctype = reply.header("content-type").unwrap_or("");
            if !ctype.starts_with(media::OCI_INDEX) {
                return Ok(Referrers::Unsupported);
            }
            let idx: IndexManifest =
                serde_json::from_slice(&reply.body).map_err(|e| RegistryError::Malformed {
                    place: place.clone(),
                    detail: format!("the referrers index is not valid: {e}"),
                })?;
            out.extend(idx.manifests);
            match reply.header("link").and_then(super::catalog::next_link) {
                Some(l) if l != next => next = l,
                _ => break,
            }
        }
        Ok(Referrers::Listed(out))
    }
}

#[async_trait]
impl ManifestSource for DistributionClient {
    fn registry_name(&self) -> String {
        self.host().to_string()
    }
    async fn repositories(&self, prefix: Option<&str>) -> Result<Vec<String>, RegistryError> {
        self.catalog(prefix).await
    }
    async fn tags(&self, repository: &str) -> Result<Vec<String>, RegistryError> {
        self.tag_list(repository).await
    }
    async fn head_manifest(
        &self,
        repository: &str,
        reference: &str,
    ) -> Result<ManifestHead, RegistryError> {
        DistributionClient::head_manifest(self, repository, reference).await
    }
    async fn manifest(
        &self,
        repository: &str,
        reference: &str,
    ) -> Result<FetchedManifest, RegistryError> {
        DistributionClient::manifest(self, repository, reference).await
    }
    async fn blob(
        &self,
        repository: &str,
        digest: &Digest,
        limit: u64,
    ) -> Result<Vec<u8>, RegistryError> {
        self.get_blob(repository, digest, limit).await
    }
    async fn blob_reader(
        &self,
        repository: &str,
        digest: &Digest,
    ) -> Result<BlobReader, RegistryError> {
        self.open_blob(repository, digest).await
    }
    async fn blob_range(
        &self,
        repository: &str,
        digest: &Digest,
        start: u64,
        end: Option<u64>,
    ) -> Result<BlobRange, RegistryError> {
        self.open_blob_range(repository, digest, start, end).await
    }
    async fn head_blob(
        &self,
        repository: &str,
        digest: &Digest,
    ) -> Result<Option<u64>, RegistryError> {
        self.blob_size(repository, digest).await
    }
    async fn referrers(
        &self,
        repository: &str,
        digest: &Digest,
    ) -> Result<Referrers, RegistryError> {
        self.referrer_list(repository, digest).await
    }
    async fn delete_manifest(
        &self,
        repository: &str,
        digest: &Digest,
    ) -> Result<(), RegistryError> {
        DistributionClient::delete_manifest(self, repository, digest).await
    }
    async fn put_manifest(
        &self,
        repository: &str,
        reference: &str,
        media_type: &str,
        bytes: &[u8],
    ) -> Result<Digest, RegistryError> {
        DistributionClient::put_manifest(self, repository, reference, media_type, bytes).await
    }
    fn stats(&self) -> TrafficStats {
        self.transport.stats()
    }
}

/// The slowest a blob download may go: after a grace period of `read_timeout` (slow
/// starts are normal), the average since the first byte must stay above `min_blob_rate`.
/// A registry trickling a byte every few seconds never trips the silence timeout; this
/// stops it without putting a total deadline on honest large layers.
struct ThroughputFloor {
    started: std::time::Instant,
    grace: std::time::Duration,
    rate: u64,
}

impl ThroughputFloor {
    fn new(o: &super::transport::TransportOptions) -> Self {
        ThroughputFloor {
            started: std::time::Instant::now(),
            grace: o.read_timeout,
            rate: o.min_blob_rate,
        }
    }

    fn check(&self, total: u64) -> Result<(), String> {
        let elapsed = self.started.elapsed();
        if self.rate == 0 || elapsed <= self.grace {
            return Ok(());
        }
        let want = (self.rate as f64 * elapsed.as_secs_f64()) as u64;
        if total >= want {
            return Ok(());
        }
        Err(format!(
            "blob download too slow: {total} bytes in {:.1}s, below the floor of {} bytes/s (min_blob_bytes_per_sec)",
            elapsed.as_secs_f64(),
            self.rate
        ))
    }
}
