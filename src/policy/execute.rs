//! Carrying out a reviewed deletion plan: each item is re-validated just before acting
//! (the digest still exists, each planned tag still points at it, nothing newly protects
//! it), deleted by digest, and written to the audit log before and after. What changed
//! since the plan is skipped and reported, never "fixed up".

use super::audit::{AuditEntry, AuditEvent, AuditLog};
use super::plan::{DeletionPlan, PlanAction};
use crate::model::Digest;
use crate::registry::{FetchedManifest, Manifest, ManifestSource, RegistryError};
use async_trait::async_trait;
use chrono::Utc;
use serde::Serialize;
use std::collections::{HashMap, HashSet};

/// What the executor needs from a registry. Every `ManifestSource` provides it through
/// [`SourceTarget`]; ECR (`BatchDeleteImage`) plugs in by implementing it directly.
#[async_trait]
pub trait DeletionTarget: Send + Sync {
    fn name(&self) -> String;
    async fn manifest(&self, repo: &str, digest: &Digest)
        -> Result<FetchedManifest, RegistryError>;
    /// The digest a tag points at now; `None` when the tag is gone.
    async fn resolve(&self, repo: &str, tag: &str) -> Result<Option<Digest>, RegistryError>;
    async fn tags(&self, repo: &str) -> Result<Vec<String>, RegistryError>;
    async fn delete(&self, repo: &str, digest: &Digest) -> Result<(), RegistryError>;
}

pub struct SourceTarget<'a>(pub &'a dyn ManifestSource);

