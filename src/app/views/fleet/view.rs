//! Draws the registries & repositories tree: per registry its progress, per repository
//! image count and bytes (wider panes add unique bytes and newest push).

use super::state::TreeRow;
use crate::app::config::theme::Role;
use crate::app::format;
use crate::app::state::{Pane, State};
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use ratatui::Frame;
use std::str::FromStr;

const SPINNER: [&str; 4] = ["⠋", "⠙", "⠹", "⠸"];

pub fn draw(frame: &mut Frame, area: Rect, state: &State) {
    let t = &state.theme;
    let f = &state.fleet;
    let focused = state.focus == Pane::Fleet;
    let sort = format!(
        " sort: {}{} ",
        f.sort.name(),
        if f.descending { "▼" } else { "▲" }
    );
    let mut title = vec![Span::styled(" registries ", t.fg(Role::Title))];
    if !f.filter.is_empty() {
        title.push(Span::styled(format!("/{} ", f.filter), t.fg(Role::Filter)));
        title.push(Span::styled(
            format!(
                "{} of {} ",
                format::count(f.matching),
                format::count(f.repos.len())
            ),
            t.fg(Role::Muted),
        ));
    }
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(t.border(focused))
        .title(Line::from(title))
        .title_bottom(Line::from(Span::styled(sort, t.fg(Role::Muted))));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let w = inner.width as usize;
    // The image count column is as wide as the largest count needs (at least its label):
    // a column sized for 99,999 cost `platform/base-images` its last letter at 120 columns.
    let most = f
        .repos
        .iter()
        .filter_map(|r| r.summary.as_ref())
        .map(|s| s.images)
        .max();
    let cols = TreeColumns::fit(w, most.map_or(0, |n| n.to_string().len()));
    let name_w = cols.name + 2;
    // The numbers are labelled once, in a header row above the tree.
    let page = (inner.height as usize).saturating_sub(1);
    let mut lines = Vec::with_capacity(page + 1);
    lines.push(cols.header(t));
    for (pos, row) in f.rows.iter().enumerate().skip(f.offset).take(page) {
        let selected = pos == f.cursor;
        let mut line = match *row {
            TreeRow::Registry(ri) => {
                let r = &f.registries[ri];
                let color = r
                    .settings
                    .color
                    .as_deref()
                    .and_then(|c| Color::from_str(c).ok())
                    .filter(|_| !t.no_color);
                let name_style = color.map_or(t.fg(Role::Title), |c| t.fg(Role::Title).fg(c));
                let arrow = if r.expanded { "▾ " } else { "▸ " };
                let status = if let Some(_e) = &r.fatal {
                    Span::styled(" ✖ failed", t.fg(Role::Danger))
                } else if r.finished {
                    let n = r.listed.unwrap_or(0);
                    let warn = if r.issues > 0 {
                        format!(" ⚠{}", r.issues)
                    } else {
                        String::new()
                    };
                    let since = r.changes.as_ref().map_or(String::new(), since_last);
                    Span::styled(
                        format!(" ✔ {n}{warn}{since}"),
                        if r.issues > 0 {
                            t.fg(Role::Warning)
                        } else {
                            t.fg(Role::Ok)
                        },
                    )
                } else {
                    let total = r.listed.map_or("?".into(), |n| n.to_string());
                    // After an instant reopen the rows are the store's until the refresh ends.
                    let age = r.as_of.map_or(String::new(), |at| {
                        let local = at.with_timezone(&chrono::Local);
                        format!(" as of {} · refreshing", local.format("%H:%M"))
                    });
                    Span::styled(
                        format!(
                            " {} {}/{total}{age}",
                            SPINNER[state.spinner % 4],
                            f.done_of(ri)
                        ),
                        t.fg(Role::Info),
                    )
                };
                let ro = if r.settings.read_only { " ro" } else { "" };
                // The kind, as the engine settled it (config, address or probe), muted.
                let kind = format!(" {}", r.kind.short());
                let room = w
                    .saturating_sub(2 + kind.len() + ro.len() + status.width())
                    .max(4);
                Line::from(vec![
                    Span::styled(arrow, t.fg(Role::Muted)),
                    Span::styled(format::truncate(&r.name, room), name_style),
                    Span::styled(kind, t.fg(Role::Muted)),
                    Span::styled(ro, t.fg(Role::Muted)),
                    status,
                ])
            }
            TreeRow::Repo(i) => {
                let r = &f.repos[i];
                let name = format!("  {}", format::middle(&r.name, cols.name));
                let mut spans = vec![Span::styled(format!("{name:<name_w$}"), t.fg(Role::Text))];
                match &r.summary {
                    Some(s) => {
                        if cols.images {
                            spans.push(Span::styled(
                                format!(" {:>iw$}", s.images, iw = cols.images_w),
                                t.fg(Role::Muted),
                            ));
                        }
                        if cols.total {
                            spans.push(Span::styled(
                                format!(" {:>8}", format::size(s.total_bytes)),
                                t.fg(Role::Text),
                            ));
                        }
                        if cols.unique {
                            spans.push(Span::styled(
                                format!(" {:>8}", format::size(s.unique_bytes)),
                                t.fg(Role::Muted),
                            ));
                        }
                        if cols.pushed {
                            spans.push(Span::styled(
                                format!(
                                    " {:>8}",
                                    format::ago(state.now, s.newest_push.or(s.newest_created))
                                ),
                                t.fg(Role::Muted),
                            ));
                        }
                    }
                    None => spans.push(Span::styled(
                        format!(
                            " {:>iw$}",
                            SPINNER[(state.spinner + i) % 4],
                            iw = cols.images_w
                        ),
                        t.fg(Role::Info),
                    )),
                }
                Line::from(spans)
            }
        };
        if selected {
            let style = if focused {
                t.selection()
            } else {
                t.fg(Role::Accent)
            };
            line = line.patch_style(style);
            if focused {
                // Fill the row so the highlight reads as a bar, like the table's.
                let used = line.width();
                line.spans
                    .push(Span::styled(" ".repeat(w.saturating_sub(used)), style));
            }
        }
        lines.push(line);
    }
    if f.rows.is_empty() {
        lines.push(Line::from(Span::styled("no registries", t.fg(Role::Muted))));
    } else if f.matching == 0 && !f.filter.is_empty() && lines.len() <= page {
        lines.push(Line::from(Span::styled(
            "  no match (esc clears)",
            t.fg(Role::Muted),
        )));
    }
    frame.render_widget(Paragraph::new(lines).style(Style::default()), inner);
}

