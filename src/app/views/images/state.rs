//! What the images pane remembers: the repository's table, the current view of it (sort,
//! filter, platform), the cursor and scroll offset, and marks per repository.

use super::column::SortKey;
use super::table::{ImageTable, RowRef};
use crate::app::effect::Effect;
use crate::app::tasks::filter::ViewRequest;
use crate::model::{Platform, Role};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;

/// Which rows are shown, in which order, as positions into the table.
#[derive(Clone, Debug)]
pub enum RowView {
    /// Table order; the state before the first sort arrives.
    Natural(u32),
    /// Every row, in a cached sort permutation.
    Ordered(Arc<[u32]>),
    /// Rows passing the filter, in sort order.
    Filtered(Arc<[u32]>),
}

impl RowView {
    pub fn len(&self) -> usize {
        match self {
            RowView::Natural(n) => *n as usize,
            RowView::Ordered(v) | RowView::Filtered(v) => v.len(),
        }
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    pub fn get(&self, pos: usize) -> u32 {
        match self {
            RowView::Natural(_) => pos as u32,
            RowView::Ordered(v) | RowView::Filtered(v) => v[pos],
        }
    }
    pub fn position_of(&self, id: u32) -> Option<usize> {
        match self {
            RowView::Natural(n) => (id < *n).then_some(id as usize),
            RowView::Ordered(v) | RowView::Filtered(v) => v.iter().position(|x| *x == id),
        }
    }
}

#[derive(Debug)]
pub struct ImagesState {
    pub table: Option<Arc<ImageTable>>,
    /// The rows shown: `folded` with the dependents of unfolded rows spliced in.
    pub view: RowView,
    /// The view as sorted and filtered: top-level rows only.
    pub folded: RowView,
    /// Digests of rows shown unfolded (their platforms and referrers below them).
    pub unfolded: HashSet<String>,
    /// Generation of the newest view request; results from older ones are dropped.
    pub generation: u64,
    /// A request is in flight (the title shows a spinner).
    pub computing: bool,
    pub sort: SortKey,
    /// The filter as typed; a leading `!` inverts.
    pub filter: String,
    pub platform: Option<Platform>,
    pub cursor: usize,
    pub offset: usize,
    /// Marks per `registry/repository`, by table row id.
    pub marks: HashMap<String, BTreeSet<u32>>,
    pub mark_anchor: Option<u32>,
    /// Set on opening a repository, until the first sorted view arrives: the cursor then
    /// stays on the top row instead of following whichever image happened to be first in
    /// the registry's own order while the sort was being computed.
    pub opened_fresh: bool,
    /// Digests of the visible rows whose reports the newest visible sweep fetches.
    pub scan_asked: HashSet<String>,
    /// Ticket of the newest visible sweep.
    pub scan_ticket: u64,
    /// A `:goto` waiting for its repository's rows or view.
    pub goto: Option<crate::app::goto::Goto>,
}

impl Default for ImagesState {
    fn default() -> Self {
        ImagesState {
            table: None,
            view: RowView::Natural(0),
            folded: RowView::Natural(0),
            unfolded: HashSet::new(),
            generation: 0,
            computing: false,
            sort: SortKey::default(),
            filter: String::new(),
            platform: None,
            cursor: 0,
            offset: 0,
            marks: HashMap::new(),
            opened_fresh: false,
            mark_anchor: None,
            scan_asked: HashSet::new(),
            scan_ticket: 0,
            goto: None,
        }
    }
}

/// Where rows `ids` of `old` are in `new`, by digest (absent: deleted since).
fn remap_by_digest(old: &ImageTable, new: &ImageTable, ids: &[u32]) -> HashMap<u32, u32> {
    if ids.is_empty() {
        return HashMap::new();
    }
    let wanted: HashMap<&str, u32> = ids
        .iter()
        .map(|&id| (old.row(id).digest_str(), id))
        .collect();
    new.rows()
        .filter_map(|r| wanted.get(r.digest_str()).map(|&old_id| (old_id, r.id)))
        .collect()
}

/// The top-level row that `id` hangs from (itself when it is top-level).
pub fn top_of(t: &ImageTable, id: u32) -> u32 {
    let mut cur = id;
    // Roles have no cycles; the bound is a guard, not a rule.
    for _ in 0..t.len() {
        match t.role(cur).up() {
            Some(up) => cur = up,
            None => break,
        }
    }
    cur
}

/// How deep row `id` hangs below its top-level row (0 for a top-level row).
pub fn depth_of(t: &ImageTable, id: u32) -> usize {
    let mut cur = id;
    let mut depth = 0;
    while let Some(up) = t.role(cur).up() {
        depth += 1;
        cur = up;
        if depth > t.len() {
            break;
        }
    }
    depth
}

/// Whether row `id` can be marked for deletion on its own: not a platform of an index
/// (it goes with its index) nor a referrer (it goes with its subject).
pub fn markable(t: &ImageTable, id: u32) -> Result<(), String> {
    match t.role(id) {
        Role::Child { parent } => Err(format!(
            "a platform of index {} goes with it: mark the index",
            t.row(parent).short_digest()
        )),
        Role::Referrer { subject } => Err(format!(
            "a referrer follows its subject {}: mark the subject",
            t.row(subject).short_digest()
        )),
        Role::Image | Role::Other => Ok(()),
    }
}

/// `view` with the dependents of every unfolded row spliced in below it.
fn unfold(view: &RowView, t: &ImageTable, unfolded: &HashSet<String>) -> RowView {
    let mut out: Vec<u32> = Vec::with_capacity(view.len());
    for pos in 0..view.len() {
        let id = view.get(pos);
        out.push(id);
        if !t.dependents(id).is_empty() && unfolded.contains(t.row(id).digest_str()) {
            out.extend(t.descendants(id).into_iter().map(|(c, _)| c));
        }
    }
    match view {
        RowView::Filtered(_) => RowView::Filtered(out.into()),
        _ => RowView::Ordered(out.into()),
    }
}

fn repo_key(t: &ImageTable) -> String {
    format!("{}/{}", t.registry, t.repository)
}

impl ImagesState {
    /// Shows `table`, keeping sort, filter and platform; returns the view request. A new
    /// table of the same repository (a refresh) keeps the selected image and the marks by
    /// digest: row ids of the old table mean nothing in the new one, and images deleted
    /// since lose their marks.
    pub fn open(&mut self, table: Arc<ImageTable>) -> Vec<Effect> {
        let same = self
            .table
            .as_ref()
            .is_some_and(|t| repo_key(t) == repo_key(&table));
        let mut keep = None;
        if let (true, Some(old)) = (same, self.table.clone()) {
            let key = repo_key(&table);
            let marked = self.marks.remove(&key).unwrap_or_default();
            let digests: Vec<u32> = marked.iter().copied().chain(self.selected_id()).collect();
            let moved = remap_by_digest(&old, &table, &digests);
            let set: BTreeSet<u32> = marked
                .iter()
                .filter_map(|id| moved.get(id).copied())
                .collect();
            if !set.is_empty() {
                self.marks.insert(key, set);
            }
            keep = self.selected_id().and_then(|id| moved.get(&id).copied());
        }
        let view = match table.sorted_if_ready(self.sort) {
            Some(p) if !self.has_filter() => RowView::Ordered(p),
            _ if table.has_dependents() => RowView::Ordered(table.top_level()),
            _ => RowView::Natural(table.len() as u32),
        };
        self.table = Some(table);
        self.set_folded(view);
        self.mark_anchor = None;
        if !same {
            // Visible-row fetches are about the table that was shown.
            self.scan_asked.clear();
            self.cursor = 0;
            self.offset = 0;
            self.opened_fresh = true;
        } else if let Some(id) = keep {
            self.cursor = self.view.position_of(id).unwrap_or(0);
        }
        self.refresh()
    }

