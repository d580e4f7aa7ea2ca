//! ECR evaluation (lifecycle.md §1.5): rules in priority order; a rule *claims* every image
//! its tag requirement matches, and only unclaimed images can be acted on; lower rules
//! still see claimed images in their `imageCountMoreThan` rankings.

use super::{glob_match, CountType, EcrAction, EcrPolicy, EcrRule, TagList, TagStatus};
use crate::model::{Image, ImageKind, StorageClass};
use crate::policy::graph::Graph;
use crate::policy::switches::{AgeBoundary, TieBreak};
use crate::policy::time::{age_secs, human_age, DAY};
use crate::policy::{ActionKind, Decision, Evaluation, Switches};
use chrono::{DateTime, Utc};

impl EcrPolicy {
    pub fn evaluate(&self, images: &[Image], now: DateTime<Utc>, sw: &Switches) -> Evaluation {
        self.evaluate_with_graph(images, &Graph::build(images), now, sw)
    }

    /// As `evaluate`, reusing a graph the caller built over the same images.
    pub fn evaluate_with_graph(
        &self,
        images: &[Image],
        g: &Graph,
        now: DateTime<Utc>,
        sw: &Switches,
    ) -> Evaluation {
        let mut ev = Evaluation::default();
        // ECR orders by push time, or restore time for images restored from archive.
        let rank_time: Vec<i64> = images
            .iter()
            .map(|im| {
                im.activated_at
                    .or(im.pushed_at)
                    .map(|t| t.timestamp())
                    .unwrap_or(i64::MAX) // unknown: ranked newest, never marked by age
            })
            .collect();
        let unknown_push = images.iter().filter(|i| i.pushed_at.is_none()).count();
        if unknown_push > 0 {
            ev.warnings.push(format!(
                "{unknown_push} images have no push time; they rank as newest and are never expired by age"
            ));
        }
        let keys: Vec<u128> = match sw.ecr_tie_break {
            TieBreak::DigestAscending => g.keys.clone(),
            TieBreak::AsListed => (0..images.len() as u128).collect(),
        };
        let mut order: Vec<u32> = (0..images.len() as u32).collect();
        order.sort_unstable_by(|&a, &b| {
            let (a, b) = (a as usize, b as usize);
            g.repo[a]
                .cmp(&g.repo[b])
                .then(rank_time[b].cmp(&rank_time[a]))
                .then(keys[a].cmp(&keys[b]))
        });
        // Children of an index and referrers are not independent candidates (§1.5).
        let excluded: Vec<bool> = images
            .iter()
            .enumerate()
            .map(|(i, im)| {
                (!sw.ecr_rank_index_children && !g.parents[i].is_empty()) || im.subject.is_some()
            })
            .collect();
        let mut claimed = vec![false; images.len()];
        let mut s: Vec<u32> = Vec::new();
        let has_untagged_rule = self
            .rules
            .iter()
            .any(|r| r.tag_status == TagStatus::Untagged);
        let mut start = 0;
        while start < order.len() {
            let repo = g.repo[order[start] as usize];
            let mut end = start;
            while end < order.len() && g.repo[order[end] as usize] == repo {
                end += 1;
            }
            let group = &order[start..end];
            if has_untagged_rule
                && group
                    .iter()
                    .any(|&i| images[i as usize].kind == ImageKind::Index)
            {
                ev.warnings.push(format!(
                    "repository {}: an untagged rule in a repository holding multi-arch indexes; ECR's guard for their untagged children is reported unreliable; regscope protects children of surviving indexes",
                    g.repos[repo as usize]
                ));
            }
            for rule in &self.rules {
                s.clear();
                s.extend(group.iter().copied().filter(|&i| {
                    let im = &images[i as usize];
                    !excluded[i as usize]
                        && im.storage_class.unwrap_or(StorageClass::Standard) == rule.storage_class
                        && tag_requirement_matches(rule, im, sw.ecr_pattern_case_sensitive)
                }));
                mark(
                    rule,
                    &s,
                    images,
                    &rank_time,
                    now,
                    sw,
                    &claimed,
                    &g.repos[repo as usize],
                    &mut ev,
                );
                for &i in &s {
                    claimed[i as usize] = true;
                }
            }
            start = end;
        }
        ev.decisions.sort_by_key(|d| d.image);
        ev
    }
}

