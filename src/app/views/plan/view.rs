//! Draws the plan review: a title naming the source, registry and "as of" date; rows
//! grouped by action (rule, reason, every tag that goes with the digest, bytes), then what
//! is protected and why, then warnings; a summary box with naive vs reclaimed bytes and
//! whether space returns only after garbage collection; and the confirmation dialog.

pub use super::confirm_view::draw_confirm;
use super::sort::PlanSort;
use super::state::PlanRow;
use super::summary::{draw_summary, draw_summary_open};
use crate::app::config::theme::Role;
use crate::app::format;
use crate::app::state::State;
use crate::policy::{ActionKind, DeletionPlan};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use ratatui::Frame;

/// Height of the summary box under the list, borders included.
pub const SUMMARY_HEIGHT: u16 = 7;
const SPINNER: [&str; 4] = ["⠋", "⠙", "⠹", "⠸"];

fn group_role(kind: ActionKind) -> Role {
    if kind.removes_manifest() {
        Role::Danger
    } else {
        Role::Warning
    }
}

fn action_marker(kind: ActionKind) -> &'static str {
    match kind {
        ActionKind::Expire | ActionKind::Delete => "✖",
        ActionKind::Transition => "↓",
        ActionKind::Untag => "−",
    }
}

/// For the groups `regscope delete` does not carry out, what the review says about them.
fn not_done_note(kind: ActionKind) -> Option<&'static str> {
    match kind {
        ActionKind::Untag => {
            Some("not carried out by delete (it never removes a single tag) · not in reclaimed")
        }
        ActionKind::Transition => Some(
            "not carried out by delete (the registry's lifecycle job archives) · not in reclaimed",
        ),
        ActionKind::Expire | ActionKind::Delete => None,
    }
}

/// `as of 2026-06-04 (+3d)` relative to the day the review was opened; empty for a plan
/// that does not depend on the date (marks).
fn as_of_label(state: &State) -> String {
    let p = &state.plan;
    let (Some(at), Some(opened), true) = (p.as_of, p.opened_at, p.dated()) else {
        return String::new();
    };
    let days = (at - opened).num_days();
    let rel = match days {
        0 => "today".to_string(),
        d if d > 0 => format!("+{d}d"),
        d => format!("{d}d"),
    };
    format!("as of {} ({rel})", at.format("%Y-%m-%d"))
}

/// The list's title, at most `width` columns: the date and the filter always whole (the
/// date keys act on what the title shows), the plan's source cut with `…` to what is left.
fn title_spans(state: &State, width: usize) -> Vec<Span<'static>> {
    let t = &state.theme;
    let p = &state.plan;
    let mut head = vec![Span::styled(" plan ", t.fg(Role::Title))];
    let as_of = as_of_label(state);
    if !as_of.is_empty() {
        head.push(Span::styled(format!("{as_of} "), t.fg(Role::Filter)));
    }
    let mut tail = Vec::new();
    if p.computing {
        tail.push(Span::styled(
            format!("{} ", SPINNER[state.spinner % SPINNER.len()]),
            t.fg(Role::Info),
        ));
    }
    if !p.filter.is_empty() {
        tail.push(Span::styled(format!("/{} ", p.filter), t.fg(Role::Filter)));
        tail.push(Span::styled(
            format!("{} of {} rows ", p.shown.0, p.shown.1),
            t.fg(Role::Muted),
        ));
    }
    let source = match (&p.prepared, &p.request) {
        (Some(prep), _) => prep.source.clone(),
        (None, Some(r)) => r.registry_name.clone(),
        _ => String::new(),
    };
    let used: usize = head
        .iter()
        .chain(&tail)
        .map(|s| s.content.chars().count())
        .sum();
    // "· " before the source, " " after it.
    let room = width.saturating_sub(used + 3);
    if !source.is_empty() && room > 0 {
        let lead = if as_of.is_empty() { "" } else { "· " };
        head.push(Span::styled(
            format!("{lead}{} ", format::truncate(&source, room)),
            t.fg(Role::Accent),
        ));
    }
    head.extend(tail);
    head
}

fn pad(s: &str, w: usize) -> String {
    let cut = format::truncate(s, w);
    let n = cut.chars().count();
    format!("{cut}{}", " ".repeat(w.saturating_sub(n)))
}

fn tags_text(tags: &[String]) -> String {
    if tags.is_empty() {
        "<untagged>".into()
    } else {
        tags.join(", ")
    }
}

