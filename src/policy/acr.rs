//! `acr purge` (lifecycle.md §3): a file holding the purge arguments as a user writes them.
//! Repository regexes are anchored, tag regexes are searches; tags older than `--ago` are
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
use regex::Regex;

#[path = "acr_args.rs"]
mod args;
pub use args::{parse_ago, split_filter};

#[derive(Clone, Debug)]
pub struct Filter {
    pub text: String,
    pub repo: Regex,
    pub tag: Regex,
}

#[derive(Clone, Debug)]
pub struct AcrPurge {
    pub filters: Vec<Filter>,
    pub ago: Option<Duration>,
    pub keep: usize,
    pub untagged: bool,
    pub untagged_only: bool,
    pub include_locked: bool,
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
        let cutoff = self.ago.map(|a| now - a);
        let created = CreatedTimes::new(images, &g, now);
        let mut unknown_times: Vec<&str> = Vec::new();
        let groups = g.groups();
        let mut order: Vec<usize> = (0..g.repos.len()).collect();
        order.sort_by(|&a, &b| g.repos[a].cmp(&g.repos[b]));
        for r in order {
            let repo = &g.repos[r];
            let filters: Vec<&Filter> = self
                .filters
                .iter()
                .filter(|f| f.repo.is_match(repo))
                .collect();
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
                // Tag pass.
                let mut elig: Vec<(DateTime<Utc>, &str, usize, &Filter)> = Vec::new();
                for (gi, &i) in group.iter().enumerate() {
                    let im = &images[i as usize];
                    for t in &im.tags {
                        let Some(f) = filters.iter().find(|f| f.tag.is_match(t)) else {
                            continue;
                        };
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
                        elig.push((tt, t.as_str(), gi, f));
                    }
                }
                elig.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
                for (tt, t, gi, f) in elig.into_iter().skip(self.keep) {
                    let i = group[gi] as usize;
                    remaining[gi] -= 1;
                    untagged_now[gi] = true;
                    ev.decisions.push(Decision {
                        image: i,
                        action: ActionKind::Untag,
                        tag: Some(t.to_string()),
                        rule: f.text.as_str().into(),
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
                    &filters,
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
