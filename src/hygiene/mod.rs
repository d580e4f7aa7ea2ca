//! Registry hygiene: the registry guides' checklist, per repository, with evidence
//! (`regscope audit`, the TUI's audit view). Each check has a fixed id and says
//! `pass | warn | fail | unknown | n/a` with a one-line summary and the evidence behind it.
//!
//! The rule every check keeps: where a registry cannot know a setting, or regscope did not
//! read it, the status is `unknown` or `n/a` with the reason — never `pass`. The checks are
//! pure functions of one repository's inventory, its settings (`session::RepoSettings`),
//! the store's tag history and the in-use list; [`run`] gathers those through the session.

mod access;
mod bytes;
pub mod compare;
mod lifecycle;
pub mod run;
mod scanning;
mod signatures;
mod tags;
#[cfg(test)]
mod tests;
mod untagged_seen;

pub use access::public_grants;
pub use lifecycle::{today as lifecycle_today, LifecycleToday};

use crate::model::Image;
use crate::policy::inuse::InUse;
use crate::session::RepoSettings;
use crate::store::TagObservation;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub const AUDIT_SCHEMA: &str = "regscope.audit/v1";

/// The checks, in the order they are shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CheckId {
    Scanning,
    ScanFreshness,
    CriticalFindings,
    LifecyclePolicy,
    TagImmutability,
    UntaggedBytes,
    StaleImages,
    Signatures,
    Replication,
    PublicAccess,
}

impl CheckId {
    pub const ALL: [CheckId; 10] = [
        CheckId::Scanning,
        CheckId::ScanFreshness,
        CheckId::CriticalFindings,
        CheckId::LifecyclePolicy,
        CheckId::TagImmutability,
        CheckId::UntaggedBytes,
        CheckId::StaleImages,
        CheckId::Signatures,
        CheckId::Replication,
        CheckId::PublicAccess,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CheckId::Scanning => "scanning",
            CheckId::ScanFreshness => "scan-freshness",
            CheckId::CriticalFindings => "critical-findings",
            CheckId::LifecyclePolicy => "lifecycle-policy",
            CheckId::TagImmutability => "tag-immutability",
            CheckId::UntaggedBytes => "untagged-bytes",
            CheckId::StaleImages => "stale-images",
            CheckId::Signatures => "signatures",
            CheckId::Replication => "replication",
            CheckId::PublicAccess => "public-access",
        }
    }

    /// A short column heading (the TUI's audit view).
    pub fn short(self) -> &'static str {
        match self {
            CheckId::Scanning => "scan",
            CheckId::ScanFreshness => "fresh",
            CheckId::CriticalFindings => "crit",
            CheckId::LifecyclePolicy => "lcp",
            CheckId::TagImmutability => "immut",
            CheckId::UntaggedBytes => "untag",
            CheckId::StaleImages => "stale",
            CheckId::Signatures => "sign",
            CheckId::Replication => "repl",
            CheckId::PublicAccess => "public",
        }
    }
}

/// A check's verdict. Ordered by how much it asks of the reader (`--fail-on`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Status {
    #[serde(rename = "n/a")]
    NotApplicable,
    #[serde(rename = "pass")]
    Pass,
    #[serde(rename = "unknown")]
    Unknown,
    #[serde(rename = "warn")]
    Warn,
    #[serde(rename = "fail")]
    Fail,
}