/// Whether the image satisfies the rule's tag requirement (tag status and AND list).
pub fn tag_requirement_matches(rule: &EcrRule, im: &Image, case_sensitive: bool) -> bool {
    match rule.tag_status {
        TagStatus::Any => true,
        TagStatus::Untagged => im.tags.is_empty(),
        TagStatus::Tagged => {
            !im.tags.is_empty()
                && match &rule.tag_list {
                    Some(TagList::Patterns(ps)) => ps
                        .iter()
                        .all(|p| im.tags.iter().any(|t| glob_match(p, t, case_sensitive))),
                    Some(TagList::Prefixes(ps)) => ps.iter().all(|p| {
                        im.tags.iter().any(|t| {
                            if case_sensitive {
                                t.starts_with(p.as_str())
                            } else {
                                t.to_ascii_lowercase().starts_with(&p.to_ascii_lowercase())
                            }
                        })
                    }),
                    None => true,
                }
        }
    }
}

fn older_than(age: i64, days: u64, b: AgeBoundary) -> bool {
    let limit = days as i64 * DAY;
    match b {
        AgeBoundary::Greater => age > limit,
        AgeBoundary::GreaterOrEqual => age >= limit,
        AgeBoundary::WholeDays => age / DAY > days as i64,
    }
}

#[allow(clippy::too_many_arguments)]
fn mark(
    rule: &EcrRule,
    s: &[u32],
    images: &[Image],
    rank_time: &[i64],
    now: DateTime<Utc>,
    sw: &Switches,
    claimed: &[bool],
    repo: &str,
    ev: &mut Evaluation,
) {
    let action = match rule.action {
        EcrAction::Expire => ActionKind::Expire,
        EcrAction::Transition => ActionKind::Transition,
    };
    let n = rule.count_number;
    let mut marked: Vec<(u32, String)> = Vec::new();
    let mut push = |i: u32, reason: String| {
        if !claimed[i as usize] {
            marked.push((i, reason));
        }
    };
    match rule.count_type {
        CountType::ImageCountMoreThan => {
            let keep = (n as usize).min(s.len());
            if keep > 0 && keep < s.len() {
                let (a, b) = (s[keep - 1] as usize, s[keep] as usize);
                if rank_time[a] == rank_time[b] {
                    ev.warnings.push(format!(
                        "repository {repo}, rulePriority {}: {} and {} were pushed at the same time and straddle the keep-{n} boundary; the tie is broken by {} (ecr.tie_break)",
                        rule.priority,
                        images[a].digest.short(),
                        images[b].digest.short(),
                        match sw.ecr_tie_break { TieBreak::DigestAscending => "digest ascending", TieBreak::AsListed => "listing order" }
                    ));
                }
            }
            if keep < s.len() {
                let reason = format!(
                    "beyond the newest {n} of the {} images matching the rule's tag requirement",
                    s.len()
                );
                for &i in &s[keep..] {
                    push(i, reason.clone());
                }
            }
        }
        CountType::SinceImagePushed => {
            for &i in s {
                let im = &images[i as usize];
                let (t, what) = match (im.activated_at, sw.ecr_restore_affects_since_pushed) {
                    (Some(a), true) => (Some(a), "restored from archive"),
                    _ => (im.pushed_at, "pushed"),
                };
                if let Some(t) = t {
                    if older_than(age_secs(now, t), n, sw.ecr_age_boundary) {
                        push(
                            i,
                            format!("{what} {} ago (more than {n} days)", human_age(now, t)),
                        );
                    }
                }
            }
        }
        CountType::SinceImagePulled => {
            for &i in s {
                let im = &images[i as usize];
                let (t, what) = pull_reference(im);
                if let Some(t) = t {
                    if older_than(age_secs(now, t), n, sw.ecr_age_boundary) {
                        push(
                            i,
                            format!("{what} {} ago (more than {n} days)", human_age(now, t)),
                        );
                    }
                }
            }
        }
        CountType::SinceImageTransitioned => {
            for &i in s {
                if let Some(t) = images[i as usize].archived_at {
                    if older_than(age_secs(now, t), n, sw.ecr_age_boundary) {
                        push(
                            i,
                            format!("archived {} ago (more than {n} days)", human_age(now, t)),
                        );
                    }
                }
            }
        }
    }
    let rule_name = rule.priority.to_string();
    ev.decisions.reserve(marked.len());
    for (i, reason) in marked {
        ev.decisions.push(Decision {
            image: i as usize,
            action,
            tag: None,
            rule: rule_name.clone(),
            reason,
        });
    }
}

/// The time `sinceImagePulled` counts from: the restore if not pulled since, else the
/// last recorded pull, else the push (never pulled).
fn pull_reference(im: &Image) -> (Option<DateTime<Utc>>, &'static str) {
    match (im.activated_at, im.last_pulled_at) {
        (Some(a), Some(p)) if p >= a => (Some(p), "last pulled"),
        (Some(a), _) => (Some(a), "restored from archive and not pulled since,"),
        (None, Some(p)) => (Some(p), "last pulled"),
        (None, None) => (im.pushed_at, "never pulled; pushed"),
    }
}
