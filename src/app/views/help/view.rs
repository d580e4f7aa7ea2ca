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

pub fn lines(state: &State) -> Vec<Line<'static>> {
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
            out.push(Line::from(vec![
                Span::styled(
                    format!("  {:<18}", state.keymap.label(i.action)),
                    t.fg(Role::Accent),
                ),
                Span::styled(i.about.to_string(), t.fg(Role::Text)),
            ]));
        }
        // The shift-letter sorts read best as one legend than as ten rows.
        for (n, chunk) in by_column.chunks(5).enumerate() {
            let head = if n == 0 { "sort by column" } else { "" };
            out.push(Line::from(vec![
                Span::styled(format!("  {head:<18}"), t.fg(Role::Accent)),
                Span::styled(chunk.join("  "), t.fg(Role::Text)),
                Span::styled(
                    if n == 0 { "  (again reverses)" } else { "" },
                    t.fg(Role::Muted),
                ),
            ]));
        }
    }
    out.push(Line::from(Span::styled("commands (:)", t.fg(Role::Header))));
    for c in COMMANDS {
        out.push(Line::from(vec![
            Span::styled(
                format!("  :{:<17}", format!("{} {}", c.name, c.args)),
                t.fg(Role::Accent),
            ),
            Span::styled(c.about.to_string(), t.fg(Role::Text)),
        ]));
    }
    out.push(Line::from(Span::styled(
        "  any action above also runs as :NAME (e.g. :quit, :wide, :charts)",
        t.fg(Role::Muted),
    )));
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
    let lines = lines(state);
    let inner_h = r.height.saturating_sub(2);
    let max = (lines.len() as u16).saturating_sub(inner_h);
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .scroll((scroll.min(max), 0)),
        r,
    );
}
