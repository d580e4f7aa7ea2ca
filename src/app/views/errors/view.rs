//! The error list overlay: every error kept until dismissed, newest first; the selected
//! one is shown in full with its next step.

use super::state::ErrorEntry;
use crate::app::action::Action;
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
    let visible = e.visible();
    let mut title = vec![Span::styled(
        format!(" errors ({}) ", e.entries.len()),
        t.fg(Role::Danger),
    )];
    if !e.filter.is_empty() {
        title.push(Span::styled(format!("/{} ", e.filter), t.fg(Role::Filter)));
        title.push(Span::styled(
            format!("{} shown ", visible.len()),
            t.fg(Role::Muted),
        ));
    }
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(t.fg(Role::Danger))
        .title(Line::from(title));
    let inner = block.inner(r);
    frame.render_widget(block, r);
    if let (true, Some(x)) = (e.open, e.selected()) {
        let at = visible.iter().position(|&i| i == e.cursor).unwrap_or(0);
        draw_open(frame, inner, state, x, (at + 1, visible.len()));
        return;
    }
    if e.entries.is_empty() {
        frame.render_widget(
            Paragraph::new(Span::styled("no errors", t.fg(Role::Ok))),
            inner,
        );
        return;
    }
    let [list, detail] = Layout::vertical([Constraint::Min(3), Constraint::Length(7)]).areas(inner);
    if visible.is_empty() {
        frame.render_widget(
            Paragraph::new(Span::styled(
                "no error matches the filter (esc clears it)",
                t.fg(Role::Muted),
            )),
            list,
        );
        return;
    }
    let h = list.height as usize;
    let at = visible.iter().position(|&i| i == e.cursor).unwrap_or(0);
    let offset = at.saturating_sub(h.saturating_sub(1));
    let lines: Vec<Line> = visible
        .iter()
        .skip(offset)
        .take(h)
        .map(|&i| (i, &e.entries[i]))
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
            // Narrow overlays give the message room; whatever is cut ends in `…` and
            // `enter` shows it in full.
            let place_w = (list.width as usize / 4).clamp(12, 28);
            let status_w = if list.width >= 90 { 16 } else { 10 };
            let lead = format!(
                "{}  {:<place_w$} {:<status_w$} ",
                x.at.format("%H:%M:%S"),
                format::truncate(&place, place_w),
                format::truncate(&status, status_w),
            );
            let room = (list.width as usize).saturating_sub(lead.chars().count());
            let text = format!(
                "{lead}{}",
                format::truncate(&state.fleet.screen_text(&x.registry, &x.message), room)
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
    if let Some(x) = e.selected() {
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
            .border_style(t.border(false))
            .title(Span::styled(" enter: in full ", t.fg(Role::Muted)));
        frame.render_widget(
            Paragraph::new(lines).block(block).wrap(Wrap { trim: true }),
            detail,
        );
    }
}

/// One error in full: every fact on its own line, the message and next step wrapped, the
/// whole scrollable, so nothing of it is cut at any size.
fn draw_open(frame: &mut Frame, area: Rect, state: &State, x: &ErrorEntry, pos: (usize, usize)) {
    let t = &state.theme;
    let unknown = || format::UNKNOWN.to_string();
    let field = |k: &'static str, v: String| {
        Line::from(vec![
            Span::styled(format!("{k:<11}"), t.fg(Role::Header)),
            Span::styled(v, t.fg(Role::Text)),
        ])
    };
    let mut lines = vec![
        Line::from(Span::styled(
            format!("error {} of {}", pos.0, pos.1),
            t.fg(Role::Muted),
        )),
        Line::from(Span::styled(
            state.fleet.screen_text(&x.registry, &x.message),
            t.fg(Role::Danger),
        )),
        Line::default(),
        field("registry", state.fleet.shown_name(&x.registry)),
        field("repository", x.repository.clone().unwrap_or_else(unknown)),
    ];
    if let Some(r) = &x.reference {
        lines.push(field("reference", r.clone()));
    }
    lines.push(field(
        "status",
        x.status.map_or_else(unknown, |s| s.to_string()),
    ));
    lines.push(field("code", x.code.clone().unwrap_or_else(unknown)));
    lines.push(field(
        "at",
        x.at.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
    ));
    lines.push(Line::default());
    lines.push(field("next step", x.next_step.clone()));
    lines.push(Line::default());
    let km = &state.keymap;
    lines.push(Line::from(Span::styled(
        format!(
            "{}: back to the list · {}: dismiss · {}/{}: scroll",
            km.label(Action::Back),
            km.label(Action::Dismiss),
            km.label(Action::Down),
            km.label(Action::Up)
        ),
        t.fg(Role::Muted),
    )));
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((state.errors.scroll, 0)),
        area,
    );
}
