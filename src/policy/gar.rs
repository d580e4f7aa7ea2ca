//! Artifact Registry cleanup policies (lifecycle.md §2): a list of DELETE and KEEP
//! policies; a version is deleted when some DELETE condition matches and no KEEP policy
//! (condition or most-recent-versions) keeps it. KEEP always wins; there is no order.

use crate::model::Image;
use crate::policy::graph::{digest_key, Graph};
use crate::policy::order_time::{created_note, CreatedTimes, NotCredible, TimeSource};
use crate::policy::switches::{PackageRoot, RecencyKey};
use crate::policy::time::human_age;
use crate::policy::{ActionKind, Decision, Evaluation, EvaluatorProtection, Switches};
use chrono::{DateTime, Utc};
use std::collections::HashMap;

const MAX_POLICIES: usize = 10;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GarAction {
    Delete,
    Keep,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TagState {
    Any,
    Tagged,
    Untagged,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Condition {
    pub tag_state: TagState,
    pub tag_prefixes: Vec<String>,
    pub version_prefixes: Vec<String>,
    pub package_prefixes: Vec<String>,
    pub older_than_secs: Option<i64>,
    pub newer_than_secs: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Body {
    Condition(Condition),
    MostRecent {
        package_prefixes: Vec<String>,
        keep_count: usize,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GarRule {
    pub name: String,
    pub action: GarAction,
    pub body: Body,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GarPolicy {
    pub rules: Vec<GarRule>,
}

/// The registry's own time for a version: its upload (create) time, or its update time.
fn version_time(im: &Image, key: RecencyKey) -> (Option<DateTime<Utc>>, TimeSource) {
    match (key, im.updated_at) {
        (RecencyKey::Updated, Some(u)) => (Some(u), TimeSource::Updated),
        _ => (im.pushed_at, TimeSource::Pushed),
    }
}

fn starts_any(s: &str, ps: &[String]) -> bool {
    ps.iter().any(|p| s.starts_with(p.as_str()))
}

impl Condition {
    /// AND across fields, OR inside each list. `None` when the answer needs an unknown time.
    fn matches(
        &self,
        im: &Image,
        package: &str,
        t: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Option<bool> {
        let state_ok = match self.tag_state {
            TagState::Any => true,
            TagState::Tagged => !im.tags.is_empty(),
            TagState::Untagged => im.tags.is_empty(),
        };
        if !state_ok
            || (!self.tag_prefixes.is_empty()
                && !im.tags.iter().any(|t| starts_any(t, &self.tag_prefixes)))
            || (!self.version_prefixes.is_empty()
                && !starts_any(im.digest.as_str(), &self.version_prefixes))
            || (!self.package_prefixes.is_empty() && !starts_any(package, &self.package_prefixes))
        {
            return Some(false);
        }
        if self.older_than_secs.is_none() && self.newer_than_secs.is_none() {
            return Some(true);
        }
        let age = (now - t?).num_seconds();
        Some(
            self.older_than_secs.is_none_or(|o| age > o)
                && self.newer_than_secs.is_none_or(|n| age < n),
        )
    }
}

impl GarPolicy {
    pub fn evaluate(&self, images: &[Image], now: DateTime<Utc>, sw: &Switches) -> Evaluation {
        let mut ev = Evaluation::default();
        if !self.rules.iter().any(|r| r.action == GarAction::Delete) {
            ev.warnings
                .push("no Delete policy: Keep policies on their own delete nothing".into());
        }
        let g = Graph::build(images);
        let created = CreatedTimes::new(images, &g, now);
        // Where the registry recorded no time, a credible `created` stands in; else unknown.
        let when: Vec<Result<(DateTime<Utc>, TimeSource), NotCredible>> = images
            .iter()
            .enumerate()
            .map(|(i, im)| {
                let (own, src) = version_time(im, sw.gar_recency_key);
                created.resolve(images, &g, i, own, src)
            })
            .collect();
        let times: Vec<Option<DateTime<Utc>>> =
            when.iter().map(|w| w.as_ref().ok().map(|x| x.0)).collect();
        // The package is the image path inside the Artifact Registry repository
        // (`PROJECT/REPOSITORY/team/app` -> `team/app`); prefixes match that. Ranking for
        // mostRecentVersions is per package of each repository: per full path.
        let root = sw.gar_package_root.resolve("");
        if sw.gar_package_root == PackageRoot::Auto {
            ev.warnings.push(
                "gar.package_root was not settled for a registry; the whole repository path is taken as the package name".into(),
            );
        }
        let mut by_pkg: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, im) in images.iter().enumerate() {
            if sw.gar_untagged_counts_in_keepcount || !im.tags.is_empty() {
                by_pkg.entry(im.repository.as_str()).or_default().push(i);
            }
        }
        // Rank per package among the versions whose time is known (an unknown time takes
        // no slot and is never ranked out). Equal times share the rank of the first of
        // them: a tie at the keepCount boundary keeps every tied version, so digest order
        // never decides which is newer.
        let mut rank = vec![usize::MAX; images.len()];
        for v in by_pkg.values_mut() {
            v.retain(|&i| times[i].is_some());
            v.sort_by(|&a, &b| {
                times[b]
                    .cmp(&times[a])
                    .then(digest_key(&images[a].digest).cmp(&digest_key(&images[b].digest)))
            });
            for (r, &i) in v.iter().enumerate() {
                rank[i] = match r {
                    0 => 0,
                    _ if times[v[r - 1]] == times[i] => rank[v[r - 1]],
                    _ => r,
                };
            }
        }
        let ranked_by_created = by_pkg
            .values()
            .flatten()
            .filter(|&&i| matches!(when[i], Ok((_, TimeSource::Created))))
            .count();
        if ranked_by_created > 0 {
            for r in &self.rules {
                if matches!(r.body, Body::MostRecent { .. }) {
                    ev.warnings.push(created_note(
                        &format!("Keep policy {:?}", r.name),
                        true,
                        "upload",
                        ranked_by_created,
                    ));
                }
            }
        }
        let mut by_created = 0usize;
        let mut unknown = 0;
        for (i, im) in images.iter().enumerate() {
            let package = PackageRoot::package(root, &im.repository);
            let mut deleters = Vec::new();
            let mut keepers = Vec::new();
            for r in &self.rules {
                match (&r.body, r.action) {
                    (Body::Condition(c), a) => match c.matches(im, package, times[i], now) {
                        Some(true) if a == GarAction::Delete => deleters.push(r),
                        Some(true) => keepers.push(format!("Keep policy {:?} matches", r.name)),
                        Some(false) => {}
                        None => unknown += 1,
                    },
                    (
                        Body::MostRecent {
                            package_prefixes,
                            keep_count,
                        },
                        _,
                    ) => {
                        let applies =
                            package_prefixes.is_empty() || starts_any(package, package_prefixes);
                        if applies && times[i].is_none() && *keep_count > 0 {
                            keepers.push(format!(
                                "Keep policy {:?}: upload time unknown, so whether it is among the {} most recent of package {} cannot be told",
                                r.name, keep_count, package
                            ));
                        } else if applies && rank[i] < *keep_count {
                            keepers.push(format!(
                                "Keep policy {:?}: #{} most recent of package {}",
                                r.name,
                                rank[i] + 1,
                                package
                            ));
                        }
                    }
                }
            }
            if deleters.is_empty() {
                continue;
            }
            if !keepers.is_empty() {
                ev.protected.push(EvaluatorProtection {
                    image: i,
                    why: format!("{} (Keep beats Delete)", keepers.join("; ")),
                });
                continue;
            }
            // Which time decided: the one an age condition of a deleting policy read.
            let aged = deleters.iter().any(|r| {
                matches!(&r.body, Body::Condition(c) if c.older_than_secs.is_some() || c.newer_than_secs.is_some())
            });
            let source = when[i].as_ref().ok().map(|x| x.1).filter(|_| aged);
            by_created += (source == Some(TimeSource::Created)) as usize;
            let age = times[i]
                .map(|t| {
                    let verb = match when[i].as_ref().map(|x| x.1) {
                        Ok(TimeSource::Created) => "created",
                        Ok(TimeSource::Updated) => "updated",
                        _ => "uploaded",
                    };
                    format!(", {verb} {} ago", human_age(now, t))
                })
                .unwrap_or_default();
            ev.decisions.push(Decision {
                time_source: source,
                image: i,
                action: ActionKind::Delete,
                tag: None,
                rule: deleters
                    .iter()
                    .map(|r| r.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
                    .into(),
                reason: format!("Delete condition matches{age}; no Keep policy keeps it").into(),
            });
        }
        if by_created > 0 {
            ev.warnings.push(created_note(
                "olderThan/newerThan",
                false,
                "upload",
                by_created,
            ));
        }
        if unknown > 0 {
            ev.warnings.push(format!("{unknown} condition checks needed an upload time that is unknown (the registry records none and the image's creation time is missing or not credible); those versions were not matched, never deleted by age"));
        }
        ev
    }
}

#[path = "gar_parse.rs"]
mod parse;
pub use parse::parse_duration;

#[cfg(test)]
#[path = "gar_tests.rs"]
mod tests;
