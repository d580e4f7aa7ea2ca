//! The help overlay, generated from the live keymap and the command table, so it shows
//! remapped keys as they are.

use crate::app::action::{Scope, ACTIONS};
use crate::app::command::COMMANDS;
use crate::app::config::theme::Role;
use crate::app::state::{Modal, State};
use crate::app::widgets::centered;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use ratatui::Frame;

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
        for i in ACTIONS.iter().filter(|i| i.scopes.contains(&scope)) {
            out.push(Line::from(vec![
                Span::styled(
                    format!("  {:<18}", state.keymap.label(i.action)),
                    t.fg(Role::Accent),
                ),
                Span::styled(i.about.to_string(), t.fg(Role::Text)),
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
