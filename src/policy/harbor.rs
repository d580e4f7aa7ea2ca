//! Harbor tag retention (lifecycle.md §4): rules say what to *retain*; in every repository
//! a rule applies to, every candidate artifact no rule retains is deleted. Selectors are
//! doublestar patterns; repository patterns see the path without the project.

use super::doublestar;
use crate::model::Image;
use crate::policy::graph::{digest_key, Graph};
use crate::policy::order_time::{
    created_note, keep_ties, unknown_why, CreatedTimes, NotCredible, TimeSource,
};
use crate::policy::switches::TieBreak;
use crate::policy::{ActionKind, Decision, Evaluation, EvaluatorProtection, PolicyError, Switches};
use chrono::{DateTime, Utc};
use serde_json::Value;

const MAX_RULES: usize = 15;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Template {
    LatestPushedK,
    LatestPulledN,
    NDaysSinceLastPush,
    NDaysSinceLastPull,
    Always,
    LatestActiveK,
    LastXDays,
}

impl Template {
    fn parse(s: &str) -> Option<Template> {
        Some(match s {
            "latestPushedK" => Template::LatestPushedK,
            "latestPulledN" => Template::LatestPulledN,
            "nDaysSinceLastPush" => Template::NDaysSinceLastPush,
            "nDaysSinceLastPull" => Template::NDaysSinceLastPull,
            "always" => Template::Always,
            "latestActiveK" => Template::LatestActiveK,
            "lastXDays" => Template::LastXDays,
            _ => return None,
        })
    }
    fn is_days(self) -> bool {
        matches!(
            self,
            Template::NDaysSinceLastPush | Template::NDaysSinceLastPull | Template::LastXDays
        )
    }
}

/// What a doublestar selector reads (Harbor `selectors/doublestar/selector.go`). Harbor's
/// selector index accepts all six in either list, so a tag decoration in a repository
/// selector is legal: a repository has no tags, and the `untagged` flag decides.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decoration {
    Matches,
    Excludes,
    RepoMatches,
    RepoExcludes,
    NsMatches,
    NsExcludes,
}

