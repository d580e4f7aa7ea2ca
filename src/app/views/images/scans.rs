//! Severity counts for images whose inventory record carries none (OCI Distribution and
//! OCI layouts; registries that scan images themselves list their own counts): the rows on screen have their
//! scanner reports fetched in the background (latest wins, a few at a time, cached by
//! digest with the findings tab and the fleet query), and every cell says which of four
//! things is true: not fetched yet (`?`), fetching (spinner), not scanned (`—`), or
//! scanned with counts (`0` is a real zero). Never where the registry scans itself (counts
//! come with the listing), meters reads, or counts a manifest read as a pull: there `:cve`
//! or the findings tab fetch on request.

use super::column::ImageColumn;
use super::table::ImageTable;
use crate::app::effect::Effect;
use crate::app::state::{State, View};
use crate::app::tasks::findings::{FindingsReport, FindingsRequest};
use crate::app::tasks::sweep::{MergeRequest, SweepKind, SweepRequest};
use crate::app::views::findings::state::FindingsEntry;
use crate::model::{ScanStatus, ScanSummary, Severity, SeverityCounts};
use std::collections::HashSet;
use std::sync::Arc;

/// What one row's severity cells can say.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RowScan {
    /// Scanned: counts per severity (a zero is clean for that severity).
    Counts(SeverityCounts),
    /// Known but not scanned: not scanned, scanning, failed, unsupported.
    Status(ScanStatus),
    /// The report is being fetched.
    Fetching,
    /// The reports could not be read.
    Unreadable,
    /// Nobody fetched this row's reports yet.
    NotFetched,
    /// Not an image (a platform of an index, a referrer) and the registry listed no
    /// scan of it: its findings are its index's or its subject's, never fetched alone.
    NotApplicable,
}

/// Whether the rows of `table` get their reports fetched as they come on screen.
pub fn sweeps_visible(state: &State, table: &ImageTable) -> bool {
    let Some(i) = state.fleet.registry_index(&table.registry) else {
        return false;
    };
    let node = &state.fleet.registries[i];
    // Not where the registry scans itself (its listing carries the counts), and not where
    // reading reports would be metered GETs or count as pulls.
    let caps = node.caps();
    !(caps.own_scans || caps.meters_gets || caps.manifest_read_counts_as_pull)
}

/// Whether the severity columns show for `table`: when the inventory carries scans, or
/// once a fetched report shows some image of it was scanned. A table nobody scanned keeps
/// its columns for what is known (four columns of "not scanned" say less than one hint).
pub fn shows_severity(state: &State, table: &ImageTable) -> bool {
    table.has_scans()
        || state
            .findings
            .scanned_in
            .contains(&table_key(&table.registry, &table.repository))
}

/// How `FindingsState::scanned_in` names a repository.
pub fn table_key(registry: &str, repository: &str) -> String {
    format!("{registry}/{repository}")
}

pub fn counts_of(r: &FindingsReport) -> SeverityCounts {
    let mut c = SeverityCounts::default();
    for f in &r.findings {
        c.add(f.severity, 1);
    }
    c
}

/// The scan of row `id`: the inventory's summary, else the findings cache.
pub fn row_scan(state: &State, table: &ImageTable, id: u32) -> RowScan {
    if let Some(s) = table.facts().scan(id) {
        return match s.status {
            ScanStatus::Scanned => RowScan::Counts(s.counts),
            other => RowScan::Status(other),
        };
    }
    if !table.role(id).is_image() {
        return RowScan::NotApplicable;
    }
    let digest = table.row(id).digest_str();
    match state.findings.cache.get(digest) {
        Some(FindingsEntry::Ready(r)) if r.status == ScanStatus::Scanned => {
            RowScan::Counts(counts_of(r))
        }
        Some(FindingsEntry::Ready(r)) => RowScan::Status(r.status.clone()),
        Some(FindingsEntry::Loading) => RowScan::Fetching,
        Some(FindingsEntry::Failed(_)) => RowScan::Unreadable,
        None if state.images.scan_asked.contains(digest) => RowScan::Fetching,
        None => RowScan::NotFetched,
    }
}

