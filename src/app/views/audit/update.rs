//! Reducer for the audit view: `:audit` audits the registry in view (every loaded
//! repository), the newest run wins, arrows move through repositories, tab / shift-tab
//! through checks, `enter` opens the selected check's evidence.

use crate::app::action::Action;
use crate::app::effect::Effect;
use crate::app::state::{State, View};
use crate::app::tasks::audit::{AuditRequest, AuditResult};
use crate::app::views::fleet::state::TreeRow;
use crate::hygiene::CheckId;

/// Rows of repositories that fit (inside borders, below totals and the header, above the
/// evidence).
pub fn page(state: &State) -> usize {
    crate::app::layout::areas(state)
        .audit
        .map_or(10, |r| {
            let (_, table, _) = super::view::split(r, state.audit.evidence);
            table.height.saturating_sub(1).into()
        })
        .max(1)
}

/// The registry the user is looking at: the open repository's, else the tree's selection.
fn current_registry(state: &State) -> Option<usize> {
    if let Some(t) = &state.images.table {
        if let Some(i) = state.fleet.registry_index(&t.registry) {
            return Some(i);
        }
    }
    match state.fleet.selected()? {
        TreeRow::Registry(r) => Some(r),
        TreeRow::Repo(i) => Some(state.fleet.repos[i].registry),
    }
}

/// `:audit`: every loaded repository of the registry in view.
pub fn command(state: &mut State, _args: &str) -> Result<Vec<Effect>, String> {
    let ri = current_registry(state).ok_or("select a registry or repository first")?;
    let mut tables = Vec::new();
    let mut not_loaded = 0;
    for r in state.fleet.repos.iter().filter(|r| r.registry == ri) {
        match &r.table {
            Some(t) => tables.push(t.clone()),
            None => not_loaded += 1,
        }
    }
    let name = state.fleet.registries[ri].settings.name.clone();
    if tables.is_empty() {
        return Err(format!("no repository of {name} is loaded yet"));
    }
    let a = &mut state.audit;
    a.ticket += 1;
    a.registry = Some(ri);
    a.registry_name = name;
    a.running = true;
    a.error = None;
    a.not_loaded = not_loaded;
    a.evidence = false;
    a.scroll = 0;
    state.view = View::Audit;
    Ok(vec![Effect::Audit(AuditRequest {
        ticket: state.audit.ticket,
        registry: ri,
        tables,
        not_loaded,
        now: state.now,
    })])
}

pub fn on_result(state: &mut State, r: AuditResult) -> Vec<Effect> {
    let a = &mut state.audit;
    if r.ticket != a.ticket {
        return vec![];
    }
    a.running = false;
    match r.outcome {
        Ok(report) => {
            a.report = Some(report);
            a.cursor = a.cursor.min(a.rows().len().saturating_sub(1));
            a.offset = a.offset.min(a.cursor);
        }
        Err(e) => a.error = Some(e),
    }
    vec![]
}

pub fn on_action(state: &mut State, action: Action) -> Vec<Effect> {
    let page = page(state);
    let a = &mut state.audit;
    let n = CheckId::ALL.len();
    match action {
        Action::Back if a.evidence => a.evidence = false,
        Action::Back => state.view = View::Explorer,
        Action::Enter => {
            a.evidence = !a.evidence;
            a.scroll = 0;
        }
        Action::NextPane => {
            a.column = (a.column + 1) % n;
            a.scroll = 0;
        }
        Action::PrevPane => {
            a.column = (a.column + n - 1) % n;
            a.scroll = 0;
        }
        Action::Down => a.move_by(1, page),
        Action::Up => a.move_by(-1, page),
        Action::PageDown | Action::HalfPageDown => a.move_by(page as isize, page),
        Action::PageUp | Action::HalfPageUp => a.move_by(-(page as isize), page),
        Action::Top => a.move_by(isize::MIN / 2, page),
        Action::Bottom => a.move_by(isize::MAX / 2, page),
        _ => {}
    }
    vec![]
}
