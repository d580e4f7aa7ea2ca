//! Draws the fleet query: the hits across every registry in a virtual table (repository,
//! tags, digest, worst matching severity, package or id, installed → fixed, created,
//! pulled), the order, and a bottom line saying what the answer cannot see yet.

use crate::app::config::theme::Role;
use crate::app::format;
use crate::app::state::State;
use crate::app::views::images::view::severity_role;
use crate::app::widgets::vtable::{cell, ColumnSpec, VirtualTable};
use crate::scan::fleet::{FleetQuery, HitOrder};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use ratatui::Frame;

const SPINNER: [&str; 4] = ["⠋", "⠙", "⠹", "⠸"];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HitColumn {
    Repository,
    Tags,
    Digest,
    Severity,
    What,
    Versions,
    Created,
    Pulled,
}

const COLUMNS: [HitColumn; 8] = [
    HitColumn::Repository,
    HitColumn::Tags,
    HitColumn::Digest,
    HitColumn::Severity,
    HitColumn::What,
    HitColumn::Versions,
    HitColumn::Created,
    HitColumn::Pulled,
];

impl ColumnSpec for HitColumn {
    fn title(&self) -> &'static str {
        match self {
            HitColumn::Repository => "REPOSITORY",
            HitColumn::Tags => "TAGS",
            HitColumn::Digest => "DIGEST",
            HitColumn::Severity => "SEV",
            HitColumn::What => "FOUND",
            HitColumn::Versions => "INSTALLED → FIXED",
            HitColumn::Created => "CREATED",
            HitColumn::Pulled => "PULLED",
        }
    }
    fn min_width(&self, _wide: bool) -> u16 {
        match self {
            HitColumn::Repository => 16,
            HitColumn::Tags => 10,
            HitColumn::Digest => 12,
            HitColumn::Severity => 8,
            HitColumn::What => 14,
            HitColumn::Versions => 18,
            HitColumn::Created | HitColumn::Pulled => 8,
        }
    }
    fn max_width(&self, _wide: bool) -> u16 {
        match self {
            HitColumn::Repository => 40,
            HitColumn::Tags => 24,
            HitColumn::What => 20,
            HitColumn::Versions => 36,
            other => other.min_width(false),
        }
    }
    fn priority(&self) -> u8 {
        match self {
            HitColumn::Repository => 0,
            HitColumn::Versions => 1,
            HitColumn::Created => 2,
            HitColumn::Pulled => 3,
            HitColumn::Tags => 4,
            HitColumn::Severity => 5,
            HitColumn::What => 6,
            HitColumn::Digest => 7,
        }
    }
}

/// What the answer cannot see: "answered for N scanned · M unknown (…)".
pub fn coverage(state: &State) -> String {
    let q = &state.query;
    let Some(a) = &q.answer else {
        return String::new();
    };
    let not_fetched = q.not_fetched();
    let unknown = a.unknown + not_fetched;
    let mut s = format!("answered for {} scanned", format::count(a.scanned));
    if unknown == 0 {
        s.push_str(" · none unknown");
    } else {
        let parts: Vec<String> = [
            (not_fetched, "not fetched yet"),
            (a.not_scanned, "not scanned"),
            (a.scanning, "scanning"),
            (a.failed, "scan failed"),
            (a.unsupported, "unsupported"),
            (a.unreadable, "unreadable"),
        ]
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, w)| format!("{} {w}", format::count(*n)))
        .collect();
        s.push_str(&format!(
            " · {} unknown: {}",
            format::count(unknown),
            parts.join(", ")
        ));
    }
    if q.repositories_loading > 0 {
        s.push_str(&format!(
            " · {} {} still loading",
            q.repositories_loading,
            crate::text::plural(q.repositories_loading, "repository", "repositories")
        ));
    }
    s
}

