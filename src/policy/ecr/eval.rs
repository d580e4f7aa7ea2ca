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
use crate::policy::order_time::{
    created_note, keep_ties, unknown_why, CreatedTimes, NotCredible, TimeSource,
};
use crate::policy::switches::{AgeBoundary, TieBreak};
use crate::policy::time::DAY;
use crate::policy::{ActionKind, Decision, Evaluation, EvaluatorProtection, Reason, Switches};
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
    created: CreatedTimes,
}

/// One image in its repository's ranking: a sort key (newest first, then the tie-break)
/// packed in 64 bits so ranking compares one integer, and the image index.
type Ranked = (u64, u32);

/// When an image ranks: what [`Ctx::rank_time`] says, as milliseconds (ECR records
/// fractions of a second), or why it is unknown.
type When = Result<(i64, TimeSource), NotCredible>;

/// What the evaluation of some repositories found.
#[derive(Default)]
struct Part {
    decisions: Vec<Decision>,
    warnings: Vec<String>,
    protected: Vec<EvaluatorProtection>,
    /// Per rule: images ordered or aged by their config's `created`.
    by_created: Vec<usize>,
    /// Per rule: images left alone because their time is unknown.
    unknown: Vec<usize>,
}

impl Part {
    fn join(&mut self, o: Part) {
        self.decisions.extend(o.decisions);
        self.warnings.extend(o.warnings);
        self.protected.extend(o.protected);
        for (a, b) in self.by_created.iter_mut().zip(o.by_created) {
            *a += b;
        }
        for (a, b) in self.unknown.iter_mut().zip(o.unknown) {
            *a += b;
        }
    }
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
        // `created` is looked at only where the registry recorded no push time.
        let created = if images.iter().any(|im| im.pushed_at.is_none()) {
            CreatedTimes::new(images, g, now)
        } else {
            CreatedTimes::unused(now)
        };
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
            created,
        };
        let repos = g.repos.len();
        let mut part = if images.len() < PARALLEL_FROM || repos < 2 {
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
                let mut p = cx.repos(0..cut);
                p.join(later.join().expect("ECR evaluation thread"));
                p
            })
        };
        // Said once per rule, not once per image.
        for (k, rule) in self.rules.iter().enumerate() {
            let name = format!("rulePriority {}", rule.priority);
            let (ordered, what) = match rule.count_type {
                CountType::ImageCountMoreThan => (true, "push"),
                CountType::SinceImagePushed => (false, "push"),
                CountType::SinceImagePulled => (false, "pull"),
                CountType::SinceImageTransitioned => (false, "archive"),
            };
            if part.by_created[k] > 0 {
                ev.warnings
                    .push(created_note(&name, ordered, what, part.by_created[k]));
            }
            if part.unknown[k] > 0 {
                ev.warnings.push(format!(
                    "{name}: {} {} no credible {what} time (the registry records none and the creation time is missing or not credible); {} protected, never expired by age or count",
                    crate::text::count(part.unknown[k], "image"),
                    crate::text::plural(part.unknown[k], "has", "have"),
                    crate::text::plural(part.unknown[k], "it is", "they are")
                ));
            }
        }
        ev.decisions = std::mem::take(&mut part.decisions);
        ev.warnings.extend(part.warnings);
        ev.protected = part.protected;
        if !ev.decisions.is_sorted_by_key(|d| d.image) {
            ev.decisions.sort_unstable_by_key(|d| d.image);
        }
        ev
    }
}

