//! Artifact Registry cleanup policies (lifecycle.md §2): a list of DELETE and KEEP
//! policies; a version is deleted when some DELETE condition matches and no KEEP policy
//! (condition or most-recent-versions) keeps it. KEEP always wins; there is no order.

use crate::model::Image;
use crate::policy::graph::digest_key;
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

fn version_time(im: &Image, key: RecencyKey) -> Option<DateTime<Utc>> {
    match key {
        RecencyKey::Created => im.pushed_at,
        RecencyKey::Updated => im.updated_at.or(im.pushed_at),
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
        let times: Vec<Option<DateTime<Utc>>> = images
            .iter()
            .map(|im| version_time(im, sw.gar_recency_key))
            .collect();
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
        let mut rank = vec![usize::MAX; images.len()];
        for v in by_pkg.values_mut() {
            v.sort_by(|&a, &b| {
                let ta = times[a].map(|t| t.timestamp()).unwrap_or(i64::MAX);
                let tb = times[b].map(|t| t.timestamp()).unwrap_or(i64::MAX);
                tb.cmp(&ta)
                    .then(digest_key(&images[a].digest).cmp(&digest_key(&images[b].digest)))
            });
            for (r, &i) in v.iter().enumerate() {
                rank[i] = r;
            }
        }
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
                        if (package_prefixes.is_empty() || starts_any(package, package_prefixes))
                            && rank[i] < *keep_count
                        {
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
            let age = times[i]
                .map(|t| format!(", uploaded {} ago", human_age(now, t)))
                .unwrap_or_default();
            ev.decisions.push(Decision {
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
        if unknown > 0 {
            ev.warnings.push(format!("{unknown} condition checks needed an upload time the inventory lacks; those versions were not matched"));
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
