//! Everything that can happen to the app: input, time, and results of background tasks.

use super::tasks::delete::DeleteEvent;
use super::tasks::detail::DetailResult;
use super::tasks::doctor::DoctorEvent;
use super::tasks::findings::FindingsResult;
use super::tasks::plan::PlanResult;
use super::views::fleet::state::Weekly;
use super::views::images::state::RowView;
use super::views::images::table::ImageTable;
use crate::model::{InventoryIssue, RepositorySummary};
use crate::registry::TrafficStats;
use crate::session::Kind;
use chrono::{DateTime, Utc};
use crossterm::event::{KeyEvent, MouseEvent};
use std::sync::Arc;

#[derive(Debug)]
pub enum Msg {
    Key(KeyEvent),
    Mouse(MouseEvent),
    Resize(u16, u16),
    /// The clock moved (spinners, relative times). Tests inject fixed times.
    Tick(DateTime<Utc>),
    Inventory(InventoryUpdate),
    ViewReady {
        generation: u64,
        view: RowView,
    },
    Detail(DetailResult),
    /// One more layer of `digest` is indexed (or failed), of `total`.
    LayersProgress {
        digest: String,
        layer: usize,
        total: usize,
    },
    Layers(super::tasks::layers::LayersResult),
    /// dive's figures of `digest`, computed after its `Layers` result.
    LayersDive {
        digest: String,
        score: Result<std::sync::Arc<crate::layers::dive::DiveScore>, String>,
    },
    /// The runner abandoned the layer analysis of this digest for a newer one.
    LayersAbandoned(String),
    /// The runner abandoned the fetch for this digest in favour of a newer one.
    DetailAbandoned(String),
    /// Text for the terminal's clipboard (OSC 52), written by the loop between frames.
    Osc52(String),
    /// A short message for the status line (clipboard, refresh, ...).
    Flash {
        text: String,
        error: bool,
    },
    /// An image's findings arrived (or could not be had).
    Findings(FindingsResult),
    /// The runner abandoned the findings fetch for this digest.
    FindingsAbandoned(String),
    /// Some answers of a findings sweep (ticketed per kind).
    Swept(super::tasks::sweep::SweepBatch),
    /// An audit finished (`:audit`).
    Audit(super::tasks::audit::AuditResult),
    /// A table rebuilt with fetched scan summaries replaces `old` wherever it is shown.
    ScansMerged {
        old: Arc<ImageTable>,
        new: Arc<ImageTable>,
    },
    /// Progress of a deletion (ticketed).
    Delete(DeleteEvent),
    /// A doctor step completed, or the whole walk (ticketed).
    Doctor(DoctorEvent),
    /// A plan evaluation finished (ticketed).
    Plan(PlanResult),
    /// The engine's comparison of two images (ticketed).
    Compared(super::tasks::compare::DiffResult),
    /// A file's first bytes for the viewer (ticketed).
    FileRead(super::tasks::compare::FileResult),
    /// A plan was written (or could not be).
    PlanExported(Result<std::path::PathBuf, String>),
}

/// An inventory event after the task has turned images into a compact table, so the UI
/// thread never converts a large repository.
#[derive(Debug)]
pub enum InventoryUpdate {
    Listed {
        registry: String,
        repositories: Vec<String>,
    },
    Loaded {
        registry: String,
        repository: String,
        table: Arc<ImageTable>,
        summary: RepositorySummary,
        weekly: Weekly,
    },
    /// From the store: each repository's last recorded counts and bytes, before its
    /// images (the whole tree at once on a reopen).
    Summaries {
        registry: String,
        summaries: Vec<RepositorySummary>,
        as_of: Option<chrono::DateTime<chrono::Utc>>,
    },
    Issue {
        registry: String,
        issue: InventoryIssue,
    },
    Progress {
        registry: String,
        done: usize,
        total: usize,
        stats: TrafficStats,
    },
    Finished {
        registry: String,
        stats: TrafficStats,
        fatal: Option<String>,
    },
    /// A refresh started: forget what this registry reported.
    Restarted { registry: String },
    /// The registry's session is open: its kind is settled.
    Opened { registry: String, kind: Kind },
    /// What came before was the last known inventory (from the store), as of `as_of`;
    /// the refresh follows and replaces rows in place.
    Cached {
        registry: String,
        as_of: Option<chrono::DateTime<chrono::Utc>>,
    },
    /// The registry's completed crawls (bytes over time), from the store.
    History {
        registry: String,
        history: Arc<crate::store::History>,
    },
    /// What the refresh found changed since the last crawl ("since last open").
    Changes {
        registry: String,
        changes: crate::store::Changes,
    },
}