impl Ctx<'_> {
    /// When ECR ranks image `i`: its push time, or its restore from archive; where the
    /// registry recorded neither, the config's credible `created`.
    fn rank_time(&self, i: usize) -> When {
        let im = &self.images[i];
        self.created
            .resolve(
                self.images,
                self.g,
                i,
                im.activated_at.or(im.pushed_at),
                TimeSource::Pushed,
            )
            .map(|(t, s)| (t.timestamp_millis(), s))
    }

    /// Evaluates repositories `range`.
    fn repos(&self, range: std::ops::Range<usize>) -> Part {
        let images: usize = range.clone().map(|r| self.g.group(r).len()).sum();
        let rules = self.policy.rules.len();
        let mut part = Part {
            // Cleanups usually act on a good share of a large inventory: room for half.
            decisions: Vec::with_capacity(images / 2),
            by_created: vec![0; rules],
            unknown: vec![0; rules],
            ..Default::default()
        };
        let mut scratch = Scratch::default();
        for r in range {
            let from = part.decisions.len();
            self.repo(r, &mut scratch, &mut part);
            part.decisions[from..].sort_unstable_by_key(|d| d.image);
        }
        part
    }

    fn repo(&self, r: usize, sc: &mut Scratch, part: &mut Part) {
        let (images, g, sw) = (self.images, self.g, self.sw);
        let group = g.group(r);
        if self.has_untagged_rule
            && group
                .iter()
                .any(|&i| images[i as usize].kind == ImageKind::Index)
        {
            part.warnings.push(format!(
                "repository {}: an untagged rule in a repository holding multi-arch indexes; ECR's guard for their untagged children is reported unreliable; regscope protects children of surviving indexes",
                g.repos[r]
            ));
        }
        // Newest first; images whose time is unknown last (they are never ranked). The
        // sort key packs the time (inverted, seconds since 1970 as 32 bits) over the top 32
        // bits of the tie-break; equal keys fall back to the full tie-break, and a time 32
        // bits cannot hold makes the whole repository use the plain comparison.
        let full_tie = |i: u32| match sw.ecr_tie_break {
            TieBreak::DigestAscending | TieBreak::KeepTied => g.keys[i as usize],
            TieBreak::AsListed => i as u128,
        };
        let secs = |w: &When| w.as_ref().map(|x| x.0).unwrap_or(i64::MIN);
        let mut packable = true;
        let order = &mut sc.order;
        order.clear();
        order.extend(group.iter().map(|&i| {
            let inv = match self.rank_time(i as usize) {
                Err(_) => u32::MAX,
                Ok((t, _)) if (0..u32::MAX as i64).contains(&(t / 1000)) => {
                    u32::MAX - 1 - (t / 1000) as u32
                }
                Ok(_) => {
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
            // Equal keys share a second: their milliseconds decide before the tie-break.
            order.sort_unstable_by(|a, b| {
                a.0.cmp(&b.0)
                    .then_with(|| {
                        secs(&self.rank_time(b.1 as usize))
                            .cmp(&secs(&self.rank_time(a.1 as usize)))
                    })
                    .then_with(|| full_tie(a.1).cmp(&full_tie(b.1)))
            });
        } else {
            order.sort_unstable_by(|a, b| {
                secs(&self.rank_time(b.1 as usize))
                    .cmp(&secs(&self.rank_time(a.1 as usize)))
                    .then_with(|| full_tie(a.1).cmp(&full_tie(b.1)))
            });
        }
        sc.when.clear();
        sc.when
            .extend(order.iter().map(|&(_, i)| self.rank_time(i as usize)));
        // Children of an index and referrers are not independent candidates (§1.5).
        sc.excluded.clear();
        sc.excluded.extend(order.iter().map(|&(_, i)| {
            (!sw.ecr_rank_index_children && !g.parents(i as usize).is_empty())
                || images[i as usize].subject.is_some()
        }));
        sc.claimed.clear();
        sc.claimed.resize(sc.order.len(), false);
        for (k, rule) in self.policy.rules.iter().enumerate() {
            sc.s.clear();
            sc.s.extend((0..sc.order.len() as u32).filter(|&p| {
                let im = &images[sc.order[p as usize].1 as usize];
                !sc.excluded[p as usize]
                    && im.storage_class.unwrap_or(StorageClass::Standard) == rule.storage_class
                    && tag_requirement_matches(rule, im, sw.ecr_pattern_case_sensitive)
            }));
            self.mark(k, rule, sc, &g.repos[r], part);
            for &p in sc.s.iter() {
                sc.claimed[p as usize] = true;
            }
        }
    }

    /// Marks what rule `k` acts on among `sc.s` (positions in `sc.order`, newest first),
    /// skipping images a higher-priority rule claimed. An unclaimed image whose time the
    /// rule needs and nobody knows is protected instead.
    fn mark(&self, k: usize, rule: &EcrRule, sc: &Scratch, repo: &str, part: &mut Part) {
        let (images, now, sw) = (self.images, self.now, self.sw);
        let (order, claimed, s) = (&sc.order, &sc.claimed, &sc.s);
        let action = match rule.action {
            EcrAction::Expire => ActionKind::Expire,
            EcrAction::Transition => ActionKind::Transition,
        };
        let rule_name = &self.rule_names[k];
        let n = rule.count_number;
        let image_at = |p: u32| order[p as usize].1 as usize;
        let act = |part: &mut Part, p: u32, reason: Reason, source: TimeSource| {
            if claimed[p as usize] {
                return;
            }
            part.by_created[k] += (source == TimeSource::Created) as usize;
            part.decisions.push(Decision {
                image: image_at(p),
                action,
                tag: None,
                rule: rule_name.clone(),
                reason,
                time_source: Some(source),
            });
        };
        let unknown = |part: &mut Part, p: u32, why: String| {
            if claimed[p as usize] {
                return;
            }
            part.unknown[k] += 1;
            part.protected.push(EvaluatorProtection {
                image: image_at(p),
                why,
            });
        };
        let aged = |t: i64, what: &'static str| {
            let age = now.timestamp() - t;
            older_than(age, n, sw.ecr_age_boundary).then_some(Reason::Aged {
                what,
                age_secs: age,
                days: n,
            })
        };
        match rule.count_type {
            CountType::ImageCountMoreThan => {
                // Only images with a known time are ranked; the unknown sort last.
                let known = s
                    .iter()
                    .position(|&p| sc.when[p as usize].is_err())
                    .unwrap_or(s.len());
                let ranked = &s[..known];
                let mut keep = (n as usize).min(ranked.len());
                let when = |p: &u32| sc.when[*p as usize].as_ref().map(|x| x.0).unwrap_or(0);
                if keep > 0 && keep < ranked.len() && when(&ranked[keep - 1]) == when(&ranked[keep])
                {
                    let (a, b) = (image_at(ranked[keep - 1]), image_at(ranked[keep]));
                    let (t, src) = *sc.when[ranked[keep] as usize].as_ref().expect("ranked");
                    let at = DateTime::<Utc>::from_timestamp_millis(t)
                        .map(|t| t.to_rfc3339())
                        .unwrap_or_else(|| t.to_string());
                    let verb = src.as_str();
                    if sw.ecr_tie_break == TieBreak::KeepTied {
                        let to = keep_ties(ranked, keep, when);
                        part.warnings.push(format!(
                            // plural: never one: a tie has two members at least
                            "repository {repo}, rulePriority {}: {} images were all {verb} at {at}, a genuine tie across the keep-{n} boundary; ECR's order between them is unspecified, so regscope keeps all of them (ecr.tie_break=keep_tied)",
                            rule.priority,
                            to - keep + 1,
                        ));
                        keep = to;
                    } else {
                        part.warnings.push(format!(
                            "repository {repo}, rulePriority {}: {} and {} were both {verb} at {at} and straddle the keep-{n} boundary; the tie is broken by {} (ecr.tie_break)",
                            rule.priority,
                            images[a].digest.short(),
                            images[b].digest.short(),
                            match sw.ecr_tie_break {
                                TieBreak::AsListed => "listing order",
                                _ => "digest ascending",
                            }
                        ));
                    }
                }
                for &p in &ranked[keep..] {
                    let src = sc.when[p as usize].as_ref().expect("ranked").1;
                    act(
                        part,
                        p,
                        Reason::Beyond {
                            keep: n,
                            of: s.len(),
                            by_created: src == TimeSource::Created,
                        },
                        src,
                    );
                }
                for &p in &s[known..] {
                    if let Err(why) = sc.when[p as usize] {
                        unknown(part, p, unknown_why("push", why));
                    }
                }
            }
            CountType::SinceImagePushed => {
                for &p in s {
                    let i = image_at(p);
                    let im = &images[i];
                    let (own, what) = match (im.activated_at, sw.ecr_restore_affects_since_pushed) {
                        (Some(a), true) => (Some(a), "restored from archive"),
                        _ => (im.pushed_at, "pushed"),
                    };
                    match self
                        .created
                        .resolve(images, self.g, i, own, TimeSource::Pushed)
                    {
                        Ok((t, src)) => {
                            let what = if src == TimeSource::Created {
                                "created"
                            } else {
                                what
                            };
                            if let Some(reason) = aged(t.timestamp(), what) {
                                act(part, p, reason, src);
                            }
                        }
                        Err(why) => unknown(part, p, unknown_why("push", why)),
                    }
                }
            }
            CountType::SinceImagePulled => {
                for &p in s {
                    match pull_reference(&images[image_at(p)]) {
                        (Some(t), what, src) => {
                            if let Some(reason) = aged(t.timestamp(), what) {
                                act(part, p, reason, src);
                            }
                        }
                        (None, _, _) => unknown(
                            part,
                            p,
                            "pull time unknown: the registry records neither pulls nor pushes; an age rule never acts on it".into(),
                        ),
                    }
                }
            }
            CountType::SinceImageTransitioned => {
                for &p in s {
                    match images[image_at(p)].archived_at {
                        Some(t) => {
                            if let Some(reason) = aged(t.timestamp(), "archived") {
                                act(part, p, reason, TimeSource::Archived);
                            }
                        }
                        None => unknown(
                            part,
                            p,
                            "archive time unknown: an age rule never acts on it".into(),
                        ),
                    }
                }
            }
        }
    }
}

/// Buffers reused from one repository to the next.
#[derive(Default)]
struct Scratch {
    order: Vec<Ranked>,
    when: Vec<When>,
    s: Vec<u32>,
    claimed: Vec<bool>,
    excluded: Vec<bool>,
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
/// last recorded pull, else the push (never pulled). "Never pulled" is a fact only where
/// the registry records pushes: without a push time the pull time is unknown.
fn pull_reference(im: &Image) -> (Option<DateTime<Utc>>, &'static str, TimeSource) {
    match (im.activated_at, im.last_pulled_at) {
        (Some(a), Some(p)) if p >= a => (Some(p), "last pulled", TimeSource::Pulled),
        (Some(a), _) => (
            Some(a),
            "restored from archive and not pulled since,",
            TimeSource::Pushed,
        ),
        (None, Some(p)) => (Some(p), "last pulled", TimeSource::Pulled),
        (None, None) => (im.pushed_at, "never pulled; pushed", TimeSource::Pushed),
    }
}