    /// Moves the marks of a repository whose table `old` was replaced by `new` while
    /// another table is on screen: by digest, as [`ImagesState::open`] does; images gone
    /// since lose their marks.
    pub fn remap_marks(&mut self, old: &ImageTable, new: &ImageTable) {
        let key = repo_key(new);
        let Some(marked) = self.marks.remove(&key) else {
            return;
        };
        let ids: Vec<u32> = marked.iter().copied().collect();
        let moved = remap_by_digest(old, new, &ids);
        let set: BTreeSet<u32> = ids.iter().filter_map(|id| moved.get(id).copied()).collect();
        if !set.is_empty() {
            self.marks.insert(key, set);
        }
    }

    /// Lets go of the table (its repository is gone).
    pub fn close(&mut self) {
        if let Some(t) = self.table.take() {
            self.marks.remove(&repo_key(&t));
        }
        self.set_aside();
    }

    /// Stops showing the table (another repository, not loaded yet, is selected); its
    /// marks stay, kept by repository.
    pub fn set_aside(&mut self) {
        self.table = None;
        self.view = RowView::Natural(0);
        self.folded = RowView::Natural(0);
        self.generation += 1;
        self.computing = false;
        self.cursor = 0;
        self.offset = 0;
        self.mark_anchor = None;
    }

