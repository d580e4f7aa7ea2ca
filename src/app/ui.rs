//! The root draw: a pure function of the state. Panes first, then overlays in stack order,
//! then the status line (prompt, flash, progress, or the selected image's absolute times).

use super::config::theme::Role;
use super::format;
use super::layout;
use super::state::{Modal, Pane, PromptKind, State};
use super::views::{charts, detail, doctor, errors, fleet, help, images, plan};
use super::widgets::hint_bar;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

pub fn draw(frame: &mut Frame, state: &State) {
    let full = frame.area();
    let a = layout::compute(full, state.view, state.detail.open);
    frame.render_widget(Paragraph::new(title(state)), a.title);
    if let Some(r) = a.fleet {
        fleet::view::draw(frame, r, state);
    }
    if let Some(r) = a.images {
        images::view::draw(frame, r, state);
    }
    if let Some(r) = a.detail {
        detail::view::draw(frame, r, state);
    }
    if let Some(r) = a.charts {
        charts::view::draw(frame, r, state);
    }
    if let Some(r) = a.doctor {
        doctor::view::draw(frame, r, state);
    }
    if let Some(r) = a.compare {
        use super::views::compare::{diff_view, file_view};
        match state.view {
            super::state::View::File => file_view::draw(frame, r, state),
            _ => diff_view::draw(frame, r, state),
        }
    }
    if let Some(r) = a.query {
        super::views::query::view::draw(frame, r, state);
    }
    if let Some(r) = a.audit {
        super::views::audit::view::draw(frame, r, state);
    }
    if let Some(r) = a.plan {
        plan::view::draw(frame, r, state);
    }
    for m in &state.modals {
        match m {
            Modal::Help { .. } => help::view::draw(frame, full, state),
            Modal::Errors => errors::view::draw(frame, full, state),
            Modal::Prompt(_) => {}
            Modal::Confirm(c) => plan::view::draw_confirm(frame, full, state, c),
        }
    }
    frame.render_widget(Paragraph::new(status(state)), a.status);
    frame.render_widget(Paragraph::new(hint_bar::line(state)), a.hints);
    if let Some(p) = state.prompt() {
        let x = a.status.x + 1 + p.text.chars().count() as u16;
        frame.set_cursor_position((x.min(a.status.right().saturating_sub(1)), a.status.y));
    }
}

fn title(state: &State) -> Line<'static> {
    let t = &state.theme;
    let mut spans = vec![Span::styled(" regscope ", t.fg(Role::Title))];
    if let Some(table) = &state.images.table {
        // The registry's own colour marks production everywhere, here too.
        let reg_style = state
            .fleet
            .registry_index(&table.registry)
            .and_then(|i| state.fleet.registries[i].settings.color.as_deref())
            .and_then(|c| c.parse::<ratatui::style::Color>().ok())
            .filter(|_| !t.no_color)
            .map_or(t.fg(Role::Muted), |c| t.fg(Role::Muted).fg(c));
        spans.push(Span::styled(
            format!("{} ", state.fleet.shown_name(&table.registry)),
            reg_style,
        ));
        spans.push(Span::styled(
            format!("▸ {} ", table.repository),
            t.fg(Role::Muted),
        ));
    }
    let mut right = Vec::new();
    let n = state.errors.entries.len();
    if n > 0 {
        right.push(Span::styled(
            format!(" ⚠ {n} error{} (e) ", if n == 1 { "" } else { "s" }),
            t.fg(Role::Danger),
        ));
    }
    let used: usize = spans.iter().map(|s| s.width()).sum();
    let rw: usize = right.iter().map(|s| s.width()).sum();
    let pad = (state.size.0 as usize).saturating_sub(used + rw);
    spans.push(Span::raw(" ".repeat(pad)));
    spans.extend(right);
    Line::from(spans)
}

fn status(state: &State) -> Line<'static> {
    let t = &state.theme;
    if let Some(p) = state.prompt() {
        let lead = if p.kind != PromptKind::Command {
            "/"
        } else {
            ":"
        };
        return Line::from(vec![
            Span::styled(lead, t.fg(Role::Accent)),
            Span::styled(p.text.clone(), t.fg(Role::Filter)),
        ]);
    }
    if let Some(f) = &state.flash {
        let role = if f.error { Role::Danger } else { Role::Info };
        return Line::from(Span::styled(format!(" {}", f.text), t.fg(role)));
    }
    if state.view == super::state::View::Plan {
        return plan::view::status_line(state);
    }
    if state.view == super::state::View::Query {
        return match state.query.selected() {
            Some(h) => Line::from(Span::styled(
                format!(
                    " {} {}· created {} · pushed {} · pulled {}",
                    h.hit.finding.id,
                    h.hit
                        .finding
                        .title
                        .as_deref()
                        .map(|t| format!("{t} "))
                        .unwrap_or_default(),
                    format::absolute(h.hit.created_at),
                    format::absolute(h.hit.pushed_at),
                    format::absolute(h.hit.last_pulled_at)
                ),
                t.fg(Role::Muted),
            )),
            None => Line::default(),
        };
    }
    let (done, total, stats) = state.fleet.progress();
    if !state.fleet.all_finished() || state.focus == Pane::Fleet {
        let total_n = total.unwrap_or(0);
        let total = total.map_or("?".into(), format::count);
        let mut s = format!(
            " {} of {total} {} · {} {} · {} {}",
            format::count(done),
            crate::text::plural(total_n, "repository", "repositories"),
            format::count(stats.requests as usize),
            crate::text::plural(stats.requests, "request", "requests"),
            stats.retries,
            crate::text::plural(stats.retries, "retry", "retries")
        );
        if stats.throttled > 0 {
            s.push_str(&format!(" · {} throttled", stats.throttled));
        }
        if let Some(rl) = &stats.rate_limit {
            match (rl.remaining, rl.limit) {
                (Some(r), Some(l)) => s.push_str(&format!(" · rate limit {r}/{l}")),
                (Some(r), None) => s.push_str(&format!(" · rate limit {r} left")),
                _ => {}
            }
        }
        let issues: usize = state.fleet.registries.iter().map(|r| r.issues).sum();
        if issues > 0 {
            s.push_str(&format!(" · {issues} failed"));
        }
        return Line::from(Span::styled(s, t.fg(Role::Muted)));
    }
    match state.images.selected() {
        Some(r) => Line::from(Span::styled(
            format!(
                " {} · created {} · pushed {} · pulled {}",
                r.short_digest(),
                format::absolute(r.created()),
                format::absolute(r.pushed()),
                format::absolute(r.pulled())
            ),
            t.fg(Role::Muted),
        )),
        None => Line::default(),
    }
}
