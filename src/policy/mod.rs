//! Lifecycle and cleanup policy evaluators (ECR, Artifact Registry, ACR purge, Harbor) producing a deletion plan.
//!
//! Every evaluator is a pure function over inventory records (`model::Image`) and an
//! injected clock: `now` is always a parameter, never read inside. Evaluators say what the
//! registry's own cleanup would do ([`Evaluation`]); [`plan`] then adds what regscope
//! guarantees on top (children of surviving indexes, referrers of surviving subjects,
//! images in use and locked images are protected) and the honest reclaim figure.

pub mod acr;
#[cfg(test)]
mod acr_props;
pub mod audit;
pub mod compare;
pub mod detect;
pub mod doublestar;
pub mod ecr;
pub mod error;
pub mod execute;
pub mod gar;
pub mod gar_own;
pub mod graph;
pub mod harbor;
pub mod inuse;
pub mod order_time;
#[cfg(test)]
mod order_time_tests;
pub mod plan;
#[cfg(test)]
mod plan_tests;
#[cfg(test)]
mod plan_tests_not_performed;
pub mod reclaim;
pub mod restore;
pub mod switches;
#[cfg(test)]
pub(crate) mod testkit;
pub mod time;

pub use detect::{detect_format, PolicyFormat};
pub use error::PolicyError;
pub use order_time::TimeSource;
pub use plan::{Confirmation, DeletionPlan, PlanAction, PlanOptions, Protected, PLAN_SCHEMA};
pub use switches::Switches;

use crate::model::Image;
use chrono::{DateTime, Utc};
use std::sync::Arc;

/// What an evaluator decided for one image (or one tag of it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    /// Index into the image slice the evaluator was given.
    pub image: usize,
    pub action: ActionKind,
    /// The tag removed, for `Untag` only.
    pub tag: Option<String>,
    /// ECR `rulePriority`, GAR policy name, ACR filter, Harbor rule list. Shared: one
    /// rule decides for up to a million images.
    pub rule: Arc<str>,
    pub reason: Reason,
    /// Which time ordered or aged the image; `None` when no time decided (a tag match,
    /// a follower of its subject).
    pub time_source: Option<TimeSource>,
}

/// Why an evaluator decided, as a person reads it. The common ECR reasons stay as
/// numbers and become text only when shown, so a million decisions allocate nothing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reason {
    Text(String),
    /// `{what} {age} ago (more than {days} days)`; `age_secs` is never negative.
    Aged {
        what: &'static str,
        age_secs: i64,
        days: u64,
    },
    /// `beyond the newest {keep} of the {of} images matching the rule's tag requirement`
    Beyond {
        keep: u64,
        of: usize,
        /// Ordered by the image config's `created` (the registry records no push time).
        by_created: bool,
    },
}

impl std::fmt::Display for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Reason::Text(t) => f.write_str(t),
            Reason::Aged {
                what,
                age_secs,
                days,
            } => {
                write!(f, "{what} ")?;
                time::write_human_secs(f, *age_secs)?;
                write!(f, " ago (more than {})", crate::text::count(*days, "day"))
            }
            Reason::Beyond {
                keep,
                of,
                by_created,
            } => write!(
                f,
                "beyond the newest {keep}{} of the {} matching the rule's tag requirement",
                if *by_created { " by creation time" } else { "" },
                crate::text::count(*of, "image")
            ),
        }
    }
}

impl From<String> for Reason {
    fn from(s: String) -> Self {
        Reason::Text(s)
    }
}

impl From<&str> for Reason {
    fn from(s: &str) -> Self {
        Reason::Text(s.to_string())
    }
}

/// What a plan does to an image. Serialised lowercase (`"expire"`, ...), the words of
/// `regscope.plan/v1`; a plan naming any other action is refused when read.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum ActionKind {
    /// ECR expire: the image and all its tags go.
    Expire,
    /// ECR transition to archive: the image stays but cannot be pulled.
    Transition,
    /// GAR / ACR / Harbor delete of the digest with all its tags.
    Delete,
    /// ACR purge: one tag is removed, the manifest stays.
    Untag,
}

