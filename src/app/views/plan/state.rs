//! What the plan view remembers: the request that produced the plan (to re-evaluate at
//! another date), the prepared records, the plan itself flattened into rows, the cursor,
//! and where the plan was exported.

use super::sort::{sort_actions, sort_protected, PlanSort};
use crate::app::tasks::plan::{PlanRequest, PreparedPlan};
use crate::app::views::list_filter::ListFilter;
use crate::policy::{ActionKind, Confirmation, DeletionPlan};
use chrono::{DateTime, Utc};
use std::path::PathBuf;
use std::sync::Arc;

/// One line of the review.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlanRow {
    /// A group header: the action and how many of it the plan holds.
    Group(ActionKind, usize),
    /// An action, by index into `plan.actions`.
    Action(usize),
    ProtectedHeader(usize),
    Protected(usize),
    WarningHeader(usize),
    Warning(usize),
}

#[derive(Debug, Default)]
pub struct PlanState {
    /// The request of the plan on screen (kept to re-evaluate at another date).
    pub request: Option<PlanRequest>,
    pub prepared: Option<Arc<PreparedPlan>>,
    pub plan: Option<Arc<DeletionPlan>>,
    /// Ticket of the newest evaluation; older results are dropped.
    pub ticket: u64,
    pub computing: bool,
    /// The date the plan is evaluated at, and the day the review was opened.
    pub as_of: Option<DateTime<Utc>>,
    pub opened_at: Option<DateTime<Utc>>,
    pub rows: Vec<PlanRow>,
    pub cursor: usize,
    pub offset: usize,
    /// Why the plan could not be built (bad policy file, no policy, ...).
    pub error: Option<String>,
    pub exported: Option<PathBuf>,
    /// The deletion of this plan, once confirmed.
    pub run: Option<super::run::DeleteRun>,
    /// `/` on the review: rows by repository, digest, tags, rule and reason. It narrows
    /// what is shown, never what the plan does (group headers keep their full counts).
    pub filter: String,
    /// Rows passing the filter, out of all item rows.
    pub shown: (usize, usize),
    /// `enter`: the selected row in full over the list.
    pub open: bool,
    /// `i`: the summary box in full over the list.
    pub summary_open: bool,
    /// `s`/`S`: the order of rows within each group.
    pub sort: PlanSort,
    pub descending: bool,
}

impl PlanState {
    /// Flattens the plan into review rows: actions grouped, then protected, then warnings.
    pub fn rebuild_rows(&mut self) {
        let keep = self.rows.get(self.cursor).copied();
        self.rows.clear();
        let Some(plan) = &self.plan else {
            return;
        };
        let mut filter = ListFilter::new(&self.filter);
        let mut pass = |fields: &[&str]| filter.as_mut().is_none_or(|f| f.matches(fields));
        let total = plan.actions.len() + plan.protected.len() + plan.warnings.len();
        let mut shown = 0;
        // Grouped in the order the review lists them: what disappears first.
        for kind in ActionKind::ALL {
            let all: Vec<usize> = (0..plan.actions.len())
                .filter(|&i| plan.actions[i].action == kind)
                .collect();
            let mut idx: Vec<usize> = all
                .iter()
                .copied()
                .filter(|&i| {
                    let a = &plan.actions[i];
                    let mut f = vec![a.repository.as_str(), a.digest.as_str(), &a.rule, &a.reason];
                    f.extend(a.tags.iter().map(String::as_str));
                    pass(&f)
                })
                .collect();
            if idx.is_empty() {
                continue;
            }
            sort_actions(&mut idx, &plan.actions, self.sort, self.descending);
            shown += idx.len();
            self.rows.push(PlanRow::Group(kind, all.len()));
            self.rows.extend(idx.into_iter().map(PlanRow::Action));
        }
        let mut prot: Vec<usize> = (0..plan.protected.len())
            .filter(|&i| {
                let p = &plan.protected[i];
                let tag = p.tag.as_deref().unwrap_or("");
                pass(&[&p.repository, p.digest.as_str(), tag, &p.why])
            })
            .collect();
        sort_protected(&mut prot, &plan.protected, self.sort, self.descending);
        if !prot.is_empty() {
            shown += prot.len();
            self.rows
                .push(PlanRow::ProtectedHeader(plan.protected.len()));
            self.rows.extend(prot.into_iter().map(PlanRow::Protected));
        }
        let warn: Vec<usize> = (0..plan.warnings.len())
            .filter(|&i| pass(&[&plan.warnings[i]]))
            .collect();
        if !warn.is_empty() {
            shown += warn.len();
            self.rows.push(PlanRow::WarningHeader(plan.warnings.len()));
            self.rows.extend(warn.into_iter().map(PlanRow::Warning));
        }
        self.shown = (shown, total);
        if let Some(p) = keep.and_then(|k| self.rows.iter().position(|r| *r == k)) {
            self.cursor = p;
        }
        self.cursor = self.cursor.min(self.rows.len().saturating_sub(1));
    }

    /// `s`: the next column; `S`: the other direction. The selected row stays selected
    /// and on screen.
    pub fn sort_next(&mut self, page: usize) {
        self.sort = self.sort.next();
        // One repository: sorting by it would change nothing on screen.
        let one_repo = self.request.as_ref().is_some_and(|r| r.tables.len() == 1);
        if self.sort == PlanSort::Repository && one_repo {
            self.sort = self.sort.next();
        }
        self.descending = self.sort.default_descending();
        self.resort(page);
    }

    pub fn sort_reverse(&mut self, page: usize) {
        self.descending = !self.descending;
        self.resort(page);
    }

    fn resort(&mut self, page: usize) {
        self.rebuild_rows();
        // The cursor's row, wherever it moved, scrolled into view.
        self.move_by(0, page);
    }

    pub fn move_by(&mut self, delta: isize, page: usize) {
        if self.rows.is_empty() {
            self.cursor = 0;
            self.offset = 0;
            return;
        }
        let c = (self.cursor as isize + delta).clamp(0, self.rows.len() as isize - 1);
        self.cursor = c as usize;
        let page = page.max(1);
        if self.cursor < self.offset {
            self.offset = self.cursor;
        } else if self.cursor >= self.offset + page {
            self.offset = self.cursor + 1 - page;
        }
    }

    /// Whether the plan depends on the date (a policy does; marks do not): only then do
    /// the review's date and its keys show. Known before the first evaluation ends.
    pub fn dated(&self) -> bool {
        match (&self.prepared, &self.request) {
            (Some(p), _) => p.dated,
            (None, Some(r)) => !matches!(r.spec, crate::app::tasks::plan::PlanSpec::Marks(_)),
            (None, None) => false,
        }
    }

    /// Actions that remove a manifest (what a deletion carries out).
    pub fn removals(&self) -> usize {
        self.plan.as_ref().map_or(0, |p| p.removals())
    }

    /// Repositories the plan removes something from.
    pub fn repositories(&self) -> Vec<String> {
        self.plan
            .as_ref()
            .map_or_else(Vec::new, |p| p.removal_repositories())
    }

    /// What the user must type to confirm (the engine decides it, as for `regscope delete`).
    pub fn confirmation(&self) -> Option<Confirmation> {
        self.plan.as_ref().and_then(|p| p.confirmation())
    }
}
