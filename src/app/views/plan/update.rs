//! Reducer for the plan view: opening a plan (from marks, a policy file, or the
//! repository's own lifecycle policy), moving through it, re-dating it, exporting it, and
//! asking for the typed confirmation. `D` only ever opens a review.

use super::confirm::Confirm;
use super::state::PlanState;
use crate::app::action::Action;
use crate::app::effect::Effect;
use crate::app::state::{Modal, Pane, State, View};
use crate::app::tasks::plan::{PlanRequest, PlanResult, PlanSpec};
use crate::app::views::errors::state::ErrorEntry;
use crate::app::views::fleet::state::TreeRow;
use crate::app::views::images::table::ImageTable;
use crate::app::views::list_filter::FilterTarget;
use chrono::Duration;
use std::path::PathBuf;
use std::sync::Arc;

/// Rows of the review list that fit on screen (inside borders, below the header line).
pub fn page(state: &State) -> usize {
    crate::app::layout::areas(state)
        .plan
        .map_or(10, |r| {
            r.height
                .saturating_sub(3 + super::view::SUMMARY_HEIGHT)
                .into()
        })
        .max(1)
}

/// Whether the plan on screen may be carried out: it removes something and its registry
/// is not `read_only`.
pub fn deletion_allowed(state: &State) -> bool {
    let has_actions = state.plan.plan.as_ref().is_some_and(|p| p.removals() > 0);
    has_actions && state.plan.run.is_none() && !plan_registry_read_only(state)
}

pub fn plan_registry_read_only(state: &State) -> bool {
    state
        .plan
        .request
        .as_ref()
        .and_then(|r| state.fleet.registries.get(r.registry))
        .is_some_and(|r| r.settings.read_only)
}

