//! Carrying out a confirmed plan from the TUI with the very engine `regscope delete` uses
//! (`policy::execute`): every item re-validated just before it is acted on, deleted by
//! digest, and written to the audit log before and after. This task only relays progress.

use crate::paths::Paths;
use crate::policy::audit::AuditLog;
use crate::policy::execute::{execute, DeletionTarget, ItemResult};
use crate::policy::DeletionPlan;
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Clone, Debug)]
pub struct DeleteRequest {
    pub ticket: u64,
    /// Index of the registry in the fleet (and the runner's targets).
    pub registry: usize,
    pub plan: Arc<DeletionPlan>,
}

#[derive(Clone, Debug)]
pub enum DeleteEvent {
    /// The audit log is open; `total` items will be reported.
    Started {
        ticket: u64,
        audit: PathBuf,
        total: usize,
    },
    Item {
        ticket: u64,
        done: usize,
        result: ItemResult,
    },
    /// The run ended; `error` when it stopped early (the audit log could not be written,
    /// or the registry could not be opened).
    Finished { ticket: u64, error: Option<String> },
}

/// Runs the deletion, sending events through `send` as items complete.
pub async fn run(
    source: Result<std::sync::Arc<dyn DeletionTarget>, String>,
    req: DeleteRequest,
    send: impl Fn(DeleteEvent) + Send + Sync,
) {
    let ticket = req.ticket;
    let source = match source {
        Ok(s) => s,
        Err(e) => {
            send(DeleteEvent::Finished {
                ticket,
                error: Some(format!("cannot open the registry: {e}; nothing deleted")),
            });
            return;
        }
    };
    let mut audit = match AuditLog::create(&Paths::discover().data_dir, chrono::Utc::now()) {
        Ok(a) => a,
        Err(e) => {
            send(DeleteEvent::Finished {
                ticket,
                error: Some(format!(
                    "cannot open the audit log: {e}; nothing deleted (no deletion without an audit log)"
                )),
            });
            return;
        }
    };
    let total = req.plan.actions.len();
    send(DeleteEvent::Started {
        ticket,
        audit: audit.path().to_path_buf(),
        total,
    });
    let r = execute(
        &req.plan,
        source.as_ref(),
        &mut audit,
        |done, _total, result| {
            send(DeleteEvent::Item {
                ticket,
                done,
                result: result.clone(),
            })
        },
    )
    .await;
    send(DeleteEvent::Finished {
        ticket,
        error: r.err().map(|e| format!("stopped: {e}")),
    });
}
