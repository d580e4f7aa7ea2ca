//! Carrying out a reviewed deletion plan: each item is re-validated just before acting
//! (the digest still exists, each planned tag still points at it, nothing newly protects
//! it), deleted by digest, and written to the audit log before and after. What changed
//! since the plan is skipped and reported, never "fixed up".

mod ecr;
mod recheck;
mod target;

pub use ecr::EcrTarget;
pub use recheck::FULL_RECHECK_TAGS;
pub use target::{Current, DeletionTarget, RepoMemo, RepoNow, SourceTarget};

use super::audit::{AuditEntry, AuditEvent, AuditLog};
use super::plan::{DeletionPlan, PlanAction};
use super::ActionKind;
use crate::model::Digest;
use crate::registry::{FetchedManifest, Manifest, RegistryError};
use chrono::Utc;
use serde::Serialize;
use std::collections::{HashMap, HashSet};

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase", tag = "outcome", content = "detail")]
pub enum Outcome {
    Deleted,
    /// Not acted on because something changed since the plan; the reason says what.
    Skipped(String),
    /// An action `regscope delete` leaves to others (ACR untag, ECR archive); why.
    #[serde(rename = "not_performed")]
    NotPerformed(String),
    Failed(String),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ItemResult {
    pub repository: String,
    pub digest: Digest,
    pub action: ActionKind,
    pub tags: Vec<String>,
    #[serde(flatten)]
    pub outcome: Outcome,
}

/// What this run has learnt: digests it deleted, and digests it must now leave alone
/// because an index planned with them was not deleted.
#[derive(Default)]
struct Run {
    deleted: HashSet<(String, Digest)>,
    guarded: HashMap<(String, Digest), String>,
    /// Repositories where an index stayed whose children are unknown (an older plan
    /// without children, and no manifest read): their untagged items are left alone.
    blind: HashMap<String, String>,
}

/// Orders removals so indexes go before their children and subjects before referrers
/// (a registry may refuse to delete a child while its index exists).
fn ordered(plan: &DeletionPlan) -> Vec<&PlanAction> {
    let mut v: Vec<&PlanAction> = plan.actions.iter().collect();
    v.sort_by_key(|a| (a.rule == "follows subject", !is_index(a)));
    v
}

fn is_index(a: &PlanAction) -> bool {
    a.media_type
        .as_deref()
        .is_some_and(crate::registry::media::is_index)
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
        .filter(|a| removes(a))
        .map(|a| (a.repository.as_str(), &a.digest))
        .collect();
    let mut memos: HashMap<String, RepoMemo> = HashMap::new();
    let mut run = Run::default();
    let items = ordered(plan);
    let total = items.len();
    let mut results = Vec::with_capacity(total);
    for (n, a) in items.into_iter().enumerate() {
        let outcome = match a.action {
            k if k.removes_manifest() => {
                let memo = memos.entry(a.repository.clone()).or_default();
                let ctx = Ctx {
                    plan,
                    target,
                    planned: &planned,
                };
                one(&ctx, a, memo, &mut run, audit).await?
            }
            k => Outcome::NotPerformed(
                k.not_carried_out()
                    .unwrap_or("regscope does not carry out this action")
                    .to_string(),
            ),
        };
        let r = ItemResult {
            repository: a.repository.clone(),
            digest: a.digest.clone(),
            action: a.action,
            tags: a.tags.clone(),
            outcome,
        };
        progress(n + 1, total, &r);
        results.push(r);
    }
    Ok(results)
}

fn removes(a: &PlanAction) -> bool {
    a.action.removes_manifest()
}

/// What moved since the plan: planned tags gone or elsewhere, tags gained, new protection.
async fn changes(
    a: &PlanAction,
    target: &dyn DeletionTarget,
    now: &RepoNow,
    run: &Run,
    tags_now: Option<&[String]>,
) -> Vec<String> {
    let mut changed = Vec::new();
    for t in &a.tags {
        let here = match tags_now {
            Some(list) => list.contains(t),
            None => now.tags.get(t) == Some(&a.digest),
        };
        if here {
            continue;
        }
        let elsewhere = match tags_now {
            Some(_) => target.resolve(&a.repository, t).await.ok().flatten(),
            None => now.tags.get(t).cloned(),
        };
        changed.push(match elsewhere {
            Some(d) => format!("tag {t} now points at {} (moved since the plan)", d.short()),
            None => format!("tag {t} no longer exists"),
        });
    }
    let gained: Vec<&String> = match tags_now {
        Some(list) => list.iter().filter(|t| !a.tags.contains(t)).collect(),
        None => now
            .tags
            .iter()
            .filter(|(t, d)| **d == a.digest && !a.tags.contains(t))
            .map(|(t, _)| t)
            .collect(),
    };
    let mut gained: Vec<&String> = gained;
    gained.sort();
    for t in gained {
        changed.push(format!("gained tag {t} since the plan"));
    }
    if let Some(why) = now.protected.get(&a.digest) {
        changed.push(why.clone());
    }
    let key = (a.repository.clone(), a.digest.clone());
    if let Some(why) = run.guarded.get(&key) {
        changed.push(why.clone());
    } else if a.tags.is_empty() && !is_index(a) {
        if let Some(why) = run.blind.get(&a.repository) {
            changed.push(why.clone());
        }
    }
    changed
}

/// What every item of a run shares.
struct Ctx<'a> {
    plan: &'a DeletionPlan,
    target: &'a dyn DeletionTarget,
    planned: &'a HashSet<(&'a str, &'a Digest)>,
}

