//! The deletion plan (`regscope.plan/v1`, design.md): what the registry's cleanup would do,
//! plus regscope's guarantees — children of a surviving index, referrers of a surviving
//! subject, images in use and locked images are protected, never planned — and the honest
//! reclaim figure. `regscope delete` executes exactly this document.

use super::graph::Graph;
use super::inuse::InUse;
use super::reclaim::{estimate, ReclaimScope};
use super::{ActionKind, Evaluation, PolicyFormat};
use crate::model::{Digest, Image};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub const PLAN_SCHEMA: &str = "regscope.plan/v1";

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlanAction {
    pub repository: String,
    pub digest: Digest,
    pub action: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    /// Every tag that disappears with the digest (siblings included).
    #[serde(default)]
    pub tags: Vec<String>,
    pub rule: String,
    pub reason: String,
    /// The image's size (`size_bytes`), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bytes: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
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

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    Keep,
    Planned(usize),
    Protected,
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
        let n = images.len();
        let mut state = vec![State::Keep; n];
        let mut why: Vec<Option<String>> = vec![None; n];
        let mut warnings = ev.warnings.clone();
        let mut untags = Vec::new();
        // The policy's own decision per image, kept for "would have" after protection.
        let mut proposed: Vec<u32> = vec![u32::MAX; n];
        for (k, d) in ev.decisions.iter().enumerate() {
            if d.action == ActionKind::Untag {
                untags.push(k);
            } else if state[d.image] == State::Keep {
                state[d.image] = State::Planned(k);
                proposed[d.image] = k as u32;
            }
        }
        let mut extra: Vec<super::Decision> = Vec::new();
        for p in &ev.protected {
            if let State::Planned(_) = state[p.image] {
                state[p.image] = State::Protected;
            }
            why[p.image].get_or_insert_with(|| p.why.clone());
        }
        // Static protections: in use, locked.
        for i in 0..n {
            if let State::Planned(_) = state[i] {
                let im = &images[i];
                if let Some(w) = opts.in_use.as_ref().and_then(|u| u.why(&opts.registry, im)) {
                    state[i] = State::Protected;
                    why[i] = Some(w);
                } else if !opts.unlock && is_locked(im) {
                    state[i] = State::Protected;
                    why[i] = Some("locked by the registry (delete or write disabled)".into());
                }
            }
        }
        let removes =
            |s: &[State], ds: &[super::Decision], extra: &[super::Decision], i: usize| match s[i] {
                State::Planned(k) => decision(ds, extra, k).action.removes_manifest(),
                _ => false,
            };
        // Followers: referrers of a removed subject go with it; Harbor also takes the
        // untagged children of a removed index.
        loop {
            let mut changed = false;
            for i in 0..n {
                if state[i] != State::Keep {
                    continue;
                }
                let subj = g.subject[i];
                if subj != super::graph::NONE
                    && removes(&state, &ev.decisions, &extra, subj as usize)
                {
                    let k = ev.decisions.len() + extra.len();
                    extra.push(super::Decision {
                        image: i,
                        action: follow_action(opts.format),
                        tag: None,
                        rule: "follows subject".into(),
                        reason: format!(
                            "referrer of {} which is removed",
                            images[subj as usize].digest.short()
                        ),
                    });
                    state[i] = State::Planned(k);
                    proposed[i] = k as u32;
                    changed = true;
                } else if ev.children_follow_index
                    && images[i].tags.is_empty()
                    && !g.parents[i].is_empty()
                    && g.parents[i]
                        .iter()
                        .all(|&p| removes(&state, &ev.decisions, &extra, p as usize))
                {
                    let k = ev.decisions.len() + extra.len();
                    extra.push(super::Decision {
                        image: i,
                        action: ActionKind::Delete,
                        tag: None,
                        rule: "follows index".into(),
                        reason: format!(
                            "untagged child of {} which is removed",
                            images[g.parents[i][0] as usize].digest.short()
                        ),
                    });
                    state[i] = State::Planned(k);
                    proposed[i] = k as u32;
                    changed = true;
                }
            }
            // Protection fixpoint: a surviving parent or subject protects.
            for i in 0..n {
                let State::Planned(k) = state[i] else {
                    continue;
                };
                let act = decision(&ev.decisions, &extra, k).action;
                for &p in &g.parents[i] {
                    let parent_ok = match state[p as usize] {
                        State::Planned(pk) => {
                            let pa = decision(&ev.decisions, &extra, pk).action;
                            pa.removes_manifest()
                                || (act == ActionKind::Transition && pa == ActionKind::Transition)
                        }
                        _ => false,
                    };
                    if !parent_ok {
                        state[i] = State::Protected;
                        why[i] = Some(format!(
                            "child of surviving index {}{}",
                            images[p as usize].digest.short(),
                            tag_note(&images[p as usize])
                        ));
                        changed = true;
                        break;
                    }
                }
                if state[i] != State::Protected {
                    let s = g.subject[i];
                    if s != super::graph::NONE
                        && !removes(&state, &ev.decisions, &extra, s as usize)
                        && act.removes_manifest()
                    {
                        state[i] = State::Protected;
                        why[i] = Some(format!(
                            "referrer of surviving subject {}{}",
                            images[s as usize].digest.short(),
                            tag_note(&images[s as usize])
                        ));
                        changed = true;
                    }
                }
            }
            if !changed {
                break;
            }
        }
        let removed: Vec<bool> = (0..n)
            .map(|i| match state[i] {
                State::Planned(k) => decision(&ev.decisions, &extra, k).action.removes_manifest(),
                _ => false,
            })
            .collect();
        // The reclaim walk and the action list are independent: run them side by side.
        std::thread::scope(|scope| {
            let reclaim = scope.spawn(|| estimate(images, g, &removed, opts.scope));
            let mut actions = Vec::new();
            let mut protected = Vec::new();
            for i in 0..n {
                match state[i] {
                    State::Planned(k) => {
                        let d = decision(&ev.decisions, &extra, k);
                        actions.push(action_of(&images[i], d));
                    }
                    State::Protected => {
                        if proposed[i] != u32::MAX {
                            let d = decision(&ev.decisions, &extra, proposed[i] as usize);
                            protected.push(Protected {
                                repository: images[i].repository.clone(),
                                digest: images[i].digest.clone(),
                                why: why[i].clone().unwrap_or_default(),
                                tag: None,
                                would: Some(format!("{} by rule {}", d.action.as_str(), d.rule)),
                            });
                        } else if let Some(w) = &why[i] {
                            protected.push(Protected {
                                repository: images[i].repository.clone(),
                                digest: images[i].digest.clone(),
                                why: w.clone(),
                                tag: None,
                                would: None,
                            });
                        }
                    }
                    State::Keep => {
                        if let Some(w) = &why[i] {
                            protected.push(Protected {
                                repository: images[i].repository.clone(),
                                digest: images[i].digest.clone(),
                                why: w.clone(),
                                tag: None,
                                would: None,
                            });
                        }
                    }
                }
            }
            untag_actions(
                images,
                ev,
                &untags,
                &removed,
                opts,
                &mut actions,
                &mut protected,
            );
            transition_and_graph_warnings(images, g, &actions, &removed, &mut warnings);
            let est = reclaim.join().expect("reclaim estimate");
            if est.unknown_sizes > 0 {
                warnings.push(format!(
                    "{} removed images have no known size; the byte figures leave them out",
                    est.unknown_sizes
                ));
            }
            DeletionPlan {
                schema: PLAN_SCHEMA.into(),
                policy_format: opts.format.as_str().into(),
                evaluated_at: opts.evaluated_at,
                registry: opts.registry.clone(),
                policy_source: opts.policy_source.clone(),
                switches: opts.switches.clone(),
                reclaim_scope: opts.scope.as_str().into(),
                reclaim_method: est.method,
                summary: PlanSummary {
                    images: n,
                    actions: actions.len(),
                    naive_bytes: est.naive_bytes,
                    reclaimed_bytes: est.reclaimed_bytes,
                    protected: protected.len(),
                    unknown_sizes: est.unknown_sizes,
                },
                actions,
                protected,
                warnings,
            }
        })
    }
}

