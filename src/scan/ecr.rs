//! ECR's own scan (`DescribeImageScanFindings`, basic and enhanced alike, mapped by
//! `registry::ecr`) as the same findings document and fleet outcome every other source
//! gives, so `regscope findings` reads one shape whatever the registry.

use super::collect::{ImageFindings, Origin, ReportSource};
use super::fleet::Fetched;
use super::rollup;
use crate::model::{Digest, ScanStatus};
use crate::registry::ecr::EcrScanReport;

/// The findings document for one ECR image.
pub fn image_findings(shown_as: &str, digest: &Digest, r: EcrScanReport) -> ImageFindings {
    let findings = rollup::merge(r.findings);
    let scanner = r.summary.source.clone().unwrap_or_else(|| "ecr".into());
    let sources = if r.summary.status == ScanStatus::NotScanned {
        Vec::new()
    } else {
        vec![ReportSource {
            scanner,
            scanner_version: None,
            origin: Origin::Registry,
            location: "DescribeImageScanFindings".into(),
            subject: digest.clone(),
            scanned_at: r.summary.scanned_at,
            findings: findings.len(),
        }]
    };
    let mut problems = Vec::new();
    // ECR's words matter when the scan did not complete ("UnsupportedImageError: ...").
    if let (Some(d), false) = (
        r.status_description,
        r.summary.status == ScanStatus::Scanned,
    ) {
        problems.push(format!("ECR: {d}"));
    }
    ImageFindings {
        reference: shown_as.to_string(),
        digest: digest.clone(),
        status: r.summary.status,
        scanned_at: r.summary.scanned_at,
        sources,
        counts: rollup::counts(&findings),
        fixable: rollup::fixable(&findings),
        findings,
        platforms: Vec::new(),
        problems,
    }
}

impl From<EcrScanReport> for Fetched {
    fn from(r: EcrScanReport) -> Self {
        let scanned = r.summary.status == ScanStatus::Scanned;
        Fetched {
            status: r.summary.status,
            findings: r.findings,
            problems: r
                .status_description
                .filter(|_| !scanned)
                .map(|d| format!("ECR: {d}"))
                .into_iter()
                .collect(),
        }
    }
}
