//! The error list overlay: every error kept until dismissed, newest first; the selected
//! one is shown in full with its next step.

use crate::app::config::theme::Role;
use crate::app::format;
use crate::app::state::State;
use crate::app::widgets::centered;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};
use ratatui::Frame;

pub fn draw(frame: &mut Frame, area: Rect, state: &State) {
    let t = &state.theme;
    let e = &state.errors;
    let r = centered(area, 90, 80, 60.min(area.width), 12.min(area.height));
    frame.render_widget(Clear, r);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(t.fg(Role::Danger))
        .title(Span::styled(
            format!(" errors ({}) ", e.entries.len()),
            t.fg(Role::Danger),
        ));
    let inner = block.inner(r);
    frame.render_widget(block, r);
    if e.entries.is_empty() {
        frame.render_widget(
            Paragraph::new(Span::styled("no errors", t.fg(Role::Ok))),
            inner,
        );
        return;
    }
    let [list, detail] = Layout::vertical([Constraint::Min(3), Constraint::Length(7)]).areas(inner);
    let h = list.height as usize;
    let offset = e.cursor.saturating_sub(h.saturating_sub(1));
    let lines: Vec<Line> = e
        .entries
        .iter()
        .enumerate()
        .skip(offset)
        .take(h)
        .map(|(i, x)| {
            let status = match (x.status, &x.code) {
                (Some(s), Some(c)) => format!("{s} {c}"),
                (Some(s), None) => s.to_string(),
                (None, Some(c)) => c.clone(),
                (None, None) => "—".into(),
            };
            let registry = state.fleet.shown_name(&x.registry);
            let place = match &x.repository {
                Some(r) => format!("{registry}/{r}"),
                None => registry,
            };
            let text = format!(
                "{}  {:<28} {:<16} {}",
                x.at.format("%H:%M:%S"),
                format::truncate(&place, 28),
                format::truncate(&status, 16),
                state.fleet.screen_text(&x.registry, &x.message)
            );
            let style = if i == e.cursor {
                t.selection()
            } else {
                t.fg(Role::Text)
            };
            Line::from(Span::styled(text, style))
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), list);
    if let Some(x) = e.entries.get(e.cursor) {
        let mut lines = vec![Line::from(Span::styled(
            state.fleet.screen_text(&x.registry, &x.message),
            t.fg(Role::Danger),
        ))];
        // Every fact by name, unknown ones as such: the list row cuts them short.
        let field = |k: &'static str, v: String| {
            [
                Span::styled(k, t.fg(Role::Header)),
                Span::styled(v, t.fg(Role::Text)),
            ]
        };
        let unknown = || format::UNKNOWN.to_string();
        let mut facts = Vec::new();
        facts.extend(field("registry ", state.fleet.shown_name(&x.registry)));
        facts.extend(field(
            "  repository ",
            x.repository.clone().unwrap_or_else(unknown),
        ));
        facts.extend(field(
            "  status ",
            x.status.map_or_else(unknown, |s| s.to_string()),
        ));
        facts.extend(field("  code ", x.code.clone().unwrap_or_else(unknown)));
        lines.push(Line::from(facts));
        if let Some(r) = &x.reference {
            lines.push(Line::from(Span::styled(
                format!("reference: {r}"),
                t.fg(Role::Muted),
            )));
        }
        lines.push(Line::from(vec![
            Span::styled("next step: ", t.fg(Role::Header)),
            Span::styled(x.next_step.clone(), t.fg(Role::Text)),
        ]));
        let block = Block::default()
            .borders(Borders::TOP)
            .border_style(t.border(false));
        frame.render_widget(
            Paragraph::new(lines).block(block).wrap(Wrap { trim: true }),
            detail,
        );
    }
}