pub fn draw(frame: &mut Frame, area: Rect, state: &State) {
    let t = &state.theme;
    let q = &state.query;
    let Some(query) = &q.query else {
        return;
    };
    let mut title = vec![
        Span::styled(" fleet ", t.fg(Role::Title)),
        Span::styled(format!("{} ", query.label()), t.fg(Role::Accent)),
        Span::styled(
            format!(
                "· {} of {} {} affected · {} first ",
                format::count(q.hits.len()),
                format::count(q.images.len()),
                crate::text::plural(q.images.len(), "image", "images"),
                match q.order {
                    HitOrder::Newest => "newest",
                    HitOrder::Pulled => "pulled",
                }
            ),
            t.fg(Role::Text),
        ),
    ];
    if !q.filter.is_empty() {
        title.push(Span::styled(format!("/{} ", q.filter), t.fg(Role::Filter)));
        title.push(Span::styled(
            format!("{} shown ", format::count(q.shown.len())),
            t.fg(Role::Muted),
        ));
    }
    if q.running {
        title.push(Span::styled(
            format!("{} ", SPINNER[state.spinner % SPINNER.len()]),
            t.fg(Role::Info),
        ));
    }
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(t.border(true))
        .title(Line::from(title))
        .title_bottom(Line::from(Span::styled(
            format!(" {} ", coverage(state)),
            t.fg(Role::Muted),
        )));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if q.shown.is_empty() && !q.hits.is_empty() {
        frame.render_widget(
            Paragraph::new(Span::styled(
                "no hit matches the filter (esc clears it)",
                t.fg(Role::Muted),
            )),
            inner,
        );
        return;
    }
    if q.hits.is_empty() {
        let msg = if q.running {
            "no hit yet; fetching findings…"
        } else {
            "no image affected among those scanned (unknown ones below may still be)"
        };
        frame.render_widget(
            Paragraph::new(Span::styled(msg, t.fg(Role::Muted))).wrap(Wrap { trim: true }),
            inner,
        );
        return;
    }
    let now = state.now;
    let cell_fn = |pos: usize, col: HitColumn| -> Line<'_> {
        let h = &q.hits[q.shown[pos]];
        let f = &h.hit.finding;
        match col {
            // The registry's name only where there are several to tell apart.
            HitColumn::Repository if state.fleet.registries.len() > 1 => {
                let reg = &state.fleet.registries[h.registry].name;
                cell(format!("{reg} {}", h.hit.repository), t.fg(Role::Text))
            }
            HitColumn::Repository => cell(h.hit.repository.clone(), t.fg(Role::Text)),
            HitColumn::Tags => match h.hit.tags.as_slice() {
                [] => cell("<untagged>", t.fg(Role::Muted)),
                [one] => cell(one.clone(), t.fg(Role::Text)),
                [first, rest @ ..] => cell(format!("{first} +{}", rest.len()), t.fg(Role::Text)),
            },
            HitColumn::Digest => cell(h.hit.digest.short().to_string(), t.fg(Role::Muted)),
            HitColumn::Severity => cell(f.severity.as_str(), t.fg(severity_role(f.severity))),
            HitColumn::What => {
                let what = match query {
                    FleetQuery::Cve { .. } => f.package.clone().unwrap_or_else(|| "—".into()),
                    FleetQuery::Package { .. } => f.id.clone(),
                };
                let more = h.hit.findings.len().saturating_sub(1);
                let text = if more > 0 {
                    format!("{what} +{more}")
                } else {
                    what
                };
                cell(text, t.fg(Role::Text))
            }
            HitColumn::Versions => cell(
                format!(
                    "{} → {}",
                    f.installed_version.as_deref().unwrap_or("?"),
                    f.fixed_version.as_deref().unwrap_or("no fix")
                ),
                t.fg(Role::Text),
            ),
            HitColumn::Created => {
                let when = h.hit.created_at.or(h.hit.pushed_at);
                cell(format::ago(now, when), t.fg(Role::Text))
            }
            HitColumn::Pulled => cell(format::ago(now, h.hit.last_pulled_at), t.fg(Role::Text)),
        }
    };
    let sorted = match q.order {
        HitOrder::Newest => HitColumn::Created,
        HitOrder::Pulled => HitColumn::Pulled,
    };
    let no_style = |_: usize| ratatui::style::Style::default();
    let widget = VirtualTable {
        columns: &COLUMNS,
        len: q.shown.len(),
        offset: q.offset,
        cursor: Some(q.cursor),
        wide: state.wide,
        sort: Some((sorted, "▼")),
        header_style: t.fg(Role::Header),
        selection_style: t.selection(),
        cell: &cell_fn,
        row_style: &no_style,
    };
    frame.render_widget(widget, inner);
}
