//! The one-line prompt at the bottom: the live `/` filter and the `:` command line.

use crate::app::command;
use crate::app::effect::Effect;
use crate::app::keymap::KeyChord;
use crate::app::state::{Modal, PromptKind, State};
use crate::app::views::list_filter;
use crossterm::event::KeyCode;

pub fn on_key(state: &mut State, key: KeyChord) -> Vec<Effect> {
    let Some(Modal::Prompt(p)) = state.modals.last_mut() else {
        return vec![];
    };
    let kind = p.kind;
    let mut changed = false;
    p.note = None;
    match key.code {
        KeyCode::Esc => {
            let before = p.before.clone();
            state.modals.pop();
            if let PromptKind::Filter(target) = kind {
                return list_filter::apply(state, target, before);
            }
            if kind == PromptKind::FindingsFilter {
                state.findings.filter = before;
            }
            return vec![];
        }
        KeyCode::Enter => {
            let text = p.text.clone();
            state.modals.pop();
            return match kind {
                PromptKind::Filter(_) | PromptKind::FindingsFilter => vec![],
                PromptKind::Command => command::run(state, &text),
            };
        }
        KeyCode::Backspace if key.ctrl || key.alt => {
            let trimmed = p.text.trim_end().len();
            let cut = p.text[..trimmed].rfind(' ').map_or(0, |i| i + 1);
            p.text.truncate(cut);
            changed = true;
        }
        KeyCode::Char('u') if key.ctrl => {
            p.text.clear();
            changed = true;
        }
        KeyCode::Char('w') if key.ctrl => {
            let trimmed = p.text.trim_end().len();
            let cut = p.text[..trimmed].rfind(' ').map_or(0, |i| i + 1);
            p.text.truncate(cut);
            changed = true;
        }
        KeyCode::Backspace => {
            if p.text.pop().is_none() && kind == PromptKind::Command {
                state.modals.pop();
                return vec![];
            }
            changed = true;
        }
        KeyCode::Char(c) if !key.ctrl && !key.alt => {
            p.text.push(c);
            changed = true;
        }
        KeyCode::Tab if kind == PromptKind::Command => {
            let line = p.text.clone();
            let c = crate::app::complete::complete(state, &line);
            if let Some(Modal::Prompt(p)) = state.modals.last_mut() {
                p.text = c.text;
                p.note = c.note;
            }
            return vec![];
        }
        _ => {}
    }
    if changed && kind == PromptKind::FindingsFilter {
        state.findings.filter = p.text.clone();
        state.findings.cursor = 0;
        return vec![];
    }
    if let (true, PromptKind::Filter(target)) = (changed, kind) {
        let text = p.text.clone();
        return list_filter::apply(state, target, text);
    }
    vec![]
}
