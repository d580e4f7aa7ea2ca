//! The manifest pass of `acr purge` (`--untagged`, `--untagged-only`): acr-cli's
//! `purgeDanglingManifests` and `GetUntaggedManifests` (Azure/acr-cli
//! `cmd/acr/purge.go`, `cmd/repository/image_functions.go`, commit cfbb835), manifest by
//! manifest in its order:
//! 1. a locked manifest is skipped outright (unless `--include-locked`), before acr-cli
//!    reads it, so a locked index keeps none of its children;
//! 2. a manifest with tags left, and (0.17 on) one updated after the cutoff or with no
//!    readable lastUpdateTime, is kept, and an index kept so keeps its children, theirs in
//!    turn, whatever their locks;
//! 3. every other manifest is a candidate unless acr-cli finds it undeletable: no media
//!    type reported, or an OCI manifest, index or artifact with a `subject` (a referrer;
//!    ACR removes it with its subject). A referrer *index* with children is the exception:
//!    acr-cli keeps its children but never the index itself, so it is deleted;
//! 4. candidates that are children of a kept index drop out; `--keep N` (0.18 on) spares
//!    the N newest of the rest.

use super::{locked_manifest, AcrPurge};
use crate::model::Image;
use crate::policy::graph::{digest_key, Graph};
use crate::policy::order_time::{keep_ties, TimeSource};
use crate::policy::switches::AcrCliVersion;
use crate::policy::time::human_age;
use crate::policy::{ActionKind, Decision, Evaluation, EvaluatorProtection, Reason, Switches};
use chrono::{DateTime, Utc};

/// The media types whose content acr-cli reads for a `subject`
/// (`checkManifestDeletabilityAndGetDependencies`); others are deleted unread.
fn read_for_subject(media_type: &str) -> bool {
    matches!(
        media_type,
        "application/vnd.oci.image.manifest.v1+json"
            | "application/vnd.oci.image.index.v1+json"
            | "application/vnd.oci.artifact.manifest.v1+json"
    )
}

impl AcrPurge {
    #[allow(clippy::too_many_arguments)]
    pub(super) fn manifest_pass(
        &self,
        images: &[Image],
        g: &Graph,
        group: &[u32],
        remaining: &[usize],
        untagged_now: &[bool],
        cutoff: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
        sw: &Switches,
        filters: &[&super::Filter],
        ev: &mut Evaluation,
    ) {
        let age_applies = sw.acr_cli_version != AcrCliVersion::Before017;
        // acr-cli (0.17 on) always gives its manifest pass a cutoff: now − --ago, or now
        // itself when --untagged-only comes without --ago.
        let cutoff = age_applies.then(|| cutoff.unwrap_or(now));
        let mut candidates: Vec<usize> = Vec::new();
        // Manifests acr-cli keeps and reads the children of.
        let mut kept: Vec<usize> = Vec::new();
        let mut locked_indexes: Vec<usize> = Vec::new();
        for (gi, &i) in group.iter().enumerate() {
            let i = i as usize;
            let im = &images[i];
            if !self.include_locked && locked_manifest(im) {
                ev.protected.push(EvaluatorProtection {
                    image: i,
                    why: "manifest is locked; acr purge skips it".into(),
                });
                if !im.children.is_empty() {
                    locked_indexes.push(i);
                }
                continue;
            }
            if remaining[gi] > 0 {
                kept.push(i);
                continue;
            }
            if let Some(c) = cutoff {
                let refreshed = sw.acr_untag_refreshes_manifest_time && untagged_now[gi];
                match im.updated_at {
                    Some(t) if t <= c && !refreshed => {}
                    Some(_) => {
                        kept.push(i);
                        continue;
                    }
                    None => {
                        // "Protecting manifest … because the last update time is unavailable"
                        ev.protected.push(EvaluatorProtection {
                            image: i,
                            why: "lastUpdateTime unknown; acr purge keeps a manifest whose last update time is unavailable".into(),
                        });
                        kept.push(i);
                        continue;
                    }
                }
            }
            if im.media_type.is_empty() {
                // "Manifest … has no media type, skipping deletion": its children unread.
                ev.protected.push(EvaluatorProtection {
                    image: i,
                    why: "media type not reported; acr purge skips such a manifest".into(),
                });
                continue;
            }
            if im.subject.is_some() && read_for_subject(&im.media_type) {
                if im.children.is_empty() {
                    continue;
                }
                kept.push(i);
                ev.warnings.push(format!(
                    "{}: referrer index {} has no tags; acr purge keeps its children but deletes the index itself, although it refers to {}",
                    im.repository,
                    im.digest.short(),
                    im.subject.as_ref().map_or("", |s| s.short())
                ));
            }
            candidates.push(gi);
        }
        let mut child_of_kept = vec![false; images.len()];
        let mut stack = kept;
        while let Some(p) = stack.pop() {
            for c in &images[p].children {
                if let Some(ci) = g.lookup(g.repo[p], c) {
                    if !child_of_kept[ci] {
                        child_of_kept[ci] = true;
                        stack.push(ci);
                    }
                }
            }
        }
        for p in locked_indexes {
            if !child_of_kept[p] {
                ev.warnings.push(format!(
                    "{}: index {} is locked, and acr purge does not protect its untagged children; regscope protects them anyway",
                    images[p].repository,
                    images[p].digest.short()
                ));
            }
        }
        candidates.retain(|&gi| !child_of_kept[group[gi] as usize]);
        let time = |gi: usize| images[group[gi] as usize].updated_at;
        if self.keep > 0 && sw.acr_cli_version == AcrCliVersion::V019 {
            // Newest first, as `sortManifestsByTime`; every candidate has a time here.
            candidates.sort_by(|&a, &b| {
                let (ia, ib) = (&images[group[a] as usize], &images[group[b] as usize]);
                time(b)
                    .cmp(&time(a))
                    .then(digest_key(&ia.digest).cmp(&digest_key(&ib.digest)))
            });
            // Manifests tied with the last kept one are kept too: digest order never
            // decides which is newer.
            let micros = |gi: usize| time(gi).map_or(0, |t| t.timestamp_micros());
            let keep = keep_ties(&candidates, self.keep.min(candidates.len()), |&gi| {
                micros(gi)
            });
            if keep > self.keep {
                let edge = micros(candidates[keep - 1]);
                ev.warnings.push(format!(
                    // plural: never one: a tie has two members at least
                    "{}: {} dangling manifests were last updated at {}, a genuine tie across the --keep {} boundary; ACR's order between them is not defined (acr-cli breaks it by digest), so regscope keeps all of them",
                    images[group[candidates[0]] as usize].repository,
                    candidates.iter().filter(|&&gi| micros(gi) == edge).count(),
                    time(candidates[keep - 1]).map_or(String::new(), |t| t.to_rfc3339()),
                    self.keep
                ));
            }
            candidates.drain(..keep);
        }
        let rule: std::sync::Arc<str> = filters
            .first()
            .map(|f| f.text.as_str())
            .unwrap_or("--untagged-only")
            .into();
        for gi in candidates {
            let i = group[gi] as usize;
            let when = time(gi)
                .map(|t| format!("; manifest updated {} ago", human_age(now, t)))
                .unwrap_or_default();
            ev.decisions.push(Decision {
                time_source: age_applies.then_some(TimeSource::Updated),
                image: i,
                action: ActionKind::Delete,
                tag: None,
                rule: rule.clone(),
                reason: Reason::Text(format!(
                    "{} no tags{when}",
                    if untagged_now[gi] { "left with" } else { "has" }
                )),
            });
        }
    }
}
