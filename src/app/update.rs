//! The root reducer: routes a message to the layer that owns it and returns the effects
//! the runner must perform. Synchronous, no I/O: tests drive it with keys and read state.

use super::action::Action;
use super::effect::Effect;
use super::keymap::KeyChord;
use super::msg::Msg;
use super::state::{Layer, Modal, Pane, Prompt, PromptKind, State, View};
use super::views::{detail, doctor, errors, findings, fleet, images, layers, plan, prompt, query};
use crossterm::event::{KeyEventKind, MouseEvent, MouseEventKind};

/// Flash messages fade after this long.
const FLASH_SECS: i64 = 6;

pub fn update(state: &mut State, msg: Msg) -> Vec<Effect> {
    let loaded = matches!(
        msg,
        Msg::Inventory(super::msg::InventoryUpdate::Loaded { .. })
    );
    let mut fx = route(state, msg);
    if loaded {
        fx.extend(query::update::on_repository_loaded(state));
    }
    // Whatever re-ordered a list (a sort, a filter, rows streaming in), its selection
    // stays on screen; then the rows now on screen get their severity counts.
    keep_selections_on_screen(state);
    fx.extend(images::scans::follow_visible(state));
    fx
}

/// Scrolls each list just enough that its cursor is visible (a no-op when it is).
fn keep_selections_on_screen(state: &mut State) {
    let page = super::layout::image_page(state);
    state.images.scroll_into_view(page);
    let page = super::layout::fleet_page(state);
    state.fleet.move_by(0, page);
    if state.view == View::Plan && state.plan.run.is_none() {
        let page = plan::update::page(state);
        state.plan.move_by(0, page);
    }
}

fn route(state: &mut State, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::Key(k) if k.kind != KeyEventKind::Release => on_key(state, KeyChord::from_event(&k)),
        Msg::Key(_) => vec![],
        Msg::Mouse(m) => on_mouse(state, m),
        Msg::Resize(w, h) => {
            state.size = (w, h);
            let page = super::layout::image_page(state);
            state.images.scroll_into_view(page);
            let fpage = super::layout::fleet_page(state);
            state.fleet.move_by(0, fpage);
            vec![]
        }
        Msg::Tick(now) => {
            state.now = now;
            state.spinner = state.spinner.wrapping_add(1);
            if state
                .flash
                .as_ref()
                .is_some_and(|f| (now - f.at).num_seconds() >= FLASH_SECS)
            {
                state.flash = None;
            }
            vec![]
        }
        Msg::Inventory(u) => fleet::update::on_inventory(state, u),
        Msg::ViewReady { generation, view } => {
            if state.images.apply_view(generation, view) {
                let page = super::layout::image_page(state);
                state.images.scroll_into_view(page);
                let mut fx = detail::update::follow(state);
                fx.extend(super::goto::settle(state));
                fx
            } else {
                vec![]
            }
        }
        Msg::Detail(r) => {
            let mut fx = detail::update::on_result(state, r);
            fx.extend(layers::update::follow(state));
            fx
        }
        Msg::LayersProgress {
            digest,
            layer,
            total,
        } => {
            layers::update::on_progress(state, &digest, layer, total);
            vec![]
        }
        Msg::Layers(r) => layers::update::on_result(state, r),
        Msg::LayersDive { digest, score } => {
            layers::update::on_dive(state, digest, score);
            vec![]
        }
        Msg::LayersAbandoned(d) => {
            layers::update::abandoned(state, &d);
            vec![]
        }
        Msg::DetailAbandoned(d) => {
            detail::update::abandoned(state, &d);
            vec![]
        }
        // The run loop writes these itself; nothing to remember.
        Msg::Osc52(_) => vec![],
        Msg::Flash { text, error } => {
            state.flash(text, error);
            vec![]
        }
        Msg::Plan(r) => plan::update::on_result(state, r),
        Msg::Doctor(ev) => doctor::update::on_event(state, ev),
        Msg::Delete(ev) => plan::run::on_event(state, ev),
        Msg::Findings(r) => findings::update::on_result(state, r),
        Msg::FindingsAbandoned(d) => {
            findings::update::abandoned(state, &d);
            vec![]
        }
        Msg::Compared(r) => super::views::compare::update::on_diff(state, r),
        Msg::FileRead(r) => super::views::compare::update::on_file(state, r),
        Msg::PlanExported(r) => plan::update::on_exported(state, r),
        Msg::Swept(b) => query::update::on_swept(state, b),
        Msg::Audit(r) => crate::app::views::audit::update::on_result(state, r),
        Msg::ScansMerged { old, new } => images::scans::on_merged(state, &old, new),
    }
}

