//! ECR evaluation (lifecycle.md §1.5): rules in priority order; a rule *claims* every image
//! its tag requirement matches, and only unclaimed images can be acted on; lower rules
//! still see claimed images in their `imageCountMoreThan` rankings.
//!
//! Repositories are independent (a policy is per repository), so each is ranked on its
//! own, and large inventories are split across two threads by repository. Decisions carry
//! numbers, not text ([`Reason`]), so a million of them allocate nothing.

use super::{glob_match, CountType, EcrAction, EcrPolicy, EcrRule, TagList, TagStatus};
use crate::model::{Image, ImageKind, StorageClass};
use crate::policy::graph::Graph;
use crate::policy::switches::{AgeBoundary, TieBreak};
use crate::policy::time::{age_secs, DAY};
use crate::policy::{ActionKind, Decision, Evaluation, Reason, Switches};
use chrono::{DateTime, Utc};
use std::sync::Arc;

/// Below this many images one thread does it all (spawning costs more than it saves).
const PARALLEL_FROM: usize = 50_000;

/// What every repository's evaluation shares.
struct Ctx<'a> {
    policy: &'a EcrPolicy,
    images: &'a [Image],
    g: &'a Graph,
    now: DateTime<Utc>,
    sw: &'a Switches,
    rule_names: Vec<Arc<str>>,
    has_untagged_rule: bool,
}

/// One image in its repository's ranking: a sort key (newest first, then the tie-break)
/// packed in 64 bits so ranking compares one integer, and the image index.
type Ranked = (u64, u32);

/// When ECR ranks an image: its push time, or its restore from archive; unknown ranks
/// newest (`i64::MAX`, never marked by age).
fn rank_time(im: &Image) -> i64 {
    im.activated_at
        .or(im.pushed_at)
        .map(|t| t.timestamp())
        .unwrap_or(i64::MAX)
}

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
        let cx = Ctx {
            policy: self,
            images,
            g,
            now,
            sw,
            rule_names: self
                .rules
                .iter()
                .map(|r| Arc::from(r.priority.to_string()))
                .collect(),
            has_untagged_rule: self
                .rules
                .iter()
                .any(|r| r.tag_status == TagStatus::Untagged),
        };
        let repos = g.repos.len();
        let (decisions, warnings, unknown_push) = if images.len() < PARALLEL_FROM || repos < 2 {
            cx.repos(0..repos)
        } else {
            // Split the repositories where half the images have been seen.
            let mut seen = 0;
            let mut cut = repos;
            for r in 0..repos {
                seen += g.group(r).len();
                if seen * 2 >= images.len() {
                    cut = (r + 1).min(repos - 1);
                    break;
                }
            }
            std::thread::scope(|s| {
                let later = s.spawn(|| cx.repos(cut..repos));
                let (mut d, mut w, mut u) = cx.repos(0..cut);
                let (d2, w2, u2) = later.join().expect("ECR evaluation thread");
                d.extend(d2);
                w.extend(w2);
                u += u2;
                (d, w, u)
            })
        };
        if unknown_push > 0 {
            ev.warnings.push(format!(
                "{unknown_push} images have no push time; they rank as newest and are never expired by age"
            ));
        }
        ev.decisions = decisions;
        ev.warnings.extend(warnings);
        if !ev.decisions.is_sorted_by_key(|d| d.image) {
            ev.decisions.sort_unstable_by_key(|d| d.image);
        }
        ev
    }
}

