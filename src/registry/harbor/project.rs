//! What Harbor keeps per project beside its artifacts: metadata flags (`public`,
//! `auto_scan`, ...), immutable-tag rules, quota usage and the tag-retention policy.

use super::encode::encode_segment;
use super::model::{flag, Project};
use super::HarborClient;
use crate::registry::error::RegistryError;
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// A tag immutability rule, as Harbor lists it.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct ImmutableRule {
    #[serde(default)]
    pub id: Option<i64>,
    #[serde(default)]
    pub disabled: Option<bool>,
    #[serde(default)]
    pub tag_selectors: Vec<Selector>,
    #[serde(default)]
    pub scope_selectors: BTreeMap<String, Vec<Selector>>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct Selector {
    #[serde(default)]
    pub decoration: Option<String>,
    #[serde(default)]
    pub pattern: Option<String>,
}

impl ImmutableRule {
    /// `repositories matching ** / tags matching v*` (what the rule protects, in words).
    pub fn describe(&self) -> String {
        let words = |s: &[Selector]| {
            s.iter()
                .map(|x| {
                    let d = x.decoration.as_deref().unwrap_or("matches");
                    let verb = if d.contains("xclude") {
                        "excluding"
                    } else {
                        "matching"
                    };
                    format!("{verb} {}", x.pattern.as_deref().unwrap_or("**"))
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        let repos = self
            .scope_selectors
            .get("repository")
            .map(|s| words(s))
            .unwrap_or_else(|| "matching **".into());
        let off = if self.disabled == Some(true) {
            " (disabled)"
        } else {
            ""
        };
        format!(
            "repositories {repos} / tags {}{off}",
            words(&self.tag_selectors)
        )
    }
}

/// Storage quota of a project, bytes. `hard` is `None` when unlimited (Harbor's -1).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Quota {
    pub used: Option<u64>,
    pub hard: Option<u64>,
}

/// Everything regscope shows about one project.
#[derive(Clone, Debug, Default)]
pub struct ProjectFacts {
    pub name: String,
    pub public: Option<bool>,
    pub auto_scan: Option<bool>,
    pub auto_sbom: Option<bool>,
    /// Pulls of images at or above this severity are blocked (`prevent_vul`).
    pub prevent_vulnerable: Option<String>,
    pub immutable_rules: Vec<ImmutableRule>,
    pub quota: Option<Quota>,
    /// The retention policy as Harbor serves it (`GET /retentions/{id}`), JSON text.
    pub retention_policy: Option<String>,
}

impl ProjectFacts {
    /// One line per fact, for a detail pane or `--verbose`.
    pub fn lines(&self) -> Vec<String> {
        let yn = |b: Option<bool>| match b {
            Some(true) => "yes",
            Some(false) => "no",
            None => "unknown",
        };
        let mut out = vec![format!(
            "project {}: public {}, scan on push {}, SBOM on push {}",
            self.name,
            yn(self.public),
            yn(self.auto_scan),
            yn(self.auto_sbom)
        )];
        if let Some(s) = &self.prevent_vulnerable {
            out.push(format!("pulls blocked at severity {s} and above"));
        }
        match &self.quota {
            Some(Quota { used, hard }) => out.push(format!(
                "storage quota: {} used of {}",
                used.map(|u| format!("{u} bytes"))
                    .unwrap_or_else(|| "unknown".into()),
                hard.map(|h| format!("{h} bytes"))
                    .unwrap_or_else(|| "unlimited".into())
            )),
            None => out.push("storage quota: unknown".into()),
        }
        for r in &self.immutable_rules {
            out.push(format!("immutable tags: {}", r.describe()));
        }
        out.push(match &self.retention_policy {
            Some(_) => "tag retention policy: set (regscope plan evaluates it)".into(),
            None => "tag retention policy: none".into(),
        });
        out
    }
}

#[derive(Deserialize)]
struct Summary {
    #[serde(default)]
    quota: Option<SummaryQuota>,
}

#[derive(Deserialize)]
struct SummaryQuota {
    #[serde(default)]
    hard: BTreeMap<String, i64>,
    #[serde(default)]
    used: BTreeMap<String, i64>,
}

impl HarborClient {
    /// The project's immutable-tag rules.
    pub async fn immutable_rules(
        &self,
        project: &str,
    ) -> Result<Vec<ImmutableRule>, RegistryError> {
        let path = format!("/projects/{}/immutabletagrules", encode_segment(project));
        self.list(&path, "", &self.place(Some(project), None)).await
    }

    /// Storage used and allowed, from the project summary (readable by project members,
    /// unlike `/quotas`, which needs a system administrator).
    pub async fn quota(&self, project: &str) -> Result<Option<Quota>, RegistryError> {
        let path = format!("/projects/{}/summary", encode_segment(project));
        let s: Option<Summary> = self
            .get_json(&path, &self.place(Some(project), None))
            .await?;
        Ok(s.and_then(|s| s.quota).map(|q| Quota {
            used: q.used.get("storage").and_then(|&u| u64::try_from(u).ok()),
            hard: q.hard.get("storage").and_then(|&h| u64::try_from(h).ok()),
        }))
    }

    /// The project's tag-retention policy as JSON text, `None` when it has none. The id
    /// is in the project's metadata (`retention_id`).
    pub async fn retention_policy(
        &self,
        project: &Project,
    ) -> Result<Option<String>, RegistryError> {
        let Some(id) = project
            .metadata
            .as_ref()
            .and_then(|m| m.retention_id.as_deref())
            .filter(|id| !id.is_empty())
        else {
            return Ok(None);
        };
        let path = format!("/retentions/{}", encode_segment(id));
        let v: Option<Value> = self
            .get_json(&path, &self.place(Some(&project.name), None))
            .await?;
        Ok(v.map(|v| v.to_string()))
    }

    /// Metadata, immutable rules, quota and retention policy of one project.
    pub async fn project_facts(&self, name: &str) -> Result<Option<ProjectFacts>, RegistryError> {
        let Some(p) = self.project(name).await? else {
            return Ok(None);
        };
        let m = p.metadata.clone().unwrap_or_default();
        Ok(Some(ProjectFacts {
            name: p.name.clone(),
            public: flag(&m.public),
            auto_scan: flag(&m.auto_scan),
            auto_sbom: flag(&m.auto_sbom_generation),
            prevent_vulnerable: (flag(&m.prevent_vul) == Some(true))
                .then(|| m.severity.clone())
                .flatten(),
            immutable_rules: self.immutable_rules(name).await?,
            quota: self.quota(name).await?,
            retention_policy: self.retention_policy(&p).await?,
        }))
    }
}
