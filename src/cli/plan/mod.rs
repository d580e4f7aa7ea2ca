//! `regscope plan`: evaluate a cleanup policy over an inventory (saved or live) and print
//! the deletion plan, or write it as `regscope.plan/v1` JSON for `regscope delete`.

use super::output::{usage, EXIT_PARTIAL};
use super::plan_render::{render, render_comparison};
use crate::model::Inventory;
use crate::policy::compare::{compare, PlanComparison};
use crate::policy::inuse::InUse;
use crate::policy::reclaim::ReclaimScope;
use crate::policy::{DeletionPlan, PolicyFormat, Switches};
use crate::session::plan::{
    default_scope, own_policies, plan_with_own_policies, plan_with_policy, read_policy,
    OwnPoliciesError, PlanInputs, ReadPolicy,
};
use crate::session::Session;
use anyhow::{anyhow, Context, Result};
use chrono::{DateTime, Utc};
use std::path::{Path, PathBuf};

#[derive(Debug, clap::Args)]
pub struct PlanArgs {
    /// TARGET[/REPO-PREFIX]: a registry to crawl, or with --inventory a repository prefix to keep.
    pub target: Option<String>,
    /// The policy file (ECR lifecycle JSON, Artifact Registry cleanup list, `acr purge`
    /// arguments, Harbor retention JSON). Without it, a registry that keeps lifecycle
    /// policies of its own is evaluated under each repository's current policy.
    #[arg(long)]
    pub policy: Option<PathBuf>,
    /// The policy format; detected from the file when absent (and the detection is stated).
    /// `--format` is accepted as an old spelling (elsewhere `--format` means output format).
    #[arg(long = "policy-format", alias = "format", value_name = "FORMAT", value_parser = clap::builder::PossibleValuesParser::new(crate::policy::PolicyFormat::names()))]
    pub policy_format: Option<String>,
    /// Evaluate as of this instant (RFC 3339) instead of now.
    #[arg(long)]
    pub now: Option<String>,
    /// Images in use: `kubectl get pods -A -o json` output or one reference per line.
    #[arg(long)]
    pub in_use: Option<PathBuf>,
    /// Print the plan as regscope.plan/v1 JSON.
    #[arg(long)]
    pub json: bool,
    /// A saved `regscope images --json` to evaluate instead of crawling TARGET.
    #[arg(long)]
    pub inventory: Option<PathBuf>,
    /// The current policy to compare against (--policy is the proposed one).
    #[arg(long)]
    pub compare: Option<PathBuf>,
    /// Write the plan JSON to this file as well (for `regscope delete --plan`).
    #[arg(long, short = 'o')]
    pub output: Option<PathBuf>,
    /// Set an ambiguity switch, NAME=VALUE (lifecycle.md §7.1), e.g. ecr.tie_break=as_listed.
    #[arg(long = "switch", value_name = "NAME=VALUE")]
    pub switches: Vec<String>,
    /// Where blob storage is shared for reclaimed bytes (default: by registry kind).
    #[arg(long, value_parser = ["registry", "repository"])]
    pub reclaim_scope: Option<String>,
}

/// The inventory to plan over, and the session of the live registry it was crawled from
/// (none for `--inventory`).
type Loaded = std::result::Result<(Inventory, Option<Session>), i32>;

fn load_inventory(args: &PlanArgs, rt: &tokio::runtime::Runtime) -> Result<Loaded> {
    let Some(path) = &args.inventory else {
        let Some(target) = &args.target else {
            return Err(usage(
                "give a TARGET to crawl, or --inventory FILE (a saved `regscope images --json`)",
            ));
        };
        return rt.block_on(async {
            let session = super::source::open_target(target).await.map_err(usage)?;
            Ok(super::crawl::crawl_session(&session, false)
                .await
                .map(|o| (o.inventory, Some(session))))
        });
    };
    let text = crate::files::read_text_capped(path, crate::files::INVENTORY_LIMIT)
        .map_err(|e| usage(format!("cannot read inventory {}: {e}", path.display())))?;
    let mut inv =
        Inventory::from_json(&text).map_err(|e| usage(format!("{}: {e}", path.display())))?;
    if let Some(prefix) = args.target.as_deref().and_then(prefix_of) {
        inv.images.retain(|im| {
            im.repository == prefix || im.repository.starts_with(&format!("{prefix}/"))
        });
    }
    Ok(Ok((inv, None)))
}

/// With `--inventory`, TARGET is `[HOST/]PREFIX`; the part after the host filters.
fn prefix_of(target: &str) -> Option<String> {
    let t = target.trim_matches('/');
    let first = t.split('/').next().unwrap_or("");
    let rest = if first.contains('.') || first.contains(':') || first == "localhost" {
        t.split_once('/').map(|(_, r)| r).unwrap_or("")
    } else {
        t
    };
    (!rest.is_empty()).then(|| rest.to_string())
}

