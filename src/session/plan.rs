//! Plan assembly, once for both front ends: reading a policy (a file or a text, format
//! given or detected), the default reclaim scope, the plan options, and the three ways a
//! plan is built — under a policy, from the user's marks, under each repository's own
//! lifecycle policy as the registry keeps it. `regscope plan` and the TUI's plan view call
//! these and only say where the inputs come from and how the result is shown.

use super::{Kind, Session};
use crate::model::Image;
use crate::policy::graph::Graph;
use crate::policy::inuse::InUse;
use crate::policy::reclaim::ReclaimScope;
use crate::policy::{
    detect_format, DeletionPlan, Evaluation, PlanOptions, Policy, PolicyFormat, Switches,
};
use crate::registry::{RegistryError, Target};
use chrono::{DateTime, Utc};
use std::path::Path;

/// The `policy_format` of a plan built from marks rather than a policy.
pub const MARKS_FORMAT: &str = "marks";

/// A policy read, with where it came from and how its format was chosen (the plan's
/// `policy_source`).
#[derive(Clone, Debug)]
pub struct ReadPolicy {
    pub policy: Policy,
    pub source: String,
}

/// Reads and parses the policy file at `path`; `format` when given, else detected (and
/// the detection is stated in the source). Errors name the file.
pub fn read_policy(path: &Path, format: Option<PolicyFormat>) -> Result<ReadPolicy, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read policy file {}: {e}", path.display()))?;
    read_policy_text(&text, &path.display().to_string(), format)
}

/// Parses `text` (from `file`, as errors and the source name it) as a policy.
pub fn read_policy_text(
    text: &str,
    file: &str,
    format: Option<PolicyFormat>,
) -> Result<ReadPolicy, String> {
    let (fmt, how) = match format {
        Some(f) => (f, "given with --policy-format".to_string()),
        None => {
            let (f, why) = detect_format(text)
                .map_err(|e| format!("{file}: cannot tell the policy format: {e}"))?;
            (f, format!("detected: {why}"))
        }
    };
    let policy = Policy::parse(fmt, text, file)
        .map_err(|e| format!("policy refused, nothing evaluated:\n{e}"))?;
    Ok(ReadPolicy {
        policy,
        source: format!("{file} ({fmt}, {how})"),
    })
}

/// Where blob storage is shared for the reclaim figure: as the registry's kind says when
/// it is known (an open session, a fleet entry), else as the address says without asking
/// the registry (a saved inventory), else per registry.
pub fn default_scope(kind: Option<Kind>, registry: &str) -> ReclaimScope {
    kind.or_else(|| {
        Target::parse(registry)
            .ok()
            .and_then(|t| Kind::from_address(&t))
    })
    .map_or(ReclaimScope::Registry, |k| k.caps().reclaim_scope)
}

/// What a plan needs beside the images and the decisions.
#[derive(Clone, Debug)]
pub struct PlanInputs {
    /// The registry as the inventory names it.
    pub registry: String,
    pub now: DateTime<Utc>,
    /// The §7.1 switches, already resolved for the registry.
    pub switches: Switches,
    pub scope: ReclaimScope,
    pub in_use: Option<InUse>,
}

impl PlanInputs {
    /// Inputs with the default switches resolved for `target_name` (the target as typed:
    /// its host settles registry-dependent switches), no images in use.
    pub fn new(registry: &str, target_name: &str, now: DateTime<Utc>, scope: ReclaimScope) -> Self {
        let mut switches = Switches::default();
        switches.resolve_for(target_name);
        PlanInputs {
            registry: registry.to_string(),
            now,
            switches,
            scope,
            in_use: None,
        }
    }

    fn options(&self, format: PolicyFormat, source: String, unlock: bool) -> PlanOptions {
        PlanOptions {
            registry: self.registry.clone(),
            format,
            evaluated_at: self.now,
            policy_source: Some(source),
            switches: self.switches.describe(format),
            scope: self.scope,
            in_use: self.in_use.clone(),
            unlock,
        }
    }
}

/// The plan of `policy` over `images`.
pub fn plan_with_policy(images: &[Image], policy: &ReadPolicy, at: &PlanInputs) -> DeletionPlan {
    let g = Graph::build(images);
    let ev = policy
        .policy
        .evaluate_with_graph(images, &g, at.now, &at.switches);
    let opts = at.options(
        policy.policy.format(),
        policy.source.clone(),
        policy.policy.unlocks(),
    );
    DeletionPlan::build_with_graph(images, &g, &ev, &opts)
}

