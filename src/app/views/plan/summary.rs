//! The summary box under the plan review: how many images go and what is only listed
//! (untag, archive: not carried out by delete), naive vs reclaimed bytes and the method,
//! where the space really comes back, and the next step (delete, export, read-only).

use super::update::{deletion_allowed, plan_registry_read_only};
use crate::app::action::Action;
use crate::app::config::theme::Role;
use crate::app::format;
use crate::app::state::State;
use crate::app::views::fleet::state::RegistryNode;
use crate::policy::reclaim::ReclaimScope;
use crate::policy::{ActionKind, DeletionPlan};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use ratatui::Frame;

/// Where the freed space really comes back, as the registry's kind says.
fn gc_note(node: Option<&RegistryNode>) -> String {
    let Some(node) = node else {
        return String::new();
    };
    let caps = node.caps();
    if caps.frees_layers_itself {
        format!(
            "{} frees layers itself once no image references them",
            node.kind.label()
        )
    } else if caps.reclaim_scope == ReclaimScope::Repository {
        "regscope removes the layout's unreferenced blobs as it deletes".into()
    } else {
        "space returns after the registry's garbage collection (registry garbage-collect)".into()
    }
}

pub fn draw_summary(frame: &mut Frame, area: Rect, state: &State, plan: Option<&DeletionPlan>) {
    let t = &state.theme;
    let mut block = Block::default()
        .borders(Borders::ALL)
        .border_style(t.border(false))
        .title(Span::styled(" what it frees ", t.fg(Role::Title)));
    let Some(plan) = plan else {
        frame.render_widget(block, area);
        return;
    };
    let inner = block.inner(area);
    let lines = summary_lines(state, plan);
    // Narrow terminals: a line that does not fit ends in `…`, never mid-word without a
    // sign, and the box's border names the key that shows every line whole.
    let w = inner.width as usize;
    let cut = lines.len() > inner.height as usize || lines.iter().any(|l| l.width() > w);
    if cut {
        block = block.title_bottom(Span::styled(
            format!(" {}: in full ", state.keymap.label(Action::PlanSummary)),
            t.fg(Role::Muted),
        ));
    }
    frame.render_widget(block, area);
    let lines: Vec<Line> = lines
        .into_iter()
        .map(|l| crate::app::widgets::cut_line(l, w))
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}

/// `i`: every line of the summary, wrapped, over the list (as `enter` opens a row).
pub fn draw_summary_open(frame: &mut Frame, list: Rect, state: &State, plan: &DeletionPlan) {
    let t = &state.theme;
    let w = list.width.saturating_sub(4).max(20);
    let text = (w.saturating_sub(2)) as usize;
    let mut lines: Vec<Line> = Vec::new();
    for l in summary_lines(state, plan) {
        let style = l.spans.first().map(|s| s.style).unwrap_or_default();
        let plain: String = l.spans.iter().map(|s| s.content.as_ref()).collect();
        if plain.is_empty() {
            continue;
        }
        for (k, part) in crate::app::widgets::wrap(&plain, text.saturating_sub(2))
            .into_iter()
            .enumerate()
        {
            // Continuation lines are indented, so each fact still reads as one.
            let lead = if k == 0 { "" } else { "  " };
            lines.push(Line::from(Span::styled(format!("{lead}{part}"), style)));
        }
    }
    let h = (lines.len() as u16 + 2).min(list.height);
    let r = Rect::new(list.x + 2, list.y + list.height.saturating_sub(h) / 2, w, h);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(t.border(true))
        .title(Span::styled(" what it frees, in full ", t.fg(Role::Title)))
        .title_bottom(Span::styled(
            format!(" {}: close ", state.keymap.label(Action::Back)),
            t.fg(Role::Muted),
        ));
    frame.render_widget(ratatui::widgets::Clear, r);
    frame.render_widget(Paragraph::new(lines).block(block), r);
}

/// The summary's lines, whole: what goes, the bytes, the method, where space returns and
/// the next step.
fn summary_lines(state: &State, plan: &DeletionPlan) -> Vec<Line<'static>> {
    let t = &state.theme;
    let s = &plan.summary;
    let count = |k: ActionKind| plan.actions.iter().filter(|a| a.action == k).count();
    let removed = plan.removals();
    let mut lines = vec![Line::from(vec![
        Span::styled(
            format!("{} removed", crate::text::count(removed, "image")),
            t.fg(Role::Danger),
        ),
        Span::styled(
            format!(
                " · {} protected · {} {} in scope",
                s.protected,
                format::count(s.images),
                crate::text::plural(s.images, "image", "images")
            ),
            t.fg(Role::Text),
        ),
    ])];
    let (archive, untag) = (count(ActionKind::Transition), count(ActionKind::Untag));
    if archive + untag > 0 {
        lines[0].spans.push(Span::styled(
            format!(" · {archive} to archive, {untag} to untag: listed only, delete does not carry them out"),
            t.fg(Role::Warning),
        ));
    }
    let mut bytes = vec![
        Span::styled("reclaimed ", t.fg(Role::Text)),
        Span::styled(format::size(Some(s.reclaimed_bytes)), t.fg(Role::Ok)),
        Span::styled(
            format!(
                " (blobs no surviving manifest reaches, shared per {}) · naive {} (sum of image sizes)",
                plan.reclaim_scope,
                format::size(Some(s.naive_bytes))
            ),
            t.fg(Role::Text),
        ),
    ];
    if s.unknown_sizes > 0 {
        bytes.push(Span::styled(
            format!(" · {} sizes unknown", s.unknown_sizes),
            t.fg(Role::Warning),
        ));
    }
    lines.push(Line::from(bytes));
    lines.push(Line::from(Span::styled(
        format!("method: {}", plan.reclaim_method),
        t.fg(Role::Muted),
    )));
    let target = state
        .plan
        .request
        .as_ref()
        .and_then(|r| state.fleet.registries.get(r.registry));
    if removed > 0 {
        lines.push(Line::from(Span::styled(gc_note(target), t.fg(Role::Info))));
    }
    let next = if plan_registry_read_only(state) {
        Span::styled(
            "read-only registry (read_only = true): review and export only".to_string(),
            t.fg(Role::Warning),
        )
    } else if let Some(run) = &state.plan.run {
        Span::styled(
            match &run.audit {
                Some(a) => format!("carried out; audit log {}", a.display()),
                None => "being carried out".to_string(),
            },
            t.fg(Role::Info),
        )
    } else if let Some(path) = &state.plan.exported {
        Span::styled(format!("exported to {}", path.display()), t.fg(Role::Info))
    } else if deletion_allowed(state) {
        Span::styled(
            format!(
                "{} delete… asks you to type {} first · {} export JSON",
                state.keymap.label(Action::ConfirmDelete),
                state
                    .plan
                    .confirmation()
                    .map(|c| c.word)
                    .unwrap_or_default(),
                state.keymap.label(Action::ExportPlan)
            ),
            t.fg(Role::Muted),
        )
    } else {
        Span::raw("")
    };
    lines.push(Line::from(next));
    lines
}
