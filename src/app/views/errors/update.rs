//! Reducer for the error list overlay.

use crate::app::action::Action;
use crate::app::effect::Effect;
use crate::app::state::State;

pub fn on_action(state: &mut State, action: Action) -> Vec<Effect> {
    let e = &mut state.errors;
    let last = e.entries.len().saturating_sub(1);
    match action {
        Action::Up => e.cursor = e.cursor.saturating_sub(1),
        Action::Down => e.cursor = (e.cursor + 1).min(last),
        Action::Top => e.cursor = 0,
        Action::Bottom => e.cursor = last,
        Action::PageUp | Action::HalfPageUp => e.cursor = e.cursor.saturating_sub(5),
        Action::PageDown | Action::HalfPageDown => e.cursor = (e.cursor + 5).min(last),
        Action::Dismiss => e.dismiss(),
        Action::DismissAll => e.dismiss_all(),
        Action::Back => {
            state.modals.pop();
        }
        _ => {}
    }
    vec![]
}
