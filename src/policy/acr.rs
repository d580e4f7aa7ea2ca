//! `acr purge` (lifecycle.md §3): a file holding the purge arguments as a user writes them,
//! read as acr-cli reads them. Repository regexes are anchored ("^" + r + "$"), tag regexes
//! are searches, and the tag halves of every filter reaching a repository are joined with
//! `|` into one regex, as acr-cli's `CollectTagFilters` joins them; tags older than `--ago` are
//! untagged (the newest `--keep` of those survive); with `--untagged` the manifests left
//! without tags are deleted too. Locks are honoured unless `--include-locked`.

use crate::model::Image;
use crate::policy::graph::{digest_key, Graph};
use crate::policy::order_time::{keep_ties, unknown_why, CreatedTimes, TimeSource};
use crate::policy::switches::AcrCliVersion;
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

/// A tag's lastUpdateTime; the manifest's when the registry gave no per-tag time.
fn tag_time(im: &Image, tag: &str) -> Option<DateTime<Utc>> {
    im.tag_details
        .iter()
        .flatten()
        .find(|t| t.name == tag)
        .and_then(|t| t.last_update)
        .or(im.updated_at)
}

impl AcrPurge {
    pub fn parse(text: &str) -> Result<AcrPurge, PolicyError> {
        args::parse(text)
    }

    pub fn evaluate(&self, images: &[Image], now: DateTime<Utc>, sw: &Switches) -> Evaluation {
        let g = Graph::build(images);
        let mut ev = Evaluation::default();
        ev.warnings.extend(self.notes.iter().cloned());
        let cutoff = self.ago.map(|a| now - a);
        let created = CreatedTimes::new(images, &g, now);
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
                    &created,
                    &mut ev,
                );
            }
        }
        let by_created = ev
            .decisions
            .iter()
            .filter(|d| d.time_source == Some(TimeSource::Created))
            .count();
        if by_created > 0 {
            ev.warnings.push(crate::policy::order_time::created_note(
                "--untagged",
                false,
                "manifest update",
                by_created,
            ));
        }
        if !unknown_times.is_empty() {
            ev.warnings.push(format!(
                "tag update times are unknown in {} (the registry records no lastUpdateTime, as ACR's metadata API does): --ago cannot select a tag there, so no tag of it is untagged",
                unknown_times.join(", ")
            ));
        }
        ev
    }

    #[allow(clippy::too_many_arguments)]
    fn manifest_pass(
        &self,
        images: &[Image],
        g: &Graph,
        group: &[u32],
        remaining: &[usize],
        untagged_now: &[bool],
        cutoff: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
        sw: &Switches,
        filters: &[&Filter],
        created: &CreatedTimes,
        ev: &mut Evaluation,
    ) {
        let age_applies = sw.acr_cli_version != AcrCliVersion::Before017;
        // A manifest's lastUpdateTime, else its credible creation time; else unknown.
        let when =
            |i: usize| created.resolve(images, g, i, images[i].updated_at, TimeSource::Updated);
        let mut dangling: Vec<usize> = Vec::new();
        for (gi, &i) in group.iter().enumerate() {
            let im = &images[i as usize];
            if remaining[gi] > 0 || im.subject.is_some() || im.media_type.is_empty() {
                continue;
            }
            if !self.include_locked && locked_manifest(im) {
                ev.protected.push(EvaluatorProtection {
                    image: i as usize,
                    why: "manifest is locked; acr purge skips it".into(),
                });
                continue;
            }
            if age_applies {
                if let Some(c) = cutoff {
                    let refreshed = sw.acr_untag_refreshes_manifest_time && untagged_now[gi];
                    match when(i as usize) {
                        Ok((t, _)) if t <= c && !refreshed => {}
                        Ok(_) => continue,
                        Err(why) => {
                            ev.protected.push(EvaluatorProtection {
                                image: i as usize,
                                why: unknown_why("update", why),
                            });
                            continue;
                        }
                    }
                }
            }
            dangling.push(gi);
        }
        // Children (recursively) of any index that stays are not dangling.
        let gone: std::collections::HashSet<usize> =
            dangling.iter().map(|&gi| group[gi] as usize).collect();
        let mut protected_child = vec![false; images.len()];
        let mut stack: Vec<usize> = group
            .iter()
            .map(|&i| i as usize)
            .filter(|i| !gone.contains(i) && !images[*i].children.is_empty())
            .collect();
        while let Some(p) = stack.pop() {
            if locked_manifest(&images[p]) && !self.include_locked {
                // acr-cli skips a locked manifest before looking at its children.
                ev.warnings.push(format!(
                    "{}: index {} is locked, and acr purge does not protect its untagged children; regscope protects them anyway",
                    images[p].repository,
                    images[p].digest.short()
                ));
                continue;
            }
            for c in &images[p].children {
                if let Some(ci) = g.lookup(g.repo[p], c) {
                    if !protected_child[ci] {
                        protected_child[ci] = true;
                        stack.push(ci);
                    }
                }
            }
        }
        dangling.retain(|&gi| !protected_child[group[gi] as usize]);
        if self.keep > 0 && sw.acr_cli_version == AcrCliVersion::V019 {
            // --keep ranks by time; a manifest whose time is unknown cannot be ranked out.
            dangling.retain(|&gi| {
                let i = group[gi] as usize;
                match when(i) {
                    Ok(_) => true,
                    Err(why) => {
                        ev.protected.push(EvaluatorProtection {
                            image: i,
                            why: unknown_why("update", why),
                        });
                        false
                    }
                }
            });
            let t = |gi: usize| when(group[gi] as usize).map(|x| x.0).ok();
            dangling.sort_by(|&a, &b| {
                let (ia, ib) = (&images[group[a] as usize], &images[group[b] as usize]);
                t(b).cmp(&t(a))
                    .then(digest_key(&ia.digest).cmp(&digest_key(&ib.digest)))
            });
            // Manifests tied with the last kept one are kept too: digest order never
            // decides which is newer.
            let keep = keep_ties(&dangling, self.keep.min(dangling.len()), |&gi| {
                t(gi).map(|x| x.timestamp()).unwrap_or(0)
            });
            dangling.drain(..keep);
        }
        let rule: std::sync::Arc<str> = filters
            .first()
            .map(|f| f.text.as_str())
            .unwrap_or("--untagged-only")
            .into();
        for gi in dangling {
            let i = group[gi] as usize;
            let aged = age_applies && (cutoff.is_some() || self.keep > 0);
            let w = when(i).ok();
            let when_text = w
                .map(|(t, s)| {
                    let verb = if s == TimeSource::Created {
                        "created"
                    } else {
                        "updated"
                    };
                    format!("; manifest {verb} {} ago", human_age(now, t))
                })
                .unwrap_or_default();
            ev.decisions.push(Decision {
                time_source: w.map(|x| x.1).filter(|_| aged),
                image: i,
                action: ActionKind::Delete,
                tag: None,
                rule: rule.clone(),
                reason: Reason::Text(format!(
                    "{} no tags{when_text}",
                    if untagged_now[gi] { "left with" } else { "has" }
                )),
            });
        }
    }
}

#[cfg(test)]
#[path = "acr_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "acr_cli_vectors.rs"]
mod cli_vectors;