struct Widths {
    repo: usize,
    tags: usize,
    rule: usize,
}

/// Column widths from the rows on screen (the reason takes what is left).
fn widths(
    plan: &DeletionPlan,
    rows: &[PlanRow],
    one_repo: bool,
    width: usize,
    sort: PlanSort,
) -> Widths {
    let mut w = Widths {
        repo: 0,
        tags: 10,
        rule: 4,
    };
    for r in rows {
        let (repo, tags, rule) = match *r {
            PlanRow::Action(i) => {
                let a = &plan.actions[i];
                (a.repository.len(), tags_text(&a.tags).len(), a.rule.len())
            }
            PlanRow::Protected(i) => {
                let p = &plan.protected[i];
                (p.repository.len(), p.tag.as_deref().map_or(0, str::len), 4)
            }
            _ => continue,
        };
        w.repo = w.repo.max(repo);
        w.tags = w.tags.max(tags);
        w.rule = w.rule.max(rule);
    }
    // A sorted column's header keeps room for its arrow.
    let repo_min = if sort == PlanSort::Repository { 5 } else { 4 };
    w.repo = if one_repo {
        0
    } else {
        w.repo.clamp(repo_min, 28)
    };
    w.tags = w.tags.min(36).min(width / 3);
    w.rule = w.rule.clamp(5, 16);
    // The reason is what a review is read for: narrow screens take room from the tags
    // (cut with `…`, whole with enter) before leaving the reason under 20 columns.
    let reason = width.saturating_sub(fixed_width(&w));
    if reason < 20 {
        w.tags = w.tags.saturating_sub(20 - reason).max(12);
    }
    w
}

pub fn draw(frame: &mut Frame, area: Rect, state: &State) {
    let summary_h = SUMMARY_HEIGHT.min(area.height.saturating_sub(3));
    let list = Rect::new(area.x, area.y, area.width, area.height - summary_h);
    let summary = Rect::new(area.x, area.y + list.height, area.width, summary_h);
    draw_review(frame, list, summary, state);
    // `i`: the summary in full, over whatever the list shows (rows, results, a message).
    if let (true, Some(plan)) = (state.plan.summary_open, state.plan.plan.as_deref()) {
        draw_summary_open(frame, list, state, plan);
    }
}

fn draw_review(frame: &mut Frame, list: Rect, summary: Rect, state: &State) {
    let t = &state.theme;
    let p = &state.plan;

    let title = title_spans(state, list.width.saturating_sub(2) as usize);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(t.border(true))
        .title(Line::from(title));
    let inner = block.inner(list);
    if let Some(run) = &p.run {
        super::run::draw(frame, list, state, run);
        draw_summary(frame, summary, state, p.plan.as_deref());
        return;
    }
    frame.render_widget(block, list);

    let Some(plan) = &p.plan else {
        let (msg, role) = match &p.error {
            Some(e) => (
                format!("{e}\n\nnothing was evaluated; fix it and run :plan again"),
                Role::Danger,
            ),
            None => ("evaluating the plan…".to_string(), Role::Muted),
        };
        frame.render_widget(
            Paragraph::new(msg)
                .style(t.fg(role))
                .wrap(Wrap { trim: false }),
            inner,
        );
        draw_summary(frame, summary, state, None);
        return;
    };
    if p.rows.is_empty() && !p.filter.is_empty() {
        let msg = "no row matches the filter (esc clears it); the plan itself is unchanged";
        frame.render_widget(Paragraph::new(Span::styled(msg, t.fg(Role::Muted))), inner);
        draw_summary(frame, summary, state, Some(plan));
        return;
    }
    if p.rows.is_empty() {
        let at = as_of_label(state);
        let msg = format!(
            "nothing to do{}{at}: no image of the {} in scope is removed, archived or untagged",
            if at.is_empty() { "" } else { " " },
            plan.summary.images
        );
        frame.render_widget(Paragraph::new(Span::styled(msg, t.fg(Role::Muted))), inner);
        draw_summary(frame, summary, state, Some(plan));
        return;
    }
    let body = inner.height.saturating_sub(1) as usize;
    let end = p.rows.len().min(p.offset + body);
    let visible = &p.rows[p.offset.min(end)..end];
    let one_repo = p.request.as_ref().is_some_and(|r| r.tables.len() == 1);
    let w = widths(plan, visible, one_repo, inner.width as usize, p.sort);
    let mut lines = vec![header_line(state, &w)];
    for (k, row) in visible.iter().enumerate() {
        let mut line = row_line(state, plan, *row, &w, inner.width as usize);
        if p.offset + k == p.cursor {
            line = line.style(t.selection());
        }
        lines.push(line);
    }
    frame.render_widget(Paragraph::new(lines), inner);
    draw_summary(frame, summary, state, Some(plan));
    if p.open {
        draw_open_row(frame, list, state);
    }
}

