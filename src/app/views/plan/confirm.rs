//! The typed confirmation before a deletion. It defaults to cancel: `esc`, or `enter` with
//! anything but the exact word (the repository name, or the image count for a plan over
//! several repositories), deletes nothing.

use crate::app::effect::Effect;
use crate::app::keymap::KeyChord;
use crate::app::state::{Modal, State};
use crossterm::event::KeyCode;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Confirm {
    /// What must be typed.
    pub expect: String,
    pub typed: String,
    /// Set after a wrong `enter`, so the dialog says why nothing happened.
    pub mismatch: bool,
}

impl Confirm {
    pub fn new(expect: String) -> Self {
        Confirm {
            expect,
            typed: String::new(),
            mismatch: false,
        }
    }
    pub fn matches(&self) -> bool {
        self.typed.trim() == self.expect
    }
}

pub fn on_key(state: &mut State, key: KeyChord) -> Vec<Effect> {
    let Some(Modal::Confirm(c)) = state.modals.last_mut() else {
        return vec![];
    };
    match key.code {
        KeyCode::Esc => {
            state.modals.pop();
            state.flash("deletion cancelled; nothing was deleted", false);
        }
        KeyCode::Enter if c.matches() => {
            state.modals.pop();
            return super::update::start_deletion(state);
        }
        KeyCode::Enter => c.mismatch = true,
        KeyCode::Backspace => {
            c.typed.pop();
            c.mismatch = false;
        }
        KeyCode::Char('u') if key.ctrl => c.typed.clear(),
        KeyCode::Char(ch) if !key.ctrl && !key.alt => {
            c.typed.push(ch);
            c.mismatch = false;
        }
        _ => {}
    }
    vec![]
}
