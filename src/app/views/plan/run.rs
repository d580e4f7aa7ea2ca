//! A deletion in progress and its results: per item, deleted / skipped (something changed
//! since the plan) / failed, with the reason; the audit log's path; progress while it runs.

use crate::app::config::theme::Role;
use crate::app::effect::Effect;
use crate::app::format;
use crate::app::state::State;
use crate::app::tasks::delete::{DeleteEvent, DeleteRequest};
use crate::app::views::errors::state::ErrorEntry;
use crate::policy::execute::{ItemResult, Outcome};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use ratatui::Frame;
use std::path::PathBuf;

#[derive(Debug, Default)]
pub struct DeleteRun {
    pub ticket: u64,
    /// Items the engine will report (`None` until it has opened the audit log).
    pub total: Option<usize>,
    pub results: Vec<ItemResult>,
    pub audit: Option<PathBuf>,
    pub finished: bool,
    pub error: Option<String>,
    pub cursor: usize,
    pub offset: usize,
}

impl DeleteRun {
    pub fn count(&self, f: impl Fn(&Outcome) -> bool) -> usize {
        self.results.iter().filter(|r| f(&r.outcome)).count()
    }
}

/// Starts the deletion of the plan on screen (after the typed confirmation).
pub fn start(state: &mut State) -> Vec<Effect> {
    let (Some(plan), Some(req)) = (&state.plan.plan, &state.plan.request) else {
        return vec![];
    };
    let ticket = state.plan.ticket + 1;
    state.plan.ticket = ticket;
    let effect = Effect::DeletePlan(DeleteRequest {
        ticket,
        registry: req.registry,
        plan: plan.clone(),
    });
    state.plan.run = Some(DeleteRun {
        ticket,
        ..DeleteRun::default()
    });
    vec![effect]
}

pub fn on_event(state: &mut State, ev: DeleteEvent) -> Vec<Effect> {
    let Some(run) = state.plan.run.as_mut() else {
        return vec![];
    };
    let ticket = match &ev {
        DeleteEvent::Started { ticket, .. }
        | DeleteEvent::Item { ticket, .. }
        | DeleteEvent::Finished { ticket, .. } => *ticket,
    };
    if ticket != run.ticket {
        return vec![];
    }
    match ev {
        DeleteEvent::Started { audit, total, .. } => {
            run.audit = Some(audit);
            run.total = Some(total);
        }
        DeleteEvent::Item { result, .. } => {
            if let Outcome::Failed(why) = &result.outcome {
                let registry = state
                    .plan
                    .plan
                    .as_ref()
                    .map(|p| p.registry.clone())
                    .unwrap_or_default();
                let mut e = ErrorEntry::plain(
                    state.now,
                    &registry,
                    &format!("deleting {}@{}: {why}", result.repository, result.digest),
                    "see the audit log; the item can be planned again",
                );
                e.repository = Some(result.repository.clone());
                state.errors.push(e);
            }
            let run = state.plan.run.as_mut().expect("checked above");
            run.results.push(result);
            // Follow the newest item while it runs.
            run.cursor = run.results.len() - 1;
        }
        DeleteEvent::Finished { error, .. } => {
            run.finished = true;
            let deleted = run.count(|o| *o == Outcome::Deleted);
            let text = match &error {
                Some(e) => format!("deletion stopped after {deleted} deleted: {e}"),
                None => {
                    format!("deletion finished: {deleted} deleted; reading the repositories again")
                }
            };
            run.error = error;
            state.flash(text, run_failed(state));
            // What was deleted leaves the explorer now; the registry is asked again.
            return super::after::after_deletion(state);
        }
    }
    vec![]
}

fn run_failed(state: &State) -> bool {
    state
        .plan
        .run
        .as_ref()
        .is_some_and(|r| r.error.is_some() || r.count(|o| matches!(o, Outcome::Failed(_))) > 0)
}

pub fn move_by(run: &mut DeleteRun, delta: isize) {
    if run.results.is_empty() {
        return;
    }
    let c = (run.cursor as isize + delta).clamp(0, run.results.len() as isize - 1);
    run.cursor = c as usize;
}

fn outcome_span(state: &State, o: &Outcome) -> (Span<'static>, String) {
    let t = &state.theme;
    match o {
        Outcome::Deleted => (Span::styled("✔ deleted ", t.fg(Role::Ok)), String::new()),
        Outcome::Skipped(w) => (Span::styled("↷ skipped ", t.fg(Role::Warning)), w.clone()),
        Outcome::NotPerformed(w) => (Span::styled("· not done", t.fg(Role::Muted)), w.clone()),
        Outcome::Failed(w) => (Span::styled("✖ failed  ", t.fg(Role::Danger)), w.clone()),
    }
}

pub fn draw(frame: &mut Frame, area: Rect, state: &State, run: &DeleteRun) {
    let t = &state.theme;
    let done = run.results.len();
    let progress = match (run.total, run.finished) {
        (_, true) => {
            let mut s = format!(
                "done: {} deleted · {} skipped · {} failed ",
                run.count(|o| *o == Outcome::Deleted),
                run.count(|o| matches!(o, Outcome::Skipped(_))),
                run.count(|o| matches!(o, Outcome::Failed(_)))
            );
            let left = run.count(|o| matches!(o, Outcome::NotPerformed(_)));
            if left > 0 {
                s.push_str(&format!("· {left} not performed (untag/archive) "));
            }
            s
        }
        (Some(n), false) => format!("deleting {done} of {n} "),
        (None, false) => "opening the audit log… ".into(),
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(t.fg(Role::Danger))
        .title(Line::from(vec![
            Span::styled(" deletion ", t.fg(Role::Title)),
            Span::styled(progress, t.fg(Role::Text)),
        ]));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let mut lines = Vec::new();
    if let Some(a) = &run.audit {
        lines.push(Line::from(Span::styled(
            format!("audit log: {}", a.display()),
            t.fg(Role::Muted),
        )));
    }
    if let Some(e) = &run.error {
        lines.push(Line::from(Span::styled(e.clone(), t.fg(Role::Danger))));
    }
    let body = (inner.height as usize).saturating_sub(lines.len()).max(1);
    let start = run.cursor.saturating_sub(body.saturating_sub(1));
    for (i, r) in run.results.iter().enumerate().skip(start).take(body) {
        let (mark, why) = outcome_span(state, &r.outcome);
        let tags = if r.tags.is_empty() {
            "<untagged>".to_string()
        } else {
            r.tags.join(", ")
        };
        let mut line = Line::from(vec![
            mark,
            // The action beside an outcome that is not its own (`✔ deleted web@…`, but
            // `↷ skipped delete web@…`).
            Span::styled(
                match r.outcome {
                    Outcome::Deleted => format!("{}@{} ", r.repository, r.digest.short()),
                    _ => format!("{} {}@{} ", r.action, r.repository, r.digest.short()),
                },
                t.fg(Role::Text),
            ),
            Span::styled(format!("[{tags}] "), t.fg(Role::Muted)),
            Span::styled(
                format::truncate(&why, inner.width as usize),
                t.fg(Role::Text),
            ),
        ]);
        if i == run.cursor && run.finished {
            line = line.style(t.selection());
        }
        lines.push(line);
    }
    frame.render_widget(Paragraph::new(lines), inner);
}
