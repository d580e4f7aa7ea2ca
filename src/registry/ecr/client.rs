//! Building an ECR API client for one target: credentials from the default chain
//! (environment, profiles, SSO, web identity, instance metadata), region and account from
//! the target, profile from the registry's settings, and the endpoint resolved as the SDK
//! does (`AWS_ENDPOINT_URL_ECR`, `AWS_ENDPOINT_URL`, `endpoint_url` in the profile) unless
//! the caller overrides it. Each target gets its own client, so regions and accounts sit
//! side by side in one session.

use super::error::{RetryCounters, RetryPolicy};
use super::token::TokenCache;
use crate::config::RegistrySettings;
use crate::registry::{Place, RegistryError, Target, TrafficStats};
use aws_sdk_ecr::config::interceptors::BeforeTransmitInterceptorContextRef;
use aws_sdk_ecr::config::retry::RetryConfig;
use aws_sdk_ecr::config::timeout::TimeoutConfig;
use aws_sdk_ecr::config::{
    BehaviorVersion, ConfigBag, Credentials, Intercept, Region, RuntimeComponents,
};
use aws_sdk_ecr::error::BoxError;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What a caller may pin instead of letting the SDK discover it. Everything `None` is the
/// normal, user-facing behaviour; tests pin all of it to stay hermetic.
#[derive(Clone, Debug, Default)]
pub struct EcrConnectOptions {
    /// The API endpoint (an emulator, a VPC endpoint). Wins over the environment.
    pub endpoint_url: Option<String>,
    /// Credentials to use instead of the default chain. (`Credentials` redacts its secret
    /// in `Debug`.)
    pub credentials: Option<Credentials>,
    /// Read these AWS config and credentials files instead of `~/.aws/{config,credentials}`.
    pub profile_files: Option<(PathBuf, PathBuf)>,
    pub retry: RetryPolicy,
}

/// Which link of the AWS credential chain answered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CredentialSource {
    /// The SDK's provider name (`Environment`, `ProfileFile`, `WebIdentityToken`, ...).
    pub provider: String,
    /// The profile asked for (`profile` in the registry's settings, else `AWS_PROFILE`).
    pub profile: Option<String>,
    /// When temporary credentials expire; `None` for long-lived keys.
    pub expires_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl CredentialSource {
    /// The source in words (`environment variables (AWS_ACCESS_KEY_ID)`).
    pub fn describe(&self) -> String {
        let profile = self.profile.as_deref().unwrap_or("default");
        match self.provider.as_str() {
            "Environment" | "EnvironmentVariable" => {
                "environment variables (AWS_ACCESS_KEY_ID)".into()
            }
            "ProfileFile" => format!("profile {profile} (shared AWS config/credentials files)"),
            "AssumeRoleProvider" => format!("a role assumed through profile {profile}"),
            "WebIdentityToken" => "web identity token (AWS_WEB_IDENTITY_TOKEN_FILE)".into(),
            "SSO" | "Sso" | "SsoCredentialsProvider" => {
                format!("IAM Identity Center (SSO) through profile {profile}")
            }
            "IMDSv2" | "Ec2InstanceMetadata" => "EC2 instance role (instance metadata)".into(),
            "EcsContainer" | "ContainerCredentials" => {
                "container credentials (ECS/EKS task role)".into()
            }
            "CredentialProcess" => format!("credential_process of profile {profile}"),
            other => format!("{other} credentials"),
        }
    }
}

/// Where API calls go: an explicit override first, then the environment, the configured
/// `endpoint_url`, else the region's public endpoint.
pub fn api_endpoint(
    given: Option<&str>,
    env_ecr: Option<&str>,
    configured: Option<&str>,
    region: &str,
) -> String {
    given
        .or(env_ecr.filter(|e| !e.is_empty()))
        .or(configured)
        .map(str::to_string)
        .unwrap_or_else(|| {
            let suffix = if region.starts_with("cn-") {
                "amazonaws.com.cn"
            } else {
                "amazonaws.com"
            };
            format!("https://api.ecr.{region}.{suffix}")
        })
}

/// Counts HTTP requests per API operation, as they leave (so each attempt counts).
#[derive(Debug, Default)]
pub struct ApiCallCounter {
    by_operation: Mutex<BTreeMap<String, u64>>,
}

impl ApiCallCounter {
    pub fn snapshot(&self) -> BTreeMap<String, u64> {
        self.by_operation
            .lock()
            .map(|m| m.clone())
            .unwrap_or_default()
    }
    pub fn total(&self) -> u64 {
        self.snapshot().values().sum()
    }
    pub fn count(&self, operation: &str) -> u64 {
        self.snapshot().get(operation).copied().unwrap_or(0)
    }
}