    pub fn has_filter(&self) -> bool {
        !self.filter.trim_start_matches('!').trim().is_empty() || self.platform.is_some()
    }

    /// Asks the worker for the view under the current sort/filter/platform.
    pub fn refresh(&mut self) -> Vec<Effect> {
        let Some(table) = self.table.clone() else {
            return vec![];
        };
        self.generation += 1;
        if !self.has_filter() {
            if let Some(p) = table.sorted_if_ready(self.sort) {
                // Cached permutation: apply at once, no round trip.
                self.apply_view(self.generation, RowView::Ordered(p));
                return vec![];
            }
        }
        self.computing = true;
        vec![Effect::ComputeView(ViewRequest {
            generation: self.generation,
            table,
            sort: self.sort,
            query: self.filter.clone(),
            platform: self.platform.clone(),
        })]
    }

    /// Installs a computed view unless a newer request exists; keeps the selected image
    /// selected when it is still in view.
    pub fn apply_view(&mut self, generation: u64, view: RowView) -> bool {
        if generation != self.generation {
            return false;
        }
        let fresh = std::mem::take(&mut self.opened_fresh) && self.cursor == 0;
        let keep = self.selected_id().filter(|_| !fresh);
        self.set_folded(view);
        self.computing = false;
        self.cursor = keep
            .and_then(|id| self.view.position_of(id))
            .unwrap_or(0)
            .min(self.view.len().saturating_sub(1));
        true
    }

    /// Installs the sorted and filtered view and shows it with the unfolded rows' dependents.
    fn set_folded(&mut self, view: RowView) {
        self.view = match &self.table {
            Some(t) if t.has_dependents() && !self.unfolded.is_empty() => {
                unfold(&view, t, &self.unfolded)
            }
            _ => view.clone(),
        };
        self.folded = view;
    }

    /// Shows or hides what hangs from the selected row (an index's platforms, an image's
    /// referrers); on a row that hangs from another, folds that one. Returns a sentence
    /// when there is nothing to unfold.
    pub fn toggle_fold(&mut self) -> Result<(), &'static str> {
        let (Some(id), Some(t)) = (self.selected_id(), self.table.clone()) else {
            return Err("nothing selected");
        };
        let top = top_of(&t, id);
        if t.dependents(top).is_empty() {
            return Err("nothing to unfold: no platforms or referrers hang from this image");
        }
        let key = t.row(top).digest_str().to_string();
        if !self.unfolded.remove(&key) {
            self.unfolded.insert(key);
        }
        let folded = self.folded.clone();
        self.set_folded(folded);
        self.cursor = self.view.position_of(top).unwrap_or(0);
        Ok(())
    }