impl Status {
    pub const ALL: [Status; 5] = [
        Status::Pass,
        Status::Warn,
        Status::Fail,
        Status::Unknown,
        Status::NotApplicable,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Warn => "warn",
            Status::Fail => "fail",
            Status::Unknown => "unknown",
            Status::NotApplicable => "n/a",
        }
    }

    /// A glyph readable without colour: each status has its own shape.
    pub fn glyph(self) -> &'static str {
        match self {
            Status::Pass => "✓",
            Status::Warn => "!",
            Status::Fail => "✗",
            Status::Unknown => "?",
            Status::NotApplicable => "-",
        }
    }

    /// Whether this status reaches a `--fail-on` threshold (`warn` or `fail`).
    pub fn reaches(self, threshold: Status) -> bool {
        match threshold {
            Status::Warn => matches!(self, Status::Warn | Status::Fail),
            _ => self == Status::Fail,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Check {
    pub id: CheckId,
    pub status: Status,
    pub summary: String,
    pub evidence: Vec<String>,
}

impl Check {
    pub fn new(id: CheckId, status: Status, summary: impl Into<String>) -> Check {
        Check {
            id,
            status,
            summary: summary.into(),
            evidence: Vec::new(),
        }
    }

    pub fn with(mut self, evidence: impl IntoIterator<Item = String>) -> Check {
        self.evidence.extend(evidence);
        self
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RepositoryAudit {
    pub registry: String,
    pub repository: String,
    pub checks: Vec<Check>,
    /// Bytes the repository could give back: its untagged and stale images' (when known).
    #[serde(default)]
    pub reclaimable_bytes: Option<u64>,
    /// The same repository in the `--compare` registry (additive to v1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comparison: Option<compare::Comparison>,
}

impl RepositoryAudit {
    pub fn check(&self, id: CheckId) -> Option<&Check> {
        self.checks.iter().find(|c| c.id == id)
    }
}

/// Thresholds, all configurable on the command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Thresholds {
    /// An image neither pushed nor pulled in this many days is stale.
    pub stale_days: i64,
    /// A scan older than this many days is stale (`scan-freshness`).
    pub scan_days: i64,
    /// "Lately": pushed or pulled within this many days (`scan-freshness`,
    /// `critical-findings`), and the window for counting tag moves.
    pub recent_days: i64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            stale_days: 90,
            scan_days: 7,
            recent_days: 30,
        }
    }
}

/// Everything the checks read about one repository.
pub struct RepoInputs<'a> {
    pub registry: &'a str,
    pub repository: &'a str,
    /// The repository's images (every manifest the crawl listed).
    pub images: &'a [Image],
    pub settings: &'a RepoSettings,
    /// The registry records push / pull times (caps): what staleness can rest on.
    pub records_push_time: bool,
    pub records_pull_time: bool,
    /// The store's tag observations, when the store has any for the repository.
    pub tag_history: Option<&'a [TagObservation]>,
    pub in_use: Option<&'a InUse>,
    /// What the registry's own lifecycle policy would delete today.
    pub lifecycle_today: Option<&'a LifecycleToday>,
    pub now: DateTime<Utc>,
    pub thresholds: &'a Thresholds,
}

/// Runs every check over one repository.
pub fn audit_repository(i: &RepoInputs) -> RepositoryAudit {
    let untagged = bytes::untagged(i);
    let stale = bytes::stale(i);
    let reclaimable = match (untagged.1, stale.1) {
        (Some(a), Some(b)) => Some(a + b),
        _ => None,
    };
    RepositoryAudit {
        registry: i.registry.to_string(),
        repository: i.repository.to_string(),
        checks: vec![
            scanning::scanning(i),
            scanning::freshness(i),
            scanning::critical(i),
            lifecycle::check(i),
            tags::immutability(i),
            untagged.0,
            stale.0,
            signatures::check(i),
            access::replication(i),
            access::public_access(i),
        ],
        reclaimable_bytes: reclaimable,
        comparison: None,
    }
}

/// The audit document (`regscope.audit/v1`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditReport {
    pub schema: String,
    pub generated_at: DateTime<Utc>,
    pub repositories: Vec<RepositoryAudit>,
    pub summary: AuditSummary,
}

/// Totals per registry: repositories per status of each check, and reclaimable bytes.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AuditSummary {
    pub repositories: usize,
    /// check id → status → repositories.
    pub checks: std::collections::BTreeMap<String, std::collections::BTreeMap<String, usize>>,
    pub registries: Vec<RegistryTotals>,
    /// Registries or repositories that could not be read fully, one line each.
    pub errors: Vec<String>,
    /// Whether anything could not be read (exit 3).
    pub partial: bool,
    /// Repositories of the `--compare` registry that no audited registry holds
    /// (`OTHER/repository`; additive to v1).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub only_in_compared: Vec<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RegistryTotals {
    pub registry: String,
    pub repositories: usize,
    /// Sum over repositories whose figure is known.
    pub reclaimable_bytes: u64,
    /// Repositories whose reclaimable bytes are unknown (not in the sum).
    pub reclaimable_unknown: usize,
    /// check id → repositories failing it.
    pub failing: std::collections::BTreeMap<String, usize>,
    /// check id → repositories warning on it.
    pub warning: std::collections::BTreeMap<String, usize>,
}