#[derive(Debug)]
struct CountingInterceptor(Arc<ApiCallCounter>);

impl Intercept for CountingInterceptor {
    fn name(&self) -> &'static str {
        "regscope-ecr-call-counter"
    }
    fn read_before_transmit(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        // The JSON protocol names the operation in X-Amz-Target: `<Service>.<Operation>`.
        let op = context
            .request()
            .headers()
            .get("x-amz-target")
            .and_then(|t| t.rsplit('.').next())
            .unwrap_or("unknown")
            .to_string();
        if let Ok(mut m) = self.0.by_operation.lock() {
            *m.entry(op).or_default() += 1;
        }
        Ok(())
    }
}

/// An ECR registry (one account in one region) reached through its API.
pub struct EcrClient {
    pub(crate) sdk: aws_sdk_ecr::Client,
    pub(super) registry: String,
    pub(super) account: Option<String>,
    pub(super) region: String,
    pub(super) prefix: Option<String>,
    pub(super) concurrency: usize,
    pub(crate) retry: RetryPolicy,
    pub(crate) counters: RetryCounters,
    pub(super) calls: Arc<ApiCallCounter>,
    pub(crate) tokens: TokenCache,
    /// Where API calls go (`https://api.ecr.REGION.amazonaws.com` unless overridden).
    pub(super) endpoint: String,
    pub(super) profile: Option<String>,
    /// The credential chain the SDK signs with (kept here: the SDK's own getter is gone).
    pub(super) credentials: Option<aws_sdk_ecr::config::SharedCredentialsProvider>,
}

impl std::fmt::Debug for EcrClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EcrClient")
            .field("registry", &self.registry)
            .field("region", &self.region)
            .field("account", &self.account)
            .finish_non_exhaustive()
    }
}

impl EcrClient {
    /// A client for an `ecr://` (or `*.dkr.ecr.*`) target. Loading the credential chain is
    /// lazy: a missing credential shows up on the first call, as an error naming the chain.
    pub async fn connect(
        target: &Target,
        settings: &RegistrySettings,
        opts: EcrConnectOptions,
    ) -> Result<EcrClient, RegistryError> {
        let Target::Ecr {
            account,
            region,
            prefix,
        } = target
        else {
            return Err(RegistryError::Refused {
                place: Place {
                    registry: target.display_name(),
                    ..Place::default()
                },
                why: "not an ECR target".into(),
            });
        };
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .region(Region::new(region.clone()))
            .timeout_config(
                TimeoutConfig::builder()
                    .connect_timeout(Duration::from_secs(10))
                    .operation_attempt_timeout(Duration::from_secs(60))
                    .build(),
            );
        if let Some(p) = &settings.profile {
            loader = loader.profile_name(p);
        }
        if let Some((config, credentials)) = &opts.profile_files {
            #[allow(deprecated)] // the alias is the loader's own parameter type
            let files = aws_config::profile::profile_file::ProfileFiles::builder()
                .with_file(
                    aws_config::profile::profile_file::ProfileFileKind::Config,
                    config,
                )
                .with_file(
                    aws_config::profile::profile_file::ProfileFileKind::Credentials,
                    credentials,
                )
                .build();
            loader = loader.profile_files(files);
        }
        if let Some(c) = opts.credentials.clone() {
            loader = loader.credentials_provider(c);
        }
        let sdk_config = loader.load().await;
        let endpoint = api_endpoint(
            opts.endpoint_url.as_deref(),
            std::env::var("AWS_ENDPOINT_URL_ECR").ok().as_deref(),
            sdk_config.endpoint_url(),
            region,
        );
        let calls = Arc::new(ApiCallCounter::default());
        let mut conf = aws_sdk_ecr::config::Builder::from(&sdk_config)
            // Our own retry loop (error.rs) decides: throttling yes, unsupported never.
            .retry_config(RetryConfig::disabled())
            .interceptor(CountingInterceptor(calls.clone()));
        if let Some(url) = &opts.endpoint_url {
            conf = conf.endpoint_url(url);
        }
        Ok(EcrClient {
            sdk: aws_sdk_ecr::Client::from_conf(conf.build()),
            registry: target.display_name(),
            account: account.clone(),
            region: region.clone(),
            prefix: prefix.clone(),
            concurrency: settings.concurrency(),
            retry: opts.retry,
            counters: RetryCounters::default(),
            calls,
            tokens: TokenCache::default(),
            endpoint,
            credentials: sdk_config.credentials_provider(),
            profile: settings
                .profile
                .clone()
                .or_else(|| std::env::var("AWS_PROFILE").ok()),
        })
    }

