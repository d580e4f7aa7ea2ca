//! Bytes over time, from the store's completed crawls: per registry and per repository a
//! line of totals (one column per crawl, newest right), the growth per day over the
//! crawls shown, and spikes flagged (`store::growth` decides what a spike is); then what
//! the last refresh found changed ("since last open"). Unknown totals are drawn as `·`,
//! never as zero.

use crate::app::config::theme::{Role, Theme};
use crate::app::format;
use crate::app::state::State;
use crate::app::views::fleet::state::RegistryNode;
use crate::store::{growth, Changes, Growth, History};
use chrono::{DateTime, Utc};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use ratatui::Frame;

/// Whether any registry has a history or changes to show (else the panel is left out).
pub fn has_any(state: &State) -> bool {
    state
        .fleet
        .registries
        .iter()
        .any(|r| r.history.as_ref().is_some_and(|h| !h.snapshots.is_empty()) || r.changes.is_some())
}

/// One series: when each crawl was, and its bytes (`None`: unknown).
type Series = Vec<(DateTime<Utc>, Option<u64>)>;

pub fn draw(frame: &mut Frame, area: Rect, state: &State) {
    let t = &state.theme;
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(t.border(false))
        .title(Line::from(vec![
            Span::styled(" bytes over time, one column per crawl ", t.fg(Role::Title)),
            Span::styled("▲ spike ", t.fg(Role::Warning)),
            Span::styled("· unknown ", t.fg(Role::Muted)),
        ]));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let name_w = (inner.width as usize / 4).clamp(8, 30);
    // name, the line, then " 12.3 GB  +1.2 GB/day  ▲ 06-01 +3.4 GB"
    let line_w = (inner.width as usize)
        .saturating_sub(name_w + 44)
        .clamp(4, 60);
    let rows = inner.height as usize;
    let mut lines: Vec<Line> = Vec::new();
    let with_changes: Vec<&RegistryNode> = state
        .fleet
        .registries
        .iter()
        .filter(|r| r.changes.is_some())
        .collect();
    let room_for_history = rows.saturating_sub(with_changes.len());
    for r in &state.fleet.registries {
        let Some(h) = r.history.as_deref().filter(|h| !h.snapshots.is_empty()) else {
            continue;
        };
        if lines.len() >= room_for_history {
            break;
        }
        // As many columns as crawls, up to the room there is.
        let cols = line_w.min(h.snapshots.len());
        let total: Series = h
            .snapshots
            .iter()
            .map(|s| (s.at, s.total_bytes()))
            .collect();
        lines.push(series_line(t, &r.name, &total, name_w, cols, Role::Text));
        let per_repo = room_for_history.saturating_sub(lines.len());
        for (repo, series) in repositories(h).into_iter().take(per_repo) {
            lines.push(series_line(
                t,
                &format!("  {repo}"),
                &series,
                name_w,
                cols,
                Role::Muted,
            ));
        }
    }
    for r in with_changes {
        if let Some(c) = &r.changes {
            lines.push(since_last(t, &r.name, c, inner.width as usize));
        }
    }
    lines.truncate(rows);
    frame.render_widget(Paragraph::new(lines), inner);
}

/// Each repository's series over the registry's crawls, biggest last total first. A
/// repository absent from a crawl of the whole registry had no images then: 0 bytes.
fn repositories(h: &History) -> Vec<(String, Series)> {
    let mut names: Vec<&str> = h
        .snapshots
        .iter()
        .flat_map(|s| s.repositories.iter().map(|r| r.repository.as_str()))
        .collect();
    names.sort_unstable();
    names.dedup();
    let mut out: Vec<(String, Series)> = names
        .into_iter()
        .map(|name| {
            let series = h
                .snapshots
                .iter()
                .map(|s| {
                    let bytes = match s.repositories.iter().find(|r| r.repository == name) {
                        Some(r) => r.total_bytes,
                        None => Some(0),
                    };
                    (s.at, bytes)
                })
                .collect();
            (name.to_string(), series)
        })
        .collect();
    let last = |s: &Series| s.last().and_then(|p| p.1).unwrap_or(0);
    out.sort_by(|a, b| last(&b.1).cmp(&last(&a.1)).then_with(|| a.0.cmp(&b.0)));
    out
}