/// "Since last open": images new and deleted and tags moved, found by the refresh.
fn since_last(c: &crate::store::Changes) -> String {
    if c.is_empty() {
        return String::new();
    }
    format!(
        " +{} -{} ↻{}",
        c.new_images.len(),
        c.deleted_images.len(),
        c.moved_tags.len()
    )
}

/// Which numbers the tree shows at inner width `w`: a name gets at least 18 columns (long
/// paths cut in the middle), then images, total, unique and newest push, as room allows.
struct TreeColumns {
    name: usize,
    images: bool,
    /// Characters of the image count (the widest count, at least `IMGS`).
    images_w: usize,
    total: bool,
    unique: bool,
    pushed: bool,
}

impl TreeColumns {
    const MIN_NAME: usize = 18;

    fn fit(w: usize, count_digits: usize) -> Self {
        let images_w = count_digits.max(4);
        let mut room = w.saturating_sub(2 + Self::MIN_NAME);
        let mut take = |need: usize| {
            let fits = room >= need;
            if fits {
                room -= need;
            }
            fits
        };
        let images = take(images_w + 1);
        let total = images && take(9);
        let unique = total && take(9);
        let pushed = unique && take(9);
        TreeColumns {
            name: Self::MIN_NAME + room,
            images,
            images_w,
            total,
            unique,
            pushed,
        }
    }

    fn header(&self, t: &crate::app::config::theme::Theme) -> Line<'static> {
        let mut s = format!("  {:<w$}", "REPOSITORY", w = self.name);
        for (on, label) in [
            (self.images, format!(" {:>w$}", "IMGS", w = self.images_w)),
            (self.total, "    TOTAL".into()),
            (self.unique, "   UNIQUE".into()),
            (self.pushed, "   PUSHED".into()),
        ] {
            if on {
                s.push_str(&label);
            }
        }
        Line::from(Span::styled(s, t.fg(Role::Header)))
    }
}
