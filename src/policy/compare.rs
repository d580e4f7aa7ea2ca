//! Comparing two plans over the same inventory: what the proposed policy deletes that the
//! current one does not, and the other way round.

use super::plan::{DeletionPlan, PlanAction};
use std::collections::HashSet;

#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct PlanComparison {
    /// Acted on by the proposed policy only.
    pub only_proposed: Vec<PlanAction>,
    /// Acted on by the current policy only.
    pub only_current: Vec<PlanAction>,
    /// Acted on by both (possibly with different actions or rules).
    pub both: usize,
    pub proposed_reclaimed_bytes: u64,
    pub current_reclaimed_bytes: u64,
}

fn key(a: &PlanAction) -> (String, String, Option<String>) {
    (a.repository.clone(), a.digest.to_string(), a.tag.clone())
}

pub fn compare(current: &DeletionPlan, proposed: &DeletionPlan) -> PlanComparison {
    let cur: HashSet<_> = current.actions.iter().map(key).collect();
    let prop: HashSet<_> = proposed.actions.iter().map(key).collect();
    PlanComparison {
        only_proposed: proposed
            .actions
            .iter()
            .filter(|a| !cur.contains(&key(a)))
            .cloned()
            .collect(),
        only_current: current
            .actions
            .iter()
            .filter(|a| !prop.contains(&key(a)))
            .cloned()
            .collect(),
        both: proposed
            .actions
            .iter()
            .filter(|a| cur.contains(&key(a)))
            .count(),
        proposed_reclaimed_bytes: proposed.summary.reclaimed_bytes,
        current_reclaimed_bytes: current.summary.reclaimed_bytes,
    }
}
