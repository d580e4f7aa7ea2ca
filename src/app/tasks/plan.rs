//! Deletion plans for the plan view, off the UI thread: gather the records in scope from
//! the image tables, read the policy (a file, a repository's own lifecycle policy, or
//! the user's marks), and assemble the plan with the engine's `session::plan`, as
//! `regscope plan` does. A prepared plan is kept so a new "as of" date re-evaluates
//! without gathering again. Results carry a ticket.

use crate::app::views::images::records::image_of;
use crate::app::views::images::table::ImageTable;
use crate::model::{Digest, Image, Role};
use crate::policy::reclaim::ReclaimScope;
use crate::policy::DeletionPlan;
use crate::registry::Target;
use crate::session::plan::{
    plan_of_marks, plan_with_policy, read_policy, read_policy_text, PlanInputs, ReadPolicy,
};
use chrono::{DateTime, Utc};
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use crate::session::plan::MARKS_FORMAT;

/// Where the plan's decisions come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PlanSpec {
    /// Rows the user marked, by repository.
    Marks(Vec<(String, Vec<Digest>)>),
    /// A policy file of any supported format (detected).
    PolicyFile(PathBuf),
    /// The repository's own lifecycle policy as the registry stores it.
    RepositoryPolicy(String),
    /// A policy already read (the text, and where it came from).
    PolicyText { text: String, source: String },
}

#[derive(Clone, Debug)]
pub struct PlanRequest {
    pub ticket: u64,
    /// Index of the registry in the fleet (and the runner's targets).
    pub registry: usize,
    pub registry_name: String,
    pub target: Target,
    /// Where blob storage is shared (the registry's caps say).
    pub scope: ReclaimScope,
    /// The repositories in scope, whole (protections need every sibling).
    pub tables: Vec<Arc<ImageTable>>,
    /// Repositories of the registry not loaded yet (named in a warning).
    pub not_loaded: usize,
    pub spec: PlanSpec,
    pub as_of: DateTime<Utc>,
    /// Set when re-evaluating at another date: skip gathering and reading.
    pub prepared: Option<Arc<PreparedPlan>>,
}

/// Everything a plan needs except the date.
#[derive(Debug)]
pub struct PreparedPlan {
    pub registry: String,
    /// The target as typed (its host settles registry-dependent switches).
    pub target_name: String,
    pub images: Vec<Image>,
    /// The policy and where it came from; `None` for marks.
    pub policy: Option<ReadPolicy>,
    /// For marks: indexes into `images`.
    pub marked: Vec<usize>,
    /// What the plan came from, as the view and the JSON say it.
    pub source: String,
    pub scope: ReclaimScope,
    pub warnings: Vec<String>,
    /// Whether evaluating at another date can change anything (not for marks).
    pub dated: bool,
}

#[derive(Debug)]
pub struct PlanResult {
    pub ticket: u64,
    pub outcome: Result<(Arc<PreparedPlan>, Arc<DeletionPlan>), String>,
}

/// Gathers the records and reads the policy. `policy_text` is the repository's own policy
/// when the spec asks for it (fetched by the caller, which may need the network).
pub fn prepare(req: &PlanRequest, policy_text: Option<String>) -> Result<PreparedPlan, String> {
    let images: Vec<Image> = req
        .tables
        .iter()
        .flat_map(|t| t.rows().map(image_of))
        .collect();
    let mut warnings = Vec::new();
    if req.not_loaded > 0 {
        warnings.push(format!(
            "{} {} of {} {} not loaded yet and {} not in this plan",
            req.not_loaded,
            crate::text::plural(req.not_loaded, "repository", "repositories"),
            req.registry_name,
            crate::text::plural(req.not_loaded, "is", "are"),
            crate::text::plural(req.not_loaded, "is", "are")
        ));
    }
    let (policy, marked, source, dated) = match &req.spec {
        PlanSpec::Marks(by_repo) => {
            let roles = crate::model::roles(&images);
            let mut marked = Vec::new();
            for (repo, digests) in by_repo {
                for d in digests {
                    match images
                        .iter()
                        .position(|i| i.repository == *repo && i.digest == *d)
                    {
                        // Only images are planned on their own: a platform goes with its
                        // index, a referrer with its subject.
                        Some(i) if !roles[i].is_top_level() => warnings.push(format!(
                            "{repo}@{} was marked but goes with its {}; not planned on its own",
                            d.short(),
                            match roles[i] {
                                Role::Child { .. } => "index",
                                _ => "subject",
                            }
                        )),
                        Some(i) => marked.push(i),
                        None => warnings.push(format!(
                            "{repo}@{} was marked but is no longer in the inventory",
                            d.short()
                        )),
                    }
                }
            }
            let n = marked.len();
            (
                None,
                marked,
                format!(
                    "{n} image{} marked in the explorer",
                    if n == 1 { "" } else { "s" }
                ),
                false,
            )
        }
        PlanSpec::PolicyFile(path) => {
            let p = read_policy(path, None)?;
            let src = p.source.clone();
            (Some(p), Vec::new(), src, true)
        }
        PlanSpec::RepositoryPolicy(repo) => {
            let text = policy_text.ok_or_else(|| {
                format!("{repo} has no lifecycle policy in {}", req.registry_name)
            })?;
            let mut p = read_policy_text(&text, &format!("{repo} lifecycle policy"), None)?;
            p.source = format!(
                "the lifecycle policy of {repo} as {} stores it",
                req.registry_name
            );
            (
                Some(p),
                Vec::new(),
                format!(
                    "the lifecycle policy of {repo} as {} stores it",
                    req.registry_name
                ),
                true,
            )
        }
        PlanSpec::PolicyText { text, source } => {
            let p = read_policy_text(text, source, None)?;
            let src = p.source.clone();
            (Some(p), Vec::new(), src, true)
        }
    };
    Ok(PreparedPlan {
        registry: req.registry_name.clone(),
        target_name: req.target.display_name(),
        images,
        policy,
        marked,
        source,
        scope: req.scope,
        warnings,
        dated,
    })
}

