//! Repositories from `DescribeRepositories` (paginated), with the settings people ask about
//! first: tag mutability, scan on push, encryption, creation time.

use super::error::{to_registry_error, with_retry};
use super::images::to_chrono;
use super::paginate::{collect_pages, Page, PageSource};
use super::EcrClient;
use crate::registry::{Place, RegistryError};
use async_trait::async_trait;
use aws_sdk_ecr::types::Repository;
use chrono::{DateTime, Utc};
use serde::Serialize;

/// One ECR repository. `None` is "ECR did not say".
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EcrRepository {
    pub name: String,
    pub arn: Option<String>,
    pub uri: Option<String>,
    pub registry_id: Option<String>,
    pub created_at: Option<DateTime<Utc>>,
    /// `MUTABLE`, `IMMUTABLE`, or their `_WITH_EXCLUSION` forms.
    pub tag_mutability: Option<String>,
    /// Tag filters exempt from the mutability setting.
    pub tag_mutability_exclusions: Vec<String>,
    pub scan_on_push: Option<bool>,
    /// `AES256`, `KMS`, `KMS_DSSE`.
    pub encryption: Option<String>,
    pub kms_key: Option<String>,
}

impl EcrRepository {
    pub fn from_sdk(r: &Repository) -> Option<EcrRepository> {
        Some(EcrRepository {
            name: r.repository_name()?.to_string(),
            arn: r.repository_arn().map(str::to_string),
            uri: r.repository_uri().map(str::to_string),
            registry_id: r.registry_id().map(str::to_string),
            created_at: r.created_at().and_then(to_chrono),
            tag_mutability: r.image_tag_mutability().map(|m| m.as_str().to_string()),
            tag_mutability_exclusions: r
                .image_tag_mutability_exclusion_filters()
                .iter()
                .map(|f| f.filter().to_string())
                .collect(),
            scan_on_push: r.image_scanning_configuration().map(|c| c.scan_on_push()),
            encryption: r
                .encryption_configuration()
                .map(|e| e.encryption_type().as_str().to_string()),
            kms_key: r
                .encryption_configuration()
                .and_then(|e| e.kms_key())
                .map(str::to_string),
        })
    }

    /// Whether a pushed tag can never move to another digest.
    pub fn is_immutable(&self) -> bool {
        self.tag_mutability
            .as_deref()
            .is_some_and(|m| m.starts_with("IMMUTABLE"))
    }
}

struct RepositoryPages<'a>(&'a EcrClient);

#[async_trait]
impl PageSource for RepositoryPages<'_> {
    type Item = Repository;
    async fn page(&self, token: Option<String>) -> Result<Page<Repository>, RegistryError> {
        let c = self.0;
        let out = with_retry(&c.retry, &c.counters, || {
            c.sdk
                .describe_repositories()
                .set_registry_id(c.account().map(str::to_string))
                .max_results(1000)
                .set_next_token(token.clone())
                .send()
        })
        .await
        .map_err(|e| to_registry_error(&e, self.place(), "DescribeRepositories"))?;
        Ok(Page {
            next_token: out.next_token().map(str::to_string),
            items: out.repositories.unwrap_or_default(),
        })
    }
    fn place(&self) -> Place {
        self.0.place(None, None)
    }
}

impl EcrClient {
    /// Every repository under the target's prefix, sorted by name.
    pub async fn repositories(&self) -> Result<Vec<EcrRepository>, RegistryError> {
        let (raw, _) = collect_pages(&RepositoryPages(self)).await?;
        let mut repos: Vec<EcrRepository> = raw
            .iter()
            .filter_map(EcrRepository::from_sdk)
            .filter(|r| self.in_prefix(&r.name))
            .collect();
        repos.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(repos)
    }
}
