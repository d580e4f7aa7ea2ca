//! Policies and replication: the lifecycle policy of a repository (raw JSON, for the policy
//! preview to evaluate), the repository's permission policy, the registry's replication
//! rules, and where one image has been replicated to.

use super::error::{to_registry_error, with_retry};
use super::images::to_chrono;
use super::EcrClient;
use crate::model::Digest;
use crate::registry::RegistryError;
use aws_sdk_ecr::types::ImageIdentifier;
use chrono::{DateTime, Utc};
use serde::Serialize;

/// A repository's lifecycle policy as ECR stores it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EcrLifecyclePolicy {
    pub repository: String,
    /// The policy document, verbatim (`{"rules":[...]}`), for `policy::ecr` to evaluate.
    pub text: String,
    pub last_evaluated_at: Option<DateTime<Utc>>,
}

/// One registry replication rule: where matching repositories are copied.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EcrReplicationRule {
    /// `(region, registry id)` pairs.
    pub destinations: Vec<(String, String)>,
    /// Repository name prefixes the rule applies to; empty is every repository.
    pub repository_prefixes: Vec<String>,
}

/// Where one image stands in one replication destination.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EcrReplicationState {
    pub region: Option<String>,
    pub registry_id: Option<String>,
    /// `IN_PROGRESS`, `COMPLETE`, `FAILED`.
    pub status: Option<String>,
    pub failure_code: Option<String>,
}

fn absent(e: &RegistryError, code: &str) -> bool {
    matches!(e, RegistryError::NotFound { code: c, .. } if c.0.as_deref() == Some(code))
}

impl EcrClient {
    /// The lifecycle policy of `repository`; `None` when it has none.
    pub async fn lifecycle_policy(
        &self,
        repository: &str,
    ) -> Result<Option<EcrLifecyclePolicy>, RegistryError> {
        let r = with_retry(&self.retry, &self.counters, || {
            self.sdk
                .get_lifecycle_policy()
                .set_registry_id(self.account().map(str::to_string))
                .repository_name(repository)
                .send()
        })
        .await
        .map_err(|e| {
            to_registry_error(&e, self.place(Some(repository), None), "GetLifecyclePolicy")
        });
        match r {
            Ok(out) => Ok(out.lifecycle_policy_text().map(|t| EcrLifecyclePolicy {
                repository: repository.to_string(),
                text: t.to_string(),
                last_evaluated_at: out.last_evaluated_at().and_then(to_chrono),
            })),
            Err(e) if absent(&e, "LifecyclePolicyNotFoundException") => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The repository's permission policy (JSON); `None` when it has none.
    pub async fn repository_policy(
        &self,
        repository: &str,
    ) -> Result<Option<String>, RegistryError> {
        let r = with_retry(&self.retry, &self.counters, || {
            self.sdk
                .get_repository_policy()
                .set_registry_id(self.account().map(str::to_string))
                .repository_name(repository)
                .send()
        })
        .await
        .map_err(|e| {
            to_registry_error(
                &e,
                self.place(Some(repository), None),
                "GetRepositoryPolicy",
            )
        });
        match r {
            Ok(out) => Ok(out.policy_text().map(str::to_string)),
            Err(e) if absent(&e, "RepositoryPolicyNotFoundException") => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The registry's replication rules (`DescribeRegistry`). This always describes the
    /// caller's own registry in the client's region.
    pub async fn replication_rules(&self) -> Result<Vec<EcrReplicationRule>, RegistryError> {
        let out = with_retry(&self.retry, &self.counters, || {
            self.sdk.describe_registry().send()
        })
        .await
        .map_err(|e| to_registry_error(&e, self.place(None, None), "DescribeRegistry"))?;
        Ok(out
            .replication_configuration()
            .map(|c| c.rules())
            .unwrap_or_default()
            .iter()
            .map(|r| EcrReplicationRule {
                destinations: r
                    .destinations()
                    .iter()
                    .map(|d| (d.region().to_string(), d.registry_id().to_string()))
                    .collect(),
                repository_prefixes: r
                    .repository_filters()
                    .iter()
                    .map(|f| f.filter().to_string())
                    .collect(),
            })
            .collect())
    }

    /// Where `digest` has been replicated. Endpoints without this API (emulators, older
    /// partitions) answer `RegistryError::Unsupported` at once.
    pub async fn image_replication_status(
        &self,
        repository: &str,
        digest: &Digest,
    ) -> Result<Vec<EcrReplicationState>, RegistryError> {
        let id = ImageIdentifier::builder()
            .image_digest(digest.as_str())
            .build();
        let out = with_retry(&self.retry, &self.counters, || {
            self.sdk
                .describe_image_replication_status()
                .set_registry_id(self.account().map(str::to_string))
                .repository_name(repository)
                .image_id(id.clone())
                .send()
        })
        .await
        .map_err(|e| {
            to_registry_error(
                &e,
                self.place(Some(repository), Some(digest.as_str())),
                "DescribeImageReplicationStatus",
            )
        })?;
        Ok(out
            .replication_statuses()
            .iter()
            .map(|s| EcrReplicationState {
                region: s.region().map(str::to_string),
                registry_id: s.registry_id().map(str::to_string),
                status: s.status().map(|x| x.as_str().to_string()),
                failure_code: s.failure_code().map(str::to_string),
            })
            .collect())
    }
}