impl Ctx<'_> {
    /// Evaluates repositories `range`: decisions, warnings, and how many images had no
    /// push time.
    fn repos(&self, range: std::ops::Range<usize>) -> (Vec<Decision>, Vec<String>, usize) {
        let images: usize = range.clone().map(|r| self.g.group(r).len()).sum();
        // Cleanups usually act on a good share of a large inventory: room for half.
        let mut decisions = Vec::with_capacity(images / 2);
        let mut warnings = Vec::new();
        let mut unknown_push = 0;
        let mut order: Vec<Ranked> = Vec::new();
        let mut s: Vec<u32> = Vec::new();
        let mut claimed: Vec<bool> = Vec::new();
        let mut excluded: Vec<bool> = Vec::new();
        for r in range {
            let from = decisions.len();
            unknown_push += self.repo(
                r,
                &mut order,
                &mut s,
                &mut claimed,
                &mut excluded,
                &mut decisions,
                &mut warnings,
            );
            decisions[from..].sort_unstable_by_key(|d| d.image);
        }
        (decisions, warnings, unknown_push)
    }

    #[allow(clippy::too_many_arguments)]
    fn repo(
        &self,
        r: usize,
        order: &mut Vec<Ranked>,
        s: &mut Vec<u32>,
        claimed: &mut Vec<bool>,
        excluded: &mut Vec<bool>,
        decisions: &mut Vec<Decision>,
        warnings: &mut Vec<String>,
    ) -> usize {
        let (images, g, sw) = (self.images, self.g, self.sw);
        let mut unknown_push = 0;
        let group = g.group(r);
        if self.has_untagged_rule
            && group
                .iter()
                .any(|&i| images[i as usize].kind == ImageKind::Index)
        {
            warnings.push(format!(
                "repository {}: an untagged rule in a repository holding multi-arch indexes; ECR's guard for their untagged children is reported unreliable; regscope protects children of surviving indexes",
                g.repos[r]
            ));
        }
        // Newest first, ties by digest (or listing order). The sort key packs the time
        // (inverted, seconds since 1970 as 32 bits) over the top 32 bits of the tie-break;
        // equal keys fall back to the full tie-break, and a time 32 bits cannot hold makes
        // the whole repository use the plain comparison.
        let full_tie = |i: u32| match sw.ecr_tie_break {
            TieBreak::DigestAscending => g.keys[i as usize],
            TieBreak::AsListed => i as u128,
        };
        let mut packable = true;
        order.clear();
        order.extend(group.iter().map(|&i| {
            let im = &images[i as usize];
            unknown_push += im.pushed_at.is_none() as usize;
            let t = rank_time(im);
            let inv = match t {
                i64::MAX => 0,
                t if (0..u32::MAX as i64).contains(&t) => u32::MAX - t as u32,
                _ => {
                    packable = false;
                    0
                }
            };
            (
                (inv as u64) << 32 | (full_tie(i) >> 96) as u64 & 0xFFFF_FFFF,
                i,
            )
        }));
        if sw.ecr_tie_break == TieBreak::AsListed {
            for o in order.iter_mut() {
                o.0 = (o.0 & !0xFFFF_FFFF) | o.1 as u64;
            }
        }
        if packable {
            order.sort_unstable_by(|a, b| {
                a.0.cmp(&b.0)
                    .then_with(|| full_tie(a.1).cmp(&full_tie(b.1)))
            });
        } else {
            order.sort_unstable_by(|a, b| {
                rank_time(&images[b.1 as usize])
                    .cmp(&rank_time(&images[a.1 as usize]))
                    .then_with(|| full_tie(a.1).cmp(&full_tie(b.1)))
            });
        }
        // Children of an index and referrers are not independent candidates (§1.5).
        excluded.clear();
        excluded.extend(order.iter().map(|&(_, i)| {
            (!sw.ecr_rank_index_children && !g.parents(i as usize).is_empty())
                || images[i as usize].subject.is_some()
        }));
        claimed.clear();
        claimed.resize(order.len(), false);
        for (k, rule) in self.policy.rules.iter().enumerate() {
            s.clear();
            s.extend((0..order.len() as u32).filter(|&p| {
                let im = &images[order[p as usize].1 as usize];
                !excluded[p as usize]
                    && im.storage_class.unwrap_or(StorageClass::Standard) == rule.storage_class
                    && tag_requirement_matches(rule, im, sw.ecr_pattern_case_sensitive)
            }));
            self.mark(
                rule,
                &self.rule_names[k],
                s,
                order,
                claimed,
                &g.repos[r],
                decisions,
                warnings,
            );
            for &p in s.iter() {
                claimed[p as usize] = true;
            }
        }
        unknown_push
    }

    /// Marks what `rule` acts on among `s` (positions in `order`, newest first), skipping
    /// images a higher-priority rule claimed.
    #[allow(clippy::too_many_arguments)]
    fn mark(
        &self,
        rule: &EcrRule,
        rule_name: &Arc<str>,
        s: &[u32],
        order: &[Ranked],
        claimed: &[bool],
        repo: &str,
        decisions: &mut Vec<Decision>,
        warnings: &mut Vec<String>,
    ) {
        let (images, now, sw) = (self.images, self.now, self.sw);
        let action = match rule.action {
            EcrAction::Expire => ActionKind::Expire,
            EcrAction::Transition => ActionKind::Transition,
        };
        let n = rule.count_number;
        let mut push = |p: u32, reason: Reason| {
            if !claimed[p as usize] {
                decisions.push(Decision {
                    image: order[p as usize].1 as usize,
                    action,
                    tag: None,
                    rule: rule_name.clone(),
                    reason,
                });
            }
        };
        let aged = |t: Option<DateTime<Utc>>, what: &'static str| {
            let t = t?;
            let age = age_secs(now, t);
            older_than(age, n, sw.ecr_age_boundary).then_some(Reason::Aged {
                what,
                age_secs: age,
                days: n,
            })
        };
        match rule.count_type {
            CountType::ImageCountMoreThan => {
                let keep = (n as usize).min(s.len());
                if keep > 0 && keep < s.len() {
                    let (a, b) = (&order[s[keep - 1] as usize], &order[s[keep] as usize]);
                    if rank_time(&images[a.1 as usize]) == rank_time(&images[b.1 as usize]) {
                        warnings.push(format!(
                            "repository {repo}, rulePriority {}: {} and {} were pushed at the same time and straddle the keep-{n} boundary; the tie is broken by {} (ecr.tie_break)",
                            rule.priority,
                            images[a.1 as usize].digest.short(),
                            images[b.1 as usize].digest.short(),
                            match sw.ecr_tie_break { TieBreak::DigestAscending => "digest ascending", TieBreak::AsListed => "listing order" }
                        ));
                    }
                }
                for &p in &s[keep..] {
                    push(
                        p,
                        Reason::Beyond {
                            keep: n,
                            of: s.len(),
                        },
                    );
                }
            }
            CountType::SinceImagePushed => {
                for &p in s {
                    let im = &images[order[p as usize].1 as usize];
                    let (t, what) = match (im.activated_at, sw.ecr_restore_affects_since_pushed) {
                        (Some(a), true) => (Some(a), "restored from archive"),
                        _ => (im.pushed_at, "pushed"),
                    };
                    if let Some(reason) = aged(t, what) {
                        push(p, reason);
                    }
                }
            }
            CountType::SinceImagePulled => {
                for &p in s {
                    let (t, what) = pull_reference(&images[order[p as usize].1 as usize]);
                    if let Some(reason) = aged(t, what) {
                        push(p, reason);
                    }
                }
            }
            CountType::SinceImageTransitioned => {
                for &p in s {
                    let t = images[order[p as usize].1 as usize].archived_at;
                    if let Some(reason) = aged(t, "archived") {
                        push(p, reason);
                    }
                }
            }
        }
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