impl AuditReport {
    pub fn new(
        generated_at: DateTime<Utc>,
        repositories: Vec<RepositoryAudit>,
        errors: Vec<String>,
    ) -> AuditReport {
        let mut summary = AuditSummary {
            repositories: repositories.len(),
            partial: !errors.is_empty(),
            errors,
            ..Default::default()
        };
        for r in &repositories {
            let totals = match summary
                .registries
                .iter_mut()
                .position(|t| t.registry == r.registry)
            {
                Some(p) => &mut summary.registries[p],
                None => {
                    summary.registries.push(RegistryTotals {
                        registry: r.registry.clone(),
                        ..Default::default()
                    });
                    summary.registries.last_mut().expect("just pushed")
                }
            };
            totals.repositories += 1;
            match r.reclaimable_bytes {
                Some(b) => totals.reclaimable_bytes += b,
                None => totals.reclaimable_unknown += 1,
            }
            for c in &r.checks {
                *summary
                    .checks
                    .entry(c.id.as_str().to_string())
                    .or_default()
                    .entry(c.status.as_str().to_string())
                    .or_default() += 1;
                match c.status {
                    Status::Fail => *totals.failing.entry(c.id.as_str().into()).or_default() += 1,
                    Status::Warn => *totals.warning.entry(c.id.as_str().into()).or_default() += 1,
                    _ => {}
                }
            }
        }
        AuditReport {
            schema: AUDIT_SCHEMA.to_string(),
            generated_at,
            repositories,
            summary,
        }
    }

    /// Whether any check reaches `threshold`.
    pub fn reaches(&self, threshold: Status) -> bool {
        self.repositories
            .iter()
            .flat_map(|r| &r.checks)
            .any(|c| c.status.reaches(threshold))
    }
}

/// A tag people cut as a release (`v1.2.3`, `1.4`, `2.0.1-rc1`): never stale, and the
/// tags immutability matters most for.
pub fn is_release_tag(tag: &str) -> bool {
    let t = tag.strip_prefix('v').unwrap_or(tag);
    let core = t.split(['-', '+']).next().unwrap_or("");
    let parts: Vec<&str> = core.split('.').collect();
    parts.len() >= 2
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

/// Tags people chose (not cosign or referrers-fallback bookkeeping).
pub fn chosen_tags(im: &Image) -> impl Iterator<Item = &String> {
    im.tags
        .iter()
        .filter(|t| !crate::inventory::tags::is_bookkeeping_tag(t))
}

/// `1.2 GiB` style sizes for summaries (as every other command shows them).
pub fn human_bytes(b: u64) -> String {
    crate::text::size(b)
}

/// The images a person deploys: images and indexes that are neither an index's child nor
/// another manifest's referrer (signatures, reports and attestations are not counted).
pub(crate) fn top_level(images: &[Image]) -> Vec<&Image> {
    use crate::model::ImageKind;
    let children: std::collections::HashSet<&crate::model::Digest> =
        images.iter().flat_map(|i| i.children.iter()).collect();
    images
        .iter()
        .filter(|i| matches!(i.kind, ImageKind::Image | ImageKind::Index))
        .filter(|i| i.subject.is_none() && !children.contains(&i.digest))
        .collect()
}

/// How an image is named in evidence: `repo:tag` (its first chosen tag) or `repo@sha256:…`.
pub(crate) fn shown(im: &Image) -> String {
    match chosen_tags(im).next() {
        Some(t) => format!("{}:{t}", im.repository),
        None => format!(
            "{}@{}:{}",
            im.repository,
            im.digest.algorithm(),
            im.digest.short()
        ),
    }
}

/// The newest of an image's push and pull times; the creation time where the registry
/// records neither (a plain registry). The second value names which was used.
pub(crate) fn last_activity(i: &RepoInputs, im: &Image) -> Option<(DateTime<Utc>, &'static str)> {
    let seen = [
        im.pushed_at.map(|t| (t, "pushed")),
        im.last_pulled_at.map(|t| (t, "pulled")),
    ]
    .into_iter()
    .flatten()
    .max_by_key(|(t, _)| *t);
    match seen {
        Some(s) => Some(s),
        None if !i.records_push_time && !i.records_pull_time => {
            im.created_at.map(|t| (t, "created"))
        }
        None => None,
    }
}

/// At most `n` evidence lines, then how many more.
pub(crate) fn capped(lines: Vec<String>, n: usize) -> Vec<String> {
    let more = lines.len().saturating_sub(n);
    let mut out: Vec<String> = lines.into_iter().take(n).collect();
    if more > 0 {
        out.push(format!("… and {more} more"));
    }
    out
}
