//! Findings of the selected image, fetched lazily for the detail pane's findings tab and
//! cached by digest, through the registry's session: the registry's own scan where it has
//! one (read through its API, never a manifest read), elsewhere the scanner reports
//! attached to the image (`scan`).

use crate::model::{Digest, Finding, ScanStatus};
use chrono::{DateTime, Utc};
use std::sync::Arc;

#[derive(Clone, Debug)]
pub struct FindingsRequest {
    pub ticket: u64,
    pub registry: usize,
    pub repository: String,
    pub digest: Digest,
    /// How the image is shown in reports (`registry/repo@digest`).
    pub shown_as: String,
}

/// One image's findings from every source that answered.
#[derive(Clone, Debug, PartialEq)]
pub struct FindingsReport {
    pub status: ScanStatus,
    pub scanned_at: Option<DateTime<Utc>>,
    /// Which scanners reported (`ecr-basic`, `trivy 0.50`, ...).
    pub sources: Vec<String>,
    pub findings: Vec<Finding>,
    /// Reports that could not be used, named; the rest still count.
    pub problems: Vec<String>,
}

#[derive(Debug)]
pub struct FindingsResult {
    pub ticket: u64,
    pub digest: Digest,
    pub outcome: Result<Arc<FindingsReport>, String>,
}

impl From<&crate::scan::ImageFindings> for FindingsReport {
    /// The engine's findings document as the TUI shows it: the same merged findings and the
    /// same problems `regscope findings` prints, whatever the registry.
    fn from(f: &crate::scan::ImageFindings) -> Self {
        FindingsReport {
            status: f.status.clone(),
            scanned_at: f.scanned_at,
            sources: f
                .sources
                .iter()
                .map(|s| match &s.scanner_version {
                    Some(v) => format!("{} {v}", s.scanner),
                    None => s.scanner.clone(),
                })
                .collect(),
            findings: f.findings.clone(),
            problems: f.problems.clone(),
        }
    }
}

/// The findings of one image through the registry's session (`Session::findings`, the
/// engine call `regscope findings` makes too).
pub async fn fetch(
    session: &crate::session::Session,
    req: &FindingsRequest,
) -> Result<FindingsReport, String> {
    let q = crate::session::FindingsQuery {
        repository: req.repository.clone(),
        reference: req.digest.to_string(),
        shown_as: req.shown_as.clone(),
        files: Default::default(),
    };
    session
        .findings(&q)
        .await
        .map(|f| FindingsReport::from(&f))
        .map_err(|e| format!("{e} ({})", e.next_step()))
}
