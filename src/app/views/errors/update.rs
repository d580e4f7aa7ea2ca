//! Reducer for the error list overlay.

use crate::app::action::Action;
use crate::app::effect::Effect;
use crate::app::state::State;
use crate::app::views::list_filter::{self, FilterTarget};

pub fn on_action(state: &mut State, action: Action) -> Vec<Effect> {
    if state.errors.open {
        return on_open_action(state, action);
    }
    if let Some(delta) = action.cursor_delta(5) {
        state.errors.move_by(delta);
        return vec![];
    }
    let e = &mut state.errors;
    match action {
        Action::Enter if e.selected().is_some() => {
            e.open = true;
            e.scroll = 0;
        }
        Action::Dismiss => e.dismiss(),
        Action::DismissAll => e.dismiss_all(),
        Action::Back => {
            if let Some(fx) = list_filter::clear(state, FilterTarget::Errors) {
                return fx;
            }
            state.modals.pop();
        }
        _ => {}
    }
    vec![]
}

/// Keys while one error is open in full: scroll it, dismiss it, or go back to the list.
fn on_open_action(state: &mut State, action: Action) -> Vec<Effect> {
    let e = &mut state.errors;
    match action {
        Action::Down => e.scroll = e.scroll.saturating_add(1),
        Action::Up => e.scroll = e.scroll.saturating_sub(1),
        Action::PageDown | Action::HalfPageDown => e.scroll = e.scroll.saturating_add(10),
        Action::PageUp | Action::HalfPageUp => e.scroll = e.scroll.saturating_sub(10),
        Action::Top => e.scroll = 0,
        Action::Dismiss => {
            e.dismiss();
            e.open = false;
        }
        Action::Back | Action::Enter => e.open = false,
        _ => {}
    }
    vec![]
}
