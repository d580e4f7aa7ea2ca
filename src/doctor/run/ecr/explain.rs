//! What an ECR failure means for the person who cannot pull: the verdict, one sentence,
//! and a next step to copy (an `aws` command where one helps).

use super::{EcrWalk, Walk};
use crate::doctor::verdict::Verdict;
use crate::registry::ecr::missing_permission;
use crate::registry::RegistryError;

impl EcrWalk<'_> {
    /// The verdict for `e`, raised by `operation` (an ECR API operation or a step name).
    pub(super) fn explain(
        &self,
        w: &Walk<'_>,
        e: &RegistryError,
        operation: &str,
    ) -> (Verdict, String, String) {
        let registry = &w.registry;
        let region = self.client.region();
        let endpoint = self.client.endpoint();
        let source = self
            .source
            .as_ref()
            .map(|s| s.describe())
            .unwrap_or_else(|| "the AWS credential chain".into());
        let profile = self
            .source
            .as_ref()
            .and_then(|s| s.profile.clone())
            .map(|p| format!(" --profile {p}"))
            .unwrap_or_default();
        match e {
            RegistryError::Unreachable { detail, .. } => (
                Verdict::Unreachable,
                format!("regscope cannot reach the ECR API: {detail}."),
                format!("check DNS, VPN, proxy (HTTPS_PROXY) and VPC endpoint settings, then: curl -sv {endpoint}"),
            ),
            RegistryError::Timeout { during, .. } => (
                Verdict::Unreachable,
                format!("The ECR API at {endpoint} did not answer in time ({during})."),
                format!("check the network path to {endpoint} (proxy, VPC endpoint), then retry"),
            ),
            RegistryError::Tls { detail, .. } => (
                Verdict::Tls,
                format!("The TLS certificate of {endpoint} is not trusted: {detail}."),
                "if a corporate proxy intercepts TLS, add its CA to the system trust store (or AWS_CA_BUNDLE)".into(),
            ),
            RegistryError::Unauthorized { .. } if self.source.is_none() => (
                Verdict::Unauthorized,
                "No usable AWS credentials were found (environment, profile, SSO, web identity, container or instance role).".into(),
                format!("aws sts get-caller-identity{profile}   # then: aws configure{profile} or aws sso login{profile}"),
            ),
            RegistryError::Unauthorized { .. } => (
                Verdict::Unauthorized,
                format!("AWS rejected the credentials from {source} ({operation}): unknown, expired or mis-signed."),
                format!("aws sts get-caller-identity{profile}   # then renew them: aws sso login{profile} or aws configure{profile}"),
            ),
            RegistryError::Forbidden { code, detail, .. } => {
                let permission = missing_permission(Some(detail), operation);
                // GetAuthorizationToken is granted on "*", not on a repository.
                let arn = if permission == "ecr:GetAuthorizationToken" {
                    "\"*\"".to_string()
                } else {
                    format!(
                        "arn:aws:ecr:{region}:{}:repository/{}",
                        self.client.account().unwrap_or("ACCOUNT"),
                        w.repo
                    )
                };
                (
                    Verdict::Forbidden,
                    format!(
                        "The credentials from {source} are valid but may not {operation} ({}): missing permission {permission} on {}.",
                        code.0.as_deref().unwrap_or("AccessDenied"),
                        w.repo
                    ),
                    format!("grant {permission} on {arn} to the caller (aws sts get-caller-identity{profile}), in its IAM policy or the repository policy"),
                )
            }
            RegistryError::RateLimited { .. } => (
                Verdict::RateLimited,
                format!("ECR is throttling {operation} calls in {region} for this account."),
                "wait and retry; if it persists, spread the pulls out or request a higher ECR API quota (Service Quotas)".into(),
            ),
            RegistryError::NotFound { .. } if e.error_code() == Some("RepositoryNotFoundException") => (
                Verdict::RepositoryNotFound,
                format!("{registry} has no repository {}.", w.repo),
                format!("aws ecr describe-repositories --region {region}"),
            ),
            RegistryError::Unsupported { what, .. } => (
                Verdict::RegistryError,
                format!("The ECR endpoint {endpoint} cannot answer: {what}."),
                "use the real ECR API endpoint, or an emulator that implements this operation".into(),
            ),
            other => (Verdict::RegistryError, format!("{other}."), other.next_step()),
        }
    }
}