#[async_trait]
impl DeletionTarget for SourceTarget<'_> {
    fn name(&self) -> String {
        self.0.registry_name()
    }
    async fn manifest(
        &self,
        repo: &str,
        digest: &Digest,
    ) -> Result<FetchedManifest, RegistryError> {
        self.0.manifest(repo, digest.as_str()).await
    }
    async fn resolve(&self, repo: &str, tag: &str) -> Result<Option<Digest>, RegistryError> {
        match self.0.head_manifest(repo, tag).await {
            Ok(h) => Ok(Some(h.digest)),
            Err(RegistryError::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }
    async fn tags(&self, repo: &str) -> Result<Vec<String>, RegistryError> {
        match self.0.tags(repo).await {
            Err(RegistryError::NotFound { .. }) => Ok(Vec::new()),
            r => r,
        }
    }
    async fn delete(&self, repo: &str, digest: &Digest) -> Result<(), RegistryError> {
        self.0.delete_manifest(repo, digest).await
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase", tag = "outcome", content = "detail")]
pub enum Outcome {
    Deleted,
    /// Not acted on because something changed since the plan (or the action is not
    /// supported here); the reason says what.
    Skipped(String),
    Failed(String),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ItemResult {
    pub repository: String,
    pub digest: Digest,
    pub action: String,
    pub tags: Vec<String>,
    #[serde(flatten)]
    pub outcome: Outcome,
}

/// Per repository, what the registry says now: tag -> digest, and which digests are
/// children or subjects of surviving tagged manifests.
#[derive(Default)]
struct RepoNow {
    tags: HashMap<String, Digest>,
    protected: HashMap<Digest, String>,
}

/// Orders removals so indexes go before their children and subjects before referrers
/// (a registry may refuse to delete a child while its index exists).
fn ordered(plan: &DeletionPlan) -> Vec<&PlanAction> {
    let mut v: Vec<&PlanAction> = plan.actions.iter().collect();
    v.sort_by_key(|a| {
        let index = a
            .media_type
            .as_deref()
            .is_some_and(crate::registry::media::is_index);
        (a.rule == "follows subject", !index)
    });
    v
}

pub async fn execute(
    plan: &DeletionPlan,
    target: &dyn DeletionTarget,
    audit: &mut AuditLog,
    mut progress: impl FnMut(usize, usize, &ItemResult),
) -> Result<Vec<ItemResult>, super::audit::AuditError> {
    let planned: HashSet<(&str, &Digest)> = plan
        .actions
        .iter()
        .filter(|a| a.action == "delete" || a.action == "expire")
        .map(|a| (a.repository.as_str(), &a.digest))
        .collect();
    let mut repos: HashMap<String, RepoNow> = HashMap::new();
    let items = ordered(plan);
    let total = items.len();
    let mut results = Vec::with_capacity(total);
    for (n, a) in items.into_iter().enumerate() {
        let outcome = match a.action.as_str() {
            "delete" | "expire" => {
                if !repos.contains_key(&a.repository) {
                    let now = survey(target, &a.repository, &planned).await;
                    repos.insert(a.repository.clone(), now);
                }
                let now = &repos[&a.repository];
                one(plan, a, target, now, &planned, audit).await?
            }
            "untag" => Outcome::Skipped("untagging is not available over this registry's API (regscope deletes by digest only); nothing done".into()),
            "transition" => Outcome::Skipped("archive transitions are carried out by ECR itself; nothing done".into()),
            other => Outcome::Skipped(format!("unknown action {other:?}")),
        };
        let r = ItemResult {
            repository: a.repository.clone(),
            digest: a.digest.clone(),
            action: a.action.clone(),
            tags: a.tags.clone(),
            outcome,
        };
        progress(n + 1, total, &r);
        results.push(r);
    }
    Ok(results)
}

/// Reads the repository's tags and, for every tagged manifest that stays, its children and
/// subject: those are protected now even if the plan did not know.
async fn survey(
    target: &dyn DeletionTarget,
    repo: &str,
    planned: &HashSet<(&str, &Digest)>,
) -> RepoNow {
    let mut now = RepoNow::default();
    let tags = target.tags(repo).await.unwrap_or_default();
    let mut seen = HashSet::new();
    for t in tags {
        if let Ok(Some(d)) = target.resolve(repo, &t).await {
            now.tags.insert(t.clone(), d.clone());
            if planned.contains(&(repo, &d)) || !seen.insert(d.clone()) {
                continue;
            }
            if let Ok(m) = target.manifest(repo, &d).await {
                if let Manifest::Index(ix) = &m.manifest {
                    for c in &ix.manifests {
                        now.protected.insert(
                            c.digest.clone(),
                            format!("now a child of surviving index {} (tag {t})", d.short()),
                        );
                    }
                }
            }
        }
    }
    now
}

async fn one(
    plan: &DeletionPlan,
    a: &PlanAction,
    target: &dyn DeletionTarget,
    now: &RepoNow,
    planned: &HashSet<(&str, &Digest)>,
    audit: &mut AuditLog,
) -> Result<Outcome, super::audit::AuditError> {
    let run = audit.run.clone();
    let entry = |event, detail: Option<String>| AuditEntry {
        ts: Utc::now(),
        run: run.clone(),
        event,
        registry: plan.registry.clone(),
        repository: a.repository.clone(),
        digest: a.digest.to_string(),
        tags: a.tags.clone(),
        media_type: a.media_type.clone(),
        manifest_base64: None,
        rule: Some(a.rule.clone()),
        detail,
    };
    let skip = |why: String| Outcome::Skipped(why);
    let fetched = match target.manifest(&a.repository, &a.digest).await {
        Ok(m) => m,
        Err(RegistryError::NotFound { .. }) => {
            audit.write(&entry(
                AuditEvent::Skipped,
                Some("digest no longer exists".into()),
            ))?;
            return Ok(skip(
                "the digest no longer exists (already deleted?)".into(),
            ));
        }
        Err(e) => {
            audit.write(&entry(AuditEvent::Failed, Some(e.to_string())))?;
            return Ok(Outcome::Failed(format!(
                "cannot re-check the manifest: {e}"
            )));
        }
    };
    let mut changed = Vec::new();
    for t in &a.tags {
        match now.tags.get(t) {
            Some(d) if d == &a.digest => {}
            Some(d) => changed.push(format!(
                "tag {t} now points at {} (moved since the plan)",
                d.short()
            )),
            None => changed.push(format!("tag {t} no longer exists")),
        }
    }
    for (t, d) in &now.tags {
        if d == &a.digest && !a.tags.contains(t) {
            changed.push(format!("gained tag {t} since the plan"));
        }
    }
    if let Some(why) = now.protected.get(&a.digest) {
        changed.push(why.clone());
    }
    if let Some(s) = fetched.manifest.subject() {
        let subject_planned = planned.contains(&(a.repository.as_str(), &s.digest));
        if !subject_planned && target.manifest(&a.repository, &s.digest).await.is_ok() {
            changed.push(format!(
                "referrer of surviving subject {}",
                s.digest.short()
            ));
        }
    }
    if !changed.is_empty() {
        let why = changed.join("; ");
        audit.write(&entry(AuditEvent::Skipped, Some(why.clone())))?;
        return Ok(skip(why));
    }
    let mut intent = entry(AuditEvent::Intent, None);
    intent.media_type = Some(fetched.media_type.clone());
    intent.manifest_base64 = Some(AuditEntry::encode(&fetched.bytes));
    audit.write(&intent)?;
    match target.delete(&a.repository, &a.digest).await {
        Ok(()) => {
            audit.write(&entry(AuditEvent::Deleted, None))?;
            Ok(Outcome::Deleted)
        }
        Err(e) => {
            audit.write(&entry(AuditEvent::Failed, Some(e.to_string())))?;
            Ok(Outcome::Failed(e.to_string()))
        }
    }
}