fn on_key(state: &mut State, key: KeyChord) -> Vec<Effect> {
    if state.layer() == Layer::Prompt {
        return prompt::update::on_key(state, key);
    }
    if state.layer() == Layer::Confirm {
        return plan::confirm::on_key(state, key);
    }
    match state.keymap.action(state.scope(), key) {
        Some(a) => dispatch(state, a),
        // `/` where no list filters: say so rather than let the next letters run.
        None if state.keymap.keys(Action::Filter).contains(&key) => {
            super::views::list_filter::open(state)
        }
        None => vec![],
    }
}

/// Runs one action in the current layer. Also what `:NAME` runs.
pub fn dispatch(state: &mut State, action: Action) -> Vec<Effect> {
    match action {
        Action::Quit => {
            state.quit = true;
            return vec![];
        }
        Action::Help => {
            if matches!(state.modals.last(), Some(Modal::Help { .. })) {
                state.modals.pop();
            } else {
                state.modals.push(Modal::Help { scroll: 0 });
            }
            return vec![];
        }
        Action::Filter => return super::views::list_filter::open(state),
        Action::Command => {
            state.modals.push(Modal::Prompt(Prompt {
                kind: PromptKind::Command,
                text: String::new(),
                before: String::new(),
                note: None,
            }));
            return vec![];
        }
        Action::Errors => {
            if state.modals.last() == Some(&Modal::Errors) {
                state.modals.pop();
            } else {
                state.modals.retain(|m| *m != Modal::Errors);
                state.modals.push(Modal::Errors);
            }
            return vec![];
        }
        Action::Mouse => {
            state.mouse = !state.mouse;
            state.flash(
                if state.mouse {
                    "mouse on (m turns it off; hold shift to select text)"
                } else {
                    "mouse off"
                },
                false,
            );
            return vec![Effect::SetMouse(state.mouse)];
        }
        Action::Refresh => return refresh(state),
        Action::ViewExplorer => {
            state.view = View::Explorer;
            return vec![];
        }
        Action::ViewCharts => {
            state.view = View::Charts;
            return vec![];
        }
        Action::ViewPlan => return plan::update::show(state),
        Action::ViewQuery => {
            if state.query.query.is_some() {
                state.view = View::Query;
            } else {
                state.flash("no fleet query yet: :cve ID or :pkg NAME [< VERSION]", true);
            }
            return vec![];
        }
        Action::ViewDoctor => {
            if state.doctor.reference.is_some() {
                state.view = View::Doctor;
            } else {
                state.flash("no doctor run yet: P on an image, or :doctor REF", true);
            }
            return vec![];
        }
        _ => {}
    }
    match state.layer() {
        Layer::Prompt | Layer::Confirm => vec![],
        Layer::Plan => plan::update::on_action(state, action),
        Layer::Doctor => doctor::update::on_action(state, action),
        Layer::Query => query::update::on_action(state, action),
        Layer::Audit => crate::app::views::audit::update::on_action(state, action),
        Layer::Compare => super::views::compare::update::on_action(state, action),
        Layer::Help => {
            if let Some(Modal::Help { scroll }) = state.modals.last_mut() {
                match action {
                    Action::Back => {
                        state.modals.pop();
                    }
                    Action::Down => *scroll = scroll.saturating_add(1),
                    Action::Up => *scroll = scroll.saturating_sub(1),
                    Action::PageDown | Action::HalfPageDown => *scroll = scroll.saturating_add(10),
                    Action::PageUp | Action::HalfPageUp => *scroll = scroll.saturating_sub(10),
                    Action::Top => *scroll = 0,
                    _ => {}
                }
            }
            vec![]
        }
        Layer::Errors => errors::update::on_action(state, action),
        Layer::Charts => {
            let loaded = state
                .fleet
                .repos
                .iter()
                .filter(|r| r.summary.is_some())
                .count();
            if action == Action::Back {
                state.view = View::Explorer;
            } else if let Some(d) = action.cursor_delta(10) {
                let to = (state.charts_scroll as isize).saturating_add(d);
                state.charts_scroll = to.clamp(0, loaded.saturating_sub(1) as isize) as usize;
            }
            vec![]
        }
        Layer::Pane(pane) => match action {
            Action::NextPane | Action::PrevPane => {
                cycle_pane(state, action == Action::NextPane);
                vec![]
            }
            Action::Plan => plan::update::open_from_explorer(state),
            Action::Doctor => doctor::update::open_from_row(state),
            Action::Diff => super::views::compare::update::diff_marked(state),
            _ => match pane {
                Pane::Fleet => fleet::update::on_action(state, action),
                Pane::Images => images::update::on_action(state, action),
                Pane::Detail => detail::update::on_action(state, action),
            },
        },
    }
}