/// Evaluates a prepared plan as of `now`: the engine's assembly, as `regscope plan`.
pub fn evaluate(p: &PreparedPlan, now: DateTime<Utc>) -> DeletionPlan {
    let at = PlanInputs::new(&p.registry, &p.target_name, now, p.scope);
    let mut plan = match &p.policy {
        Some(policy) => plan_with_policy(&p.images, policy, &at),
        None => plan_of_marks(&p.images, &p.marked, &p.source, &at),
    };
    plan.warnings.splice(0..0, p.warnings.iter().cloned());
    plan
}

/// Gathers (unless prepared) and evaluates. `policy_text` as for [`prepare`].
pub fn run(req: &PlanRequest, policy_text: Option<String>) -> PlanResult {
    let outcome = match &req.prepared {
        Some(p) => Ok(p.clone()),
        None => prepare(req, policy_text).map(Arc::new),
    }
    .map(|p| {
        let plan = Arc::new(evaluate(&p, req.as_of));
        (p, plan)
    });
    PlanResult {
        ticket: req.ticket,
        outcome,
    }
}

/// A file name for an exported plan: registry, scope and the evaluation time, safe on
/// every file system.
pub fn export_name(plan: &DeletionPlan, now: DateTime<Utc>) -> String {
    let clean: String = plan
        .registry
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    format!(
        "plan-{}-{}-asof-{}.json",
        clean.trim_matches('-'),
        now.format("%Y%m%dT%H%M%SZ"),
        plan.evaluated_at.format("%Y%m%d")
    )
}

/// Writes the plan as `regscope.plan/v1` JSON into `dir` (created when missing).
pub fn export(plan: &DeletionPlan, dir: &Path, now: DateTime<Utc>) -> Result<PathBuf, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let path = dir.join(export_name(plan, now));
    let text = serde_json::to_string_pretty(plan).map_err(|e| e.to_string())?;
    std::fs::write(&path, text + "\n")
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::testing::{fixed_now, image};

    fn req(spec: PlanSpec, tables: Vec<Arc<ImageTable>>) -> PlanRequest {
        PlanRequest {
            ticket: 1,
            registry: 0,
            registry_name: "prod".into(),
            target: Target::parse("prod.example:5000").unwrap(),
            scope: ReclaimScope::Registry,
            tables,
            not_loaded: 0,
            spec,
            as_of: fixed_now(),
            prepared: None,
        }
    }

    #[test]
    fn marks_become_deletes_with_sibling_tags_and_a_round_trip_through_json() {
        let imgs = vec![image("web", 1, &["v1", "stable"]), image("web", 2, &[])];
        let t = Arc::new(ImageTable::from_images("prod", "web", &imgs));
        let spec = PlanSpec::Marks(vec![("web".into(), vec![imgs[0].digest.clone()])]);
        let r = run(&req(spec, vec![t]), None);
        let (prep, plan) = r.outcome.unwrap();
        assert!(!prep.dated);
        assert_eq!(plan.policy_format, MARKS_FORMAT);
        assert_eq!(plan.actions.len(), 1);
        assert_eq!(plan.actions[0].action, crate::policy::ActionKind::Delete);
        assert_eq!(plan.actions[0].tags, vec!["v1", "stable"]);
        let dir = tempfile::tempdir().unwrap();
        let path = export(&plan, dir.path(), fixed_now()).unwrap();
        let back = DeletionPlan::from_json(&std::fs::read_to_string(&path).unwrap()).unwrap();
        assert_eq!(back, *plan);
        assert!(path
            .file_name()
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("plan-prod"));
    }

    #[test]
    fn a_bad_policy_file_is_refused_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("bad.json");
        std::fs::write(&p, r#"{"rules":[{"rulePriority":1,"selection":{}}]}"#).unwrap();
        let r = run(&req(PlanSpec::PolicyFile(p.clone()), vec![]), None);
        let e = r.outcome.unwrap_err();
        assert!(e.contains("bad.json"), "{e}");
        let r = run(
            &req(
                PlanSpec::PolicyFile(dir.path().join("missing.json")),
                vec![],
            ),
            None,
        );
        assert!(r.outcome.unwrap_err().contains("missing.json"));
    }
}
