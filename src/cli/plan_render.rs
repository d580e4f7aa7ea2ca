//! How `regscope plan` reads to a person: the plan grouped by action, then protections,
//! warnings and bytes, and the comparison of a proposed policy with the current one.

use crate::policy::compare::PlanComparison;
use crate::policy::{ActionKind, DeletionPlan};

fn bytes(n: u64) -> String {
    crate::text::size(n)
}

/// The plan as a person reads it: grouped by action, then protections, warnings, bytes.
pub fn render(plan: &DeletionPlan, inventory_errors: usize) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "Plan for {} as of {} ({})",
        plan.registry,
        crate::text::date(plan.evaluated_at),
        crate::text::count(plan.summary.images, "image")
    );
    if let Some(src) = &plan.policy_source {
        let _ = writeln!(s, "Policy: {src}");
    }
    let _ = writeln!(s, "Switches: {}", plan.switches.join(" "));
    if let Some(u) = &plan.in_use {
        let _ = writeln!(
            s,
            "In use: {} — {} named, {} matched in this inventory",
            u.source,
            crate::text::count(u.named, "image"),
            u.matched
        );
    }
    if inventory_errors > 0 {
        let _ = writeln!(
            s,
            "! the inventory is partial: {inventory_errors} items failed while crawling"
        );
    }
    for kind in ActionKind::ALL {
        let rows: Vec<_> = plan.actions.iter().filter(|a| a.action == kind).collect();
        if rows.is_empty() {
            continue;
        }
        let _ = writeln!(s, "\n{} ({})", kind.as_str().to_uppercase(), rows.len());
        if let Some(why) = kind.not_carried_out() {
            let _ = writeln!(
                s,
                "  (not performed by `regscope delete`: {}; listed for review only, not in the byte figures below)",
                why.trim_start_matches("not performed: ")
            );
        }
        for a in rows {
            let tags = if a.tags.is_empty() {
                "<untagged>".to_string()
            } else {
                a.tags.join(", ")
            };
            let size = a.bytes.map(bytes).unwrap_or_else(|| "—".into());
            let _ = writeln!(
                s,
                "  {} @{}  [{}]  {}  rule {}: {}",
                a.repository,
                a.digest.short(),
                tags,
                size,
                a.rule,
                a.reason
            );
        }
    }
    if !plan.protected.is_empty() {
        let _ = writeln!(s, "\nPROTECTED ({})", plan.protected.len());
        for p in &plan.protected {
            let tag = p
                .tag
                .as_deref()
                .map(|t| format!(" tag {t}"))
                .unwrap_or_default();
            let would = p
                .would
                .as_deref()
                .map(|w| format!(" (policy: {w})"))
                .unwrap_or_default();
            let _ = writeln!(
                s,
                "  {} @{}{}  {}{}",
                p.repository,
                p.digest.short(),
                tag,
                p.why,
                would
            );
        }
    }
    if !plan.warnings.is_empty() {
        let _ = writeln!(s, "\nWARNINGS");
        for w in &plan.warnings {
            let _ = writeln!(s, "  ! {w}");
        }
    }
    let removals = plan.removals();
    let _ = writeln!(
        s,
        "\n{} ({} `regscope delete` carries out{}). Naive {} (sum of the removed images' sizes); reclaimed {} (blobs no surviving manifest reaches, shared per {}; {}).",
        crate::text::count(plan.summary.actions, "action"),
        crate::text::count(removals, "removal"),
        if plan.summary.actions > removals {
            format!(", {} untag/archive listed only", plan.summary.actions - removals)
        } else {
            String::new()
        },
        bytes(plan.summary.naive_bytes),
        bytes(plan.summary.reclaimed_bytes),
        plan.reclaim_scope,
        plan.reclaim_method
    );
    if plan.summary.actions > 0 {
        let _ = writeln!(
            s,
            "Space returns after the registry's garbage collection where the registry needs one."
        );
    }
    s
}

pub fn render_comparison(current: &str, c: &PlanComparison) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let _ = writeln!(s, "\nCOMPARED WITH the current policy {current}");
    let _ = writeln!(s, "  both act on {} items", c.both);
    let _ = writeln!(s, "  only the proposed policy ({}):", c.only_proposed.len());
    for a in &c.only_proposed {
        let _ = writeln!(
            s,
            "    + {} {} @{} [{}] rule {}",
            a.action,
            a.repository,
            a.digest.short(),
            a.tags.join(", "),
            a.rule
        );
    }
    let _ = writeln!(s, "  only the current policy ({}):", c.only_current.len());
    for a in &c.only_current {
        let _ = writeln!(
            s,
            "    - {} {} @{} [{}] rule {}",
            a.action,
            a.repository,
            a.digest.short(),
            a.tags.join(", "),
            a.rule
        );
    }
    let _ = writeln!(
        s,
        "  reclaimed: proposed {} vs current {}",
        bytes(c.proposed_reclaimed_bytes),
        bytes(c.current_reclaimed_bytes)
    );
    s
}