fn cycle_pane(state: &mut State, forward: bool) {
    let panes: &[Pane] = if state.detail.open {
        &[Pane::Images, Pane::Detail]
    } else {
        &[Pane::Fleet, Pane::Images]
    };
    let i = panes.iter().position(|p| *p == state.focus).unwrap_or(0) as isize;
    let n = panes.len() as isize;
    state.focus = panes[(i + if forward { 1 } else { -1 }).rem_euclid(n) as usize];
}

fn on_mouse(state: &mut State, m: MouseEvent) -> Vec<Effect> {
    if !state.mouse || !state.modals.is_empty() || state.view != View::Explorer {
        return vec![];
    }
    let a = super::layout::areas(state);
    let hit = |r: Option<ratatui::layout::Rect>| {
        r.is_some_and(|r| {
            m.column >= r.x && m.column < r.x + r.width && m.row >= r.y && m.row < r.y + r.height
        })
    };
    let pane = if hit(a.fleet) {
        Pane::Fleet
    } else if hit(a.images) {
        Pane::Images
    } else if hit(a.detail) {
        Pane::Detail
    } else {
        return vec![];
    };
    match m.kind {
        MouseEventKind::ScrollDown | MouseEventKind::ScrollUp => {
            state.focus = pane;
            let act = if m.kind == MouseEventKind::ScrollDown {
                Action::Down
            } else {
                Action::Up
            };
            let mut fx = dispatch(state, act);
            fx.extend(dispatch(state, act));
            fx.extend(dispatch(state, act));
            fx
        }
        MouseEventKind::Down(_) => {
            state.focus = pane;
            match (pane, a.images, a.fleet) {
                (Pane::Images, Some(r), _) => {
                    // Border and header rows come first.
                    let row = m.row.saturating_sub(r.y + 2) as usize;
                    let target = state.images.offset + row;
                    let delta = target as isize - state.images.cursor as isize;
                    images::update::move_cursor(state, delta)
                }
                (Pane::Fleet, _, Some(r)) => {
                    // Border and header rows come first.
                    let row = m.row.saturating_sub(r.y + 2) as usize;
                    let target = state.fleet.offset + row;
                    let delta = target as isize - state.fleet.cursor as isize;
                    fleet::update::move_cursor(state, delta)
                }
                _ => vec![],
            }
        }
        _ => vec![],
    }
}

/// `ctrl-r`: on a repository (the tree's selection, or the images/detail of the open
/// one), that repository alone is read again; elsewhere every registry is crawled again.
fn refresh(state: &mut State) -> Vec<Effect> {
    use super::views::fleet::state::TreeRow;
    let repo = match state.focus {
        _ if state.view != View::Explorer => None,
        Pane::Fleet => match state.fleet.selected() {
            Some(TreeRow::Repo(i)) => {
                let r = &state.fleet.repos[i];
                Some((r.registry, r.name.clone()))
            }
            _ => None,
        },
        _ => state.images.table.as_ref().and_then(|t| {
            let ri = state.fleet.registry_index(&t.registry)?;
            Some((ri, t.repository.clone()))
        }),
    };
    match repo {
        Some((registry, name)) => {
            state.flash(
                format!("reading {name} again (ctrl-r on a registry crawls everything)"),
                false,
            );
            vec![Effect::RefreshRepositories {
                registry,
                repositories: vec![name],
            }]
        }
        None => {
            state.flash("crawling every registry again", false);
            vec![Effect::Refresh]
        }
    }
}