/// Columns left of the reason.
fn fixed_width(w: &Widths) -> usize {
    12 + 1 + if w.repo > 0 { w.repo + 1 } else { 0 } + 14 + w.tags + 1 + 10 + w.rule + 1
}

fn header_line(state: &State, w: &Widths) -> Line<'static> {
    let p = &state.plan;
    // The sorted column carries ▲/▼, as in the other tables.
    let h = |name: &str| match p.sort.header() {
        Some(n) if name.starts_with(n) => format!("{name}{}", if p.descending { "▼" } else { "▲" }),
        _ => name.to_string(),
    };
    let mut s = format!("{} ", pad("ACTION", 12));
    if w.repo > 0 {
        // Short names get the short header rather than a cut one.
        let name = if w.repo >= 11 { "REPOSITORY" } else { "REPO" };
        s.push_str(&format!("{} ", pad(&h(name), w.repo)));
    }
    s.push_str(&format!(
        "{} {} {:>9} {} REASON",
        pad("DIGEST", 13),
        pad(&h("TAGS"), w.tags),
        h("SIZE"),
        pad(&h("RULE"), w.rule)
    ));
    Line::from(Span::styled(s, state.theme.fg(Role::Header)))
}

fn row_line(
    state: &State,
    plan: &DeletionPlan,
    row: PlanRow,
    w: &Widths,
    width: usize,
) -> Line<'static> {
    let t = &state.theme;
    let reason_w = width.saturating_sub(fixed_width(w)).max(8);
    let item = |marker: Span<'static>,
                repo: &str,
                digest: String,
                tags: Span<'static>,
                size: String,
                rule: Span<'static>,
                reason: Span<'static>| {
        let mut spans = vec![marker];
        if w.repo > 0 {
            spans.push(Span::styled(
                format!("{} ", pad(repo, w.repo)),
                t.fg(Role::Text),
            ));
        }
        spans.push(Span::styled(
            format!("@{} ", pad(&digest, 12)),
            t.fg(Role::Muted),
        ));
        spans.push(tags);
        spans.push(Span::styled(format!(" {size:>9} "), t.fg(Role::Text)));
        spans.push(rule);
        spans.push(reason);
        Line::from(spans)
    };
    match row {
        PlanRow::Group(kind, n) => {
            let mut spans = vec![Span::styled(
                format!("▾ {} {n}", kind.as_str().to_uppercase()),
                t.fg(group_role(kind)),
            )];
            if let Some(note) = not_done_note(kind) {
                spans.push(Span::styled(format!("  {note}"), t.fg(Role::Muted)));
            }
            Line::from(spans)
        }
        PlanRow::Action(i) => {
            let a = &plan.actions[i];
            let tags_role = if a.tags.is_empty() {
                Role::Muted
            } else {
                Role::Text
            };
            item(
                Span::styled(
                    format!(
                        "{} ",
                        pad(&format!("  {} {}", action_marker(a.action), a.action), 12)
                    ),
                    t.fg(group_role(a.action)),
                ),
                &a.repository,
                a.digest.short().to_string(),
                Span::styled(pad(&tags_text(&a.tags), w.tags), t.fg(tags_role)),
                format::size(a.bytes),
                Span::styled(format!("{} ", pad(&a.rule, w.rule)), t.fg(Role::Accent)),
                Span::styled(format::truncate(&a.reason, reason_w), t.fg(Role::Text)),
            )
        }
        PlanRow::ProtectedHeader(n) => Line::from(Span::styled(
            format!("▾ PROTECTED {n} (kept whatever the policy says)"),
            t.fg(Role::Ok),
        )),
        PlanRow::Protected(i) => {
            let p = &plan.protected[i];
            let marks = plan.policy_format == crate::app::tasks::plan::MARKS_FORMAT;
            let why = match &p.would {
                // In a plan of marks only what the user marked was marked; what follows
                // it says so (an attestation follows its subject).
                Some(w) if marks && w.ends_with("rule marked") => {
                    format!("{} (you marked it)", p.why)
                }
                Some(w) if marks && w.ends_with("rule follows subject") => {
                    format!("{} (follows its subject)", p.why)
                }
                Some(w) if marks && w.ends_with("rule follows index") => {
                    format!("{} (goes with its index)", p.why)
                }
                Some(w) => format!("{} (policy: {w})", p.why),
                None => p.why.clone(),
            };
            item(
                Span::styled(format!("{} ", pad("  ✔ keep", 12)), t.fg(Role::Ok)),
                &p.repository,
                p.digest.short().to_string(),
                Span::styled(
                    pad(
                        &p.tag
                            .as_deref()
                            .map(|x| format!("tag {x}"))
                            .unwrap_or_default(),
                        w.tags,
                    ),
                    t.fg(Role::Text),
                ),
                String::new(),
                Span::styled(format!("{} ", pad("", w.rule)), t.fg(Role::Muted)),
                Span::styled(format::truncate(&why, reason_w), t.fg(Role::Text)),
            )
        }
        PlanRow::WarningHeader(n) => {
            Line::from(Span::styled(format!("▾ WARNINGS {n}"), t.fg(Role::Warning)))
        }
        PlanRow::Warning(i) => Line::from(vec![
            Span::styled("  ! ", t.fg(Role::Warning)),
            Span::styled(
                format::truncate(&plan.warnings[i], width.saturating_sub(4)),
                t.fg(Role::Text),
            ),
        ]),
    }
}

