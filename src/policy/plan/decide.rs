//! The plan's decisions before any text is written: per image, kept, planned (with the
//! decision that plans it) or protected (with why), the followers, the fate of each
//! untag, the warnings and the reclaim estimate. Index-based, so deciding over a
//! million images allocates per protected image only; [`super::output`] turns it into the
//! `regscope.plan/v1` document.

use super::super::graph::{FoldMap, Graph, NONE};
use super::super::reclaim::{estimate, ReclaimEstimate};
use super::super::{ActionKind, Decision, Evaluation, PolicyFormat, Reason};
use super::PlanOptions;
use crate::model::{Image, Role};

/// Where an image stands. Decision numbers index the evaluation's decisions, then the
/// followers (`Decided::extra`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    Keep,
    Planned(u32),
    /// Protected; the decision the policy had for it (`NONE` when it had none).
    Protected(u32),
}

/// What happens to one ACR untag.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UntagFate {
    Planned,
    /// The manifest is deleted anyway: the untag is folded into that delete.
    Folded,
    Protected(String),
}

/// Every decision of the plan, by index.
#[derive(Debug)]
pub struct Decided {
    pub state: Vec<State>,
    /// Followers: referrers of removed subjects, untagged children of removed indexes.
    pub extra: Vec<Decision>,
    /// Why an image is protected (or kept by the evaluator), for the few that are.
    pub why: FoldMap<u32, String>,
    /// Whether image `i` leaves the registry.
    pub removed: Vec<bool>,
    /// Untag decisions (indexes into the evaluation's decisions) and what becomes of them.
    pub untags: Vec<(u32, UntagFate)>,
    pub warnings: Vec<String>,
    pub estimate: ReclaimEstimate,
    /// How many records are images by the one definition (`model::Role`).
    pub images: usize,
    /// Sizes of the document's lists, known before it is written.
    pub actions: usize,
    pub protected: usize,
}

impl Decided {
    /// The decision numbered `k` (evaluation first, then followers).
    pub fn decision<'a>(&'a self, ev: &'a Evaluation, k: u32) -> &'a Decision {
        let k = k as usize;
        if k < ev.decisions.len() {
            &ev.decisions[k]
        } else {
            &self.extra[k - ev.decisions.len()]
        }
    }
}

fn follow_action(f: PolicyFormat) -> ActionKind {
    if f == PolicyFormat::Ecr {
        ActionKind::Expire
    } else {
        ActionKind::Delete
    }
}

