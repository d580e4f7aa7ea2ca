//! Writing the decided plan out as the `regscope.plan/v1` document: owned strings for
//! every action and protection, in inventory order, untags last. For large plans the
//! actions are written on two threads (each half in order, then joined).

use super::decide::{Decided, State, UntagFate};
use super::{DeletionPlan, PlanAction, PlanOptions, PlanSummary, Protected, PLAN_SCHEMA};
use crate::model::Image;
use crate::policy::graph::NONE;
use crate::policy::{ActionKind, Decision, Evaluation};

fn action_of(im: &Image, d: &Decision) -> PlanAction {
    PlanAction {
        repository: im.repository.clone(),
        digest: im.digest.clone(),
        action: d.action,
        tag: d.tag.clone(),
        tags: if d.action == ActionKind::Untag {
            d.tag.iter().cloned().collect()
        } else {
            im.tags.clone()
        },
        rule: d.rule.to_string(),
        reason: {
            use std::fmt::Write;
            // One allocation: reasons are short sentences.
            let mut r = String::with_capacity(96);
            let _ = write!(r, "{}", d.reason);
            r
        },
        time_source: d.time_source,
        bytes: im.size_bytes,
        media_type: Some(im.media_type.clone()),
        children: if d.action.removes_manifest() {
            im.children.clone()
        } else {
            Vec::new()
        },
    }
}

fn protected_of(im: &Image, why: String, tag: Option<String>, would: Option<String>) -> Protected {
    Protected {
        repository: im.repository.clone(),
        digest: im.digest.clone(),
        why,
        tag,
        would,
    }
}

/// The actions of images `range`, in order.
fn actions_in(
    images: &[Image],
    ev: &Evaluation,
    d: &Decided,
    range: std::ops::Range<usize>,
) -> Vec<PlanAction> {
    range
        .filter_map(|i| match d.state[i] {
            State::Planned(k) => Some(action_of(&images[i], d.decision(ev, k))),
            _ => None,
        })
        .collect()
}

pub fn write(images: &[Image], ev: &Evaluation, d: Decided, opts: &PlanOptions) -> DeletionPlan {
    let n = images.len();
    let mut actions = if n >= 50_000 {
        std::thread::scope(|s| {
            let h = s.spawn(|| actions_in(images, ev, &d, n / 2..n));
            let mut a = Vec::with_capacity(d.actions);
            a.extend(actions_in(images, ev, &d, 0..n / 2));
            a.extend(h.join().expect("plan actions"));
            a
        })
    } else {
        actions_in(images, ev, &d, 0..n)
    };
    let mut protected = Vec::with_capacity(d.protected);
    for (i, im) in images.iter().enumerate() {
        let why = d.why.get(&(i as u32));
        match d.state[i] {
            State::Planned(_) => {}
            State::Protected(k) if k != NONE => {
                let dec = d.decision(ev, k);
                protected.push(protected_of(
                    im,
                    why.cloned().unwrap_or_default(),
                    None,
                    Some(format!("{} by rule {}", dec.action.as_str(), dec.rule)),
                ));
            }
            State::Protected(_) | State::Keep => {
                if let Some(w) = why {
                    protected.push(protected_of(im, w.clone(), None, None));
                }
            }
        }
    }
    for (k, fate) in &d.untags {
        let dec = &ev.decisions[*k as usize];
        let im = &images[dec.image];
        match fate {
            UntagFate::Planned => actions.push(action_of(im, dec)),
            UntagFate::Folded => {}
            UntagFate::Protected(w) => protected.push(protected_of(
                im,
                w.clone(),
                Some(dec.tag.clone().unwrap_or_default()),
                Some(format!("untag by rule {}", dec.rule)),
            )),
        }
    }
    debug_assert_eq!(actions.len(), d.actions);
    debug_assert_eq!(protected.len(), d.protected);
    DeletionPlan {
        schema: PLAN_SCHEMA.into(),
        policy_format: opts.format.as_str().into(),
        evaluated_at: opts.evaluated_at,
        registry: opts.registry.clone(),
        policy_source: opts.policy_source.clone(),
        switches: opts.switches.clone(),
        reclaim_scope: opts.scope.as_str().into(),
        reclaim_method: d.estimate.method.clone(),
        summary: PlanSummary {
            images: d.images,
            actions: actions.len(),
            naive_bytes: d.estimate.naive_bytes,
            reclaimed_bytes: d.estimate.reclaimed_bytes,
            protected: protected.len(),
            unknown_sizes: d.estimate.unknown_sizes,
        },
        actions,
        protected,
        warnings: d.warnings,
        in_use: opts
            .in_use
            .as_ref()
            .map(|u| u.summary(&opts.registry, images)),
    }
}
