//! Draws the audit view: the registry's totals on top (repositories, reclaimable bytes,
//! repositories failing and warning per check), a row per repository with one glyph per
//! check (✓ ! ✗ ? -, each its own shape so no colour is needed), and at the bottom the
//! selected check's summary, with its evidence when `enter` opened it.

use crate::app::config::theme::Role;
use crate::app::format;
use crate::app::state::State;
use crate::hygiene::{CheckId, Status};
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use ratatui::Frame;

const SPINNER: [&str; 4] = ["⠋", "⠙", "⠹", "⠸"];
/// Width of one check column (the longest short heading, and a gap).
const CELL: usize = 7;
const TOTALS: u16 = 3;

/// Totals, table and evidence areas inside the view's border.
pub fn split(area: Rect, evidence: bool) -> (Rect, Rect, Rect) {
    let inner = Rect::new(
        area.x + 1,
        area.y + 1,
        area.width.saturating_sub(2),
        area.height.saturating_sub(2),
    );
    let totals = TOTALS.min(inner.height);
    let rest = inner.height - totals;
    let detail = if evidence { rest / 2 } else { rest.min(3) }.min(rest);
    let table = rest - detail;
    (
        Rect::new(inner.x, inner.y, inner.width, totals),
        Rect::new(inner.x, inner.y + totals, inner.width, table),
        Rect::new(inner.x, inner.y + totals + table, inner.width, detail),
    )
}

fn status_role(s: Status) -> Role {
    match s {
        Status::Pass => Role::Ok,
        Status::Warn => Role::Warning,
        Status::Fail => Role::Danger,
        Status::Unknown | Status::NotApplicable => Role::Muted,
    }
}

fn pad(s: &str, w: usize) -> String {
    let n = s.chars().count();
    if n >= w {
        s.chars().take(w).collect()
    } else {
        format!("{s}{}", " ".repeat(w - n))
    }
}

pub fn draw(frame: &mut Frame, area: Rect, state: &State) {
    let t = &state.theme;
    let a = &state.audit;
    let mut title = vec![Span::styled(
        format!(" audit {} ", a.registry_name),
        t.fg(Role::Title),
    )];
    if a.running {
        title.push(Span::styled(
            format!("{} ", SPINNER[state.spinner % SPINNER.len()]),
            t.fg(Role::Info),
        ));
    }
    let legend = Status::ALL
        .iter()
        .map(|s| format!("{} {}", s.glyph(), s.as_str()))
        .collect::<Vec<_>>()
        .join("  ");
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(t.border(true))
        .title(Line::from(title))
        .title_bottom(Line::from(Span::styled(
            format!(" {legend} "),
            t.fg(Role::Muted),
        )));
    frame.render_widget(block, area);
    let (totals, table, detail) = split(area, a.evidence);
    let Some(report) = &a.report else {
        let msg = match (&a.error, a.running) {
            (Some(e), _) => e.clone(),
            (None, true) => "reading each repository's settings…".into(),
            (None, false) => "no audit yet: :audit".into(),
        };
        frame.render_widget(
            Paragraph::new(Span::styled(msg, t.fg(Role::Muted))).wrap(Wrap { trim: true }),
            totals.union(table),
        );
        return;
    };
    // Totals.
    let mut lines = Vec::new();
    let reg = report.summary.registries.first();
    let mut head = format!(
        "{} {} · {} reclaimable",
        format::count(report.repositories.len()),
        crate::text::plural(report.repositories.len(), "repository", "repositories"),
        format::size(reg.map(|r| r.reclaimable_bytes))
    );
    if let Some(r) = reg.filter(|r| r.reclaimable_unknown > 0) {
        head.push_str(&format!(" (+ {} unknown)", r.reclaimable_unknown));
    }
    if a.not_loaded > 0 {
        head.push_str(&format!(" · {} not loaded, not audited", a.not_loaded));
    }
    if report.summary.partial {
        head.push_str(&format!(
            " · {} could not be read (e)",
            report.summary.errors.len()
        ));
    }
    lines.push(Line::from(Span::styled(head, t.fg(Role::Text))));
    for (word, role, map) in [
        ("failing", Role::Danger, reg.map(|r| &r.failing)),
        ("warning", Role::Warning, reg.map(|r| &r.warning)),
    ] {
        let parts: Vec<String> = CheckId::ALL
            .iter()
            .filter_map(|c| {
                map.and_then(|m| m.get(c.as_str()))
                    .map(|n| format!("{} {n}", c.as_str()))
            })
            .collect();
        let text = if parts.is_empty() {
            format!("{word}: none")
        } else {
            format!("{word}: {}", parts.join(", "))
        };
        lines.push(Line::from(Span::styled(text, t.fg(role))));
    }
    frame.render_widget(Paragraph::new(lines), totals);
    // The grid.
    let name_w = (table.width as usize)
        .saturating_sub(CELL * CheckId::ALL.len())
        .clamp(8, 48);
    let mut header = vec![Span::styled(
        pad("REPOSITORY", name_w + 1),
        t.fg(Role::Header),
    )];
    for (i, c) in CheckId::ALL.iter().enumerate() {
        let style = if i == a.column {
            t.fg(Role::Header)
                .add_modifier(ratatui::style::Modifier::UNDERLINED)
        } else {
            t.fg(Role::Header)
        };
        header.push(Span::styled(pad(c.short(), CELL), style));
    }
    let mut rows = vec![Line::from(header)];
    let visible = (table.height as usize).saturating_sub(1);
    for (pos, r) in report
        .repositories
        .iter()
        .enumerate()
        .skip(a.offset)
        .take(visible)
    {
        let selected = pos == a.cursor;
        let name_style = if selected {
            t.selection()
        } else {
            t.fg(Role::Text)
        };
        let mut spans = vec![
            Span::styled(pad(&r.repository, name_w), name_style),
            Span::raw(" "),
        ];
        for (i, id) in CheckId::ALL.iter().enumerate() {
            let s = r.check(*id).map_or(Status::Unknown, |c| c.status);
            let style: Style = if selected && i == a.column {
                t.selection()
            } else {
                t.fg(status_role(s))
            };
            spans.push(Span::styled(
                format!("{}{}", s.glyph(), " ".repeat(CELL - 1)),
                style,
            ));
        }
        rows.push(Line::from(spans));
    }
    frame.render_widget(Paragraph::new(rows), table);
    // The selected check.
    let Some((r, c)) = a.selected_check() else {
        return;
    };
    let mut lines = vec![Line::from(vec![
        Span::styled(
            format!(
                "{} {} {} ",
                c.status.glyph(),
                c.id.as_str(),
                c.status.as_str()
            ),
            t.fg(status_role(c.status)),
        ),
        Span::styled(
            format!("{} · {}", r.repository, c.summary),
            t.fg(Role::Text),
        ),
    ])];
    if a.evidence {
        if c.evidence.is_empty() {
            lines.push(Line::from(Span::styled(
                "  no further evidence",
                t.fg(Role::Muted),
            )));
        }
        for e in c.evidence.iter().skip(a.scroll as usize) {
            lines.push(Line::from(Span::styled(format!("  {e}"), t.fg(Role::Text))));
        }
    } else {
        lines.push(Line::from(Span::styled(
            format!(
                "  enter: evidence ({} line{}) · tab: next check",
                c.evidence.len(),
                if c.evidence.len() == 1 { "" } else { "s" }
            ),
            t.fg(Role::Muted),
        )));
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), detail);
}
