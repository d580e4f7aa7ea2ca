//! The audit view's work, off the UI thread: the loaded repositories' records and the
//! engine's `hygiene::run::audit_registry` through the registry's session (settings, the
//! own policy's plan, tag history, findings of images in use), as `regscope audit` does.

use crate::app::views::images::records::image_of;
use crate::app::views::images::table::ImageTable;
use crate::hygiene::run::{audit_registry, AuditOptions};
use crate::hygiene::AuditReport;
use crate::model::Image;
use crate::session::Session;
use chrono::{DateTime, Utc};
use std::sync::Arc;

#[derive(Clone, Debug)]
pub struct AuditRequest {
    pub ticket: u64,
    /// Index of the registry in the fleet.
    pub registry: usize,
    /// Every loaded repository of the registry, whole.
    pub tables: Vec<Arc<ImageTable>>,
    /// Repositories listed but not loaded yet (not audited; said in the view).
    pub not_loaded: usize,
    pub now: DateTime<Utc>,
}

#[derive(Debug)]
pub struct AuditResult {
    pub ticket: u64,
    pub outcome: Result<Arc<AuditReport>, String>,
}

/// Audits the request's repositories through `session`.
pub async fn run(session: &Session, req: &AuditRequest) -> AuditResult {
    let images: Vec<Image> = req
        .tables
        .iter()
        .flat_map(|t| t.rows().map(image_of))
        .collect();
    let repositories: Vec<String> = req.tables.iter().map(|t| t.repository.clone()).collect();
    let opts = AuditOptions::new(req.now);
    let (repos, errors) = audit_registry(session, &images, &repositories, &opts).await;
    AuditResult {
        ticket: req.ticket,
        outcome: Ok(Arc::new(AuditReport::new(req.now, repos, errors))),
    }
}
