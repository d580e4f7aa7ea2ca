//! Reducer for the findings tab: lazy, latest-wins fetches cached by digest (content is
//! addressed, so a cached answer only ages, it never goes wrong for another image); sort,
//! filter, fixable-only, cursor.

use super::state::FindingsEntry;
use crate::app::action::Action;
use crate::app::effect::Effect;
use crate::app::state::{Modal, Prompt, PromptKind, State};
use crate::app::tasks::findings::{FindingsRequest, FindingsResult};
use crate::app::views::detail::state::DetailTab;

/// Makes sure the selected image's findings are cached or on their way, when the findings
/// tab is showing.
pub fn follow(state: &mut State) -> Vec<Effect> {
    if !state.detail.open || state.detail.tab != DetailTab::Findings {
        return vec![];
    }
    let Some(row) = state.images.selected() else {
        return vec![];
    };
    let key = row.digest_str().to_string();
    if state.findings.cache.contains_key(&key) {
        return vec![];
    }
    let Some(table) = state.images.table.clone() else {
        return vec![];
    };
    let Some(registry) = state.fleet.registry_index(&table.registry) else {
        return vec![];
    };
    let req = FindingsRequest {
        ticket: state.findings.ticket + 1,
        registry,
        repository: table.repository.clone(),
        digest: row.digest(),
        shown_as: row.reference(),
    };
    state.findings.ticket += 1;
    state.findings.cursor = 0;
    state.findings.cache.insert(key, FindingsEntry::Loading);
    vec![Effect::FetchFindings(req)]
}

pub fn on_result(state: &mut State, r: FindingsResult) -> Vec<Effect> {
    let key = r.digest.as_str().to_string();
    let scanned = matches!(&r.outcome, Ok(rep) if rep.status == crate::model::ScanStatus::Scanned);
    if let (true, Some(t)) = (scanned, &state.images.table) {
        if t.find_digest(&key).is_some() {
            let k = crate::app::views::images::scans::table_key(&t.registry, &t.repository);
            state.findings.scanned_in.insert(k);
        }
    }
    let entry = match r.outcome {
        Ok(rep) => FindingsEntry::Ready(rep),
        Err(e) => FindingsEntry::Failed(e),
    };
    state.findings.cache.insert(key, entry);
    vec![]
}

/// Forgets a placeholder whose fetch was abandoned, so coming back fetches again.
pub fn abandoned(state: &mut State, digest: &str) {
    if matches!(
        state.findings.cache.get(digest),
        Some(FindingsEntry::Loading)
    ) {
        state.findings.cache.remove(digest);
    }
}

/// Keys of the findings tab; `None` leaves the key to the detail pane.
pub fn on_action(state: &mut State, action: Action) -> Option<Vec<Effect>> {
    let f = &mut state.findings;
    match action {
        Action::Up => f.cursor = f.cursor.saturating_sub(1),
        Action::Down => f.cursor = f.cursor.saturating_add(1),
        Action::PageUp | Action::HalfPageUp => f.cursor = f.cursor.saturating_sub(10),
        Action::PageDown | Action::HalfPageDown => f.cursor = f.cursor.saturating_add(10),
        Action::Top => f.cursor = 0,
        Action::Bottom => f.cursor = usize::MAX / 2,
        Action::FindingsSort => {
            f.sort = f.sort.next();
            f.reversed = false;
            f.cursor = 0;
        }
        Action::FindingsSortReverse => {
            f.reversed = !f.reversed;
            f.cursor = 0;
        }
        Action::FindingsFixable => {
            f.fixable_only = !f.fixable_only;
            f.cursor = 0;
        }
        Action::FindingsFilter => {
            let cur = f.filter.clone();
            state.modals.push(Modal::Prompt(Prompt {
                kind: PromptKind::FindingsFilter,
                text: cur.clone(),
                before: cur,
                note: None,
            }));
        }
        Action::Back if !f.filter.is_empty() || f.fixable_only => {
            f.filter.clear();
            f.fixable_only = false;
        }
        _ => return None,
    }
    Some(vec![])
}
