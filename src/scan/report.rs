//! A scanner report once parsed: which scanner, when, and its findings in our model.
//! Every format parser produces this; rollups and the CLI only ever see this.

use crate::model::{Finding, Severity};
use chrono::{DateTime, Utc};

/// One parsed report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScanReport {
    /// The scanner (`trivy`, `grype`, `sarif:trivy`, `cosign-vuln:trivy`, ...).
    pub scanner: String,
    pub scanner_version: Option<String>,
    pub scanned_at: Option<DateTime<Utc>>,
    /// The image digest the report says it is about, where it says (Trivy `RepoDigests`,
    /// Grype `manifestDigest`, the in-toto subject).
    pub subject: Option<String>,
    pub findings: Vec<Finding>,
}

/// Why a report could not be used. Always names the file or digest it came from.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{origin}: {detail}")]
pub struct ReportError {
    pub origin: String,
    pub detail: String,
}

impl ReportError {
    pub fn new(origin: &str, detail: impl Into<String>) -> Self {
        ReportError {
            origin: origin.to_string(),
            detail: detail.into(),
        }
    }
}

/// A fixed version as scanners write it: empty strings and "none" mean no fix.
pub fn fixed_version(s: Option<&str>) -> Option<String> {
    let s = s?.trim();
    (!s.is_empty() && !s.eq_ignore_ascii_case("none") && s != "-").then(|| s.to_string())
}

/// Severity from a CVSS base score (`security-severity` in SARIF), per CVSS v3 bands.
pub fn severity_from_cvss(score: f64) -> Severity {
    match score {
        s if s >= 9.0 => Severity::Critical,
        s if s >= 7.0 => Severity::High,
        s if s >= 4.0 => Severity::Medium,
        s if s > 0.0 => Severity::Low,
        _ => Severity::Negligible,
    }
}

pub fn parse_time(s: Option<&str>) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s?.trim())
        .ok()
        .map(|d| d.with_timezone(&Utc))
}