/// The count of one severity, where the row was scanned.
pub fn count(scan: &RowScan, sev: Severity) -> Option<u32> {
    match scan {
        RowScan::Counts(c) => Some(c.get(sev)),
        _ => None,
    }
}

/// Asks for the reports of the rows on screen that nobody fetched yet.
pub fn follow_visible(state: &mut State) -> Vec<Effect> {
    if state.view != View::Explorer {
        return vec![];
    }
    let Some(table) = state.images.table.clone() else {
        return vec![];
    };
    if !sweeps_visible(state, &table) {
        return vec![];
    }
    let Some(registry) = state.fleet.registry_index(&table.registry) else {
        return vec![];
    };
    let im = &state.images;
    let page = crate::app::layout::image_page(state);
    let end = (im.offset + page).min(im.view.len());
    let mut missing: Vec<u32> = Vec::new();
    for pos in im.offset..end {
        let id = im.view.get(pos);
        let r = table.row(id);
        // Referrers (signatures, reports, SBOMs) are not scanned themselves.
        let scannable = table.role(id).is_image();
        if scannable
            && table.facts().scan(id).is_none()
            && !state.findings.cache.contains_key(r.digest_str())
        {
            missing.push(id);
        }
    }
    if missing
        .iter()
        .all(|id| im.scan_asked.contains(table.row(*id).digest_str()))
    {
        return vec![];
    }
    let im = &mut state.images;
    im.scan_ticket += 1;
    im.scan_asked = missing
        .iter()
        .map(|id| table.row(*id).digest_str().to_string())
        .collect::<HashSet<_>>();
    let items = missing
        .iter()
        .map(|id| {
            let r = table.row(*id);
            FindingsRequest {
                ticket: im.scan_ticket,
                registry,
                repository: table.repository.clone(),
                digest: r.digest(),
                shown_as: r.reference(),
            }
        })
        .collect();
    vec![Effect::SweepFindings(SweepRequest {
        kind: SweepKind::Visible,
        ticket: im.scan_ticket,
        items,
    })]
}

/// When the pane is sorted by a severity column, folds the summaries fetched for the
/// current table into it (off the UI thread) so those rows sort by their counts.
pub fn merge_if_sorting(state: &State) -> Vec<Effect> {
    if !matches!(state.images.sort.column, ImageColumn::Severity(_)) {
        return vec![];
    }
    let Some(table) = state.images.table.clone() else {
        return vec![];
    };
    let scans: Vec<(u32, ScanSummary)> = table
        .rows()
        .filter(|r| table.facts().scan(r.id).is_none())
        .filter_map(|r| match state.findings.cache.get(r.digest_str()) {
            Some(FindingsEntry::Ready(rep)) => Some((
                r.id,
                ScanSummary {
                    status: rep.status.clone(),
                    scanned_at: rep.scanned_at,
                    counts: counts_of(rep),
                    source: crate::scan::rollup::sources_label(
                        rep.sources.iter().map(String::as_str),
                    ),
                },
            )),
            _ => None,
        })
        .collect();
    if scans.is_empty() {
        return vec![];
    }
    vec![Effect::MergeScans(MergeRequest { table, scans })]
}

/// A merged table replaces its predecessor in the tree and, if shown, in the pane (which
/// keeps the selected image, sort and filter).
pub fn on_merged(state: &mut State, old: &Arc<ImageTable>, new: Arc<ImageTable>) -> Vec<Effect> {
    for repo in &mut state.fleet.repos {
        if repo.table.as_ref().is_some_and(|t| Arc::ptr_eq(t, old)) {
            repo.table = Some(new.clone());
        }
    }
    if state
        .images
        .table
        .as_ref()
        .is_some_and(|t| Arc::ptr_eq(t, old))
    {
        return state.images.open(new);
    }
    vec![]
}
