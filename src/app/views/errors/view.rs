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
    let [list, detail] = Layout::vertical([Constraint::Min(3), Constraint::Length(6)]).areas(inner);
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
            let place = match &x.repository {
                Some(r) => format!("{}/{}", x.registry, r),
                None => x.registry.clone(),
            };
            let text = format!(
                "{}  {:<28} {:<16} {}",
                x.at.format("%H:%M:%S"),
                format::truncate(&place, 28),
                format::truncate(&status, 16),
                x.message
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
            x.message.clone(),
            t.fg(Role::Danger),
        ))];
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