/// Reads a policy file for `regscope plan` (errors are usage errors, exit 2).
fn load_policy(path: &Path, format: Option<&str>) -> Result<ReadPolicy> {
    let format = format.map(|f| PolicyFormat::parse(f).expect("clap checked"));
    read_policy(path, format).map_err(usage)
}

pub fn run(args: PlanArgs) -> Result<i32> {
    let loaded = match &args.policy {
        Some(p) => Some(load_policy(p, args.policy_format.as_deref())?),
        None => None,
    };
    let current = match &args.compare {
        Some(p) => Some(load_policy(p, None)?),
        None => None,
    };
    let mut sw = Switches::default();
    for s in &args.switches {
        sw.set(s).map_err(|e| usage(format!("--switch: {e}")))?;
    }
    let now = match &args.now {
        Some(t) => DateTime::parse_from_rfc3339(t)
            .map_err(|e| {
                usage(format!(
                    "--now {t:?} is not RFC 3339 (2026-01-01T00:00:00Z): {e}"
                ))
            })?
            .with_timezone(&Utc),
        None => Utc::now(),
    };
    let in_use = match &args.in_use {
        Some(p) => {
            let text = crate::files::read_text_capped(p, crate::files::TEXT_LIMIT)
                .map_err(|e| usage(format!("cannot read {}: {e}", p.display())))?;
            Some(InUse::parse(&text).map_err(|e| usage(format!("{}: {e}", p.display())))?)
        }
        None => None,
    };
    if loaded.is_none() && args.inventory.is_some() {
        return Err(usage("--policy FILE is required with --inventory (a registry's own policies are read from the live registry)"));
    }
    let rt = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    let (inv, session) = match load_inventory(&args, &rt)? {
        Ok(loaded) => loaded,
        Err(code) => return Ok(code),
    };
    sw.resolve_for(&inv.registry);
    let scope = match args.reclaim_scope.as_deref() {
        Some("repository") => ReclaimScope::Repository,
        Some(_) => ReclaimScope::Registry,
        None => default_scope(session.as_ref().map(Session::kind), &inv.registry),
    };
    let inputs = PlanInputs {
        registry: inv.registry.clone(),
        now,
        switches: sw,
        scope,
        in_use: in_use.clone(),
    };
    let Some(loaded) = loaded else {
        // Every repository under the lifecycle policy the registry keeps for it.
        let session = session.expect("a live target has a session");
        let mut repos: Vec<String> = inv.images.iter().map(|i| i.repository.clone()).collect();
        repos.dedup();
        let own = rt
            .block_on(own_policies(&session, &repos))
            .map_err(|e| match e {
                OwnPoliciesError::NoneKept(why) => {
                    usage(format!("--policy FILE is required: {why}"))
                }
                e @ OwnPoliciesError::Registry(_) => anyhow!("{e}"),
            })?;
        let plan = plan_with_own_policies(&inv.images, &own, &inputs).map_err(|e| anyhow!(e))?;
        return emit(&args, &plan, None, inv.errors.len());
    };
    let plan = plan_with_policy(&inv.images, &loaded, &inputs);
    let comparison = current.map(|c| {
        let cur = plan_with_policy(&inv.images, &c, &inputs);
        (c.source, compare(&cur, &plan))
    });
    emit(&args, &plan, comparison.as_ref(), inv.errors.len())
}

fn emit(
    args: &PlanArgs,
    plan: &DeletionPlan,
    comparison: Option<&(String, PlanComparison)>,
    inventory_errors: usize,
) -> Result<i32> {
    if let Some(out) = &args.output {
        let text = serde_json::to_string_pretty(plan)?;
        std::fs::write(out, text + "\n")
            .with_context(|| format!("cannot write {}", out.display()))?;
    }
    if args.json {
        let text = match comparison {
            None => serde_json::to_string_pretty(plan)?,
            Some((src, c)) => serde_json::to_string_pretty(&serde_json::json!({
                "schema": "regscope.plan-comparison/v1",
                "current_policy": src,
                "proposed": plan,
                "comparison": c,
            }))?,
        };
        println!("{text}");
    } else {
        print!("{}", render(plan, inventory_errors));
        if let Some((src, c)) = comparison {
            print!("{}", render_comparison(src, c));
        }
        if let Some(out) = &args.output {
            println!(
                "Plan written to {} (review it, then `regscope delete --plan {}`)",
                out.display(),
                out.display()
            );
        }
    }
    if inventory_errors > 0 {
        // The plan covers what the inventory holds; the failed items are not in it.
        eprintln!(
            "regscope: the inventory is partial ({inventory_errors} items failed while crawling); the plan covers the rest; exit code {EXIT_PARTIAL}"
        );
        return Ok(EXIT_PARTIAL);
    }
    Ok(0)
}
