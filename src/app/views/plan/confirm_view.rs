//! The confirmation dialog over the plan review: what is deleted from where, the tags
//! that go with it, what the plan lists but delete does not carry out, and the word to
//! type. Esc (the default) cancels.

use super::confirm::Confirm;
use crate::app::config::theme::Role;
use crate::app::format;
use crate::app::state::State;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};
use ratatui::Frame;

fn centered(full: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(full.width);
    let h = h.min(full.height);
    Rect::new(
        full.x + (full.width - w) / 2,
        full.y + (full.height - h) / 2,
        w,
        h,
    )
}

/// The confirmation dialog, drawn over everything.
pub fn draw_confirm(frame: &mut Frame, full: Rect, state: &State, c: &Confirm) {
    let t = &state.theme;
    let p = &state.plan;
    let area = centered(full, 74, 11);
    frame.render_widget(Clear, area);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(t.fg(Role::Danger))
        .title(Span::styled(" confirm deletion ", t.fg(Role::Danger)));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let repos = p.repositories();
    let registry = p
        .request
        .as_ref()
        .map(|r| r.registry_name.clone())
        .unwrap_or_default();
    let not_done = p.plan.as_ref().map_or(0, |pl| {
        pl.actions
            .iter()
            .filter(|a| !a.action.removes_manifest())
            .count()
    });
    let (tags, reclaimed) = p.plan.as_ref().map_or((0, 0), |pl| {
        (
            pl.actions
                .iter()
                .filter(|a| a.action.removes_manifest())
                .map(|a| a.tags.len())
                .sum::<usize>(),
            pl.summary.reclaimed_bytes,
        )
    });
    let where_ = match repos.as_slice() {
        [one] => one.clone(),
        many => format!("{} repositories", many.len()), // plural: never one: one is matched above
    };
    let mut lines = vec![
        Line::from(Span::styled(
            format!(
                "Delete {} from {where_} in {registry}?",
                crate::text::count(p.removals(), "image")
            ),
            t.fg(Role::Danger),
        )),
        Line::from(Span::styled(
            format!(
                "{} {} with {}; about {} is reclaimed.",
                crate::text::count(tags, "tag"),
                crate::text::plural(tags, "goes", "go"),
                crate::text::plural(p.removals(), "it", "them"),
                format::size(Some(reclaimed))
            ),
            t.fg(Role::Text),
        )),
        Line::from(Span::styled(
            "Each digest is checked again just before it is deleted; the audit log keeps every manifest.",
            t.fg(Role::Muted),
        )),
        // The untag/archive actions of the plan are not carried out (or an empty line).
        Line::from(Span::styled(
            match not_done {
                0 => String::new(),
                n => format!("{n} untag/archive actions of the plan are not carried out."),
            },
            t.fg(Role::Warning),
        )),
        Line::from(vec![
            Span::styled("Type ", t.fg(Role::Text)),
            Span::styled(c.expect.clone(), t.fg(Role::Accent)),
            Span::styled(" to delete; esc cancels (the default).", t.fg(Role::Text)),
        ]),
        Line::from(vec![
            Span::styled("> ", t.fg(Role::Accent)),
            Span::styled(c.typed.clone(), t.fg(Role::Filter)),
            Span::styled("▏", t.fg(Role::Accent)),
        ]),
    ];
    if c.mismatch {
        lines.push(Line::from(Span::styled(
            format!("that is not {:?}: nothing was deleted", c.expect),
            t.fg(Role::Danger),
        )));
    }
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .style(Style::default()),
        inner,
    );
}
