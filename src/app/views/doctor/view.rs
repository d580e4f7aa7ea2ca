//! Draws the doctor's checklist: ✔/✖/· per step with its timing, raw HTTP status and
//! registry error code, further lines under a step, a spinner for the step in progress,
//! then the verdict sentence and the next step to copy.

use crate::app::config::theme::Role;
use crate::app::state::State;
use crate::doctor::{StepStatus, Verdict};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use ratatui::Frame;

const SPINNER: [&str; 4] = ["⠋", "⠙", "⠹", "⠸"];
/// The walk's steps in order, to say which one is running.
const STEPS: [&str; 7] = [
    "reference",
    "reach",
    "auth",
    "resolve",
    "platforms",
    "blobs",
    "history",
];

pub fn lines(state: &State, width: usize) -> Vec<Line<'static>> {
    let t = &state.theme;
    let d = &state.doctor;
    let mut out = Vec::new();
    for s in &d.steps {
        let (mark, role) = match s.status {
            StepStatus::Ok => ("✔", Role::Ok),
            StepStatus::Fail => ("✖", Role::Danger),
            StepStatus::Skip => ("·", Role::Muted),
        };
        let mut raw = String::new();
        if let Some(h) = s.http_status {
            raw.push_str(&format!("HTTP {h}"));
        }
        if let Some(c) = &s.error_code {
            if !raw.is_empty() {
                raw.push(' ');
            }
            raw.push_str(c);
        }
        let timing = if s.status == StepStatus::Skip {
            String::new()
        } else {
            format!("{} ms", s.elapsed_ms)
        };
        let right = format!("{raw}  {timing:>8}");
        let detail_w = width.saturating_sub(14 + right.chars().count() + 1);
        let detail = crate::app::format::truncate(&s.detail, detail_w);
        let pad = detail_w.saturating_sub(detail.chars().count());
        out.push(Line::from(vec![
            Span::styled(format!(" {mark} "), t.fg(role)),
            Span::styled(format!("{:<10} ", s.name), t.fg(Role::Header)),
            Span::styled(
                detail,
                t.fg(if s.status == StepStatus::Skip {
                    Role::Muted
                } else {
                    Role::Text
                }),
            ),
            Span::raw(" ".repeat(pad + 1)),
            Span::styled(raw, t.fg(Role::Warning)),
            Span::styled(format!("  {timing:>8}"), t.fg(Role::Muted)),
        ]));
        for l in &s.lines {
            out.push(Line::from(Span::styled(
                format!("      {l}"),
                t.fg(Role::Muted),
            )));
        }
    }
    if d.running {
        let next = STEPS
            .iter()
            .find(|n| !d.steps.iter().any(|s| s.name == **n))
            .unwrap_or(&"…");
        out.push(Line::from(vec![
            Span::styled(
                format!(" {} ", SPINNER[state.spinner % SPINNER.len()]),
                t.fg(Role::Info),
            ),
            Span::styled(format!("{next:<10} checking…"), t.fg(Role::Muted)),
        ]));
    }
    if let Some(r) = &d.report {
        out.push(Line::default());
        let role = if r.verdict == Verdict::Ok {
            Role::Ok
        } else {
            Role::Danger
        };
        out.push(Line::from(vec![
            Span::styled(format!(" verdict: {} ", r.verdict), t.fg(role)),
            Span::styled(format!("— {}", r.summary), t.fg(Role::Text)),
        ]));
        out.push(Line::from(vec![
            Span::styled(" next step: ", t.fg(Role::Header)),
            Span::styled(r.next_step.clone(), t.fg(Role::Accent)),
            Span::styled(
                format!(
                    "  ({} copies it)",
                    state.keymap.label(crate::app::action::Action::Copy)
                ),
                t.fg(Role::Muted),
            ),
        ]));
    }
    out
}

pub fn draw(frame: &mut Frame, area: Rect, state: &State) {
    let t = &state.theme;
    let d = &state.doctor;
    let mut title = vec![Span::styled(" pull doctor ", t.fg(Role::Title))];
    if let Some(r) = &d.reference {
        title.push(Span::styled(format!("{r} "), t.fg(Role::Accent)));
    }
    let platform = d
        .platform
        .as_ref()
        .map(|p| p.to_string())
        .or_else(|| d.report.as_ref().and_then(|r| r.platform.clone()))
        .unwrap_or_else(|| "this machine's platform".into());
    title.push(Span::styled(format!("[{platform}] "), t.fg(Role::Filter)));
    title.push(Span::styled("read-only ", t.fg(Role::Muted)));
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(t.border(true))
        .title(Line::from(title));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    frame.render_widget(
        Paragraph::new(lines(state, inner.width as usize))
            .wrap(Wrap { trim: false })
            .scroll((d.scroll, 0)),
        inner,
    );
}
