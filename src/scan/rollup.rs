//! Counting findings: per image (and per platform of an index, with the worst of them),
//! per repository, and how many have a fix.

use crate::model::{Finding, ScanStatus, ScanSummary, Severity, SeverityCounts};
use std::collections::BTreeSet;

/// Merges findings from several reports: one row per (id, package, installed version),
/// keeping the highest severity any source gave and the first fixed version, title and
/// link known. Sorted worst first, then by id and package.
pub fn merge(findings: impl IntoIterator<Item = Finding>) -> Vec<Finding> {
    let mut out: Vec<Finding> = Vec::new();
    for f in findings {
        match out.iter_mut().find(|o| {
            o.id == f.id && o.package == f.package && o.installed_version == f.installed_version
        }) {
            Some(o) => {
                if f.severity > o.severity && f.severity != Severity::Unknown {
                    o.severity = f.severity;
                }
                o.fixed_version = o.fixed_version.take().or(f.fixed_version);
                o.title = o.title.take().or(f.title);
                o.url = o.url.take().or(f.url);
                if !o.source.split(',').any(|s| s == f.source) {
                    o.source = format!("{},{}", o.source, f.source);
                }
            }
            None => out.push(f),
        }
    }
    out.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| a.id.cmp(&b.id))
            .then_with(|| a.package.cmp(&b.package))
    });
    out
}

pub fn counts(findings: &[Finding]) -> SeverityCounts {
    let mut c = SeverityCounts::default();
    for f in findings {
        c.add(f.severity, 1);
    }
    c
}

/// Counts of the findings that have a fixed version.
pub fn fixable(findings: &[Finding]) -> SeverityCounts {
    let mut c = SeverityCounts::default();
    for f in findings.iter().filter(|f| f.fixed_version.is_some()) {
        c.add(f.severity, 1);
    }
    c
}

/// Whether any finding is at or above `threshold`.
pub fn any_at_least(findings: &[Finding], threshold: Severity) -> bool {
    findings.iter().any(|f| f.severity >= threshold)
}

/// Per repository: the worst severity and totals over its scanned images, and how many
/// images nobody scanned (which are unknown, not clean).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct RepositoryRollup {
    pub images: usize,
    pub scanned: usize,
    pub not_scanned: usize,
    pub failed: usize,
    pub worst: Option<Severity>,
    pub totals: SeverityCounts,
}

pub fn repository<'a>(
    summaries: impl IntoIterator<Item = Option<&'a ScanSummary>>,
) -> RepositoryRollup {
    let mut r = RepositoryRollup::default();
    for s in summaries {
        r.images += 1;
        match s.map(|s| &s.status) {
            Some(ScanStatus::Scanned) => {
                let s = s.expect("matched Some");
                r.scanned += 1;
                for sev in Severity::ALL {
                    r.totals.add(sev, s.counts.get(sev));
                }
                r.worst = r.worst.max(s.counts.worst());
            }
            Some(ScanStatus::Failed) => r.failed += 1,
            _ => r.not_scanned += 1,
        }
    }
    r
}

/// The worst severity across platforms of an index (`None`: nothing found or unknown).
pub fn worst_of(platform_counts: &[SeverityCounts]) -> Option<Severity> {
    platform_counts
        .iter()
        .filter_map(SeverityCounts::worst)
        .max()
}

/// The distinct scanner names, for `ScanSummary::source`.
pub fn sources_label<'a>(scanners: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let set: BTreeSet<&str> = scanners.into_iter().collect();
    (!set.is_empty()).then(|| set.into_iter().collect::<Vec<_>>().join(","))
}