    /// Selects the row with `digest` (an index's platform), unfolding what it hangs from;
    /// `false` when the table has no such row.
    pub fn select_digest(&mut self, digest: &str) -> bool {
        let Some(t) = self.table.clone() else {
            return false;
        };
        let Some(id) = t.find_digest(digest) else {
            return false;
        };
        let top = top_of(&t, id);
        if top != id && self.unfolded.insert(t.row(top).digest_str().to_string()) {
            let folded = self.folded.clone();
            self.set_folded(folded);
        }
        match self.view.position_of(id) {
            Some(p) => {
                self.cursor = p;
                true
            }
            None => false,
        }
    }

    /// Whether row `id` shows its dependents.
    pub fn is_unfolded(&self, id: u32) -> bool {
        self.table
            .as_ref()
            .is_some_and(|t| self.unfolded.contains(t.row(id).digest_str()))
    }

    pub fn selected_id(&self) -> Option<u32> {
        (!self.view.is_empty() && self.table.is_some()).then(|| self.view.get(self.cursor))
    }

    pub fn selected(&self) -> Option<RowRef<'_>> {
        let id = self.selected_id()?;
        Some(self.table.as_ref()?.row(id))
    }

    pub fn total(&self) -> usize {
        self.table.as_ref().map_or(0, |t| t.len())
    }

    pub fn marks(&self) -> Option<&BTreeSet<u32>> {
        self.marks.get(&repo_key(self.table.as_ref()?))
    }

    pub fn is_marked(&self, id: u32) -> bool {
        self.marks().is_some_and(|m| m.contains(&id))
    }

    /// Marks or unmarks the selected row. A row that hangs from another is not marked:
    /// it goes with its index or subject, and the sentence returned says so.
    pub fn toggle_mark(&mut self) -> Result<(), String> {
        let (Some(id), Some(t)) = (self.selected_id(), self.table.as_ref()) else {
            return Ok(());
        };
        markable(t, id)?;
        let set = self.marks.entry(repo_key(t)).or_default();
        if !set.remove(&id) {
            set.insert(id);
        }
        self.mark_anchor = Some(id);
        Ok(())
    }

    /// Marks every row between the last toggled row and the cursor, in view order.
    pub fn mark_range(&mut self) {
        let (Some(id), Some(t)) = (self.selected_id(), self.table.as_ref()) else {
            return;
        };
        let from = self
            .mark_anchor
            .and_then(|a| self.view.position_of(a))
            .unwrap_or(self.cursor);
        let (lo, hi) = (from.min(self.cursor), from.max(self.cursor));
        let ids: Vec<u32> = (lo..=hi)
            .map(|p| self.view.get(p))
            .filter(|&i| markable(t, i).is_ok())
            .collect();
        self.marks.entry(repo_key(t)).or_default().extend(ids);
        self.mark_anchor = Some(id);
    }

    pub fn clear_marks(&mut self) {
        if let Some(t) = &self.table {
            self.marks.remove(&repo_key(t));
        }
        self.mark_anchor = None;
    }

    /// Moves the cursor by `delta` rows (clamped) and scrolls so it stays in `page` rows.
    pub fn move_by(&mut self, delta: isize, page: usize) {
        let len = self.view.len();
        if len == 0 {
            self.cursor = 0;
            self.offset = 0;
            return;
        }
        let c = self.cursor as isize + delta;
        self.cursor = c.clamp(0, len as isize - 1) as usize;
        self.scroll_into_view(page);
    }

    pub fn scroll_into_view(&mut self, page: usize) {
        let page = page.max(1);
        if self.cursor < self.offset {
            self.offset = self.cursor;
        } else if self.cursor >= self.offset + page {
            self.offset = self.cursor + 1 - page;
        }
        let len = self.view.len();
        self.offset = self.offset.min(len.saturating_sub(page));
        if self.cursor < self.offset {
            self.offset = self.cursor;
        }
    }
}
