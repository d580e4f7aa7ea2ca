//! Harbor's own scans: the rollup from an artifact's `scan_overview` (what the inventory's
//! severity columns show, with no report fetched), and one image's findings from the
//! vulnerability report Harbor keeps for it (an API read, never a manifest GET).

use super::collect::{ImageFindings, Origin, ReportSource};
use super::rollup;
use crate::model::{Digest, Finding, ScanStatus, ScanSummary, Severity, SeverityCounts};
use crate::registry::harbor::{harbor_time, Artifact, NativeReportSummary, VulnReport};

/// The report Harbor's own scanner (Trivy) writes; preferred when several are summarised.
const VULN_REPORT: &str = "application/vnd.security.vulnerability.report; version=1.1";

/// The scan rollup from `scan_overview`, without fetching the report. No overview is "not
/// scanned", never "clean".
pub fn summary(a: &Artifact) -> Option<ScanSummary> {
    let overview = a.scan_overview.as_ref()?;
    let (_, r) = overview
        .get_key_value(VULN_REPORT)
        .or_else(|| overview.iter().next())?;
    Some(summary_of(r))
}

fn summary_of(r: &NativeReportSummary) -> ScanSummary {
    let status = match r.scan_status.as_deref().unwrap_or("") {
        "Success" => ScanStatus::Scanned,
        "Pending" | "Running" | "Scheduled" => ScanStatus::Scanning,
        "Unsupported" => ScanStatus::Unsupported,
        "" | "Not Scanned" | "NotScanned" => ScanStatus::NotScanned,
        _ => ScanStatus::Failed,
    };
    let mut counts = SeverityCounts::default();
    if status == ScanStatus::Scanned {
        for (name, n) in r
            .summary
            .as_ref()
            .and_then(|s| s.summary.as_ref())
            .into_iter()
            .flatten()
        {
            let n = u32::try_from(*n).unwrap_or(u32::MAX);
            counts.add(Severity::parse_loose(name), n);
        }
    }
    let scanner = r.scanner.as_ref().and_then(|s| s.name.clone());
    ScanSummary {
        status,
        scanned_at: harbor_time(r.end_time.as_deref()),
        counts,
        source: Some(match scanner {
            Some(s) => format!("harbor ({s})"),
            None => "harbor".into(),
        }),
    }
}

/// The findings document for one Harbor artifact: its scan status from `scan_overview`,
/// its findings from the report (`None`: Harbor holds no report).
pub fn image_findings(
    shown_as: &str,
    digest: &Digest,
    artifact: &Artifact,
    report: Option<VulnReport>,
) -> ImageFindings {
    let status = summary(artifact).unwrap_or(ScanSummary {
        status: ScanStatus::NotScanned,
        scanned_at: None,
        counts: SeverityCounts::default(),
        source: None,
    });
    let mut problems = Vec::new();
    let scanned = status.status == ScanStatus::Scanned;
    let (findings, sources) = match report {
        Some(r) if scanned => {
            let scanner = r
                .scanner
                .as_ref()
                .and_then(|s| s.name.clone())
                .unwrap_or_else(|| "harbor".into());
            let findings = rollup::merge(r.vulnerabilities.into_iter().flatten().map(|v| {
                Finding {
                    id: v.id,
                    severity: Severity::parse_loose(v.severity.as_deref().unwrap_or("")),
                    package: v.package.filter(|p| !p.is_empty()),
                    installed_version: v.version.filter(|p| !p.is_empty()),
                    fixed_version: v.fix_version.filter(|p| !p.is_empty()),
                    title: v
                        .description
                        .and_then(|d| d.lines().next().map(str::to_string))
                        .filter(|d| !d.is_empty()),
                    url: v.links.and_then(|l| l.into_iter().next()),
                    source: format!("harbor ({scanner})"),
                    ecosystem: None,
                }
            }));
            let source = ReportSource {
                scanner: format!("harbor ({scanner})"),
                scanner_version: r.scanner.and_then(|s| s.version),
                origin: Origin::Registry,
                location: "additions/vulnerabilities".into(),
                subject: digest.clone(),
                scanned_at: status
                    .scanned_at
                    .or_else(|| harbor_time(r.generated_at.as_deref())),
                findings: findings.len(),
            };
            (findings, vec![source])
        }
        None if scanned => {
            problems.push(
                "Harbor says the scan succeeded but holds no vulnerability report".to_string(),
            );
            (Vec::new(), Vec::new())
        }
        _ => (Vec::new(), Vec::new()),
    };
    let counts = if findings.is_empty() && scanned {
        status.counts
    } else {
        rollup::counts(&findings)
    };
    ImageFindings {
        reference: shown_as.to_string(),
        digest: digest.clone(),
        status: status.status,
        scanned_at: status.scanned_at,
        sources,
        counts,
        fixable: rollup::fixable(&findings),
        findings,
        platforms: Vec::new(),
        problems,
    }
}