fn decision<'a>(
    ds: &'a [super::Decision],
    extra: &'a [super::Decision],
    k: usize,
) -> &'a super::Decision {
    if k < ds.len() {
        &ds[k]
    } else {
        &extra[k - ds.len()]
    }
}

fn follow_action(f: PolicyFormat) -> ActionKind {
    if f == PolicyFormat::Ecr {
        ActionKind::Expire
    } else {
        ActionKind::Delete
    }
}

fn tag_note(im: &Image) -> String {
    if im.tags.is_empty() {
        String::new()
    } else {
        format!(" ({})", im.tags.join(", "))
    }
}

fn is_locked(im: &Image) -> bool {
    im.locked
        .as_ref()
        .is_some_and(|l| !l.delete_enabled || !l.write_enabled)
}

fn action_of(im: &Image, d: &super::Decision) -> PlanAction {
    PlanAction {
        repository: im.repository.clone(),
        digest: im.digest.clone(),
        action: d.action.as_str().into(),
        tag: d.tag.clone(),
        tags: if d.action == ActionKind::Untag {
            d.tag.iter().cloned().collect()
        } else {
            im.tags.clone()
        },
        rule: d.rule.clone(),
        reason: d.reason.clone(),
        bytes: im.size_bytes,
        media_type: Some(im.media_type.clone()),
    }
}

