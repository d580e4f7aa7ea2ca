//! Harbor tag retention (lifecycle.md §4): rules say what to *retain*; in every repository
//! a rule applies to, every candidate artifact no rule retains is deleted. Selectors are
//! doublestar patterns; repository patterns see the path without the project.

use super::doublestar;
use crate::model::Image;
use crate::policy::graph::{digest_key, Graph};
use crate::policy::switches::TieBreak;
use crate::policy::time::DAY;
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

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Selector {
    pub matches: bool,
    pub pattern: String,
    /// `extras.untagged`; `None` when `extras` is absent (legacy: untagged always selected).
    pub untagged: Option<bool>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HarborRule {
    pub id: String,
    pub template: Template,
    pub template_name: String,
    pub param: i64,
    pub tag_selectors: Vec<Selector>,
    pub repo_selectors: Vec<Selector>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HarborPolicy {
    pub rules: Vec<HarborRule>,
}

/// Repository path without the project (`lib/team/app` -> `team/app`).
fn repo_in_project(repo: &str) -> &str {
    repo.split_once('/').map(|(_, r)| r).unwrap_or(repo)
}

fn repo_selected(rule: &HarborRule, repo: &str) -> bool {
    let path = repo_in_project(repo);
    rule.repo_selectors.iter().all(|s| {
        let hit = s.pattern.is_empty() || doublestar::matches(&s.pattern, path);
        hit == s.matches
    })
}

fn tag_selected(s: &Selector, im: &Image) -> bool {
    let hit = |t: &str| s.pattern.is_empty() || doublestar::matches(&s.pattern, t);
    if im.tags.is_empty() {
        return match s.untagged {
            None => true,
            Some(u) => u == s.matches,
        };
    }
    if s.matches {
        im.tags.iter().any(|t| hit(t))
    } else {
        im.tags.iter().any(|t| !hit(t))
    }
}

/// PushedTime / PulledTime: max of the artifact's and every tag's; never is 0.
fn times(im: &Image) -> (i64, i64) {
    let mut push = im.pushed_at.map(|t| t.timestamp()).unwrap_or(0);
    let mut pull = im.last_pulled_at.map(|t| t.timestamp()).unwrap_or(0);
    for t in im.tag_details.iter().flatten() {
        push = push.max(t.pushed_at.map(|x| x.timestamp()).unwrap_or(0));
        pull = pull.max(t.pulled_at.map(|x| x.timestamp()).unwrap_or(0));
    }
    (push, pull)
}

impl HarborPolicy {
    pub fn evaluate(&self, images: &[Image], now: DateTime<Utc>, sw: &Switches) -> Evaluation {
        let g = Graph::build(images);
        let mut ev = Evaluation {
            children_follow_index: true,
            ..Default::default()
        };
        let now_s = now.timestamp();
        let t: Vec<(i64, i64)> = images.iter().map(times).collect();
        for (r, group) in g.groups().into_iter().enumerate() {
            let repo = &g.repos[r];
            let applying: Vec<&HarborRule> = self
                .rules
                .iter()
                .filter(|rule| repo_selected(rule, repo))
                .collect();
            if applying.is_empty() {
                continue;
            }
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
            for rule in &applying {
                let mut sel: Vec<usize> = cand
                    .iter()
                    .copied()
                    .filter(|&i| {
                        rule.tag_selectors
                            .iter()
                            .all(|s| tag_selected(s, &images[i]))
                    })
                    .collect();
                let key = |i: usize| match rule.template {
                    Template::LatestPulledN | Template::NDaysSinceLastPull => t[i].1,
                    Template::LatestActiveK => t[i].0.max(t[i].1),
                    _ => t[i].0,
                };
                let k = rule.param.max(0) as usize;
                match rule.template {
                    Template::Always => sel.iter().for_each(|&i| retained[i] = true),
                    Template::LatestPushedK | Template::LatestPulledN | Template::LatestActiveK => {
                        sel.sort_by(|&a, &b| {
                            key(b).cmp(&key(a)).then(match sw.harbor_tie_break {
                                TieBreak::DigestAscending => digest_key(&images[a].digest)
                                    .cmp(&digest_key(&images[b].digest)),
                                TieBreak::AsListed => a.cmp(&b),
                            })
                        });
                        if k > 0 && k < sel.len() && key(sel[k - 1]) == key(sel[k]) {
                            ev.warnings.push(format!(
                                "repository {repo}, {}: artifacts with equal times straddle the keep-{k} boundary; Harbor's order is arbitrary, regscope breaks the tie by digest",
                                rule.id
                            ));
                        }
                        sel.iter().take(k).for_each(|&i| retained[i] = true);
                    }
                    Template::NDaysSinceLastPush | Template::NDaysSinceLastPull => {
                        let since = now_s - rule.param * DAY;
                        sel.iter()
                            .filter(|&&i| key(i) >= since && key(i) > 0)
                            .for_each(|&i| retained[i] = true);
                    }
                    Template::LastXDays => {
                        let since = now_s - rule.param * DAY;
                        sel.iter()
                            .filter(|&&i| key(i) > since)
                            .for_each(|&i| retained[i] = true);
                    }
                }
            }
            let considered: std::sync::Arc<str> = applying
                .iter()
                .map(|r| r.id.as_str())
                .collect::<Vec<_>>()
                .join("; ")
                .into();
            for &i in &cand {
                if retained[i] {
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
                });
            }
        }
        ev
    }
}

#[path = "harbor_parse.rs"]
mod parse;

#[cfg(test)]
#[path = "harbor_tests.rs"]
mod tests;