impl Decoration {
    pub const NAMES: [(&'static str, Decoration); 6] = [
        ("matches", Decoration::Matches),
        ("excludes", Decoration::Excludes),
        ("repoMatches", Decoration::RepoMatches),
        ("repoExcludes", Decoration::RepoExcludes),
        ("nsMatches", Decoration::NsMatches),
        ("nsExcludes", Decoration::NsExcludes),
    ];
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Selector {
    pub decoration: Decoration,
    pub pattern: String,
    /// `pattern` compiled once for every name it is matched against.
    pub glob: doublestar::Pattern,
    /// Whether an untagged candidate is selected by `matches` (and rejected by
    /// `excludes`): Harbor's default is true except for `excludes`, and `extras`
    /// that decode replace it (`{}` makes it false).
    pub untagged: bool,
}

impl Selector {
    /// Harbor's `Select` for one candidate: the project (`namespace`), the repository
    /// path inside it and the artifact's tags (none for a repository candidate).
    pub fn selects(&self, namespace: &str, repository: &str, tags: &[String]) -> bool {
        let hit = |v: &str| self.pattern.is_empty() || self.glob.matches(v);
        match self.decoration {
            Decoration::Matches if tags.is_empty() => self.untagged,
            Decoration::Matches => tags.iter().any(|t| hit(t)),
            Decoration::Excludes if tags.is_empty() => !self.untagged,
            Decoration::Excludes => tags.iter().any(|t| !hit(t)),
            // Harbor skips an empty name rather than matching it.
            Decoration::RepoMatches => !repository.is_empty() && hit(repository),
            Decoration::RepoExcludes => !repository.is_empty() && !hit(repository),
            Decoration::NsMatches => !namespace.is_empty() && hit(namespace),
            Decoration::NsExcludes => !namespace.is_empty() && !hit(namespace),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HarborRule {
    pub id: String,
    pub template: Template,
    pub template_name: String,
    pub param: i64,
    pub tag_selectors: Vec<Selector>,
    pub repo_selectors: Vec<Selector>,
    /// Why `param` is not the policy's value: Harbor's template falls back to its default
    /// for a negative or non-numeric parameter it does not validate.
    pub param_note: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HarborPolicy {
    pub rules: Vec<HarborRule>,
}

/// Harbor's `utils.ParseRepository`: project and the path inside it (`lib/team/app` ->
/// (`lib`, `team/app`)); a name without `/` has no project.
fn split_repository(repo: &str) -> (&str, &str) {
    let repo = repo.trim_matches('/');
    repo.split_once('/').unwrap_or(("", repo))
}

fn repo_selected(rule: &HarborRule, repo: &str) -> bool {
    let (ns, path) = split_repository(repo);
    // Harbor filters the repositories through each selector in turn (AND).
    rule.repo_selectors.iter().all(|s| s.selects(ns, path, &[]))
}

/// Go's zero `time.Time` in Unix seconds (`0001-01-01T00:00:00Z`): Harbor's PulledTime
/// of an artifact never pulled. It sorts last and is older than any cutoff.
pub const GO_ZERO_UNIX: i64 = -62_135_596_800;

/// The most days Go's `time.Duration` (int64 nanoseconds) holds; for more, Harbor's
/// `time.Duration(-24*n) * time.Hour` wraps around (docs/decisions.md, Harbor day counts).
pub const GO_MAX_DAYS: i64 = 106_751;

/// Harbor's `time.Now().Add(time.Duration(-24*n) * time.Hour).Unix()` with Go's wrapping
/// int64 arithmetic, so a day count past GO_MAX_DAYS lands where Harbor's does.
pub fn go_cutoff(now: DateTime<Utc>, days: i64) -> i64 {
    const NS: i64 = 1_000_000_000;
    let d = days.wrapping_mul(-24).wrapping_mul(3_600 * NS);
    let mut sec = now.timestamp() + d / NS;
    let nsec = i64::from(now.timestamp_subsec_nanos().min(999_999_999)) + d % NS;
    if nsec >= NS {
        sec += 1;
    } else if nsec < 0 {
        sec -= 1;
    }
    sec
}

/// PushedTime / PulledTime as Harbor keeps them: the max of the artifact's and every
/// tag's; `None` where nothing recorded one.
fn registry_times(im: &Image) -> (Option<DateTime<Utc>>, Option<DateTime<Utc>>) {
    let mut push = im.pushed_at;
    let mut pull = im.last_pulled_at;
    for t in im.tag_details.iter().flatten() {
        push = push.max(t.pushed_at);
        pull = pull.max(t.pulled_at);
    }
    (push, pull)
}

/// An artifact's times as the templates read them: seconds, and where they came from.
#[derive(Clone, Copy, Debug)]
struct Times {
    /// PushedTime, or the credible `created` where the registry recorded no push.
    push: Result<(i64, TimeSource), NotCredible>,
    /// PulledTime; `Some(0)` is "never pulled", known only where the registry records
    /// pushes (Harbor does); `None` is unknown.
    pull: Option<i64>,
}

impl Times {
    /// The key `template` orders or ages by, or `None` when it is unknown.
    fn key(&self, template: Template) -> Option<(i64, TimeSource)> {
        let push = self.push.ok();
        match template {
            Template::LatestPulledN | Template::NDaysSinceLastPull => {
                self.pull.map(|p| (p, TimeSource::Pulled))
            }
            Template::LatestActiveK => {
                let (t, s) = push?;
                let p = self.pull?;
                Some(if p > t {
                    (p, TimeSource::Pulled)
                } else {
                    (t, s)
                })
            }
            _ => push,
        }
    }
}

impl HarborPolicy {
    pub fn evaluate(&self, images: &[Image], now: DateTime<Utc>, sw: &Switches) -> Evaluation {
        let g = Graph::build(images);
        let mut ev = Evaluation {
            children_follow_index: true,
            ..Default::default()
        };
        let created = CreatedTimes::new(images, &g, now);
        let t: Vec<Times> = images
            .iter()
            .enumerate()
            .map(|(i, im)| {
                let (push, pull) = registry_times(im);
                Times {
                    push: created
                        .resolve(images, &g, i, push, TimeSource::Pushed)
                        .map(|(t, s)| (t.timestamp(), s)),
                    pull: match (pull, push) {
                        (Some(p), _) => Some(p.timestamp()),
                        (None, Some(_)) => Some(GO_ZERO_UNIX),
                        (None, None) => None,
                    },
                }
            })
            .collect();
        let mut by_created = vec![0usize; self.rules.len()];
        let mut unknown = vec![0usize; self.rules.len()];
        self.rule_warnings(now, &mut ev.warnings);
        for (r, group) in g.groups().into_iter().enumerate() {
            let repo = &g.repos[r];
            // Harbor's OR processor keeps an evaluator only with tag selectors: a rule
            // without any retains nothing, and a repository only such rules reach is
            // left alone (no evaluator ran, so its performer never runs).
            let applying: Vec<(usize, &HarborRule)> = self
                .rules
                .iter()
                .enumerate()
                .filter(|(_, rule)| !rule.tag_selectors.is_empty() && repo_selected(rule, repo))
                .collect();
            if applying.is_empty() {
                continue;
            }
            let (ns, path) = split_repository(repo);
            // Candidates: tagged artifacts, and untagged ones nothing references; never accessories.
            let cand: Vec<usize> = group
                .iter()
                .map(|&i| i as usize)
                .filter(|&i| {
                    images[i].subject.is_none()
                        && (!images[i].tags.is_empty() || g.parents(i).is_empty())
                })
                .collect();
            let mut retained = vec![false; images.len()];
            // Why a selected artifact could not be judged by a time rule (time unknown).
            let mut unjudged: std::collections::HashMap<usize, String> = Default::default();
            // The time a rule that selected the artifact read, for the deletion.
            let mut source: std::collections::HashMap<usize, TimeSource> = Default::default();
            for &(k, rule) in &applying {
                let sel: Vec<usize> = cand
                    .iter()
                    .copied()
                    .filter(|&i| {
                        rule.tag_selectors
                            .iter()
                            .all(|s| s.selects(ns, path, &images[i].tags))
                    })
                    .collect();
                if rule.template == Template::Always {
                    sel.iter().for_each(|&i| retained[i] = true);
                    continue;
                }
                // A time rule cannot judge an artifact whose time is unknown: it keeps it.
                let mut known: Vec<(usize, i64)> = Vec::with_capacity(sel.len());
                for &i in &sel {
                    match t[i].key(rule.template) {
                        Some((key, src)) => {
                            known.push((i, key));
                            source.entry(i).or_insert(src);
                            by_created[k] += (src == TimeSource::Created) as usize;
                        }
                        None => {
                            unknown[k] += 1;
                            let what = match rule.template {
                                Template::LatestPulledN | Template::NDaysSinceLastPull => "pull",
                                _ => "push",
                            };
                            let why = match t[i].push {
                                Err(why) if what == "push" => unknown_why("push", why),
                                _ => format!("{what} time unknown: the registry records no push or pull times; a {} rule never deletes it", rule.template_name),
                            };
                            unjudged.entry(i).or_insert(why);
                        }
                    }
                }
                let k_param = rule.param.max(0) as usize;
                match rule.template {
                    Template::Always => {}
                    Template::LatestPushedK | Template::LatestPulledN | Template::LatestActiveK => {
                        known.sort_by(|a, b| {
                            b.1.cmp(&a.1).then(match sw.harbor_tie_break {
                                TieBreak::AsListed => a.0.cmp(&b.0),
                                _ => digest_key(&images[a.0].digest)
                                    .cmp(&digest_key(&images[b.0].digest)),
                            })
                        });
                        let mut keep = k_param.min(known.len());
                        if keep > 0 && keep < known.len() && known[keep - 1].1 == known[keep].1 {
                            if sw.harbor_tie_break == TieBreak::KeepTied {
                                let to = keep_ties(&known, keep, |x| x.1);
                                ev.warnings.push(format!(
                                    // plural: never one: a tie has two members at least
                                    "repository {repo}, {}: {} artifacts have the same time, a genuine tie across the keep-{k_param} boundary; Harbor's order is arbitrary, so regscope keeps all of them (harbor.tie_break=keep_tied)",
                                    rule.id,
                                    to - keep + 1
                                ));
                                keep = to;
                            } else {
                                ev.warnings.push(format!(
                                    "repository {repo}, {}: artifacts with equal times straddle the keep-{k_param} boundary; Harbor's order is arbitrary, regscope breaks the tie by {} (harbor.tie_break)",
                                    rule.id,
                                    if sw.harbor_tie_break == TieBreak::AsListed { "listing order" } else { "digest" }
                                ));
                            }
                        }
                        known
                            .iter()
                            .take(keep)
                            .for_each(|&(i, _)| retained[i] = true);
                    }
                    Template::NDaysSinceLastPush
                    | Template::NDaysSinceLastPull
                    | Template::LastXDays => {
                        // daysps/dayspl: `t >= minTime` (inclusive); lastx:
                        // `time.Unix(t, 0).After(cutoff)` (strict).
                        let strict = rule.template == Template::LastXDays;
                        let within =
                            |key: i64, since: i64| key > since || (!strict && key == since);
                        let since = go_cutoff(now, rule.param);
                        // The cutoff as written, where Harbor's wraps (GO_MAX_DAYS): what it
                        // drops but the written window holds, regscope keeps (decisions.md).
                        let written = now
                            .timestamp()
                            .saturating_sub(rule.param.saturating_mul(86_400));
                        for &(i, key) in &known {
                            if within(key, since) {
                                retained[i] = true;
                            } else if rule.param > GO_MAX_DAYS && within(key, written) {
                                unjudged.entry(i).or_insert_with(|| {
                                    format!(
                                        "{}: Harbor deletes it ({} overflow Go's time.Duration, so Harbor's cutoff wraps around); it is within the days as written, so regscope keeps it",
                                        rule.id,
                                        crate::text::count(rule.param, "day")
                                    )
                                });
                            }
                        }
                    }
                }
            }
            let considered: std::sync::Arc<str> = applying
                .iter()
                .map(|(_, r)| r.id.as_str())
                .collect::<Vec<_>>()
                .join("; ")
                .into();
            for &i in &cand {
                if retained[i] {
                    continue;
                }
                if let Some(why) = unjudged.remove(&i) {
                    ev.protected.push(EvaluatorProtection { image: i, why });
                    continue;
                }
                if images[i].locked.as_ref().is_some_and(|l| !l.write_enabled) {
                    ev.protected.push(EvaluatorProtection {
                        image: i,
                        why: "IMMUTABLE: matches a tag immutability rule; Harbor keeps it".into(),
                    });
                    continue;
                }
                ev.decisions.push(Decision {
                    image: i,
                    action: ActionKind::Delete,
                    tag: None,
                    rule: considered.clone(),
                    reason: "retained by no rule (Harbor deletes everything a rule does not retain in the repositories it covers)".into(),
                    time_source: source.get(&i).copied(),
                });
            }
        }
        for (k, rule) in self.rules.iter().enumerate() {
            if by_created[k] > 0 {
                let ordered = matches!(
                    rule.template,
                    Template::LatestPushedK | Template::LatestActiveK
                );
                ev.warnings
                    .push(created_note(&rule.id, ordered, "push", by_created[k]));
            }
            if unknown[k] > 0 {
                ev.warnings.push(format!(
                    "{}: {} {} no known time for {}; {} kept, never deleted by it",
                    rule.id,
                    crate::text::count(unknown[k], "artifact"),
                    crate::text::plural(unknown[k], "has", "have"),
                    rule.template_name,
                    crate::text::plural(unknown[k], "it is", "they are")
                ));
            }
        }
        ev
    }

    /// What the policy does that a reader would not expect, said once per rule.
    fn rule_warnings(&self, now: DateTime<Utc>, out: &mut Vec<String>) {
        for rule in &self.rules {
            if rule.tag_selectors.is_empty() {
                out.push(format!(
                    "{}: no tag selectors; Harbor's OR processor skips a rule without them, so it retains nothing",
                    rule.id
                ));
            }
            if let Some(note) = &rule.param_note {
                out.push(format!("{}: {note}", rule.id));
            }
            if rule.template.is_days() && rule.param > GO_MAX_DAYS {
                let cutoff = DateTime::<Utc>::from_timestamp(go_cutoff(now, rule.param), 0)
                    .map(|t| t.format("%Y-%m-%d %H:%M:%S UTC").to_string())
                    .unwrap_or_else(|| "out of range".into());
                out.push(format!(
                    // plural: never one (GO_MAX_DAYS is 106,751)
                    "{}: {} is more than Go's time.Duration holds ({GO_MAX_DAYS} days); Harbor's cutoff wraps around to {cutoff}: what Harbor deletes by it but the days as written keep, regscope keeps and lists as protected",
                    rule.id,
                    crate::text::count(rule.param, "day")
                ));
            }
        }
    }
}

#[path = "harbor_parse.rs"]
mod parse;

#[cfg(test)]
#[path = "harbor_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "harbor_vectors.rs"]
mod vectors;

#[cfg(test)]
#[path = "harbor_vectors_scope.rs"]
mod vectors_scope;
