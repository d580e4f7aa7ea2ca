//! `regscope audit TARGET...`: the registry guides' hygiene checklist per repository, with
//! evidence (`hygiene`), as a table or the `regscope.audit/v1` document. Exit 0 when no
//! check reaches `--fail-on` (default `fail`), 1 when one does, 3 when something could not
//! be read (and nothing reached `--fail-on`), 2 for bad usage.

use super::crawl::crawl_session;
use super::output::{print_stdout, usage, Table, EXIT_ERROR, EXIT_OK, EXIT_PARTIAL, EXIT_USAGE};
use crate::hygiene::compare;
use crate::hygiene::run::{audit_registry, AuditOptions};
use crate::hygiene::{human_bytes, AuditReport, CheckId, Status, Thresholds};
use crate::policy::inuse::InUse;
use clap::Args;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Registries to audit (HOST[/PREFIX], ecr://REGION, oci:PATH, a [[registry]] name).
    #[arg(required = true)]
    pub targets: Vec<String>,
    /// Print the regscope.audit/v1 document instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Exit 1 when a check reaches this status: fail (default) or warn.
    #[arg(long, value_name = "STATUS", default_value = "fail", value_parser = ["warn", "fail"])]
    pub fail_on: String,
    /// Images in use: `kubectl get pods -A -o json` output or one reference per line
    /// (critical-findings looks at these, and at images pulled lately).
    #[arg(long, value_name = "FILE")]
    pub in_use: Option<PathBuf>,
    /// An image neither pushed nor pulled in this many days is stale.
    #[arg(long, value_name = "DAYS", default_value_t = 90)]
    pub stale_days: i64,
    /// A scan older than this many days is stale (scan-freshness).
    #[arg(long, value_name = "DAYS", default_value_t = 7)]
    pub scan_days: i64,
    /// "Lately": pushed or pulled within this many days; also the window for tag moves.
    #[arg(long, value_name = "DAYS", default_value_t = 30)]
    pub recent_days: i64,
    /// Compare each audited repository with the same repository in this registry (a
    /// promotion or replication target): images missing on either side, by digest, and
    /// tags that name different digests decide the replication check.
    #[arg(long, value_name = "OTHER_TARGET")]
    pub compare: Option<String>,
    /// Audit as of this instant (RFC 3339) instead of now.
    #[arg(long)]
    pub now: Option<String>,
    /// Say the kind of each registry and the traffic on stderr.
    #[arg(long, short)]
    pub verbose: bool,
}

pub async fn run(args: AuditArgs) -> i32 {
    match execute(&args).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("regscope: {e:#}");
            super::output::exit_code_for(&e)
        }
    }
}

async fn execute(args: &AuditArgs) -> anyhow::Result<i32> {
    let mut opts = AuditOptions::new(match &args.now {
        Some(t) => chrono::DateTime::parse_from_rfc3339(t)
            .map_err(|e| usage(format!("--now {t:?} is not an RFC 3339 time: {e}")))?
            .with_timezone(&chrono::Utc),
        None => chrono::Utc::now(),
    });
    for (flag, v) in [
        ("--stale-days", args.stale_days),
        ("--scan-days", args.scan_days),
        ("--recent-days", args.recent_days),
    ] {
        if v < 1 {
            return Err(usage(format!("{flag} must be at least 1 (got {v})")));
        }
    }
    opts.thresholds = Thresholds {
        stale_days: args.stale_days,
        scan_days: args.scan_days,
        recent_days: args.recent_days,
    };
    if let Some(p) = &args.in_use {
        let text = std::fs::read_to_string(p)
            .map_err(|e| usage(format!("cannot read {}: {e}", p.display())))?;
        opts.in_use =
            Some(InUse::parse(&text).map_err(|e| usage(format!("{}: {e}", p.display())))?);
    }
    // Every target is checked before any registry is contacted.
    let mut resolved = Vec::new();
    for t in &args.targets {
        resolved.push(super::source::resolve_target(t).map_err(usage)?);
    }
    let compare_target = match &args.compare {
        Some(t) => Some(super::source::resolve_target(t).map_err(usage)?),
        None => None,
    };
    let mut repositories = Vec::new();
    let mut errors = Vec::new();
    let mut unreachable = 0;
    // The other registry of --compare, read once: its name and repositories (None when it
    // could not be listed).
    let other = match &compare_target {
        None => None,
        Some((target, settings)) => {
            let session = crate::session::open(target, settings).await;
            let name = session.name();
            match crawl_session(&session, args.verbose).await {
                Ok(o) => {
                    errors.extend(o.inventory.errors.iter().map(|e| e.message.clone()));
                    let repos = compare::by_repository(&o.inventory.images, &o.repositories);
                    Some((name, Some(repos)))
                }
                Err(code) if code == EXIT_USAGE => return Ok(code),
                Err(_) => {
                    errors.push(format!("{name}: could not be listed to compare with"));
                    Some((name, None))
                }
            }
        }
    };
    for (target, settings) in &resolved {
        let session = crate::session::open(target, settings).await;
        let outcome = match crawl_session(&session, args.verbose).await {
            Ok(o) => o,
            Err(code) => {
                if code == EXIT_USAGE {
                    return Ok(code);
                }
                unreachable += 1;
                errors.push(format!("{}: could not be listed", session.name()));
                continue;
            }
        };
        for e in &outcome.inventory.errors {
            errors.push(e.message.clone());
        }
        let (audits, errs) = audit_registry(
            &session,
            &outcome.inventory.images,
            &outcome.repositories,
            &opts,
        )
        .await;
        let mut audits = audits;
        if let Some((name, there)) = &other {
            let here = compare::by_repository(&outcome.inventory.images, &outcome.repositories);
            for a in &mut audits {
                match there {
                    Some(there) => {
                        let mine = here.get(&a.repository).map(Vec::as_slice).unwrap_or(&[]);
                        let theirs = there.get(&a.repository).map(Vec::as_slice);
                        let c = compare::compare(name, mine, theirs);
                        compare::apply(a, c);
                    }
                    None => compare::unreadable(a, name),
                }
            }
        }
        repositories.extend(audits);
        errors.extend(errs);
    }
    let mut report = AuditReport::new(opts.now, repositories, errors);
    if let Some((name, Some(there))) = &other {
        let audited: std::collections::BTreeSet<&str> = report
            .repositories
            .iter()
            .map(|r| r.repository.as_str())
            .collect();
        report.summary.only_in_compared = there
            .keys()
            .filter(|r| !audited.contains(r.as_str()))
            .map(|r| format!("{name}/{r}"))
            .collect();
    }
    if args.json {
        print_stdout(&format!("{}\n", serde_json::to_string_pretty(&report)?));
    } else {
        print_stdout(&render(&report));
    }
    for e in &report.summary.errors {
        eprintln!("regscope: warning: {e}");
    }
    let threshold = if args.fail_on == "warn" {
        Status::Warn
    } else {
        Status::Fail
    };
    // A gate that trips, or no registry read at all, is 1; anything unread is 3.
    Ok(
        if report.reaches(threshold) || unreachable == resolved.len() {
            EXIT_ERROR
        } else if report.summary.partial {
            EXIT_PARTIAL
        } else {
            EXIT_OK
        },
    )
}