fn series_line<'a>(
    t: &Theme,
    name: &str,
    series: &Series,
    name_w: usize,
    line_w: usize,
    name_role: Role,
) -> Line<'a> {
    let shown = &series[series.len().saturating_sub(line_w)..];
    let g = growth(shown);
    let mut spans = vec![Span::styled(
        format!("{:<name_w$} ", format::truncate(name, name_w)),
        t.fg(name_role),
    )];
    spans.extend(columns(t, shown, &g));
    spans.push(Span::raw(
        " ".repeat(line_w.saturating_sub(shown.len()) + 1),
    ));
    spans.push(Span::styled(
        format!("{:>9}", format::size(shown.last().and_then(|p| p.1))),
        t.fg(Role::Text),
    ));
    let rate = match g.per_day {
        Some(d) => format!("  {}/day", signed_size(d)),
        None => "  growth unknown".to_string(),
    };
    spans.push(Span::styled(format!("{rate:<16}"), t.fg(Role::Muted)));
    if let Some(&i) = g.spikes.last() {
        let step = match (shown[i].1, shown[..i].iter().rev().find_map(|p| p.1)) {
            (Some(b), Some(a)) => signed_size(b as f64 - a as f64),
            _ => String::new(),
        };
        let more = if g.spikes.len() > 1 {
            format!(" (+{} more)", g.spikes.len() - 1)
        } else {
            String::new()
        };
        spans.push(Span::styled(
            format!(" ▲ spike {} {step}{more}", shown[i].0.format("%m-%d %H:%M")),
            t.fg(Role::Warning),
        ));
    }
    Line::from(spans)
}

/// One character per crawl: the height between the series' lowest and highest known
/// total, `▲` on a spike, `·` where the total is unknown.
fn columns<'a>(t: &Theme, shown: &[(DateTime<Utc>, Option<u64>)], g: &Growth) -> Vec<Span<'a>> {
    const LEVELS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let known = shown.iter().filter_map(|p| p.1);
    let (lo, hi) = (known.clone().min().unwrap_or(0), known.max().unwrap_or(0));
    shown
        .iter()
        .enumerate()
        .map(|(i, (_, b))| match b {
            None => Span::styled("·", t.fg(Role::Muted)),
            Some(_) if g.spikes.contains(&i) => Span::styled("▲", t.fg(Role::Warning)),
            Some(b) => {
                let level = if hi == lo {
                    3
                } else {
                    ((b - lo) as u128 * 7 / (hi - lo) as u128) as usize
                };
                Span::styled(LEVELS[level].to_string(), t.fg(Role::Sparkline))
            }
        })
        .collect()
}

fn signed_size(bytes: f64) -> String {
    let sign = if bytes < 0.0 { "−" } else { "+" };
    format!("{sign}{}", format::size(Some(bytes.abs().round() as u64)))
}

/// "since last open": what the last refresh found new, deleted and moved, naming a few.
fn since_last<'a>(t: &Theme, registry: &str, c: &Changes, width: usize) -> Line<'a> {
    if c.is_empty() {
        return Line::from(vec![
            Span::styled(format!("{registry} since last open: "), t.fg(Role::Title)),
            Span::styled("nothing changed", t.fg(Role::Muted)),
        ]);
    }
    let moved: Vec<String> = c
        .moved_tags
        .iter()
        .map(|(repo, tag, _, _)| format!("{repo}:{tag}"))
        .collect();
    let mut text = format!(
        "{} new, {} deleted, {} moved",
        c.new_images.len(),
        c.deleted_images.len(),
        crate::text::count(c.moved_tags.len(), "tag")
    );
    if !moved.is_empty() {
        text.push_str(&format!(" ({})", moved.join(", ")));
    }
    let head = format!("{registry} since last open: ");
    let room = width.saturating_sub(head.chars().count());
    Line::from(vec![
        Span::styled(head, t.fg(Role::Title)),
        Span::styled(format::truncate(&text, room), t.fg(Role::Accent)),
    ])
}
