//! An ECR registry as a [`ManifestSource`], for what only manifests and blobs can tell
//! (inspect, layers, raw view): listings come from the ECR API, manifests and blobs from
//! the registry endpoint's OCI Distribution API, authenticated with the Basic credentials
//! `GetAuthorizationToken` hands out. The token is refreshed before it expires, and the
//! Distribution client is rebuilt around the new one.
//!
//! Reading a manifest here is a pull in ECR's eyes (it moves "last pulled"); front ends
//! ask [`EcrManifestSource::opening_counts_as_pull`] and show
//! [`super::OPENING_COUNTS_AS_PULL`] before they open an image.

use super::{EcrClient, EcrConnectOptions};
use crate::config::RegistrySettings;
use crate::model::Digest;
use crate::registry::credentials::Credential;
use crate::registry::{
    BlobReader, ClientOptions, DistributionClient, FetchedManifest, ManifestHead, ManifestSource,
    Place, Referrers, RegistryError, Target, TrafficStats,
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::sync::Arc;

pub struct EcrManifestSource {
    registry: String,
    /// The ECR API client, given or built on first use (so opening stays synchronous).
    ecr: tokio::sync::OnceCell<Arc<EcrClient>>,
    /// What to build the client from when it was not given.
    lazy: Option<(Target, EcrConnectOptions)>,
    settings: RegistrySettings,
    options: ClientOptions,
    /// The registry endpoint host, when not the token's `proxyEndpoint` (tests, proxies).
    endpoint_host: Option<String>,
    /// The Distribution client and the expiry of the token it carries.
    current: tokio::sync::Mutex<Option<(DateTime<Utc>, Arc<DistributionClient>)>>,
}

impl EcrManifestSource {
    pub fn new(ecr: Arc<EcrClient>, settings: &RegistrySettings) -> Self {
        EcrManifestSource {
            registry: ecr.registry_name().to_string(),
            ecr: tokio::sync::OnceCell::new_with(Some(ecr)),
            lazy: None,
            settings: settings.clone(),
            options: ClientOptions::default(),
            endpoint_host: None,
            current: tokio::sync::Mutex::new(None),
        }
    }

    /// A source whose API client is built (credential chain and all) on first use.
    pub fn lazy(target: &Target, settings: &RegistrySettings, opts: EcrConnectOptions) -> Self {
        EcrManifestSource {
            registry: target.display_name(),
            ecr: tokio::sync::OnceCell::new(),
            lazy: Some((target.clone(), opts)),
            settings: settings.clone(),
            options: ClientOptions::default(),
            endpoint_host: None,
            current: tokio::sync::Mutex::new(None),
        }
    }

    /// Talks OCI to `host` (`HOST[:PORT]`) instead of the endpoint the token names.
    pub fn with_endpoint_host(mut self, host: &str, options: ClientOptions) -> Self {
        self.endpoint_host = Some(host.to_string());
        self.options = options;
        self
    }

    /// Always true: in ECR, reading a manifest updates the image's "last pulled" time.
    pub fn opening_counts_as_pull(&self) -> bool {
        true
    }

    /// The ECR API client.
    pub async fn ecr(&self) -> Result<&EcrClient, RegistryError> {
        self.ecr
            .get_or_try_init(|| async {
                let (target, opts) = self.lazy.clone().ok_or_else(|| RegistryError::Other {
                    place: Place {
                        registry: self.registry.clone(),
                        ..Place::default()
                    },
                    detail: "no ECR client".into(),
                })?;
                EcrClient::connect(&target, &self.settings, opts)
                    .await
                    .map(Arc::new)
            })
            .await
            .map(|a| a.as_ref())
    }

    /// The Distribution client for the current token, rebuilt when the token was renewed.
    async fn oci(&self) -> Result<Arc<DistributionClient>, RegistryError> {
        let ecr = self.ecr().await?;
        let auth = ecr.registry_auth().await?;
        let mut current = self.current.lock().await;
        if let Some((expires, client)) = current.as_ref() {
            if *expires == auth.expires_at {
                return Ok(client.clone());
            }
        }
        let host = match (&self.endpoint_host, &auth.endpoint, ecr.account()) {
            (Some(h), _, _) => h.clone(),
            (None, Some(e), _) => e
                .trim_start_matches("https://")
                .trim_end_matches('/')
                .to_string(),
            (None, None, Some(a)) => format!("{a}.dkr.ecr.{}.amazonaws.com", ecr.region()),
            (None, None, None) => {
                return Err(RegistryError::Malformed {
                    place: ecr.place(None, None),
                    detail: "GetAuthorizationToken named no registry endpoint".into(),
                })
            }
        };
        let mut options = self.options.clone();
        options.credential = Some(Credential::Basic {
            username: auth.username.clone(),
            password: auth.password.expose().to_string(),
        });
        let client = Arc::new(DistributionClient::with_options(
            &host,
            &self.settings,
            options,
        )?);
        *current = Some((auth.expires_at, client.clone()));
        Ok(client)
    }
}

#[async_trait]
impl ManifestSource for EcrManifestSource {
    fn registry_name(&self) -> String {
        self.registry.clone()
    }
    /// From `DescribeRepositories`: ECR has no catalog endpoint worth the name.
    async fn repositories(&self, prefix: Option<&str>) -> Result<Vec<String>, RegistryError> {
        let repos = self.ecr().await?.repositories().await?;
        Ok(repos
            .into_iter()
            .map(|r| r.name)
            .filter(|n| match prefix {
                None => true,
                Some(p) => n == p || n.starts_with(&format!("{}/", p.trim_end_matches('/'))),
            })
            .collect())
    }
    /// From `DescribeImages`, so listing tags is not a pull.
    async fn tags(&self, repository: &str) -> Result<Vec<String>, RegistryError> {
        let d = self.ecr().await?.describe_images(repository).await?;
        let mut tags: Vec<String> = d.images.into_iter().flat_map(|i| i.tags).collect();
        tags.sort();
        tags.dedup();
        Ok(tags)
    }
    async fn head_manifest(
        &self,
        repository: &str,
        reference: &str,
    ) -> Result<ManifestHead, RegistryError> {
        self.oci().await?.head_manifest(repository, reference).await
    }
    async fn manifest(
        &self,
        repository: &str,
        reference: &str,
    ) -> Result<FetchedManifest, RegistryError> {
        self.oci().await?.manifest(repository, reference).await
    }
    async fn blob(
        &self,
        repository: &str,
        digest: &Digest,
        limit: u64,
    ) -> Result<Vec<u8>, RegistryError> {
        self.oci().await?.get_blob(repository, digest, limit).await
    }
    async fn blob_reader(
        &self,
        repository: &str,
        digest: &Digest,
    ) -> Result<BlobReader, RegistryError> {
        self.oci().await?.open_blob(repository, digest).await
    }
    async fn head_blob(
        &self,
        repository: &str,
        digest: &Digest,
    ) -> Result<Option<u64>, RegistryError> {
        self.oci().await?.blob_size(repository, digest).await
    }
    async fn referrers(
        &self,
        repository: &str,
        digest: &Digest,
    ) -> Result<Referrers, RegistryError> {
        self.oci().await?.referrer_list(repository, digest).await
    }
    /// `BatchDeleteImage` by digest, with ECR's failure code on refusal.
    async fn delete_manifest(
        &self,
        repository: &str,
        digest: &Digest,
    ) -> Result<(), RegistryError> {
        let ecr = self.ecr().await?;
        let report = ecr
            .delete_images_by_digest(repository, std::slice::from_ref(digest))
            .await;
        match report.failed.into_iter().next() {
            None => Ok(()),
            Some(f) => Err(RegistryError::Other {
                place: ecr.place(Some(repository), Some(digest.as_str())),
                detail: format!(
                    "not deleted{}: {}",
                    f.code.map(|c| format!(" ({c})")).unwrap_or_default(),
                    f.reason
                ),
            }),
        }
    }
    async fn put_manifest(
        &self,
        repository: &str,
        reference: &str,
        media_type: &str,
        bytes: &[u8],
    ) -> Result<Digest, RegistryError> {
        self.oci()
            .await?
            .put_manifest(repository, reference, media_type, bytes)
            .await
    }
    fn stats(&self) -> TrafficStats {
        let mut s = self.ecr.get().map(|e| e.stats()).unwrap_or_default();
        if let Ok(cur) = self.current.try_lock() {
            if let Some((_, c)) = cur.as_ref() {
                let o = ManifestSource::stats(c.as_ref());
                s.requests += o.requests;
                s.bytes += o.bytes;
                s.retries += o.retries;
                s.throttled += o.throttled;
                s.errors += o.errors;
                s.challenges += o.challenges;
                s.fallbacks += o.fallbacks;
                s.rate_limit = o.rate_limit;
                s.warnings = o.warnings;
            }
        }
        s
    }
}