impl ActionKind {
    /// Every action, in the order plans are shown (removals first, untags last).
    pub const ALL: [ActionKind; 4] = [
        ActionKind::Expire,
        ActionKind::Delete,
        ActionKind::Transition,
        ActionKind::Untag,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ActionKind::Expire => "expire",
            ActionKind::Transition => "transition",
            ActionKind::Delete => "delete",
            ActionKind::Untag => "untag",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "expire" => ActionKind::Expire,
            "transition" => ActionKind::Transition,
            "delete" => ActionKind::Delete,
            "untag" => ActionKind::Untag,
            _ => return None,
        })
    }
    /// Why `regscope delete` leaves this action to others; `None` for the actions it
    /// carries out (the ones that remove a manifest, by digest).
    pub fn not_carried_out(self) -> Option<&'static str> {
        match self {
            ActionKind::Untag => Some(
                "not performed: regscope deletes manifests by digest and never removes a single tag, so the tag stays (remove it with the registry's own tool, such as acr purge)",
            ),
            ActionKind::Transition => Some(
                "not performed: archiving is done by ECR's own lifecycle job, not by regscope, so the image stays where it is",
            ),
            ActionKind::Expire | ActionKind::Delete => None,
        }
    }

    /// Whether the manifest itself disappears from the registry.
    pub fn removes_manifest(self) -> bool {
        matches!(self, ActionKind::Expire | ActionKind::Delete)
    }
}

impl std::fmt::Display for ActionKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

/// An image the evaluator itself refuses to act on (Harbor IMMUTABLE, ACR locks).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EvaluatorProtection {
    pub image: usize,
    pub why: String,
}

/// The registry's view of a cleanup, before regscope's own protections.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Evaluation {
    pub decisions: Vec<Decision>,
    pub protected: Vec<EvaluatorProtection>,
    pub warnings: Vec<String>,
    /// Whether deleting an index also takes its untagged children not referenced elsewhere
    /// (Harbor does; ECR frees them only on a later run).
    pub children_follow_index: bool,
}

impl Evaluation {
    /// The evaluation of images a person marked (the explorer's marks): each is deleted
    /// by digest, and deleting an index takes its untagged platforms that no surviving
    /// index lists, as its unique bytes promised (`inventory::blobgraph`); referrers
    /// follow their subject as in every plan.
    pub fn marked(images: &[usize]) -> Evaluation {
        let rule: Arc<str> = Arc::from("marked");
        Evaluation {
            decisions: images
                .iter()
                .map(|&i| Decision {
                    image: i,
                    action: ActionKind::Delete,
                    tag: None,
                    rule: rule.clone(),
                    time_source: None,
                    reason: "marked in the explorer".into(),
                })
                .collect(),
            protected: Vec::new(),
            warnings: Vec::new(),
            children_follow_index: true,
        }
    }
}

/// A parsed policy of any supported format.
#[derive(Clone, Debug)]
pub enum Policy {
    Ecr(ecr::EcrPolicy),
    Gar(gar::GarPolicy),
    Acr(acr::AcrPurge),
    Harbor(harbor::HarborPolicy),
}

impl Policy {
    /// Parses and validates `text` as `format`; `file` names the file in errors.
    pub fn parse(format: PolicyFormat, text: &str, file: &str) -> Result<Policy, PolicyError> {
        let r = match format {
            PolicyFormat::Ecr => ecr::EcrPolicy::parse(text).map(Policy::Ecr),
            PolicyFormat::Gar => gar::GarPolicy::parse(text).map(Policy::Gar),
            PolicyFormat::Acr => acr::AcrPurge::parse(text).map(Policy::Acr),
            PolicyFormat::Harbor => harbor::HarborPolicy::parse(text).map(Policy::Harbor),
        };
        r.map_err(|e| e.in_file(file))
    }

    pub fn format(&self) -> PolicyFormat {
        match self {
            Policy::Ecr(_) => PolicyFormat::Ecr,
            Policy::Gar(_) => PolicyFormat::Gar,
            Policy::Acr(_) => PolicyFormat::Acr,
            Policy::Harbor(_) => PolicyFormat::Harbor,
        }
    }

    /// Whether the policy lifts registry locks (ACR `--include-locked`).
    pub fn unlocks(&self) -> bool {
        matches!(self, Policy::Acr(p) if p.include_locked)
    }

    /// As `evaluate`, reusing a graph built over the same images (large inventories).
    pub fn evaluate_with_graph(
        &self,
        images: &[Image],
        g: &graph::Graph,
        now: DateTime<Utc>,
        sw: &Switches,
    ) -> Evaluation {
        match self {
            Policy::Ecr(p) => p.evaluate_with_graph(images, g, now, sw),
            other => other.evaluate(images, now, sw),
        }
    }

    /// Evaluates over `images` as of `now`.
    pub fn evaluate(&self, images: &[Image], now: DateTime<Utc>, sw: &Switches) -> Evaluation {
        match self {
            Policy::Ecr(p) => p.evaluate(images, now, sw),
            Policy::Gar(p) => p.evaluate(images, now, sw),
            Policy::Acr(p) => p.evaluate(images, now, sw),
            Policy::Harbor(p) => p.evaluate(images, now, sw),
        }
    }
}
