//! Charts: bytes (total and unique) per repository as bars; when the store has crawls of
//! the registry, bytes over time ([`super::history`]); and per repository a sparkline of
//! images created and pushed per week over the last half year.

use crate::app::config::theme::Role;
use crate::app::format;
use crate::app::state::State;
use crate::app::widgets::{bar, sparkline};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use ratatui::Frame;

pub const WEEKS: usize = 26;

pub fn draw(frame: &mut Frame, area: Rect, state: &State) {
    let t = &state.theme;
    let (top, bottom) = if super::history::has_any(state) {
        let [top, middle, bottom] = Layout::vertical([
            Constraint::Percentage(40),
            Constraint::Percentage(30),
            Constraint::Percentage(30),
        ])
        .areas(area);
        super::history::draw(frame, middle, state);
        (top, bottom)
    } else {
        let [top, bottom] =
            Layout::vertical([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(area);
        (top, bottom)
    };
    let mut repos: Vec<usize> = (0..state.fleet.repos.len())
        .filter(|&i| state.fleet.repos[i].summary.is_some())
        .collect();
    repos.sort_by_key(|&i| {
        std::cmp::Reverse(
            state.fleet.repos[i]
                .summary
                .as_ref()
                .and_then(|s| s.total_bytes)
                .unwrap_or(0),
        )
    });
    let name = |i: usize| {
        let r = &state.fleet.repos[i];
        if state.fleet.registries.len() > 1 {
            format!("{}/{}", state.fleet.registries[r.registry].name, r.name)
        } else {
            r.name.clone()
        }
    };

    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(t.border(true))
        .title(Line::from(vec![
            Span::styled(" bytes per repository ", t.fg(Role::Title)),
            Span::styled("█ total ", t.fg(Role::BarTotal)),
            Span::styled("█ unique ", t.fg(Role::BarUnique)),
        ]));
    let inner = block.inner(top);
    frame.render_widget(block, top);
    let max = repos
        .iter()
        .filter_map(|&i| state.fleet.repos[i].summary.as_ref()?.total_bytes)
        .max()
        .unwrap_or(0);
    let name_w = (inner.width as usize / 4).clamp(8, 30);
    let bar_w = (inner.width as usize).saturating_sub(name_w + 22).max(4);
    let mut lines = Vec::new();
    let (shown, more) = window(&repos, state.charts_scroll, inner.height as usize / 2);
    for &i in shown {
        let s = state.fleet.repos[i].summary.as_ref().expect("filtered");
        let n = format::truncate(&name(i), name_w);
        lines.push(Line::from(vec![
            Span::styled(format!("{n:<name_w$} "), t.fg(Role::Text)),
            Span::styled(
                bar(s.total_bytes.unwrap_or(0), max, bar_w),
                t.fg(Role::BarTotal),
            ),
            Span::styled(
                format!(" {:>9} total", format::size(s.total_bytes)),
                t.fg(Role::Text),
            ),
        ]));
        lines.push(Line::from(vec![
            Span::raw(format!("{:name_w$} ", "")),
            Span::styled(
                bar(s.unique_bytes.unwrap_or(0), max, bar_w),
                t.fg(Role::BarUnique),
            ),
            Span::styled(
                format!(" {:>9} unique", format::size(s.unique_bytes)),
                t.fg(Role::Muted),
            ),
        ]));
    }
    if lines.is_empty() {
        lines.push(Line::from(Span::styled(
            "no repository loaded yet",
            t.fg(Role::Muted),
        )));
    }
    lines.extend(more.map(|m| more_line(state, m)));
    frame.render_widget(Paragraph::new(lines), inner);

    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(t.border(false))
        .title(Line::from(vec![
            Span::styled(
                format!(" builds per week, last {WEEKS} weeks "),
                t.fg(Role::Title),
            ),
            Span::styled("created ", t.fg(Role::Sparkline)),
            Span::styled("pushed ", t.fg(Role::Accent)),
        ]));
    let inner = block.inner(bottom);
    frame.render_widget(block, bottom);
    let this_week = state.now.timestamp().div_euclid(7 * 86_400);
    let mut lines = Vec::new();
    let (shown, more) = window(&repos, state.charts_scroll, inner.height as usize);
    for &i in shown {
        let r = &state.fleet.repos[i];
        let weeks: Vec<(u32, u32)> = (0..WEEKS as i64)
            .map(|k| {
                r.weekly
                    .get(&(this_week - (WEEKS as i64 - 1) + k))
                    .copied()
                    .unwrap_or((0, 0))
            })
            .collect();
        let created: Vec<u32> = weeks.iter().map(|w| w.0).collect();
        let pushed: Vec<u32> = weeks.iter().map(|w| w.1).collect();
        let n = format::truncate(&name(i), name_w);
        let mut spans = vec![
            Span::styled(format!("{n:<name_w$} "), t.fg(Role::Text)),
            Span::styled(sparkline(&created), t.fg(Role::Sparkline)),
        ];
        if pushed.iter().any(|&p| p > 0) {
            spans.push(Span::raw(" "));
            spans.push(Span::styled(sparkline(&pushed), t.fg(Role::Accent)));
        } else {
            spans.push(Span::styled(" push times unknown", t.fg(Role::Muted)));
        }
        lines.push(Line::from(spans));
    }
    lines.extend(more.map(|m| more_line(state, m)));
    frame.render_widget(Paragraph::new(lines), inner);
}

/// Repositories hidden above and below the ones a chart shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct More {
    above: usize,
    below: usize,
}

/// The repositories a chart with room for `cap` entries shows from `scroll` on, and what
/// it leaves out (then one entry's room says so).
pub fn window(repos: &[usize], scroll: usize, cap: usize) -> (&[usize], Option<More>) {
    let above = scroll.min(repos.len().saturating_sub(1));
    let rest = &repos[above..];
    if rest.len() <= cap && above == 0 {
        return (rest, None);
    }
    let take = rest.len().min(cap.saturating_sub(1));
    let below = rest.len() - take;
    (&rest[..take], Some(More { above, below }))
}

fn more_line(state: &State, m: More) -> Line<'static> {
    let mut parts = Vec::new();
    if m.below > 0 {
        parts.push(format!("+{} more", m.below));
    }
    if m.above > 0 {
        parts.push(format!("{} above", m.above));
    }
    let keys = format!(
        "{}/{} scroll",
        state.keymap.label(crate::app::action::Action::Down),
        state.keymap.label(crate::app::action::Action::Up)
    );
    parts.push(keys);
    Line::from(Span::styled(parts.join(" · "), state.theme.fg(Role::Muted)))
}