/// One item: exists? -> manifest for the audit log -> referrer of a survivor? -> the
/// re-check of tags, indexes and referrers (last, so the window before the DELETE is as
/// short as it can be) -> intent -> DELETE -> outcome.
async fn one(
    ctx: &Ctx<'_>,
    a: &PlanAction,
    memo: &mut RepoMemo,
    run: &mut Run,
    audit: &mut AuditLog,
) -> Result<Outcome, super::audit::AuditError> {
    let (plan, target) = (ctx.plan, ctx.target);
    let log_id = audit.run.clone();
    let entry = |event, detail: Option<String>| AuditEntry {
        ts: Utc::now(),
        run: log_id.clone(),
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
    let mut fetched: Option<FetchedManifest> = None;
    let outcome = 'check: {
        let current = match target.current(&a.repository, &a.digest).await {
            Ok(Some(c)) => c,
            Ok(None) => {
                audit.write(&entry(
                    AuditEvent::Skipped,
                    Some("digest no longer exists".into()),
                ))?;
                break 'check Outcome::Skipped(
                    "the digest no longer exists (already deleted?)".into(),
                );
            }
            Err(e) => {
                audit.write(&entry(AuditEvent::Failed, Some(e.to_string())))?;
                break 'check Outcome::Failed(format!("cannot re-check the image: {e}"));
            }
        };
        fetched = current.fetched;
        // A target that reads tags per image (ECR) says already whether anything moved:
        // check it before the manifest read, which there counts as a pull.
        if current.tags.is_some() {
            let changed =
                changes(a, target, &RepoNow::default(), run, current.tags.as_deref()).await;
            if !changed.is_empty() {
                let why = changed.join("; ");
                audit.write(&entry(AuditEvent::Skipped, Some(why.clone())))?;
                break 'check Outcome::Skipped(why);
            }
        }
        match target.refusal(&a.repository, &a.digest, &a.tags).await {
            Ok(None) => {}
            Ok(Some(why)) => {
                audit.write(&entry(AuditEvent::Skipped, Some(why.clone())))?;
                break 'check Outcome::Skipped(format!("refused: {why}"));
            }
            Err(e) => {
                let why = format!("cannot read the image's locks, so not deleted: {e}");
                audit.write(&entry(AuditEvent::Failed, Some(why.clone())))?;
                break 'check Outcome::Failed(why);
            }
        }
        // The raw manifest for the audit log (in ECR this read is a pull: it happens only
        // here, for an image about to be deleted).
        if fetched.is_none() {
            match target.manifest(&a.repository, &a.digest).await {
                Ok(m) => fetched = Some(m),
                Err(RegistryError::NotFound { .. }) => {
                    audit.write(&entry(
                        AuditEvent::Skipped,
                        Some("digest no longer exists".into()),
                    ))?;
                    break 'check Outcome::Skipped(
                        "the digest no longer exists (already deleted?)".into(),
                    );
                }
                Err(e) => {
                    let why =
                        format!("cannot read the manifest for the audit log, so not deleted: {e}");
                    audit.write(&entry(AuditEvent::Failed, Some(why.clone())))?;
                    break 'check Outcome::Failed(why);
                }
            }
        }
        let m = fetched.as_ref().expect("fetched above");
        if let Some(s) = m.manifest.subject() {
            let gone_now = run
                .deleted
                .contains(&(a.repository.clone(), s.digest.clone()));
            let why = if gone_now {
                None
            } else {
                match target.exists(&a.repository, &s.digest).await {
                    Ok(false) => None,
                    Ok(true) => Some(format!(
                        "referrer of surviving subject {}",
                        s.digest.short()
                    )),
                    Err(e) => Some(format!(
                        "cannot tell whether its subject {} still exists ({e}); left alone",
                        s.digest.short()
                    )),
                }
            };
            if let Some(why) = why {
                audit.write(&entry(AuditEvent::Skipped, Some(why.clone())))?;
                break 'check Outcome::Skipped(why);
            }
        }
        let now = match target
            .survey(&a.repository, &a.digest, &a.tags, ctx.planned, memo)
            .await
        {
            Ok(now) => now,
            Err(e) => {
                let why = format!(
                    "cannot re-check the repository just before deleting, so not deleted: {e}"
                );
                audit.write(&entry(AuditEvent::Failed, Some(why.clone())))?;
                break 'check Outcome::Failed(why);
            }
        };
        let changed = changes(a, target, &now, run, current.tags.as_deref()).await;
        if !changed.is_empty() {
            let why = changed.join("; ");
            audit.write(&entry(AuditEvent::Skipped, Some(why.clone())))?;
            break 'check Outcome::Skipped(why);
        }
        let mut intent = entry(AuditEvent::Intent, None);
        intent.media_type = Some(m.media_type.clone());
        intent.manifest_base64 = Some(AuditEntry::encode(&m.bytes));
        audit.write(&intent)?;
        match target.delete(&a.repository, &a.digest).await {
            Ok(()) => {
                audit.write(&entry(AuditEvent::Deleted, None))?;
                run.deleted.insert((a.repository.clone(), a.digest.clone()));
                Outcome::Deleted
            }
            Err(e) => {
                audit.write(&entry(AuditEvent::Failed, Some(e.to_string())))?;
                Outcome::Failed(e.to_string())
            }
        }
    };
    if outcome != Outcome::Deleted && is_index(a) {
        guard_children(a, fetched.as_ref(), run);
    }
    Ok(outcome)
}

/// An index that stays keeps its children: they are left alone for the rest of the run.
fn guard_children(a: &PlanAction, fetched: Option<&FetchedManifest>, run: &mut Run) {
    let why = format!(
        "child of index {} which was not deleted in this run",
        a.digest.short()
    );
    let from_manifest: Vec<Digest> = match fetched.map(|m| &m.manifest) {
        Some(Manifest::Index(ix)) => ix.manifests.iter().map(|c| c.digest.clone()).collect(),
        _ => Vec::new(),
    };
    let children = if a.children.is_empty() {
        from_manifest
    } else {
        a.children.clone()
    };
    if children.is_empty() {
        run.blind.insert(
            a.repository.clone(),
            format!(
                "index {} of this repository was not deleted and the plan does not list its children; untagged images here are left alone",
                a.digest.short()
            ),
        );
    }
    for c in children {
        run.guarded.insert((a.repository.clone(), c), why.clone());
    }
}
