//! Draws the layers tab: a header with totals and efficiency, dive's figures (or that they
//! are being computed), one row per layer (size bar,
//! size, +added ~modified −removed, `created_by`), then the selected layer's tree, the
//! largest wasted files and the hints.

use super::state::{visible, DiveEntry, LayersEntry, TreeMode};
use crate::app::config::theme::Role;
use crate::app::format;
use crate::app::state::State;
use crate::app::tasks::layers::LayersData;
use crate::app::widgets::bar;
use crate::layers::{ChangeState, EntryKind};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

/// A status line while layers stream in or when they failed; `None` once ready.
pub fn status<'a>(state: &State, entry: Option<&LayersEntry>) -> Option<Line<'a>> {
    let t = &state.theme;
    match entry {
        None => Some(Line::from(Span::styled(
            "layer analysis not started",
            t.fg(Role::Muted),
        ))),
        Some(LayersEntry::Loading { read, total }) => {
            let spin = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'][state.spinner % 10];
            Some(Line::from(Span::styled(
                format!(
                    "{spin} reading layers {read}/{total} (streamed, verified, nothing extracted)…"
                ),
                t.fg(Role::Info),
            )))
        }
        Some(LayersEntry::Failed(e)) => Some(Line::from(Span::styled(
            format!("✖ {e}"),
            t.fg(Role::Danger),
        ))),
        Some(LayersEntry::Ready(_)) => None,
    }
}

/// dive's figures in the words of `regscope layers`; while they are computed or when they
/// could not be, it says so rather than showing a figure.
fn dive_line<'a>(state: &State, dive: Option<&DiveEntry>) -> Line<'a> {
    let t = &state.theme;
    let (text, role) = match dive {
        Some(DiveEntry::Ready(s)) => (format!("dive's score: {}", s.summary()), Role::Text),
        Some(DiveEntry::Unknown(why)) => (format!("dive's score: unknown ({why})"), Role::Warning),
        None => ("dive's score: computing…".to_string(), Role::Muted),
    };
    Line::from(Span::styled(text, t.fg(role)))
}

pub fn draw(
    frame: &mut Frame,
    area: Rect,
    state: &State,
    data: &LayersData,
    dive: Option<&DiveEntry>,
) {
    let t = &state.theme;
    let l = &state.layers;
    let mut out: Vec<Line> = vec![
        Line::from(Span::styled(
            format!(
                "{} · {} of files · wasted {} · efficiency {:.1}%",
                crate::text::count(data.rows.len(), "layer"),
                format::size(Some(data.total_bytes)),
                format::size(Some(data.wasted_bytes)),
                data.efficiency * 100.0
            ),
            t.fg(Role::Header),
        )),
        dive_line(state, dive),
    ];
    let max = data.rows.iter().map(|r| r.size).max().unwrap_or(0);
    let bar_w = (area.width as usize / 6).clamp(6, 20);
    for (i, r) in data.rows.iter().enumerate() {
        let selected = i == l.layer;
        let style = if selected && !l.in_tree {
            t.selection()
        } else {
            t.fg(Role::Text)
        };
        let s = &r.stats;
        out.push(Line::from(vec![
            Span::styled(if selected { "▶" } else { " " }, t.fg(Role::Accent)),
            // Numbered from 1, as every command numbers layers.
            Span::styled(format!("{:>2} ", i + 1), style),
            Span::styled(bar(r.size, max, bar_w), t.fg(Role::BarTotal)),
            Span::styled(format!(" {:>9} ", format::size(Some(r.size))), style),
            Span::styled(
                format!(
                    "+{:<5} ~{:<4} -{:<4} ",
                    s.files_added, s.files_modified, s.files_removed
                ),
                t.fg(Role::Muted),
            ),
            Span::styled(
                r.created_by
                    .clone()
                    .unwrap_or_else(|| format!("{} (no history)", r.digest.short())),
                style,
            ),
        ]));
    }
    let mode = match l.mode() {
        TreeMode::Changes => format!(
            "layer {}: its changes (f: whole filesystem as of it)",
            l.layer + 1
        ),
        TreeMode::AsOf => format!(
            "layer {}: whole filesystem as of it (f: its changes only)",
            l.layer + 1
        ),
    };
    let hint = if l.in_tree {
        "enter: open/close · esc: back to layers"
    } else {
        "enter: into the tree"
    };
    out.push(Line::from(Span::styled(
        format!("── {mode} · {hint}"),
        t.fg(Role::Header),
    )));
    let below = 2 + data.wasted.len().min(5) + data.hints.len().min(3) + 2;
    let room = (area.height as usize)
        .saturating_sub(out.len() + below)
        .max(3);
    if let Some(tree) = l.tree(data) {
        let rows = visible(tree, &l.expanded);
        if rows.is_empty() {
            out.push(Line::from(Span::styled(
                "  (no changes)",
                t.fg(Role::Muted),
            )));
        }
        let start = l.cursor.saturating_sub(room.saturating_sub(1));
        for (k, &(id, depth)) in rows.iter().enumerate().skip(start).take(room) {
            let n = &tree.nodes[id];
            let (mark, role) = match n.state {
                Some(ChangeState::Added) => ("+", Role::Ok),
                Some(ChangeState::Modified) => ("~", Role::Warning),
                Some(ChangeState::Removed) => ("-", Role::Danger),
                None => (" ", Role::Text),
            };
            let fold = match (n.kind, n.children.is_empty(), l.expanded.contains(&id)) {
                (EntryKind::Dir, false, true) => "▾ ",
                (EntryKind::Dir, false, false) => "▸ ",
                _ => "  ",
            };
            let name = match (&n.link, n.kind) {
                (Some(target), EntryKind::Symlink) => format!("{} → {target}", n.name),
                (Some(target), EntryKind::Hardlink) => format!("{} ⇒ {target}", n.name),
                (_, EntryKind::Dir) => format!("{}/", n.name),
                _ => n.name.clone(),
            };
            let style = if l.in_tree && k == l.cursor {
                t.selection()
            } else {
                t.fg(role)
            };
            let layer = n.layer.map(|x| format!("L{}", x + 1)).unwrap_or_default();
            out.push(Line::from(vec![
                Span::styled(
                    format!(" {mark} {:>9} {:>4} ", format::size(Some(n.size)), layer),
                    t.fg(Role::Muted),
                ),
                Span::styled(format!("{}{fold}{name}", "  ".repeat(depth)), style),
            ]));
        }
    }
    if !data.wasted.is_empty() {
        out.push(Line::from(Span::styled(
            format!(
                "wasted: {} hidden by later layers",
                crate::text::count(data.wasted.len(), "file version")
            ),
            t.fg(Role::Header),
        )));
        for w in data.wasted.iter().take(5) {
            out.push(Line::from(Span::styled(
                format!(
                    "  {:>9}  L{:<2} /{}",
                    format::size(Some(w.size)),
                    w.layer + 1,
                    w.path
                ),
                t.fg(Role::Warning),
            )));
        }
    }
    for h in data.hints.iter().take(3) {
        out.push(Line::from(Span::styled(
            format!("hint: {h}"),
            t.fg(Role::Info),
        )));
    }
    frame.render_widget(Paragraph::new(out), area);
}