    /// The API endpoint calls go to, as resolved: the caller's override, then
    /// `AWS_ENDPOINT_URL_ECR`, then the configured `endpoint_url`, else the region's own.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// What the last call that failed for good answered on the wire (status, AWS code).
    pub fn last_failure(&self) -> Option<super::error::RawFailure> {
        self.counters.last_failure.lock().ok()?.clone()
    }

    /// Which credential source of the chain answered and when its credentials expire.
    /// Never the key or secret.
    pub async fn credential_source(&self) -> Result<CredentialSource, RegistryError> {
        use aws_sdk_ecr::config::ProvideCredentials;
        let place = self.place(None, None);
        let provider = self
            .credentials
            .clone()
            .ok_or_else(|| RegistryError::Unauthorized {
                place: place.clone(),
                code: crate::registry::CodeSuffix(None),
                detail: ": no AWS credential provider is configured".into(),
            })?;
        let creds = provider
            .provide_credentials()
            .await
            .map_err(|e| RegistryError::Unauthorized {
                place: place.clone(),
                code: crate::registry::CodeSuffix(None),
                detail: format!(
                    ": no usable AWS credentials (environment, profile, SSO, web identity, container or instance role): {}",
                    aws_sdk_ecr::error::DisplayErrorContext(&e)
                ),
            })?;
        // The provider's name is only exposed through `Debug` (which redacts the secret).
        let debug = format!("{creds:?}");
        let provider = debug
            .split_once("provider_name: \"")
            .and_then(|(_, rest)| rest.split('"').next())
            .unwrap_or("unknown")
            .to_string();
        Ok(CredentialSource {
            provider,
            profile: self.profile.clone(),
            expires_at: creds.expiry().map(chrono::DateTime::<chrono::Utc>::from),
        })
    }

    /// The registry's display name (`ACCOUNT.dkr.ecr.REGION.amazonaws.com` or `ecr://REGION`).
    pub fn registry_name(&self) -> &str {
        &self.registry
    }
    pub fn region(&self) -> &str {
        &self.region
    }
    /// The registry (account) id passed on every call, when the target named one.
    pub fn account(&self) -> Option<&str> {
        self.account.as_deref()
    }
    pub fn prefix(&self) -> Option<&str> {
        self.prefix.as_deref()
    }
    pub fn concurrency(&self) -> usize {
        self.concurrency
    }

    /// API requests sent so far, per operation (`DescribeImages` -> 3).
    pub fn api_calls(&self) -> BTreeMap<String, u64> {
        self.calls.snapshot()
    }

    /// Counters in the shape every backend reports.
    pub fn stats(&self) -> TrafficStats {
        TrafficStats {
            requests: self.calls.total(),
            retries: self.counters.retries.load(Ordering::Relaxed),
            throttled: self.counters.throttled.load(Ordering::Relaxed),
            errors: self.counters.errors.load(Ordering::Relaxed),
            ..TrafficStats::default()
        }
    }

    pub(crate) fn place(&self, repository: Option<&str>, reference: Option<&str>) -> Place {
        Place {
            registry: self.registry.clone(),
            repository: repository.map(str::to_string),
            reference: reference.map(str::to_string),
        }
    }

    /// Whether `repository` lies under the target's prefix (ECR has no server-side filter).
    pub fn in_prefix(&self, repository: &str) -> bool {
        match self.prefix.as_deref() {
            None => true,
            Some(p) => {
                repository == p
                    || repository
                        .strip_prefix(p)
                        .is_some_and(|rest| rest.starts_with('/'))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_endpoint_is_resolved_in_the_sdks_order() {
        let e = |g, env, cfg, r| api_endpoint(g, env, cfg, r);
        assert_eq!(
            e(None, None, None, "eu-west-1"),
            "https://api.ecr.eu-west-1.amazonaws.com"
        );
        assert_eq!(
            e(None, None, None, "cn-north-1"),
            "https://api.ecr.cn-north-1.amazonaws.com.cn"
        );
        assert_eq!(
            e(None, Some("http://env"), Some("http://cfg"), "r"),
            "http://env"
        );
        assert_eq!(e(None, Some(""), Some("http://cfg"), "r"), "http://cfg");
        assert_eq!(
            e(Some("http://given"), Some("http://env"), None, "r"),
            "http://given"
        );
        let c = CredentialSource {
            provider: "ProfileFile".into(),
            profile: Some("ci".into()),
            expires_at: None,
        };
        assert_eq!(
            c.describe(),
            "profile ci (shared AWS config/credentials files)"
        );
    }
}