/// The status line in the plan view: the selected row (in full with `enter`).
pub fn status_line(state: &State) -> Line<'static> {
    let t = &state.theme;
    let Some(text) = row_text(state) else {
        return Line::default();
    };
    let width = state.size.0 as usize;
    let text = if text.chars().count() > width {
        format!(
            "{} (enter: in full)",
            format::truncate(&text, width.saturating_sub(18))
        )
    } else {
        text
    };
    Line::from(Span::styled(text, t.fg(Role::Muted)))
}

/// The selected row in words, every field whole.
pub fn row_text(state: &State) -> Option<String> {
    let p = &state.plan;
    let (Some(plan), Some(row)) = (&p.plan, p.rows.get(p.cursor)) else {
        return None;
    };
    Some(match *row {
        PlanRow::Group(kind, n) => format!(" {n} {kind} actions"),
        PlanRow::Action(i) => {
            let a = &plan.actions[i];
            let not_done = a
                .action
                .not_carried_out()
                .map(|w| format!(" · {w}"))
                .unwrap_or_default();
            format!(
                " {}@{} · tags: {} · rule {}: {}{not_done}",
                a.repository,
                a.digest,
                tags_text(&a.tags),
                a.rule,
                a.reason
            )
        }
        PlanRow::ProtectedHeader(n) => format!(" {n} protected"),
        PlanRow::Protected(i) => {
            let x = &plan.protected[i];
            format!(" {}@{} · {}", x.repository, x.digest, x.why)
        }
        PlanRow::WarningHeader(n) => format!(" {}", crate::text::count(n, "warning")),
        PlanRow::Warning(i) => format!(" {}", plan.warnings[i]),
    })
}

/// `enter` on a row: the row in full, wrapped, over the list.
fn draw_open_row(frame: &mut Frame, list: Rect, state: &State) {
    let t = &state.theme;
    let Some(text) = row_text(state) else {
        return;
    };
    let w = list.width.saturating_sub(4).max(20);
    let wrapped = crate::app::widgets::wrap(text.trim_start(), w.saturating_sub(2) as usize);
    let h = (wrapped.len() as u16 + 3).min(list.height);
    let r = Rect::new(list.x + 2, list.y + list.height.saturating_sub(h) / 2, w, h);
    let lines: Vec<Line> = wrapped
        .into_iter()
        .map(|l| Line::from(Span::styled(l, t.fg(Role::Text))))
        .collect();
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(t.border(true))
        .title(Span::styled(" row in full ", t.fg(Role::Title)))
        .title_bottom(Span::styled(
            format!(
                " {}: close ",
                state.keymap.label(crate::app::action::Action::Back)
            ),
            t.fg(Role::Muted),
        ));
    frame.render_widget(ratatui::widgets::Clear, r);
    frame.render_widget(Paragraph::new(lines).block(block), r);
}
