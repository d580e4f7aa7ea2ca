//! Draws the images pane: a bordered virtual table whose title says what is shown
//! (repository, filter, platform, "N of M", marks) and the sort arrow on its column.

use super::column::ImageColumn;
use super::scans::{row_scan, shows_severity, RowScan};
use crate::app::config::theme::Role;
use crate::app::format;
use crate::app::state::{Pane, State};
use crate::app::widgets::vtable::{cell, VirtualTable};
use crate::model::{ImageKind, ScanStatus, Severity};
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use ratatui::Frame;

const SPINNER: [&str; 4] = ["⠋", "⠙", "⠹", "⠸"];

fn kind_label(k: ImageKind) -> &'static str {
    match k {
        ImageKind::Image => "image",
        ImageKind::Index => "index",
        ImageKind::Signature => "sig",
        ImageKind::Attestation => "att",
        ImageKind::Artifact => "artif",
    }
}

/// A severity count: `?` nobody fetched the reports yet, a spinner while they are fetched,
/// `!` they could not be read, `—` not scanned (not clean), `…` scanning, `✖` the scan
/// failed, `n/a` unsupported; a zero is muted, other counts carry the severity's role
/// (bold for critical and high, so they read without colour too).
fn severity_cell<'a>(state: &State, scan: &RowScan, sev: Severity) -> Line<'a> {
    let t = &state.theme;
    match scan {
        RowScan::Counts(c) => match c.get(sev) {
            0 => cell("0", t.fg(Role::Muted)),
            n => cell(n.to_string(), t.fg(severity_role(sev))),
        },
        RowScan::Status(ScanStatus::Scanning) => cell("…", t.fg(Role::Info)),
        RowScan::Status(ScanStatus::Failed) => cell("✖", t.fg(Role::Warning)),
        RowScan::Status(ScanStatus::Unsupported) => cell("n/a", t.fg(Role::Muted)),
        RowScan::Status(_) => cell(format::UNKNOWN, t.fg(Role::Muted)),
        RowScan::Fetching => cell(SPINNER[state.spinner % SPINNER.len()], t.fg(Role::Info)),
        RowScan::Unreadable => cell("!", t.fg(Role::Warning)),
        RowScan::NotFetched => cell("?", t.fg(Role::Muted)),
    }
}

/// What the severity glyphs mean, at the foot of the pane.
const SEVERITY_LEGEND: &str = " ? not fetched · — not scanned · 0 none found ";

/// The theme role of a severity.
pub fn severity_role(sev: Severity) -> Role {
    match sev {
        Severity::Critical => Role::SevCritical,
        Severity::High => Role::SevHigh,
        Severity::Medium => Role::SevMedium,
        Severity::Low => Role::SevLow,
        Severity::Negligible => Role::SevNegligible,
        Severity::Unknown => Role::SevUnknown,
    }
}

