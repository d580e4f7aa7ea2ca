//! `/` filters whichever list has focus. The images table filters on its worker thread
//! (`tasks/filter`); the smaller lists — the registries tree, the plan review, the fleet
//! query's hits and the error list — filter inline with the same syntax (nucleo pattern
//! terms matched per field, `!` inverts) through [`ListFilter`]. Where nothing is
//! filterable, `/` says so in the status line instead of opening nothing, so the letters
//! typed next are not taken for commands (`q` would quit).

use crate::app::effect::Effect;
use crate::app::state::{Layer, Modal, Pane, Prompt, PromptKind, State};
use crate::app::tasks::filter::Query;
use nucleo_matcher::{Config, Matcher};

/// The list a `/` prompt filters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FilterTarget {
    Images,
    Tree,
    Plan,
    FleetQuery,
    Errors,
}

impl FilterTarget {
    /// What the filter matches, for the hint bar.
    pub fn fields(self) -> &'static str {
        match self {
            FilterTarget::Images => "tags, digest",
            FilterTarget::Tree => "repository names",
            FilterTarget::Plan => "repository, tag, rule, reason",
            FilterTarget::FleetQuery => "repository, tag, digest, id, package",
            FilterTarget::Errors => "registry, repository, status, code, message",
        }
    }
}

/// A filter over one list's text fields, parsed once per keystroke.
pub struct ListFilter {
    query: Query,
    matcher: Matcher,
}

impl ListFilter {
    /// `None` for a filter that filters nothing (empty, spaces, a lone `!`).
    pub fn new(raw: &str) -> Option<Self> {
        let query = Query::parse(raw);
        (!query.is_empty()).then(|| ListFilter {
            query,
            matcher: Matcher::new(Config::DEFAULT),
        })
    }

    /// Whether a row with these fields passes: each term matches within one field.
    pub fn matches(&mut self, fields: &[&str]) -> bool {
        self.query.matches_fields(fields, &mut self.matcher)
    }
}

/// Whether `raw` filters anything.
pub fn is_active(raw: &str) -> bool {
    !raw.trim_start_matches('!').trim().is_empty()
}

/// The list `/` filters in the current layer, if any.
pub fn target(state: &State) -> Option<FilterTarget> {
    match state.layer() {
        Layer::Pane(Pane::Fleet) => Some(FilterTarget::Tree),
        Layer::Pane(Pane::Images) => Some(FilterTarget::Images),
        Layer::Plan if state.plan.run.is_none() => Some(FilterTarget::Plan),
        Layer::Query => Some(FilterTarget::FleetQuery),
        Layer::Errors => Some(FilterTarget::Errors),
        _ => None,
    }
}

/// The filter of `target` as typed.
pub fn current(state: &State, target: FilterTarget) -> String {
    match target {
        FilterTarget::Images => state.images.filter.clone(),
        FilterTarget::Tree => state.fleet.filter.clone(),
        FilterTarget::Plan => state.plan.filter.clone(),
        FilterTarget::FleetQuery => state.query.filter.clone(),
        FilterTarget::Errors => state.errors.filter.clone(),
    }
}

/// `/`: opens the filter prompt on the focused list, or says there is none.
pub fn open(state: &mut State) -> Vec<Effect> {
    let Some(target) = target(state) else {
        state.flash(
            "nothing to filter here: / filters the registries, images, plan, fleet query and error list",
            false,
        );
        return vec![];
    };
    let cur = current(state, target);
    state.modals.push(Modal::Prompt(Prompt {
        kind: PromptKind::Filter(target),
        text: cur.clone(),
        before: cur,
        note: None,
    }));
    vec![]
}

/// Sets the filter of `target` and recomputes its rows (the cursor stays on its row when
/// that row still passes, and on screen either way).
pub fn apply(state: &mut State, target: FilterTarget, text: String) -> Vec<Effect> {
    if current(state, target) == text {
        return vec![];
    }
    match target {
        FilterTarget::Images => {
            state.images.filter = text;
            state.images.refresh()
        }
        FilterTarget::Tree => {
            state.fleet.filter = text;
            state.fleet.rebuild_rows();
            let page = crate::app::layout::fleet_page(state);
            state.fleet.move_by(0, page);
            crate::app::views::fleet::update::follow(state)
        }
        FilterTarget::Plan => {
            state.plan.filter = text;
            state.plan.rebuild_rows();
            let page = crate::app::views::plan::update::page(state);
            state.plan.move_by(0, page);
            vec![]
        }
        FilterTarget::FleetQuery => {
            state.query.filter = text;
            state.query.sort();
            let page = crate::app::views::query::update::page(state);
            state.query.move_by(0, page);
            vec![]
        }
        FilterTarget::Errors => {
            state.errors.filter = text;
            state.errors.settle();
            vec![]
        }
    }
}

/// `esc` on a filtered list: clears its filter; `None` when it has none (esc goes back).
pub fn clear(state: &mut State, target: FilterTarget) -> Option<Vec<Effect>> {
    if current(state, target).is_empty() {
        return None;
    }
    Some(apply(state, target, String::new()))
}
