//! `acr purge` (lifecycle.md §3): a file holding the purge arguments as a user writes them,
//! read as acr-cli reads them. Repository regexes are anchored ("^" + r + "$"), tag regexes
//! are searches, and the tag halves of every filter reaching a repository are joined with
//! `|` into one regex, as acr-cli's `CollectTagFilters` joins them; tags older than `--ago` are
//! untagged (the newest `--keep` of those survive); with `--untagged` the manifests left
//! without tags are deleted too. Locks are honoured unless `--include-locked`.

use crate::model::Image;
use crate::policy::graph::Graph;
use crate::policy::order_time::{keep_ties, TimeSource};
use crate::policy::time::human_age;
use crate::policy::{
    ActionKind, Decision, Evaluation, EvaluatorProtection, PolicyError, Reason, Switches,
};
use chrono::{DateTime, Duration, Utc};
use fancy_regex::Regex;
use std::collections::HashMap;

#[path = "acr_ago.rs"]
mod ago;
#[path = "acr_args.rs"]
mod args;
#[path = "acr_manifests.rs"]
mod manifests;
pub use ago::{parse_ago, Ago};
pub use args::split_filter;

#[derive(Clone, Debug)]
pub struct Filter {
    pub text: String,
    /// The tag half as written (joined with other filters' for one repository).
    pub tag_regex: String,
    /// `"^" + repository half + "$"`.
    pub repo: Regex,
    /// The tag half alone: which filter a tag is reported under (`None` with
    /// `--untagged-only`, which never reads it).
    pub tag: Option<Regex>,
}

#[derive(Clone, Debug)]
pub struct AcrPurge {
    pub filters: Vec<Filter>,
    pub ago: Option<Duration>,
    pub keep: usize,
    pub untagged: bool,
    pub untagged_only: bool,
    pub include_locked: bool,
    /// What the plan says about the arguments themselves (the 150-year cap).
    pub notes: Vec<String>,
    /// Flags given (with any value) that older acr-cli releases do not know.
    pub newer_flags: Vec<&'static str>,
}

fn locked_tag(im: &Image, tag: &str) -> bool {
    im.tag_details
        .iter()
        .flatten()
        .find(|t| t.name == tag)
        .is_some_and(|t| t.write_enabled == Some(false) || t.delete_enabled == Some(false))
}

fn locked_manifest(im: &Image) -> bool {
    im.locked
        .as_ref()
        .is_some_and(|l| !l.write_enabled || !l.delete_enabled)
}

/// A tag's lastUpdateTime; the manifest's when the registry lists no tag details at all.
/// A tag it lists without a time (ACR: the tag moved between the tag and manifest
/// listings, so it was updated just now) has an unknown time, not the manifest's.
fn tag_time(im: &Image, tag: &str) -> Option<DateTime<Utc>> {
    match &im.tag_details {
        Some(details) => details
            .iter()
            .find(|t| t.name == tag)
            .and_then(|t| t.last_update),
        None => im.updated_at,
    }
}

impl AcrPurge {
    pub fn parse(text: &str) -> Result<AcrPurge, PolicyError> {
        args::parse(text)
    }