pub fn draw(frame: &mut Frame, area: Rect, state: &State) {
    let t = &state.theme;
    let im = &state.images;
    let focused = state.focus == Pane::Images || state.focus == Pane::Detail && !state.detail.open;
    let mut title = vec![Span::styled(" images ", t.fg(Role::Title))];
    if let Some(table) = &im.table {
        title.push(Span::styled(
            format!("{} ", table.repository),
            t.fg(Role::Accent),
        ));
        title.push(Span::styled(
            format!(
                "{} of {} ",
                format::count(im.view.len()),
                format::count(table.len())
            ),
            t.fg(Role::Text),
        ));
        if im.computing {
            title.push(Span::styled(
                format!("{} ", SPINNER[state.spinner % SPINNER.len()]),
                t.fg(Role::Info),
            ));
        }
    }
    if !im.filter.is_empty() {
        title.push(Span::styled(format!("/{} ", im.filter), t.fg(Role::Filter)));
    }
    if let Some(p) = &im.platform {
        title.push(Span::styled(format!("[{p}] "), t.fg(Role::Filter)));
    }
    let marked = im.marks().map_or(0, |m| m.len());
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(t.border(focused))
        .title(Line::from(title));
    let block = if marked > 0 {
        block.title_bottom(Line::from(Span::styled(
            // Where marks are, say how to review them (the hint bar stays short).
            format!(
                " ● {marked} marked · {} plan ",
                state.keymap.label(crate::app::action::Action::Plan)
            ),
            t.fg(Role::Marked),
        )))
    } else {
        block
    };
    let severity = im.table.as_ref().is_some_and(|t| shows_severity(state, t));
    let block = if severity {
        block.title_bottom(
            Line::from(Span::styled(SEVERITY_LEGEND, t.fg(Role::Muted))).right_aligned(),
        )
    } else {
        block
    };
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let Some(table) = &im.table else {
        let msg = match state.fleet.selected_repo() {
            Some(r) if r.table.is_none() => format!("{} is loading…", r.name),
            _ => "select a repository".to_string(),
        };
        frame.render_widget(Paragraph::new(Span::styled(msg, t.fg(Role::Muted))), inner);
        return;
    };
    if im.view.is_empty() {
        let msg = if table.is_empty() {
            "no images in this repository"
        } else {
            "nothing matches the filter (esc clears it)"
        };
        frame.render_widget(Paragraph::new(Span::styled(msg, t.fg(Role::Muted))), inner);
        return;
    }
    let wide = state.wide;
    let now = state.now;
    // Looked up once per frame, not per cell (the key is a formatted string).
    let marks = im.marks();
    let is_marked = |id: u32| marks.is_some_and(|m| m.contains(&id));
    let cell_fn = |pos: usize, col: ImageColumn| -> Line<'_> {
        let id = im.view.get(pos);
        let r = table.row(id);
        match col {
            ImageColumn::Tags => {
                let mark = if is_marked(id) { "● " } else { "" };
                let text = match (r.tag_count(), wide) {
                    (0, _) => {
                        return Line::from(vec![
                            Span::styled(mark, t.fg(Role::Marked)),
                            Span::styled("<untagged>", t.fg(Role::Muted)),
                        ])
                    }
                    (1, _) | (_, true) => r.tags_text().replace(' ', ", "),
                    (n, false) => format!("{} +{}", r.first_tag().unwrap_or(""), n - 1),
                };
                Line::from(vec![
                    Span::styled(mark, t.fg(Role::Marked)),
                    Span::styled(text, t.fg(Role::Text)),
                ])
            }
            ImageColumn::Digest => cell(
                if wide {
                    r.digest_str()
                } else {
                    r.short_digest()
                },
                t.fg(Role::Muted),
            ),
            ImageColumn::Kind => cell(kind_label(r.kind()), t.fg(Role::Text)),
            ImageColumn::Platforms => {
                let p = r.platforms();
                let text = match (p.len(), wide) {
                    (0, _) => format::UNKNOWN.to_string(),
                    (1, _) => p[0].to_string(),
                    (_, true) => p
                        .iter()
                        .map(|x| x.to_string())
                        .collect::<Vec<_>>()
                        .join(","),
                    (n, false) => format!("{} +{}", p[0], n - 1),
                };
                cell(text, t.fg(Role::Text))
            }
            ImageColumn::Size => cell(format::size(r.size()), t.fg(Role::Text)),
            ImageColumn::Unique => cell(format::size(r.unique()), t.fg(Role::Text)),
            ImageColumn::Severity(sev) => severity_cell(state, &row_scan(state, table, id), sev),
            ImageColumn::Created | ImageColumn::Pushed | ImageColumn::Pulled => {
                let when = match col {
                    ImageColumn::Created => r.created(),
                    ImageColumn::Pushed => r.pushed(),
                    _ => r.pulled(),
                };
                let style = match when {
                    Some(w) if format::suspicious(w) => t.fg(Role::Warning),
                    None => t.fg(Role::Muted),
                    _ => t.fg(Role::Text),
                };
                cell(format::ago(now, when), style)
            }
        }
    };
    let row_style = |pos: usize| {
        if is_marked(im.view.get(pos)) {
            t.fg(Role::Marked)
        } else {
            Style::default()
        }
    };
    let widget = VirtualTable {
        columns: if severity {
            &ImageColumn::ALL
        } else {
            &ImageColumn::WITHOUT_SCAN
        },
        len: im.view.len(),
        offset: im.offset,
        cursor: Some(im.cursor),
        wide,
        sort: Some((im.sort.column, im.sort.arrow())),
        header_style: t.fg(Role::Header),
        selection_style: if focused || state.detail.open {
            t.selection()
        } else {
            t.fg(Role::Accent)
        },
        cell: &cell_fn,
        row_style: &row_style,
    };
    frame.render_widget(widget, inner);
}
