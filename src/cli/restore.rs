//! `regscope restore AUDIT_FILE`: re-push what a deletion run removed, where the registry
//! still holds the blobs, and say what could not be restored.

use super::output::{exit_for_items, usage};
use crate::policy::audit::{AuditEntry, AuditEvent, AuditLog};
use crate::policy::restore::restore;
use anyhow::{anyhow, Context, Result};
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct RestoreArgs {
    /// An audit log written by `regscope delete`.
    pub audit_file: PathBuf,
    /// Print the results as a JSON array instead of lines: one object per image with
    /// repository, digest, restored (bool), tags pushed back, problems, and `uncertain`
    /// when the log cannot say whether the registry deleted it.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: RestoreArgs) -> Result<i32> {
    let entries = AuditLog::read(&args.audit_file).map_err(usage)?;
    // An intent is enough: without its outcome the deletion may have happened.
    let Some(first) = entries
        .iter()
        .find(|e| matches!(e.event, AuditEvent::Deleted | AuditEvent::Intent))
    else {
        println!("The audit log records no deletion; nothing to restore.");
        return Ok(0);
    };
    let registry = first.registry.clone();
    super::delete::check_writable(&registry)?;
    if entries.iter().any(|e| e.registry != registry) {
        return Err(usage(
            "the audit log mixes registries; restore one registry at a time",
        ));
    }
    super::source::resolve_target(&registry)
        .map_err(|e| usage(format!("audit registry {registry:?}: {e}")))?;
    let rt = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    rt.block_on(async {
        let session = super::source::open_target(&registry).await.map_err(usage)?;
        let writer = session
            .restore_target()
            .await
            .map_err(|e| anyhow!("{e} ({})", e.next_step()))?;
        let results = restore(&entries, writer.as_ref()).await;
        // Record the restore in the same append-only log.
        let run = entries.last().map(|e| e.run.clone()).unwrap_or_default();
        let mut log = AuditLog::open(&args.audit_file, run.clone())?;
        for r in results.iter().filter(|r| r.restored) {
            log.write(&AuditEntry {
                ts: chrono::Utc::now(),
                run: run.clone(),
                event: AuditEvent::Restored,
                registry: registry.clone(),
                repository: r.repository.clone(),
                digest: r.digest.clone(),
                tags: r.tags.clone(),
                media_type: None,
                manifest_base64: None,
                rule: None,
                detail: (!r.problems.is_empty()).then(|| r.problems.join("; ")),
            })?;
        }
        let bad = results.iter().filter(|r| r.is_failure()).count();
        let unchanged = results
            .iter()
            .filter(|r| !r.restored && !r.is_failure())
            .count();
        if args.json {
            println!("{}", serde_json::to_string_pretty(&results)?);
        } else {
            for r in &results {
                let state = if r.restored {
                    "restored"
                } else if r.is_failure() {
                    "NOT restored"
                } else {
                    "still present"
                };
                let tags = if r.tags.is_empty() {
                    String::new()
                } else {
                    format!(" tags {}", r.tags.join(", "))
                };
                println!("{state} {}@{}{tags}", r.repository, r.digest);
                if let Some(u) = &r.uncertain {
                    println!("    possibly deleted: {u}");
                }
                for p in &r.problems {
                    println!("    {p}");
                }
            }
            let still = if unchanged > 0 {
                format!(", {unchanged} still present (not deleted after all)")
            } else {
                String::new()
            };
            println!(
                "{} restored{still}, {bad} could not be restored.",
                results.len() - bad - unchanged
            );
        }
        Ok(exit_for_items(results.len() - bad, bad))
    })
}
