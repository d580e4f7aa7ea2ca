//! Gathers what the checks read, through the session front door: each repository's
//! settings (`Session::repo_settings`), what the registry's own policy would delete today
//! (the plan engine), the store's tag history, and scan results of the images in use that
//! the listing carries none for (`Session::findings`, the same call `regscope findings`
//! makes). Front ends call [`audit_registry`] with a finished crawl.

use super::{audit_repository, LifecycleToday, RepoInputs, RepositoryAudit, Thresholds};
use crate::model::Image;
use crate::policy::inuse::InUse;
use crate::session::{FindingsQuery, RepoSettings, Session, Setting};
use chrono::{DateTime, Duration, Utc};
use std::collections::BTreeMap;

/// How an audit runs.
#[derive(Clone, Debug)]
pub struct AuditOptions {
    pub thresholds: Thresholds,
    pub in_use: Option<InUse>,
    pub now: DateTime<Utc>,
    /// At most this many images' findings are read per registry (scan results the listing
    /// does not carry); beyond it they stay unknown.
    pub findings_budget: usize,
    /// Read tag history from the local store.
    pub use_store: bool,
}

impl AuditOptions {
    pub fn new(now: DateTime<Utc>) -> AuditOptions {
        AuditOptions {
            thresholds: Thresholds::default(),
            in_use: None,
            now,
            findings_budget: 200,
            use_store: true,
        }
    }
}

/// Every setting unknown, for a repository whose settings could not be read.
fn unreadable(why: &str) -> RepoSettings {
    let u = || why.to_string();
    RepoSettings {
        scanning: Setting::Unknown(u()),
        tag_immutability: Setting::Unknown(u()),
        lifecycle: Setting::Unknown(u()),
        access: Setting::Unknown(u()),
        replication: Setting::Unknown(u()),
        listing_links_referrers: true,
        listing_lists_untagged: false,
    }
}

/// Audits `repositories` of the registry behind `session`, whose crawl listed `images`.
/// The second value lists what could not be read (each line names registry and
/// repository); the audit of those repositories is still returned, with `unknown`s.
pub async fn audit_registry(
    session: &Session,
    images: &[Image],
    repositories: &[String],
    opts: &AuditOptions,
) -> (Vec<RepositoryAudit>, Vec<String>) {
    let registry = session.name();
    let caps = session.caps();
    let store = if opts.use_store {
        crate::store::open_for_run().0
    } else {
        None
    };
    let mut by_repo: BTreeMap<&str, Vec<Image>> = repositories
        .iter()
        .map(|r| (r.as_str(), Vec::new()))
        .collect();
    for im in images {
        by_repo
            .entry(im.repository.as_str())
            .or_default()
            .push(im.clone());
    }
    let mut budget = opts.findings_budget;
    let mut errors = Vec::new();
    let mut out = Vec::new();
    for (repo, mut repo_images) in by_repo {
        let settings = match session.repo_settings(repo).await {
            Ok(s) => s,
            Err(e) => {
                errors.push(format!("{registry}/{repo}: settings: {e}"));
                unreadable(&format!("could not be read: {e}"))
            }
        };
        let today: Option<LifecycleToday> = match (&settings.lifecycle, caps.own_policy) {
            (Setting::Known(l), Some(format)) => l.text.as_deref().map(|text| {
                super::lifecycle_today(
                    &registry,
                    &session.target().display_name(),
                    repo,
                    format,
                    text,
                    &repo_images,
                    opts.now,
                    opts.in_use.as_ref(),
                    caps.reclaim_scope,
                )
            }),
            _ => None,
        };
        enrich_findings(
            session,
            &registry,
            &mut repo_images,
            opts,
            &mut budget,
            &mut errors,
        )
        .await;
        let history = store
            .as_ref()
            .map(|s| s.tag_history(&registry, repo))
            .filter(|h| !h.is_empty());
        let inputs = |images| RepoInputs {
            registry: &registry,
            repository: repo,
            images,
            settings: &settings,
            records_push_time: caps.records_push_time,
            records_pull_time: caps.records_pull_time,
            tag_history: history.as_deref(),
            in_use: opts.in_use.as_ref(),
            lifecycle_today: today.as_ref(),
            now: opts.now,
            thresholds: &opts.thresholds,
        };
        let mut audit = audit_repository(&inputs(&repo_images));
        // A listing of tags only: old digests from the store, where a read has no effect.
        if let (false, false, Some(h)) = (
            settings.listing_lists_untagged,
            caps.manifest_read_counts_as_pull,
            history.as_deref(),
        ) {
            let (seen, _indexes, errs) =
                super::untagged_seen::read(session, repo, h, &repo_images).await;
            errors.extend(errs.into_iter().map(|e| format!("{registry}/{e}")));
            if !seen.is_empty() {
                let mut all = repo_images.clone();
                all.extend(seen);
                let with = inputs(&all);
                let (check, bytes) = super::bytes::untagged(&with);
                let stale = super::bytes::stale(&inputs(&repo_images)).1;
                audit.reclaimable_bytes = bytes.zip(stale).map(|(a, b)| a + b);
                if let Some(slot) = audit.checks.iter_mut().find(|c| c.id == check.id) {
                    *slot = check;
                }
            }
        }
        out.push(audit);
    }
    (out, errors)
}

/// Reads the findings of images in use (or pulled lately, or pushed lately) that the
/// listing carries no scan result for but that have one to read: a scanner report
/// attached, or a registry that scans images itself.
async fn enrich_findings(
    session: &Session,
    registry: &str,
    images: &mut [Image],
    opts: &AuditOptions,
    budget: &mut usize,
    errors: &mut Vec<String>,
) {
    let own = session.caps().own_scans;
    let window = Duration::days(opts.thresholds.recent_days);
    let recent = |t: Option<DateTime<Utc>>| t.is_some_and(|t| opts.now - t <= window);
    let wanted: Vec<usize> = {
        let tops: std::collections::HashSet<&crate::model::Digest> = super::top_level(images)
            .into_iter()
            .map(|im| &im.digest)
            .collect();
        (0..images.len())
            .filter(|&k| {
                let im = &images[k];
                tops.contains(&im.digest)
                    && im.scan.is_none()
                    && (own
                        || im.referrers.iter().any(|r| {
                            r.artifact_type
                                .as_deref()
                                .is_some_and(super::scanning::is_scan_report)
                        }))
                    && (opts
                        .in_use
                        .as_ref()
                        .is_some_and(|u| u.why(registry, im).is_some())
                        || recent(im.last_pulled_at)
                        || recent(im.pushed_at.or(im.created_at)))
            })
            .collect()
    };
    for k in wanted {
        if *budget == 0 {
            return;
        }
        *budget -= 1;
        let im = &images[k];
        let q = FindingsQuery {
            repository: im.repository.clone(),
            reference: im.digest.to_string(),
            shown_as: format!("{registry}/{}@{}", im.repository, im.digest),
            files: Default::default(),
        };
        match session.findings(&q).await {
            Ok(f) => images[k].scan = Some(f.summary()),
            Err(e) => errors.push(format!(
                "{registry}/{}@{}: findings: {e}",
                im.repository, im.digest
            )),
        }
    }
}
