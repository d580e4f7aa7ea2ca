//! `lifecycle-policy`: the registry keeps a lifecycle / cleanup / retention policy for the
//! repository, and what it would delete today, from the plan engine (the same evaluation
//! and protections `regscope plan` without `--policy` shows).

use super::{human_bytes, Check, CheckId, RepoInputs, Status};
use crate::model::Image;
use crate::policy::inuse::InUse;
use crate::policy::reclaim::ReclaimScope;
use crate::policy::{ActionKind, PolicyFormat};
use crate::session::plan::{plan_with_own_policies, OwnPolicies, PlanInputs};
use crate::session::Setting;
use chrono::{DateTime, Utc};

/// What the registry's own policy would do to the repository if it ran now.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LifecycleToday {
    /// Manifests the plan removes (deleted or following their subject).
    pub removes: usize,
    /// Tags the plan removes without the manifest going.
    pub untags: usize,
    pub reclaimed_bytes: u64,
    /// Removed images whose size is unknown (not in the figure).
    pub unknown_sizes: usize,
    /// Images the policy would delete that regscope protects (in use, locked, children).
    pub protected: usize,
    /// Why the policy could not be evaluated.
    pub error: Option<String>,
    /// What the plan warns about (ties, unknown times), as `regscope plan` says it.
    pub warnings: Vec<String>,
}

/// Evaluates `text` (the registry's own policy for `repository`, in `format`) over the
/// repository's `images` as of `now`, through the plan code `regscope plan` uses without
/// `--policy` (`session::plan::plan_with_own_policies`): regscope's protections included.
#[allow(clippy::too_many_arguments)]
pub fn today(
    registry: &str,
    target_name: &str,
    repository: &str,
    format: PolicyFormat,
    text: &str,
    images: &[Image],
    now: DateTime<Utc>,
    in_use: Option<&InUse>,
    scope: ReclaimScope,
) -> LifecycleToday {
    let own = OwnPolicies {
        format,
        how: format!("the lifecycle policy of {repository}"),
        policies: vec![(repository.to_string(), Some(text.to_string()))],
    };
    let mut at = PlanInputs::new(registry, target_name, now, scope);
    at.in_use = in_use.cloned();
    let plan = match plan_with_own_policies(images, &own, &at) {
        Ok(p) => p,
        Err(e) => {
            return LifecycleToday {
                error: Some(format!("the policy cannot be evaluated: {e}")),
                ..Default::default()
            }
        }
    };
    let untags = plan
        .actions
        .iter()
        .filter(|a| a.action == ActionKind::Untag)
        .count();
    let removes = plan
        .actions
        .iter()
        .filter(|a| a.action.removes_manifest())
        .count();
    LifecycleToday {
        removes,
        untags,
        reclaimed_bytes: plan.summary.reclaimed_bytes,
        unknown_sizes: plan.summary.unknown_sizes,
        protected: plan.summary.protected,
        error: None,
        warnings: plan.warnings,
    }
}

pub fn check(i: &RepoInputs) -> Check {
    let id = CheckId::LifecyclePolicy;
    let l = match &i.settings.lifecycle {
        Setting::Known(l) => l,
        Setting::Unknown(why) => return Check::new(id, Status::Unknown, why.clone()),
        Setting::NotApplicable(why) => return Check::new(id, Status::NotApplicable, why.clone()),
    };
    let mut ev = l.evidence.clone();
    if l.text.is_none() {
        return Check::new(id, Status::Warn, "no lifecycle policy is set").with(ev);
    }
    match i.lifecycle_today {
        Some(t) if t.error.is_some() => ev.extend(t.error.clone()),
        Some(t) => {
            let unknown = if t.unknown_sizes > 0 {
                format!(" ({} of unknown size)", t.unknown_sizes)
            } else {
                String::new()
            };
            ev.push(format!(
                "today it would delete {} and {}, freeing {} within the repository{unknown}; {} protected by regscope",
                crate::text::count(t.removes, "manifest"),
                crate::text::count(t.untags, "tag"),
                human_bytes(t.reclaimed_bytes),
                t.protected
            ));
            ev.extend(super::capped(
                t.warnings.iter().map(|w| format!("plan: {w}")).collect(),
                3,
            ));
        }
        None => ev.push("what it would delete today was not evaluated".into()),
    }
    if let Some(why) = &l.inert {
        return Check::new(
            id,
            Status::Warn,
            format!("a policy is set but deletes nothing by itself: {why}"),
        )
        .with(ev);
    }
    if l.dry_run == Some(true) {
        return Check::new(
            id,
            Status::Warn,
            "a cleanup policy is set but runs as a dry run: it deletes nothing",
        )
        .with(ev);
    }
    Check::new(id, Status::Pass, "a lifecycle policy is set").with(ev)
}