    pub fn evaluate(&self, images: &[Image], now: DateTime<Utc>, sw: &Switches) -> Evaluation {
        let g = Graph::build(images);
        let mut ev = Evaluation::default();
        ev.warnings.extend(self.notes.iter().cloned());
        if let Some(w) = args::unknown_to(&self.newer_flags, sw.acr_cli_version) {
            ev.warnings.push(w);
            return ev;
        }
        let cutoff = self.ago.map(|a| now - a);
        let mut unknown_times: Vec<&str> = Vec::new();
        let groups = g.groups();
        let mut order: Vec<usize> = (0..g.repos.len()).collect();
        order.sort_by(|&a, &b| g.repos[a].cmp(&g.repos[b]));
        // acr-cli matches every repository against every filter before purging anything;
        // a regex that gives up (its timeout) stops the run with nothing done.
        let mut reach: Vec<Vec<&Filter>> = vec![Vec::new(); g.repos.len()];
        for &r in &order {
            for f in &self.filters {
                match f.repo.is_match(&g.repos[r]) {
                    Ok(true) => reach[r].push(f),
                    Ok(false) => {}
                    Err(e) => {
                        ev.warnings.push(format!(
                            "--filter {:?}: the repository regex gave up on {} ({e}); acr purge stops before purging anything when its regex times out, so this plan deletes nothing",
                            f.text, g.repos[r]
                        ));
                        return ev;
                    }
                }
            }
        }
        let mut joined: HashMap<String, Result<Regex, String>> = HashMap::new();
        'repos: for r in order {
            let repo = &g.repos[r];
            let filters = &reach[r];
            if filters.is_empty() && !(self.untagged_only && self.filters.is_empty()) {
                continue;
            }
            let group = &groups[r];
            let mut remaining: Vec<usize> = group
                .iter()
                .map(|&i| images[i as usize].tags.len())
                .collect();
            let mut untagged_now = vec![false; group.len()];
            if !self.untagged_only {
                // Tag pass: one regex of every filter's tag half reaching this repository.
                let text = filters
                    .iter()
                    .map(|f| f.tag_regex.as_str())
                    .collect::<Vec<_>>()
                    .join("|");
                let re = match joined
                    .entry(text.clone())
                    .or_insert_with(|| args::compile(&text))
                {
                    Ok(re) => re,
                    Err(e) => {
                        ev.warnings.push(format!(
                            "{repo}: the filters' tag regexes joined as {text:?} do not compile ({e}); acr purge stops here, so this plan purges no repository from {repo} on"
                        ));
                        break 'repos;
                    }
                };
                let mut elig: Vec<(DateTime<Utc>, &str, usize, &str)> = Vec::new();
                for (gi, &i) in group.iter().enumerate() {
                    let im = &images[i as usize];
                    for t in &im.tags {
                        match re.is_match(t) {
                            Ok(true) => {}
                            Ok(false) => continue,
                            Err(e) => {
                                ev.warnings.push(format!(
                                    "{repo}: the tag regex {text:?} gave up on tag {t} ({e}); acr purge stops at a regex timeout, so this plan purges no repository from {repo} on"
                                ));
                                break 'repos;
                            }
                        }
                        // Reported under the first filter whose own tag half matches.
                        let rule = filters
                            .iter()
                            .find(|f| {
                                f.tag
                                    .as_ref()
                                    .is_some_and(|r| r.is_match(t).unwrap_or(false))
                            })
                            .map_or(text.as_str(), |f| f.text.as_str());
                        // A tag's own update time has no stand-in: the image's creation
                        // says nothing of when a tag moved onto it.
                        let Some(tt) = tag_time(im, t) else {
                            if unknown_times.last() != Some(&repo.as_str()) {
                                unknown_times.push(repo);
                            }
                            continue;
                        };
                        if cutoff.is_some_and(|c| tt >= c) {
                            continue;
                        }
                        if !self.include_locked && locked_tag(im, t) {
                            ev.protected.push(EvaluatorProtection {
                                image: i as usize,
                                why: format!("tag {t} is locked; acr purge skips it"),
                            });
                            continue;
                        }
                        elig.push((tt, t.as_str(), gi, rule));
                    }
                }
                elig.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
                // Tags tied with the last kept one are kept too: ACR lists equal times in
                // no promised order, and tag names never decide which is newer.
                let keep = keep_ties(&elig, self.keep.min(elig.len()), |e| e.0.timestamp_micros());
                if keep > self.keep {
                    let edge = elig[keep - 1].0.timestamp_micros();
                    ev.warnings.push(format!(
                        // plural: never one: a tie has two members at least
                        "{repo}: {} tags were last updated at {}, a genuine tie across the --keep {} boundary; ACR's order between them is not defined, so regscope keeps all of them",
                        elig.iter().filter(|e| e.0.timestamp_micros() == edge).count(),
                        elig[keep - 1].0.to_rfc3339(),
                        self.keep
                    ));
                }
                for (tt, t, gi, rule) in elig.into_iter().skip(keep) {
                    let i = group[gi] as usize;
                    remaining[gi] -= 1;
                    untagged_now[gi] = true;
                    ev.decisions.push(Decision {
                        image: i,
                        action: ActionKind::Untag,
                        tag: Some(t.to_string()),
                        rule: rule.into(),
                        time_source: Some(TimeSource::Updated),
                        reason: Reason::Text(format!(
                            "tag updated {} ago, before the --ago cutoff{}",
                            human_age(now, tt),
                            if self.keep > 0 {
                                format!(", not among the {} newest eligible", self.keep)
                            } else {
                                String::new()
                            }
                        )),
                    });
                }
            }
            if self.untagged || self.untagged_only {
                self.manifest_pass(
                    images,
                    &g,
                    group,
                    &remaining,
                    &untagged_now,
                    cutoff,
                    now,
                    sw,
                    filters,
                    &mut ev,
                );
            }
        }
        if !unknown_times.is_empty() {
            ev.warnings.push(format!(
                "tag update times are unknown in {} (the registry records no lastUpdateTime, as ACR's metadata API does): --ago cannot select a tag there, so no tag of it is untagged",
                unknown_times.join(", ")
            ));
        }
        ev
    }
}

#[cfg(test)]
#[path = "acr_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "acr_cli_vectors.rs"]
mod cli_vectors;

#[cfg(test)]
#[path = "acr_cli_manifest_vectors.rs"]
mod cli_manifest_vectors;

#[cfg(test)]
#[path = "acr_cli_tag_vectors.rs"]
mod cli_tag_vectors;

#[cfg(test)]
#[path = "acr_cli_index_vectors.rs"]
mod cli_index_vectors;

#[cfg(test)]
#[path = "acr_cli_flag_vectors.rs"]
mod cli_flag_vectors;
