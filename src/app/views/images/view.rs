//! Draws the images pane: a bordered virtual table whose title says what is shown
//! (repository, filter, platform, "N of M", marks) and the sort arrow on its column.

use super::column::ImageColumn;
use super::scans::{row_scan, shows_severity, RowScan};
use super::state::depth_of;
use super::table::ImageTable;
use crate::app::config::theme::Role;
use crate::app::format;
use crate::app::state::{Pane, State};
use crate::app::widgets::vtable::{cell, choose_columns, VirtualTable};
use crate::model::{ImageKind, Role as ModelRole, ScanStatus, Severity};
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
        // A platform or a referrer: its findings are its index's or its subject's.
        RowScan::NotApplicable => cell("", t.fg(Role::Muted)),
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

/// The TAGS cell of a row that hangs from another, indented under it: a platform of an
/// index by its platform (`↳ linux/arm64/v8`), a referrer by what it is. `None` for a
/// top-level row.
pub fn dependent_label(table: &ImageTable, id: u32) -> Option<String> {
    let role = table.role(id);
    role.up()?;
    let r = table.row(id);
    let depth = depth_of(table, id).max(1);
    let what = match role {
        ModelRole::Child { .. } if r.kind() == ImageKind::Image => r
            .platforms()
            .first()
            .map_or_else(|| "platform unknown".to_string(), |p| p.to_string()),
        // A referrers fallback-tag index (`sha256-<hex>`): bookkeeping of the registry.
        ModelRole::Referrer { .. }
            if r.kind() == ImageKind::Artifact && r.media_type().contains("index") =>
        {
            "referrers index".to_string()
        }
        _ => match r.kind() {
            ImageKind::Signature => "signature".to_string(),
            ImageKind::Attestation => "attestation".to_string(),
            ImageKind::Index => "index".to_string(),
            // A known kind of referrer by its name (an SBOM's media type cut to `applica…`
            // in a narrow TAGS column said nothing); another artifact by its type.
            k => match r.extra().and_then(|x| x.artifact_type.clone()) {
                Some(t) => match crate::model::referrer_label(Some(&t)) {
                    "artifact" => t,
                    known => known.to_string(),
                },
                None => k.as_str().to_string(),
            },
        },
    };
    let mut label = format!("{}↳ {what}", "  ".repeat(depth - 1));
    if r.tag_count() > 0 {
        label.push_str(&format!(" ({})", r.tags_text().replace(' ', ", ")));
    }
    Some(label)
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
            // Top-level rows: an index's platforms and referrers are not counted apart.
            format!(
                "{} of {} ",
                format::count(im.folded.len()),
                format::count(table.top_level().len())
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
    let severity = im.table.as_ref().is_some_and(|t| shows_severity(state, t));
    let columns: &[ImageColumn] = if severity {
        &ImageColumn::ALL
    } else {
        &ImageColumn::WITHOUT_SCAN
    };
    // Columns give way for width only; a sorted one that did still names the order.
    let shown = choose_columns(columns, area.width.saturating_sub(2), state.wide);
    if im.table.is_some() && !shown.contains(&im.sort.column) {
        title.push(Span::styled(
            format!("sort: {}{} ", im.sort.column.name(), im.sort.arrow()),
            t.fg(Role::Muted),
        ));
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
    // Where something hangs from the selected row, say how to show it.
    let foldable = im
        .table
        .as_ref()
        .zip(im.selected_id())
        .is_some_and(|(t, id)| !t.dependents(super::state::top_of(t, id)).is_empty());
    let block = if foldable {
        let open = im
            .selected_id()
            .zip(im.table.as_ref())
            .is_some_and(|(id, t)| im.is_unfolded(super::state::top_of(t, id)));
        block.title_bottom(Line::from(Span::styled(
            format!(
                " {} {} ",
                state.keymap.label(crate::app::action::Action::Fold),
                if open { "folds" } else { "unfolds" }
            ),
            t.fg(Role::Muted),
        )))
    } else {
        block
    };
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
                if let Some(label) = dependent_label(table, id) {
                    return Line::from(Span::styled(label, t.fg(Role::Muted)));
                }
                let mark = if is_marked(id) { "● " } else { "" };
                let fold = match (table.dependents(id).is_empty(), im.is_unfolded(id)) {
                    (true, _) => "",
                    (false, true) => "▾ ",
                    (false, false) => "▸ ",
                };
                let text = match (r.tag_count(), wide) {
                    (0, _) => {
                        return Line::from(vec![
                            Span::styled(mark, t.fg(Role::Marked)),
                            Span::styled(fold, t.fg(Role::Accent)),
                            Span::styled("<untagged>", t.fg(Role::Muted)),
                        ])
                    }
                    (1, _) | (_, true) => r.tags_text().replace(' ', ", "),
                    (n, false) => format!("{} +{}", r.first_tag().unwrap_or(""), n - 1),
                };
                Line::from(vec![
                    Span::styled(mark, t.fg(Role::Marked)),
                    Span::styled(fold, t.fg(Role::Accent)),
                    Span::styled(text, t.fg(Role::Text)),
                ])
            }
            // Wide shows as much of the hex as there is room for (the algorithm is
            // always sha256 in practice and says nothing).
            ImageColumn::Digest => cell(
                if wide {
                    r.digest_str()
                        .split_once(':')
                        .map_or(r.digest_str(), |(_, hex)| hex)
                } else {
                    r.short_digest()
                },
                t.fg(Role::Muted),
            ),
            ImageColumn::Kind => cell(kind_label(r.kind()), t.fg(Role::Text)),
            ImageColumn::Platforms => {
                let p = r.platforms();
                // Under `:platform` the cell leads with the platform chosen, which the
                // filter kept the row for (`linux/arm64/v8 +1`, not `linux/amd64 +1`).
                let first = state
                    .images
                    .platform
                    .as_ref()
                    .and_then(|want| p.iter().find(|x| x.satisfies(want)))
                    .or(p.first());
                let text = match (first, p.len(), wide) {
                    (None, ..) => format::UNKNOWN.to_string(),
                    (Some(one), 1, _) => one.to_string(),
                    (Some(one), _, true) => std::iter::once(one)
                        .chain(p.iter().filter(|x| *x != one))
                        .map(|x| x.to_string())
                        .collect::<Vec<_>>()
                        .join(","),
                    (Some(one), n, false) => format!("{one} +{}", n - 1),
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
        columns,
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
