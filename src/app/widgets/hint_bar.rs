//! The one-line hint bar: the few keys that matter in the current layer, read from the
//! live keymap so remapped keys show as remapped.

use crate::app::action::{Action, Scope, ACTIONS};
use crate::app::config::theme::Role;
use crate::app::state::{Layer, PromptKind, State};
use ratatui::text::{Line, Span};

pub fn line(state: &State) -> Line<'static> {
    let t = &state.theme;
    let pairs: Vec<(String, String)> = match state.layer() {
        Layer::Prompt => {
            let kind = state.prompt().map(|p| p.kind);
            if let Some(PromptKind::Filter(target)) = kind {
                vec![
                    ("enter".into(), "keep".into()),
                    ("esc".into(), "cancel".into()),
                    ("!".into(), "invert".into()),
                    ("'x ^x x$".into(), "exact/prefix/suffix".into()),
                    ("·".into(), format!("matches {}", target.fields())),
                ]
            } else if let Some(note) = state.prompt().and_then(|p| p.note.clone()) {
                // What tab found: the candidates, or that there are none.
                vec![("tab".into(), note)]
            } else {
                vec![
                    ("enter".into(), "run".into()),
                    ("tab".into(), "complete".into()),
                    ("esc".into(), "cancel".into()),
                ]
            }
        }
        Layer::Help => vec![
            (state.keymap.label(Action::Back), "close".into()),
            (state.keymap.label(Action::Down), "scroll".into()),
        ],
        Layer::Confirm => vec![
            ("enter".into(), "delete once the word matches".into()),
            ("esc".into(), "cancel".into()),
        ],
        Layer::Charts => vec![
            (state.keymap.label(Action::ViewExplorer), "explorer".into()),
            (state.keymap.label(Action::Help), "help".into()),
            (state.keymap.label(Action::Quit), "quit".into()),
        ],
        _ => {
            let scope = state.scope();
            // A read-only registry shows no deletion at all.
            let deletable = crate::app::views::plan::update::deletion_allowed(state);
            let specific = ACTIONS.iter().filter(|i| {
                i.hint.is_some()
                    && i.scopes.contains(&scope)
                    && scope != Scope::Global
                    && (i.action != Action::ConfirmDelete || deletable)
                    && (scope != Scope::Plan || plan_key_applies(state, i.action))
                    && (scope != Scope::Detail || detail_key_applies(state, i.action))
                    && (i.action != Action::Doctor || doctor_applies(state))
            });
            // Help first: whatever else is cut at 80 columns, the way to every key stays.
            let help = ACTIONS.iter().filter(|i| i.action == Action::Help);
            let global = ACTIONS.iter().filter(|i| {
                i.hint.is_some() && i.scopes.contains(&Scope::Global) && i.action != Action::Help
            });
            let mut v: Vec<(String, String)> = help
                .chain(specific)
                .chain(global)
                .map(|i| (first_key(state, i.action), i.hint.unwrap_or("").to_string()))
                .collect();
            if scope == Scope::Errors {
                v.insert(
                    3.min(v.len()),
                    (state.keymap.label(Action::Back), "close".into()),
                );
            }
            v
        }
    };
    let mut spans = Vec::new();
    let mut used = 0usize;
    let width = state.size.0 as usize;
    for (k, label) in pairs {
        let piece = k.chars().count() + label.chars().count() + 3;
        if used + piece > width {
            break;
        }
        used += piece;
        spans.push(Span::styled(format!(" {k}"), t.fg(Role::Accent)));
        spans.push(Span::styled(format!(" {label} "), t.fg(Role::Muted)));
    }
    Line::from(spans)
}

fn first_key(state: &State, a: Action) -> String {
    state
        .keymap
        .keys(a)
        .first()
        .map_or_else(|| "(unbound)".into(), |k| k.to_string())
}

/// Plan keys that do something now: nothing but moving once the plan was carried out, and
/// the date keys only when the plan depends on the date (a plan of marks does not).
fn plan_key_applies(state: &State, a: Action) -> bool {
    let p = &state.plan;
    let dated = p.dated();
    match a {
        Action::AsOfEarlier
        | Action::AsOfLater
        | Action::AsOfWeekEarlier
        | Action::AsOfWeekLater
        | Action::AsOfToday => p.run.is_none() && dated,
        Action::Filter | Action::Enter | Action::ExportPlan | Action::Sort => p.run.is_none(),
        _ => true,
    }
}

/// Detail keys that do something in the tab on screen.
fn detail_key_applies(state: &State, a: Action) -> bool {
    use crate::app::views::detail::state::DetailTab;
    match a {
        Action::RawPretty => state.detail.tab == DetailTab::Raw,
        _ => true,
    }
}

/// `P` only where there is an image a runtime could pull (not an empty or loading table,
/// not an OCI layout on disk).
fn doctor_applies(state: &State) -> bool {
    crate::app::views::doctor::update::selected_reference(state).is_ok()
}
