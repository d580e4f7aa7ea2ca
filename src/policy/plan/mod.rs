//! The deletion plan (`regscope.plan/v1`, design.md): what the registry's cleanup would do,
//! plus regscope's guarantees — children of a surviving index, referrers of a surviving
//! subject, images in use and locked images are protected, never planned — and the honest
//! reclaim figure. `regscope delete` executes exactly this document.

mod confirm;
mod decide;
mod output;

pub use confirm::Confirmation;

pub use decide::{Decided, State, UntagFate};

use super::graph::Graph;
use super::inuse::InUse;
use super::reclaim::ReclaimScope;
use super::{Evaluation, PolicyFormat};
use crate::model::{Digest, Image};
use chrono::{DateTime, Utc};
use decide::decide;
use serde::{Deserialize, Serialize};

pub const PLAN_SCHEMA: &str = "regscope.plan/v1";

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlanAction {
    pub repository: String,
    pub digest: Digest,
    pub action: super::ActionKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    /// Every tag that disappears with the digest (siblings included).
    #[serde(default)]
    pub tags: Vec<String>,
    pub rule: String,
    pub reason: String,
    /// Which time ordered or aged the image (`pushed`, `created`, `updated`, `pulled`,
    /// `archived`); `null` when no time decided it. Additive to `regscope.plan/v1`.
    #[serde(default)]
    pub time_source: Option<super::TimeSource>,
    /// The image's size (`size_bytes`), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bytes: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    /// An index's children, so a run that cannot delete the index leaves them alone
    /// without reading the index again.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<Digest>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Protected {
    pub repository: String,
    pub digest: Digest,
    pub why: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    /// What the policy would have done, and by which rule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub would: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanSummary {
    /// Images in scope by the one definition (`model::Role`): an index's platforms and
    /// referrers are not counted apart.
    pub images: usize,
    pub actions: usize,
    pub naive_bytes: u64,
    pub reclaimed_bytes: u64,
    #[serde(default)]
    pub protected: usize,
    /// Removed images whose size is unknown (not in either byte figure).
    #[serde(default)]
    pub unknown_sizes: usize,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DeletionPlan {
    pub schema: String,
    pub policy_format: String,
    pub evaluated_at: DateTime<Utc>,
    /// The registry the plan is for, as the inventory names it.
    #[serde(default)]
    pub registry: String,
    /// The policy file, and how its format was chosen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy_source: Option<String>,
    /// The §7.1 switches in force (`ecr.tie_break=digest`, ...).
    #[serde(default)]
    pub switches: Vec<String>,
    /// Where storage is shared for `reclaimed_bytes`: `registry` or `repository`.
    #[serde(default)]
    pub reclaim_scope: String,
    #[serde(default)]
    pub reclaim_method: String,
    pub actions: Vec<PlanAction>,
    pub protected: Vec<Protected>,
    pub warnings: Vec<String>,
    pub summary: PlanSummary,
    /// The `--in-use` list: what it was read as, how many images it named and matched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_use: Option<super::inuse::InUseSummary>,
}

/// What the caller knows beyond the evaluation.
#[derive(Clone, Debug)]
pub struct PlanOptions {
    pub registry: String,
    pub format: PolicyFormat,
    pub evaluated_at: DateTime<Utc>,
    pub policy_source: Option<String>,
    pub switches: Vec<String>,
    pub scope: ReclaimScope,
    pub in_use: Option<InUse>,
    /// ACR `--include-locked`: locks are lifted, not honoured.
    pub unlock: bool,
}

impl DeletionPlan {
    pub fn from_json(text: &str) -> Result<DeletionPlan, String> {
        #[derive(Deserialize)]
        struct Head {
            schema: Option<String>,
        }
        let head: Head =
            serde_json::from_str(text).map_err(|e| format!("not a plan document: {e}"))?;
        match head.schema.as_deref() {
            Some(PLAN_SCHEMA) => {}
            Some(other) => {
                return Err(format!(
                    "plan schema {other:?} is not supported; this regscope reads {PLAN_SCHEMA:?}"
                ))
            }
            None => {
                return Err(format!(
                    "missing \"schema\" field; expected {PLAN_SCHEMA:?}"
                ))
            }
        }
        serde_json::from_str(text).map_err(|e| format!("invalid plan document: {e}"))
    }

    /// Builds the plan from an evaluation over `images`.
    pub fn build(images: &[Image], ev: &Evaluation, opts: &PlanOptions) -> DeletionPlan {
        Self::build_with_graph(images, &Graph::build(images), ev, opts)
    }

    pub fn build_with_graph(
        images: &[Image],
        g: &Graph,
        ev: &Evaluation,
        opts: &PlanOptions,
    ) -> DeletionPlan {
        output::write(images, ev, decide(images, g, ev, opts), opts)
    }

    /// The decisions alone (protections, followers, untags, warnings, reclaim), before
    /// any text is written; [`DeletionPlan::write`] makes the document of them.
    pub fn decide(images: &[Image], g: &Graph, ev: &Evaluation, opts: &PlanOptions) -> Decided {
        decide(images, g, ev, opts)
    }

    /// The document of decisions made by [`DeletionPlan::decide`] over the same inputs.
    pub fn write(
        images: &[Image],
        ev: &Evaluation,
        decided: Decided,
        opts: &PlanOptions,
    ) -> DeletionPlan {
        output::write(images, ev, decided, opts)
    }
}
