//! `regscope delete --plan FILE [--yes]`: carry out a reviewed plan. Refuses read-only
//! registries, asks for a typed confirmation (the repository name, or the image count for
//! several repositories) unless `--yes`, re-validates every item just before acting, and
//! writes an audit log that `regscope restore` can replay.

use super::output::{exit_for_items, usage};
use crate::config::RegistryConfig;
use crate::paths::Paths;
use crate::policy::audit::AuditLog;
use crate::policy::execute::{execute, DeletionTarget, ItemResult, Outcome};
use crate::policy::{Confirmation, DeletionPlan};
use anyhow::{anyhow, bail, Context, Result};
use std::io::BufRead;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct DeleteArgs {
    /// A plan written by `regscope plan ... -o FILE` (or `--json`).
    #[arg(long)]
    pub plan: PathBuf,
    /// Skip the typed confirmation (for automation, after reviewing the plan).
    #[arg(long)]
    pub yes: bool,
    /// Print per-item results as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Refuses when the config marks the plan's registry `read_only`, or cannot be read at all
/// (a destructive command must not guess).
pub fn check_writable(registry: &str) -> Result<()> {
    let path = Paths::discover().config_file;
    let cfg = RegistryConfig::load(&path);
    if !cfg.problems.is_empty() {
        bail!(
            "refusing to delete: the config has problems ({}); fix it first",
            cfg.problems.join("; ")
        );
    }
    let host = registry.trim_end_matches('/');
    if let Some(r) = cfg.registries.iter().find(|r| {
        r.read_only
            && (r.address == host || r.name == host || r.address.split('/').next() == Some(host))
    }) {
        bail!(
            "registry {} ({}) is read_only = true in {}; delete refused",
            r.name,
            r.address,
            path.display()
        );
    }
    Ok(())
}

fn confirm(plan: &DeletionPlan, c: &Confirmation) -> Result<bool> {
    eprint!(
        "About to delete {} from {}. Type {} to continue; anything else cancels: ",
        crate::text::count(c.removals, "image"),
        plan.registry,
        c.what
    );
    let mut line = String::new();
    let n = std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("cannot read the confirmation")?;
    if n == 0 {
        return Err(usage(
            "no confirmation on stdin; run in a terminal, or pass --yes after reviewing the plan",
        ));
    }
    Ok(line.trim() == c.word)
}

pub fn run(args: DeleteArgs) -> Result<i32> {
    let text = crate::files::read_text_capped(&args.plan, crate::files::INVENTORY_LIMIT)
        .map_err(|e| usage(format!("cannot read plan {}: {e}", args.plan.display())))?;
    let plan = DeletionPlan::from_json(&text)
        .map_err(|e| usage(format!("{}: {e}", args.plan.display())))?;
    check_writable(&plan.registry)?;
    let left = plan.actions.len() - plan.removals();
    if left > 0 {
        eprintln!(
            "note: {left} actions of the plan (untag, archive) are not carried out by delete: it only removes manifests by digest; they are listed as not performed"
        );
    }
    let Some(confirmation) = plan.confirmation() else {
        println!("The plan deletes nothing.");
        return Ok(0);
    };
    super::source::resolve_target(&plan.registry)
        .map_err(|e| usage(format!("plan registry {:?}: {e}", plan.registry)))?;
    if !args.yes && !confirm(&plan, &confirmation)? {
        eprintln!("Cancelled; nothing deleted.");
        return Ok(1);
    }
    let rt = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    rt.block_on(async {
        let writer = writer(&plan.registry).await?;
        let mut audit = AuditLog::create(&Paths::discover().data_dir, chrono::Utc::now())?;
        eprintln!("Audit log: {}", audit.path().display());
        let results = execute(&plan, writer.as_ref(), &mut audit, |n, total, r| {
            eprintln!("[{n}/{total}] {}", line(r));
        })
        .await?;
        report(&results, args.json, &audit)
    })
}

/// How to delete from the plan's registry: whatever its session says (the registry's own
/// API where it has one, else OCI manifest DELETE by digest).
pub async fn writer(registry: &str) -> Result<std::sync::Arc<dyn DeletionTarget>> {
    let session = super::source::open_target(registry).await.map_err(usage)?;
    let target = session
        .deletion_target()
        .await
        .map_err(|e| anyhow!("{e} ({})", e.next_step()))?;
    if session.caps().manifest_read_counts_as_pull {
        eprintln!(
            "note: before each deletion the image's manifest is read once for the audit log ({} counts it as a pull of that image)",
            session.kind().label()
        );
    }
    Ok(target)
}

fn line(r: &ItemResult) -> String {
    let tags = if r.tags.is_empty() {
        String::new()
    } else {
        format!(" [{}]", r.tags.join(", "))
    };
    // The outcome first; the action only where it was not carried out (a deleted image
    // needs no `delete` beside `deleted`).
    let (what, why) = match &r.outcome {
        Outcome::Deleted => return format!("deleted {}@{}{tags}", r.repository, r.digest),
        Outcome::Skipped(w) => ("SKIPPED", w),
        Outcome::NotPerformed(w) => ("NOT PERFORMED", w),
        Outcome::Failed(w) => ("FAILED", w),
    };
    format!(
        "{what} {} {}@{}{tags}: {why}",
        r.action, r.repository, r.digest
    )
}

fn report(results: &[ItemResult], json: bool, audit: &AuditLog) -> Result<i32> {
    let deleted = results
        .iter()
        .filter(|r| r.outcome == Outcome::Deleted)
        .count();
    let skipped = results
        .iter()
        .filter(|r| matches!(r.outcome, Outcome::Skipped(_)))
        .count();
    let failed = results
        .iter()
        .filter(|r| matches!(r.outcome, Outcome::Failed(_)))
        .count();
    let not_performed = results
        .iter()
        .filter(|r| matches!(r.outcome, Outcome::NotPerformed(_)))
        .count();
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(
                &serde_json::json!({"results": results, "audit_log": audit.path()})
            )?
        );
    } else {
        println!(
            "{deleted} deleted, {skipped} skipped, {failed} failed{}. Audit log: {}",
            if not_performed > 0 {
                format!(", {not_performed} not performed (untag/archive)")
            } else {
                String::new()
            },
            audit.path().display()
        );
        for r in results.iter().filter(|r| r.outcome != Outcome::Deleted) {
            println!("  {}", line(r));
        }
        if deleted > 0 {
            println!(
                "Undo while the blobs remain: regscope restore {}",
                audit.path().display()
            );
        }
    }
    // A deletion that re-validation skipped is the plan working as designed; failures
    // make the run partial (some deleted) or failed (none deleted).
    Ok(exit_for_items(deleted, failed))
}