pub fn tag_note(im: &Image) -> String {
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

/// Images by the one definition (`model::Role::decide`), from the plan's own graph: not
/// an index's platforms, not referrers.
fn count_images(images: &[Image], g: &Graph) -> usize {
    (0..images.len())
        .filter(|&i| {
            let subject = (g.subject[i] != NONE).then_some(g.subject[i]);
            Role::decide(images[i].kind, subject, g.parents(i).first().copied()).is_image()
        })
        .count()
}

/// Decides the plan over `images` (with their graph `g`) from the evaluation.
pub fn decide(images: &[Image], g: &Graph, ev: &Evaluation, opts: &PlanOptions) -> Decided {
    let n = images.len();
    let mut d = Decided {
        state: vec![State::Keep; n],
        extra: Vec::new(),
        why: FoldMap::default(),
        removed: Vec::new(),
        untags: Vec::new(),
        warnings: ev.warnings.clone(),
        estimate: ReclaimEstimate::default(),
        images: count_images(images, g),
        actions: 0,
        protected: 0,
    };
    let mut untag_decisions = Vec::new();
    for (k, dec) in ev.decisions.iter().enumerate() {
        if dec.action == ActionKind::Untag {
            untag_decisions.push(k as u32);
        } else if d.state[dec.image] == State::Keep {
            d.state[dec.image] = State::Planned(k as u32);
        }
    }
    for p in &ev.protected {
        if let State::Planned(k) = d.state[p.image] {
            d.state[p.image] = State::Protected(k);
        }
        d.why.entry(p.image as u32).or_insert_with(|| p.why.clone());
    }
    // Static protections: in use, locked.
    let statics =
        opts.in_use.is_some() || (!opts.unlock && images.iter().any(|i| i.locked.is_some()));
    for i in (0..n).filter(|_| statics) {
        if let State::Planned(k) = d.state[i] {
            let im = &images[i];
            if let Some(w) = opts.in_use.as_ref().and_then(|u| u.why(&opts.registry, im)) {
                d.state[i] = State::Protected(k);
                d.why.insert(i as u32, w);
            } else if !opts.unlock && is_locked(im) {
                d.state[i] = State::Protected(k);
                d.why.insert(
                    i as u32,
                    "locked by the registry (delete or write disabled)".into(),
                );
            }
        }
    }
    links(images, g, ev, opts, &mut d);
    d.removed = (0..n)
        .map(|i| match d.state[i] {
            State::Planned(k) => d.decision(ev, k).action.removes_manifest(),
            _ => false,
        })
        .collect();
    // Counts for the summary and the transition warning, as the document will list them.
    let mut archived_tags = 0usize;
    for (i, im) in images.iter().enumerate() {
        match d.state[i] {
            State::Planned(k) => {
                d.actions += 1;
                if d.decision(ev, k).action == ActionKind::Transition {
                    archived_tags += im.tags.len();
                }
            }
            State::Protected(k) if k != NONE => d.protected += 1,
            State::Protected(_) | State::Keep => {
                if d.why.contains_key(&(i as u32)) {
                    d.protected += 1;
                }
            }
        }
    }
    for k in untag_decisions {
        let fate = untag_fate(images, ev, k, &d.removed, opts);
        match fate {
            UntagFate::Planned => d.actions += 1,
            UntagFate::Protected(_) => d.protected += 1,
            UntagFate::Folded => {}
        }
        d.untags.push((k, fate));
    }
    if archived_tags > 0 {
        d.warnings.push(format!(
            "{} {} unpullable: archived images answer 404 until restored (restore takes about 20 minutes)",
            crate::text::count(archived_tags, "tag"),
            crate::text::plural(archived_tags, "becomes", "become")
        ));
    }
    for (idx, child) in &g.missing_children {
        let i = *idx as usize;
        if !d.removed[i] && !images[i].tags.is_empty() {
            d.warnings.push(format!(
                "{}: index {}{} lists child {} which the inventory does not hold; its tags may already be unpullable",
                images[i].repository,
                images[i].digest.short(),
                tag_note(&images[i]),
                child.short()
            ));
        }
    }
    d.estimate = estimate(images, g, &d.removed, opts.scope);
    if d.estimate.unknown_sizes > 0 {
        d.warnings.push(format!(
            "{} {} no known size; the byte figures leave {} out",
            crate::text::count(d.estimate.unknown_sizes, "removed image"),
            crate::text::plural(d.estimate.unknown_sizes, "has", "have"),
            crate::text::plural(d.estimate.unknown_sizes, "it", "them")
        ));
    }
    for (blob, sizes) in &d.estimate.size_conflicts {
        let sizes: Vec<String> = sizes.iter().map(|s| format!("{s} bytes")).collect();
        d.warnings.push(format!(
            "blob {blob} would be freed but its manifests declare it as {}; its size is unknown, so the byte figures leave it out",
            sizes.join(" and ")
        ));
    }
    d
}

/// Followers and the protection fixpoint. Only images with a parent or a subject in the
/// inventory (`g.linked`) can follow or be protected here, so only they are visited, in
/// inventory order, until nothing changes.
fn links(images: &[Image], g: &Graph, ev: &Evaluation, opts: &PlanOptions, d: &mut Decided) {
    let removes = |d: &Decided, i: usize| match d.state[i] {
        State::Planned(k) => d.decision(ev, k).action.removes_manifest(),
        _ => false,
    };
    loop {
        let mut changed = false;
        for &i in &g.linked {
            let i = i as usize;
            if d.state[i] != State::Keep {
                continue;
            }
            let subj = g.subject[i];
            let parents = g.parents(i);
            if subj != NONE && removes(d, subj as usize) {
                let k = (ev.decisions.len() + d.extra.len()) as u32;
                d.extra.push(Decision {
                    image: i,
                    action: follow_action(opts.format),
                    tag: None,
                    rule: "follows subject".into(),
                    time_source: None,
                    reason: Reason::Text(format!(
                        "referrer of {} which is removed",
                        images[subj as usize].digest.short()
                    )),
                });
                d.state[i] = State::Planned(k);
                changed = true;
            } else if ev.children_follow_index
                && images[i].tags.is_empty()
                && !parents.is_empty()
                && parents.iter().all(|&p| removes(d, p as usize))
            {
                let k = (ev.decisions.len() + d.extra.len()) as u32;
                d.extra.push(Decision {
                    image: i,
                    action: ActionKind::Delete,
                    tag: None,
                    rule: "follows index".into(),
                    time_source: None,
                    reason: Reason::Text(format!(
                        "untagged child of {} which is removed",
                        images[parents[0] as usize].digest.short()
                    )),
                });
                d.state[i] = State::Planned(k);
                changed = true;
            }
        }
        // Protection fixpoint: a surviving parent or subject protects.
        for &i in &g.linked {
            let i = i as usize;
            let State::Planned(k) = d.state[i] else {
                continue;
            };
            let act = d.decision(ev, k).action;
            for &p in g.parents(i) {
                let parent_ok = match d.state[p as usize] {
                    State::Planned(pk) => {
                        let pa = d.decision(ev, pk).action;
                        pa.removes_manifest()
                            || (act == ActionKind::Transition && pa == ActionKind::Transition)
                    }
                    _ => false,
                };
                if !parent_ok {
                    d.state[i] = State::Protected(k);
                    d.why.insert(
                        i as u32,
                        format!(
                            "child of surviving index {}{}",
                            images[p as usize].digest.short(),
                            tag_note(&images[p as usize])
                        ),
                    );
                    changed = true;
                    break;
                }
            }
            if d.state[i] == State::Planned(k) {
                let s = g.subject[i];
                if s != NONE && !removes(d, s as usize) && act.removes_manifest() {
                    d.state[i] = State::Protected(k);
                    d.why.insert(
                        i as u32,
                        format!(
                            "referrer of surviving subject {}{}",
                            images[s as usize].digest.short(),
                            tag_note(&images[s as usize])
                        ),
                    );
                    changed = true;
                }
            }
        }
        if !changed {
            break;
        }
    }
}

/// ACR untags: a tag in use by name or locked (tag-level lock) is protected; an untag of
/// a manifest deleted anyway is folded into the delete.
fn untag_fate(
    images: &[Image],
    ev: &Evaluation,
    k: u32,
    removed: &[bool],
    opts: &PlanOptions,
) -> UntagFate {
    let d = &ev.decisions[k as usize];
    let im = &images[d.image];
    let tag = d.tag.as_deref().unwrap_or_default();
    let lock = im
        .tag_details
        .iter()
        .flatten()
        .find(|t| t.name == tag)
        .is_some_and(|t| t.write_enabled == Some(false) || t.delete_enabled == Some(false));
    let why = opts
        .in_use
        .as_ref()
        .and_then(|u| u.tag_in_use(&opts.registry, im, tag))
        .or_else(|| (lock && !opts.unlock).then(|| "tag locked by the registry".to_string()));
    match why {
        Some(w) => UntagFate::Protected(w),
        None if removed[d.image] => UntagFate::Folded,
        None => UntagFate::Planned,
    }
}