/// ACR untags: a tag in use by name or locked (tag-level lock) is protected.
fn untag_actions(
    images: &[Image],
    ev: &Evaluation,
    untags: &[usize],
    removed: &[bool],
    opts: &PlanOptions,
    actions: &mut Vec<PlanAction>,
    protected: &mut Vec<Protected>,
) {
    for &k in untags {
        let d = &ev.decisions[k];
        let im = &images[d.image];
        let tag = d.tag.clone().unwrap_or_default();
        let lock = im
            .tag_details
            .iter()
            .flatten()
            .find(|t| t.name == tag)
            .is_some_and(|t| t.write_enabled == Some(false) || t.delete_enabled == Some(false));
        let why = opts
            .in_use
            .as_ref()
            .and_then(|u| u.tag_in_use(&opts.registry, im, &tag))
            .or_else(|| (lock && !opts.unlock).then(|| "tag locked by the registry".to_string()));
        match why {
            Some(w) => protected.push(Protected {
                repository: im.repository.clone(),
                digest: im.digest.clone(),
                why: w,
                tag: Some(tag),
                would: Some(format!("untag by rule {}", d.rule)),
            }),
            // An untag of a manifest deleted anyway is folded into the delete.
            None if removed[d.image] => {}
            None => actions.push(action_of(im, d)),
        }
    }
}

fn transition_and_graph_warnings(
    images: &[Image],
    g: &Graph,
    actions: &[PlanAction],
    removed: &[bool],
    warnings: &mut Vec<String>,
) {
    let archived_tags: usize = actions
        .iter()
        .filter(|a| a.action == "transition")
        .map(|a| a.tags.len())
        .sum();
    if archived_tags > 0 {
        warnings.push(format!(
            "{archived_tags} tags become unpullable: archived images answer 404 until restored (restore takes about 20 minutes)"
        ));
    }
    for (idx, child) in &g.missing_children {
        let i = *idx as usize;
        if !removed[i] && !images[i].tags.is_empty() {
            warnings.push(format!(
                "{}: index {}{} lists child {} which the inventory does not hold; its tags may already be unpullable",
                images[i].repository,
                images[i].digest.short(),
                tag_note(&images[i]),
                child.short()
            ));
        }
    }
}
