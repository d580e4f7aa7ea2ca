//! The help overlay, generated from the live keymap and the command table, so it shows
//! remapped keys as they are.

use crate::app::action::{Action, Scope, ACTIONS};
use crate::app::command::COMMANDS;
use crate::app::config::theme::Role;
use crate::app::state::{Modal, State};
use crate::app::widgets::centered;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use ratatui::Frame;

/// The column a shift-letter sort action names in `scope` (`None`: not a column sort).
fn column_word(a: Action, scope: Scope) -> Option<&'static str> {
    let fleet = scope == Scope::Fleet;
    Some(match a {
        Action::SortName if fleet => "name",
        Action::SortName => "tags",
        Action::SortDigest => "digest",
        Action::SortKind => "kind",
        Action::SortPlatforms => "platforms",
        Action::SortSize if fleet => "total",
        Action::SortSize => "size",
        Action::SortUnique => "unique",
        Action::SortCount => "images",
        Action::SortCreated => "created",
        Action::SortPushed => "pushed",
        Action::SortPulled => "pulled",
        Action::SortCritical => "critical",
        _ => return None,
    })
}

/// A key column and its description, the description wrapped under itself so every word
/// of it is on screen at any width.
fn entry(state: &State, key: String, about: &str, width: usize) -> Vec<Line<'static>> {
    let t = &state.theme;
    let lead = key.chars().count().max(20);
    let wrapped = crate::app::widgets::wrap(about, width.saturating_sub(lead).max(16));
    wrapped
        .into_iter()
        .enumerate()
        .map(|(n, text)| {
            let k = if n == 0 { key.clone() } else { String::new() };
            Line::from(vec![
                Span::styled(format!("{k:<lead$}"), t.fg(Role::Accent)),
                Span::styled(text, t.fg(Role::Text)),
            ])
        })
        .collect()
}

/// Every line of the help for an overlay `width` columns wide (inside its borders).
pub fn lines(state: &State, width: usize) -> Vec<Line<'static>> {
    let t = &state.theme;
    let mut out = Vec::new();
    for scope in [
        Scope::Global,
        Scope::Fleet,
        Scope::Images,
        Scope::Detail,
        Scope::Errors,
        Scope::Plan,
        Scope::Doctor,
        Scope::Query,
        Scope::Audit,
    ] {
        out.push(Line::from(Span::styled(
            scope.name().to_string(),
            t.fg(Role::Header),
        )));
        let mut by_column = Vec::new();
        for i in ACTIONS.iter().filter(|i| i.scopes.contains(&scope)) {
            if let Some(word) = column_word(i.action, scope) {
                by_column.push(format!("{} {word}", state.keymap.label(i.action)));
                continue;
            }
            let key = format!("  {:<18}", state.keymap.label(i.action));
            out.extend(entry(state, key, i.about, width));
        }
        // The shift-letter sorts read best as one legend than as ten rows.
        if !by_column.is_empty() {
            let legend = format!("{}  (again reverses)", by_column.join("  "));
            out.extend(entry(
                state,
                format!("  {:<18}", "sort by column"),
                &legend,
                width,
            ));
        }
    }
    out.push(Line::from(Span::styled("commands (:)", t.fg(Role::Header))));
    for c in COMMANDS {
        let key = format!("  :{:<17}", format!("{} {}", c.name, c.args));
        out.extend(entry(state, key, c.about, width));
    }
    let tail = "any action above also runs as :NAME (e.g. :quit, :wide, :charts)";
    for l in crate::app::widgets::wrap(tail, width.saturating_sub(2).max(16)) {
        out.push(Line::from(Span::styled(
            format!("  {l}"),
            t.fg(Role::Muted),
        )));
    }
    out
}

pub fn draw(frame: &mut Frame, area: Rect, state: &State) {
    let t = &state.theme;
    let scroll = state
        .modals
        .iter()
        .rev()
        .find_map(|m| match m {
            Modal::Help { scroll } => Some(*scroll),
            _ => None,
        })
        .unwrap_or(0);
    let r = centered(area, 80, 85, 60.min(area.width), 12.min(area.height));
    frame.render_widget(Clear, r);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(t.border(true))
        .title(Span::styled(
            " help — keys from your keymap ",
            t.fg(Role::Title),
        ));
    let lines = lines(state, r.width.saturating_sub(2) as usize);
    let inner_h = r.height.saturating_sub(2);
    let max = (lines.len() as u16).saturating_sub(inner_h);
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .scroll((scroll.min(max), 0)),
        r,
    );
}