/// The plan deleting the images at `marked` (indexes into `images`) by digest; `source`
/// says where the marks came from. Referrers of a removed subject follow as deletes, and
/// an index takes its untagged platforms (`Evaluation::marked`): what deleting it alone
/// reclaims is its `unique_bytes`.
pub fn plan_of_marks(
    images: &[Image],
    marked: &[usize],
    source: &str,
    at: &PlanInputs,
) -> DeletionPlan {
    let ev = Evaluation::marked(marked);
    // Marks delete by digest, as a GAR/Harbor delete does; no switch applies.
    let mut opts = at.options(PolicyFormat::Gar, source.to_string(), false);
    opts.switches = Vec::new();
    let mut plan = DeletionPlan::build(images, &ev, &opts);
    plan.policy_format = MARKS_FORMAT.into();
    plan
}

/// Each repository's own lifecycle policy as the registry keeps it (`None`: it keeps none
/// there), their format, and how they were read.
#[derive(Clone, Debug)]
pub struct OwnPolicies {
    pub format: PolicyFormat,
    pub how: String,
    pub policies: Vec<(String, Option<String>)>,
}

/// Why the registry's own policies could not be read.
#[derive(Debug)]
pub enum OwnPoliciesError {
    /// This kind of registry keeps no lifecycle policy regscope can read.
    NoneKept(String),
    Registry(RegistryError),
}

impl std::fmt::Display for OwnPoliciesError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OwnPoliciesError::NoneKept(s) => f.write_str(s),
            OwnPoliciesError::Registry(e) => write!(f, "{e} ({})", e.next_step()),
        }
    }
}

/// Reads the lifecycle policy `session`'s registry keeps for each of `repositories`.
pub async fn own_policies(
    session: &Session,
    repositories: &[String],
) -> Result<OwnPolicies, OwnPoliciesError> {
    let Some(format) = session.caps().own_policy else {
        return Err(OwnPoliciesError::NoneKept(format!(
            "{} ({}) keeps no lifecycle policy regscope can read",
            session.name(),
            session.kind().label()
        )));
    };
    let mut policies = Vec::new();
    let mut how = None;
    for r in repositories {
        let p = session
            .own_policy(r)
            .await
            .map_err(OwnPoliciesError::Registry)?;
        if let Some(p) = &p {
            how.get_or_insert_with(|| p.source.clone());
        }
        policies.push((r.clone(), p.map(|p| p.text)));
    }
    let how = how.unwrap_or_else(|| session.kind().label().to_string());
    Ok(OwnPolicies {
        format,
        how,
        policies,
    })
}

/// The plan of every repository under its own policy; a repository without one is left
/// alone and said so in the warnings. A policy the registry keeps but regscope refuses
/// refuses the whole plan, naming the repository.
pub fn plan_with_own_policies(
    images: &[Image],
    own: &OwnPolicies,
    at: &PlanInputs,
) -> Result<DeletionPlan, String> {
    let mut all = Evaluation::default();
    let mut without = Vec::new();
    for (repo, text) in &own.policies {
        let Some(text) = text else {
            without.push(format!(
                "repository {repo} has no lifecycle policy; nothing evaluated there"
            ));
            continue;
        };
        let policy = Policy::parse(own.format, text, &format!("lifecycle policy of {repo}"))
            .map_err(|e| format!("policy refused, nothing evaluated:\n{e}"))?;
        let idx: Vec<usize> = (0..images.len())
            .filter(|&i| &images[i].repository == repo)
            .collect();
        let slice: Vec<Image> = idx.iter().map(|&i| images[i].clone()).collect();
        let ev = policy.evaluate(&slice, at.now, &at.switches);
        all.decisions.extend(ev.decisions.into_iter().map(|mut d| {
            d.image = idx[d.image];
            d
        }));
        all.protected.extend(ev.protected.into_iter().map(|mut p| {
            p.image = idx[p.image];
            p
        }));
        all.warnings.extend(ev.warnings);
    }
    all.warnings.extend(without);
    let opts = at.options(
        own.format,
        format!("each repository's current lifecycle policy ({})", own.how),
        false,
    );
    Ok(DeletionPlan::build(images, &all, &opts))
}

#[cfg(test)]
#[path = "plan_tests.rs"]
mod tests;