/// The registry the user is looking at: the open repository's, else the tree's selection.
pub fn current_registry(state: &State) -> Option<usize> {
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

/// Loaded tables of a registry, and how many of its repositories are not loaded yet.
fn registry_tables(state: &State, registry: usize) -> (Vec<Arc<ImageTable>>, usize) {
    let mut tables = Vec::new();
    let mut missing = 0;
    for r in state.fleet.repos.iter().filter(|r| r.registry == registry) {
        match &r.table {
            Some(t) => tables.push(t.clone()),
            None => missing += 1,
        }
    }
    (tables, missing)
}

fn marks_in(state: &State, registry: usize) -> Vec<(Arc<ImageTable>, Vec<crate::model::Digest>)> {
    let (tables, _) = registry_tables(state, registry);
    tables
        .into_iter()
        .filter_map(|t| {
            let ids = state
                .images
                .marks
                .get(&format!("{}/{}", t.registry, t.repository))?;
            let digests: Vec<_> = ids
                .iter()
                .filter(|&&id| (id as usize) < t.len())
                .map(|&id| t.row(id).digest())
                .collect();
            (!digests.is_empty()).then_some((t, digests))
        })
        .collect()
}

/// `D`: the marked images of this registry; with none, the repository's own lifecycle
/// policy where the registry keeps one (the session's caps say so).
pub fn open_from_explorer(state: &mut State) -> Vec<Effect> {
    let Some(ri) = current_registry(state) else {
        state.flash("select a repository first", true);
        return vec![];
    };
    let marked = marks_in(state, ri);
    if !marked.is_empty() {
        let spec = PlanSpec::Marks(
            marked
                .iter()
                .map(|(t, d)| (t.repository.clone(), d.clone()))
                .collect(),
        );
        let tables = marked.into_iter().map(|(t, _)| t).collect();
        return start(state, ri, tables, 0, spec);
    }
    let own_policy = state.fleet.registries[ri].caps().own_policy.is_some();
    match (&state.images.table, own_policy) {
        (Some(t), true) => {
            let spec = PlanSpec::RepositoryPolicy(t.repository.clone());
            let tables = vec![t.clone()];
            start(state, ri, tables, 0, spec)
        }
        _ => {
            state.flash(
                "nothing marked: mark images with space (V for a range), or :plan FILE",
                true,
            );
            vec![]
        }
    }
}

/// `:plan [FILE]`: a policy file over the open repository, or over every loaded repository
/// of the registry when the tree has a registry selected.
pub fn command(state: &mut State, args: &str) -> Result<Vec<Effect>, String> {
    if args.is_empty() {
        return Ok(open_from_explorer(state));
    }
    let path = expand_home(args);
    let ri = current_registry(state).ok_or("select a registry or repository first")?;
    let whole_registry =
        state.focus == Pane::Fleet && matches!(state.fleet.selected(), Some(TreeRow::Registry(_)));
    let (tables, missing) = match (&state.images.table, whole_registry) {
        (Some(t), false) => (vec![t.clone()], 0),
        _ => registry_tables(state, ri),
    };
    if tables.is_empty() {
        return Err("no repository of this registry is loaded yet".into());
    }
    Ok(start(
        state,
        ri,
        tables,
        missing,
        PlanSpec::PolicyFile(path),
    ))
}

fn expand_home(p: &str) -> PathBuf {
    match (p.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => PathBuf::from(home).join(rest),
        _ => PathBuf::from(p),
    }
}

fn start(
    state: &mut State,
    registry: usize,
    tables: Vec<Arc<ImageTable>>,
    not_loaded: usize,
    spec: PlanSpec,
) -> Vec<Effect> {
    let reg = &state.fleet.registries[registry];
    let ticket = state.plan.ticket + 1;
    let req = PlanRequest {
        ticket,
        registry,
        registry_name: reg.name.clone(),
        target: reg.target.clone(),
        scope: crate::session::plan::default_scope(Some(reg.kind), &reg.name),
        tables,
        not_loaded,
        spec,
        as_of: state.now,
        prepared: None,
    };
    // The order chosen with `s` stays for the next plan.
    let (sort, descending) = (state.plan.sort, state.plan.descending);
    state.plan = PlanState {
        sort,
        descending,
        request: Some(req.clone()),
        ticket,
        computing: true,
        as_of: Some(state.now),
        opened_at: Some(state.now),
        ..PlanState::default()
    };
    state.view = View::Plan;
    vec![Effect::EvaluatePlan(req)]
}

/// `3`: back to the last plan.
pub fn show(state: &mut State) -> Vec<Effect> {
    if state.plan.request.is_none() {
        state.flash("no plan yet: mark images and press D, or :plan FILE", true);
    } else {
        state.view = View::Plan;
    }
    vec![]
}

pub fn on_result(state: &mut State, r: PlanResult) -> Vec<Effect> {
    if r.ticket != state.plan.ticket {
        return vec![];
    }
    let p = &mut state.plan;
    p.computing = false;
    match r.outcome {
        Ok((prepared, plan)) => {
            p.prepared = Some(prepared);
            p.plan = Some(plan);
            p.error = None;
            p.rebuild_rows();
        }
        Err(e) => {
            p.plan = None;
            p.rows.clear();
            p.error = Some(e.clone());
            let registry = p
                .request
                .as_ref()
                .map(|r| r.registry_name.clone())
                .unwrap_or_default();
            state.errors.push(ErrorEntry::plain(
                state.now,
                &registry,
                &e,
                "fix the policy and run :plan again; nothing was evaluated",
            ));
        }
    }
    vec![]
}

pub fn on_exported(state: &mut State, r: Result<PathBuf, String>) -> Vec<Effect> {
    match r {
        Ok(path) => {
            state.flash(format!("plan written to {}", path.display()), false);
            state.plan.exported = Some(path);
        }
        Err(e) => {
            state.flash(format!("could not export the plan: {e}"), true);
            state.errors.push(ErrorEntry::plain(
                state.now,
                "plan",
                &e,
                "check the data dir",
            ));
        }
    }
    vec![]
}

/// Evaluates the prepared plan again as of another date (latest wins).
fn redate(state: &mut State, to: Option<Duration>) -> Vec<Effect> {
    let p = &mut state.plan;
    let (Some(req), Some(prepared), Some(as_of)) = (&p.request, &p.prepared, p.as_of) else {
        return vec![];
    };
    if !prepared.dated {
        state.flash("a plan of marked images does not depend on the date", false);
        return vec![];
    }
    let when = match to {
        Some(d) => as_of + d,
        None => state.now,
    };
    p.ticket += 1;
    p.as_of = Some(when);
    p.computing = true;
    p.exported = None;
    let mut next = req.clone();
    next.ticket = p.ticket;
    next.as_of = when;
    next.prepared = Some(prepared.clone());
    p.request = Some(next.clone());
    vec![Effect::EvaluatePlan(next)]
}

pub fn on_action(state: &mut State, action: Action) -> Vec<Effect> {
    let page = page(state) as isize;
    if state.plan.summary_open {
        // The summary in full is open: its key, esc or enter close it; nothing else acts
        // behind it.
        if matches!(action, Action::Back | Action::Enter | Action::PlanSummary) {
            state.plan.summary_open = false;
        }
        return vec![];
    }
    if action == Action::PlanSummary {
        state.plan.open = false;
        state.plan.summary_open = state.plan.plan.is_some();
        return vec![];
    }
    if let Some(run) = state.plan.run.as_mut() {
        // The results of a deletion: move through them; nothing else applies to a plan
        // that has been carried out.
        match action {
            Action::Up => super::run::move_by(run, -1),
            Action::Down => super::run::move_by(run, 1),
            Action::Top => super::run::move_by(run, isize::MIN / 2),
            Action::Bottom => super::run::move_by(run, isize::MAX / 2),
            Action::PageUp | Action::HalfPageUp => super::run::move_by(run, -page),
            Action::PageDown | Action::HalfPageDown => super::run::move_by(run, page),
            Action::Back => state.view = View::Explorer,
            Action::ExportPlan | Action::ConfirmDelete => state.flash(
                "this plan was carried out; make a new one (D or :plan)",
                true,
            ),
            _ => {}
        }
        return vec![];
    }
    if state.plan.open {
        // The row in full is open: moving shows the next row in full; esc/enter close it.
        if matches!(action, Action::Back | Action::Enter) {
            state.plan.open = false;
            return vec![];
        }
    }
    let mv = |state: &mut State, d: isize| {
        state.plan.move_by(d, page as usize);
        vec![]
    };
    if let Some(delta) = action.cursor_delta(page) {
        return mv(state, delta);
    }
    match action {
        Action::Back => {
            let clear = crate::app::views::list_filter::clear(state, FilterTarget::Plan);
            clear.unwrap_or_else(|| {
                state.view = View::Explorer;
                vec![]
            })
        }
        Action::Enter => {
            state.plan.open = !state.plan.rows.is_empty();
            vec![]
        }
        Action::Sort => {
            state.plan.sort_next(page as usize);
            vec![]
        }
        Action::SortReverse => {
            state.plan.sort_reverse(page as usize);
            vec![]
        }
        Action::AsOfEarlier => redate(state, Some(Duration::days(-1))),
        Action::AsOfLater => redate(state, Some(Duration::days(1))),
        Action::AsOfWeekEarlier => redate(state, Some(Duration::days(-7))),
        Action::AsOfWeekLater => redate(state, Some(Duration::days(7))),
        Action::AsOfToday => redate(state, None),
        Action::ExportPlan => match &state.plan.plan {
            Some(p) if !state.plan.computing => vec![Effect::ExportPlan(p.clone())],
            _ => {
                state.flash("no finished plan to export yet", true);
                vec![]
            }
        },
        Action::ConfirmDelete => ask_confirmation(state),
        _ => vec![],
    }
}

fn ask_confirmation(state: &mut State) -> Vec<Effect> {
    if plan_registry_read_only(state) {
        state.flash(
            "this registry is read-only (read_only = true): deletion is off; export works",
            true,
        );
        return vec![];
    }
    if state.plan.computing {
        state.flash("the plan is still being evaluated", true);
        return vec![];
    }
    match state.plan.confirmation() {
        Some(c) if deletion_allowed(state) => {
            state.modals.push(Modal::Confirm(Confirm::new(c.word)));
        }
        _ => state.flash("the plan deletes nothing", true),
    }
    vec![]
}

/// After the typed confirmation: the delete engine carries the plan out.
pub fn start_deletion(state: &mut State) -> Vec<Effect> {
    super::run::start(state)
}
