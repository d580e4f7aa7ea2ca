//! What a reducer asks the outside world to do. Only `tasks/` performs these.

use super::tasks::delete::DeleteRequest;
use super::tasks::detail::DetailRequest;
use super::tasks::doctor::DoctorRequest;
use super::tasks::filter::ViewRequest;
use super::tasks::findings::FindingsRequest;
use super::tasks::plan::PlanRequest;
use crate::policy::DeletionPlan;
use std::sync::Arc;

#[derive(Debug)]
pub enum Effect {
    /// Sort/filter a table off the UI thread.
    ComputeView(ViewRequest),
    /// Fetch an image's manifest, config and referrers (latest wins).
    FetchDetail(DetailRequest),
    /// Put text on the clipboard (system tool, else OSC 52).
    Copy(String),
    /// Turn mouse capture on or off.
    SetMouse(bool),
    /// Crawl every registry again.
    Refresh,
    /// Read some repositories of one registry again (after a deletion); each arrives as
    /// a loaded repository, replacing its table.
    RefreshRepositories {
        registry: usize,
        repositories: Vec<String>,
    },
    /// Build (or re-date) a deletion plan off the UI thread.
    EvaluatePlan(PlanRequest),
    /// Fetch one image's findings (latest wins).
    FetchFindings(FindingsRequest),
    /// Fetch many images' findings, a few at a time (latest wins per kind).
    SweepFindings(super::tasks::sweep::SweepRequest),
    /// Fold fetched scan summaries into a table (off the UI thread) so severity sorts see them.
    MergeScans(super::tasks::sweep::MergeRequest),
    /// Carry out a confirmed plan (the delete engine; audited; progress streams back).
    DeletePlan(DeleteRequest),
    /// Index an image's layers for the layers tab (latest wins).
    AnalyzeLayers(super::tasks::layers::LayersRequest),
    /// Run the pull doctor for one reference (steps stream back).
    Doctor(DoctorRequest),
    /// Audit a registry's loaded repositories (latest wins).
    Audit(super::tasks::audit::AuditRequest),
    /// Compare two images (the diff view; latest wins by ticket).
    Compare(super::tasks::compare::DiffRequest),
    /// Read the first bytes of one file of an image (the file viewer).
    ReadFile(super::tasks::compare::FileRequest),
    /// Write a plan as JSON into the data dir.
    ExportPlan(Arc<DeletionPlan>),
}