/// The table: per registry its totals, a row per repository with a glyph per check, then
/// every check that did not pass with its summary and evidence.
pub fn render(report: &AuditReport) -> String {
    let mut out = String::new();
    for t in &report.summary.registries {
        let mut line = format!(
            "{}: {} {}, {} reclaimable",
            t.registry,
            t.repositories,
            crate::text::plural(t.repositories, "repository", "repositories"),
            human_bytes(t.reclaimable_bytes)
        );
        if t.reclaimable_unknown > 0 {
            line.push_str(&format!(
                " (+ {} {} unknown)",
                t.reclaimable_unknown,
                crate::text::plural(t.reclaimable_unknown, "repository", "repositories")
            ));
        }
        out.push_str(&line);
        out.push('\n');
        let counts = |m: &std::collections::BTreeMap<String, usize>| {
            CheckId::ALL
                .iter()
                .filter_map(|c| m.get(c.as_str()).map(|n| format!("{} {n}", c.as_str())))
                .collect::<Vec<_>>()
                .join(", ")
        };
        if !t.failing.is_empty() {
            out.push_str(&format!("  failing: {}\n", counts(&t.failing)));
        }
        if !t.warning.is_empty() {
            out.push_str(&format!("  warning: {}\n", counts(&t.warning)));
        }
    }
    // One registry: its line above names it, so rows name repositories alone (a layout's
    // path before every repository pushed the checks off the screen).
    let one_registry = report.summary.registries.len() <= 1;
    let name = |r: &crate::hygiene::RepositoryAudit| match one_registry {
        true => r.repository.clone(),
        false => format!("{}/{}", r.registry, r.repository),
    };
    let mut headers: Vec<&'static str> = vec!["REPOSITORY"];
    headers.extend(CheckId::ALL.iter().map(|c| c.short()));
    let mut table = Table::new(&headers);
    for r in &report.repositories {
        let mut row = vec![name(r)];
        row.extend(CheckId::ALL.iter().map(|c| {
            r.check(*c)
                .map(|c| c.status.glyph())
                .unwrap_or(" ")
                .to_string()
        }));
        table.row(row);
    }
    out.push('\n');
    out.push_str(&table.render());
    out.push_str(&format!(
        "{}\n",
        Status::ALL
            .iter()
            .map(|s| format!("{} {}", s.glyph(), s.as_str()))
            .collect::<Vec<_>>()
            .join("  ")
    ));
    for r in &report.repositories {
        let notable: Vec<_> = r
            .checks
            .iter()
            .filter(|c| c.status != Status::Pass)
            .collect();
        if notable.is_empty() {
            continue;
        }
        out.push_str(&format!("\n{}\n", name(r)));
        for c in notable {
            out.push_str(&format!(
                "  {} {} {}: {}\n",
                c.status.glyph(),
                c.id.as_str(),
                c.status.as_str(),
                c.summary
            ));
            for e in &c.evidence {
                out.push_str(&format!("      {e}\n"));
            }
        }
    }
    if !report.summary.only_in_compared.is_empty() {
        out.push_str("\nonly in the compared registry:\n");
        for r in &report.summary.only_in_compared {
            out.push_str(&format!("  {r}\n"));
        }
    }
    out
}
