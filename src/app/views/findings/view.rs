//! Draws the findings tab: the scan status and sources, counts per severity, a legend of
//! the tab's keys, then one row per finding (severity, id, package, installed → fixed,
//! title). Severity carries its colour and, for critical and high, bold.

use super::state::FindingsEntry;
use crate::app::config::theme::Role;
use crate::app::format;
use crate::app::state::State;
use crate::app::views::images::view::severity_role;
use crate::model::{ScanStatus, Severity, SeverityCounts};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

/// The slice of `len` rows to draw so `cursor` stays visible in `body` rows.
fn rows_window(cursor: usize, len: usize, body: usize) -> (usize, usize) {
    let start = cursor.saturating_sub(body.saturating_sub(1)).min(len);
    (start, (start + body).min(len))
}

fn status_text(s: &ScanStatus) -> &'static str {
    match s {
        ScanStatus::NotScanned => "not scanned (unknown, not clean)",
        ScanStatus::Scanning => "scan in progress",
        ScanStatus::Failed => "scan failed (unknown, not clean)",
        ScanStatus::Unsupported => "the scanner does not support this image (unknown)",
        ScanStatus::Scanned => "scanned",
    }
}

pub fn draw(frame: &mut Frame, area: Rect, state: &State, digest: &str) {
    let t = &state.theme;
    let f = &state.findings;
    let report = match f.cache.get(digest) {
        None | Some(FindingsEntry::Loading) => {
            let p = Paragraph::new(Span::styled("fetching findings…", t.fg(Role::Info)));
            frame.render_widget(p, area);
            return;
        }
        Some(FindingsEntry::Failed(e)) => {
            let p = Paragraph::new(Span::styled(
                format!("✖ findings unknown: {e}"),
                t.fg(Role::Danger),
            ));
            frame.render_widget(p, area);
            return;
        }
        Some(FindingsEntry::Ready(r)) => r.clone(),
    };
    let mut head = vec![Line::from(vec![
        Span::styled(status_text(&report.status), t.fg(Role::Header)),
        Span::styled(
            match (&report.scanned_at, report.sources.is_empty()) {
                (Some(at), _) => format!(" {} · ", format::absolute(Some(*at))),
                _ => " · ".into(),
            },
            t.fg(Role::Muted),
        ),
        Span::styled(
            if report.sources.is_empty() {
                "no source reported".to_string()
            } else {
                report.sources.join(", ")
            },
            t.fg(Role::Muted),
        ),
    ])];
    if report.status == ScanStatus::Scanned {
        let mut counts = SeverityCounts::default();
        for x in &report.findings {
            counts.add(x.severity, 1);
        }
        let mut spans = Vec::new();
        for s in Severity::ALL {
            spans.push(Span::styled(
                format!("{} {} ", counts.get(s), s.as_str()),
                if counts.get(s) > 0 {
                    t.fg(severity_role(s))
                } else {
                    t.fg(Role::Muted)
                },
            ));
        }
        head.push(Line::from(spans));
    }
    for p in &report.problems {
        head.push(Line::from(Span::styled(
            format!("! {p}"),
            t.fg(Role::Warning),
        )));
    }
    let visible = f.visible(&report);
    head.push(Line::from(Span::styled(
        format!(
            "{} of {} · sort {}{} (s, S) · / filter{} · F fixable only{}",
            visible.len(),
            report.findings.len(),
            f.sort.name(),
            if f.reversed { " ▲" } else { " ▼" },
            if f.filter.is_empty() {
                String::new()
            } else {
                format!(" {:?}", f.filter)
            },
            if f.fixable_only { " (on)" } else { "" }
        ),
        t.fg(Role::Muted),
    )));
    let body = (area.height as usize).saturating_sub(head.len()).max(1);
    let cursor = f.cursor.min(visible.len().saturating_sub(1));
    let (start, end) = rows_window(cursor, visible.len(), body);
    let width = area.width as usize;
    let mut lines = head;
    if report.status == ScanStatus::Scanned && report.findings.is_empty() {
        lines.push(Line::from(Span::styled(
            "no findings: the scan found nothing",
            t.fg(Role::Ok),
        )));
    }
    for (i, x) in visible[start..end].iter().enumerate() {
        let fix = match &x.fixed_version {
            Some(v) => format!("→ {v}"),
            None => "no fix".into(),
        };
        let pkg = format!(
            "{} {} {fix}",
            x.package.as_deref().unwrap_or(format::UNKNOWN),
            x.installed_version.as_deref().unwrap_or("")
        );
        let title = x.title.as_deref().unwrap_or("");
        let used = 11 + 20 + 1 + 36 + 1;
        let mut line = Line::from(vec![
            Span::styled(
                format!("{:<10} ", x.severity.as_str()),
                t.fg(severity_role(x.severity)),
            ),
            Span::styled(
                format!("{:<20} ", format::truncate(&x.id, 20)),
                t.fg(Role::Accent),
            ),
            Span::styled(
                format!("{:<36} ", format::truncate(&pkg, 36)),
                t.fg(if x.fixed_version.is_some() {
                    Role::Text
                } else {
                    Role::Muted
                }),
            ),
            Span::styled(
                format::truncate(title, width.saturating_sub(used)),
                t.fg(Role::Text),
            ),
        ]);
        if start + i == cursor && state.focus == crate::app::state::Pane::Detail {
            line = line.style(t.selection());
        }
        lines.push(line);
    }
    frame.render_widget(Paragraph::new(lines), area);
}
