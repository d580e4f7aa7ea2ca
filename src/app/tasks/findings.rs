//! Findings of the selected image, fetched lazily for the detail pane's findings tab and
//! cached by digest: ECR's own scan through its API (never a manifest read, which would
//! count as a pull); elsewhere the scanner reports attached to the image (`scan`).

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
