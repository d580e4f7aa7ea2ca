//! `s` in the plan review: rows within each group (and the protected list) ordered by a
//! column the review shows; `S` reverses. "plan" is the engine's own order (what the
//! policy decided first). Group headers and their full counts never move.

use crate::policy::plan::{PlanAction, Protected};
use std::cmp::Ordering;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PlanSort {
    /// The order the engine produced.
    #[default]
    Plan,
    Repository,
    Size,
    Rule,
    Tags,
}

impl PlanSort {
    pub const CYCLE: [PlanSort; 5] = [
        PlanSort::Plan,
        PlanSort::Repository,
        PlanSort::Size,
        PlanSort::Rule,
        PlanSort::Tags,
    ];

    pub fn next(self) -> PlanSort {
        let i = Self::CYCLE.iter().position(|s| *s == self).unwrap_or(0);
        Self::CYCLE[(i + 1) % Self::CYCLE.len()]
    }

    /// Biggest first for bytes; names from a to z.
    pub fn default_descending(self) -> bool {
        self == PlanSort::Size
    }

    pub fn name(self) -> &'static str {
        match self {
            PlanSort::Plan => "plan order",
            PlanSort::Repository => "repository",
            PlanSort::Size => "size",
            PlanSort::Rule => "rule",
            PlanSort::Tags => "tags",
        }
    }

    /// The header the sort sits on (`None`: the plan's own order); the repository
    /// column is headed `REPO` or `REPOSITORY` by its width.
    pub fn header(self) -> Option<&'static str> {
        match self {
            PlanSort::Plan => None,
            PlanSort::Repository => Some("REPO"),
            PlanSort::Size => Some("SIZE"),
            PlanSort::Rule => Some("RULE"),
            PlanSort::Tags => Some("TAGS"),
        }
    }
}

/// Rule names are mostly priorities (`1`, `2`, `10`): numbers compare as numbers.
fn rule_cmp(a: &str, b: &str) -> Ordering {
    match (a.parse::<u64>(), b.parse::<u64>()) {
        (Ok(x), Ok(y)) => x.cmp(&y),
        (Ok(_), Err(_)) => Ordering::Less,
        (Err(_), Ok(_)) => Ordering::Greater,
        _ => a.cmp(b),
    }
}

/// Unknown sizes last whichever way the sort runs (unknown is not zero).
fn size_cmp(a: Option<u64>, b: Option<u64>, descending: bool) -> Ordering {
    match (a, b) {
        (Some(x), Some(y)) if descending => y.cmp(&x),
        (Some(x), Some(y)) => x.cmp(&y),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

fn dir(o: Ordering, descending: bool) -> Ordering {
    if descending {
        o.reverse()
    } else {
        o
    }
}

/// Orders action indexes; ties keep the plan's order (stable sort).
pub fn sort_actions(idx: &mut [usize], actions: &[PlanAction], by: PlanSort, descending: bool) {
    let key = |a: &PlanAction, b: &PlanAction| match by {
        PlanSort::Plan => Ordering::Equal,
        PlanSort::Repository => dir(a.repository.cmp(&b.repository), descending),
        PlanSort::Size => size_cmp(a.bytes, b.bytes, descending),
        PlanSort::Rule => dir(rule_cmp(&a.rule, &b.rule), descending),
        PlanSort::Tags => match (a.tags.first(), b.tags.first()) {
            (Some(x), Some(y)) => dir(x.cmp(y), descending),
            // Untagged last, as in the images table.
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        },
    };
    idx.sort_by(|&i, &j| key(&actions[i], &actions[j]));
}

/// Protected images have a repository and a tag but no size or rule: those sorts keep
/// the plan's order.
pub fn sort_protected(idx: &mut [usize], protected: &[Protected], by: PlanSort, descending: bool) {
    let key = |a: &Protected, b: &Protected| match by {
        PlanSort::Repository => dir(a.repository.cmp(&b.repository), descending),
        PlanSort::Tags => dir(a.tag.cmp(&b.tag), descending),
        _ => Ordering::Equal,
    };
    idx.sort_by(|&i, &j| key(&protected[i], &protected[j]));
}
