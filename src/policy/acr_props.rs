//! Properties of `acr purge` over random fleets, stated as acr-cli states them
//! (Azure/acr-cli `cmd/acr/purge.go` `getTagsToDelete`, `cmd/repository/image_functions.go`
//! `GetUntaggedManifests`; lifecycle.md §3.2), not as our evaluator computes them:
//!
//! * a tag is eligible when one of the filters reaching its repository (repository half
//!   anchored) finds its tag half in the name, its lastUpdateTime is strictly before
//!   now − ago, and it is not locked (unless `--include-locked`);
//! * of the eligible tags, newest first, the first `--keep` survive; regscope also keeps
//!   tags tied with the last kept one (ACR lists equal times in no promised order);
//! * a manifest is deleted only without tags left, not locked, not a referrer, its media
//!   type known, and (acr-cli ≥ 0.17) its lastUpdateTime known and at or before the
//!   cutoff (now − ago; now without `--ago`);
//! * the children of an index acr-cli keeps (unlocked, with tags left, or too young, or
//!   with no lastUpdateTime) are never deleted, through nested indexes whatever their locks;
//! * regscope's own rule: an unknown time never lets a tag or manifest go.

use super::acr::AcrPurge;
use super::plan::DeletionPlan;
use super::plan_tests::{blob, opts};
use super::reclaim::ReclaimScope;
use super::switches::AcrCliVersion;
use super::testkit::*;
use super::{ActionKind, PolicyFormat, Switches};
use crate::model::{BlobRef, Digest, Image, ImageKind, Lock, TagDetail};
use crate::policy::order_time::TimeSource;
use chrono::{DateTime, Duration, Utc};
use fancy_regex::Regex;
use proptest::prelude::*;
use std::collections::{BTreeMap, HashSet};

const REPOS: [&str; 3] = ["app", "app2", "team/app"];
const TAGS: [&str; 7] = [
    "v1",
    "v2",
    "test-1",
    "contest",
    "latest",
    "prod-1",
    "release-2",
];

/// One image of a random fleet: repository, tags (with a tag age in days, `None` when
/// the registry gave no per-tag time), manifest age (`None`: no lastUpdateTime), config
/// `created` (days ago; 9999 = the epoch some build tools write), blobs, shape, locks.
#[derive(Clone, Debug)]
struct Spec {
    repo: usize,
    tags: Vec<(usize, Option<i64>)>,
    updated: Option<i64>,
    created: Option<i64>,
    blobs: Vec<usize>,
    shape: u8,
    locked: u8,
}

fn arb_spec() -> impl Strategy<Value = Spec> {
    (
        0usize..3,
        prop::collection::vec(
            (0usize..TAGS.len(), prop::option::weighted(0.8, 0i64..40)),
            0..3,
        ),
        prop::option::weighted(0.8, 0i64..40),
        prop::option::weighted(0.5, prop::sample::select(vec![1i64, 5, 10, 20, 30, 9999])),
        prop::collection::vec(0usize..8, 1..4),
        0u8..10,
        0u8..12,
    )
        .prop_map(
            |(repo, tags, updated, created, blobs, shape, locked)| Spec {
                repo,
                tags,
                updated,
                created,
                blobs,
                shape,
                locked,
            },
        )
}

fn days(n: i64) -> DateTime<Utc> {
    now() - Duration::days(n)
}

fn arb_fleet() -> impl Strategy<Value = Vec<Image>> {
    prop::collection::vec(arb_spec(), 1..16).prop_map(|specs| {
        let mut taken: HashSet<(usize, usize)> = HashSet::new();
        let mut images: Vec<Image> = specs
            .iter()
            .enumerate()
            .map(|(i, s)| {
                // A tag names one manifest per repository: later images lose a taken tag.
                let tags: Vec<(usize, Option<i64>)> = s
                    .tags
                    .iter()
                    .copied()
                    .filter(|(t, _)| taken.insert((s.repo, *t)))
                    .collect();
                let names: Vec<&str> = tags.iter().map(|(t, _)| TAGS[*t]).collect();
                let mut im = img(REPOS[s.repo], &format!("a{i}"), &names, "1d");
                im.pushed_at = None;
                im.updated_at = s.updated.map(days);
                im.created_at = s.created.map(|c| {
                    if c == 9999 {
                        DateTime::UNIX_EPOCH
                    } else {
                        days(c)
                    }
                });
                // Per-tag times where every tag has one; otherwise the registry gave none
                // (the evaluator then reads the manifest's time, as for a plain registry).
                if tags.iter().all(|(_, a)| a.is_some()) {
                    im.tag_details = Some(
                        tags.iter()
                            .map(|(t, a)| TagDetail {
                                name: TAGS[*t].to_string(),
                                last_update: a.map(days),
                                // one tag in eleven locked
                                write_enabled: (s.locked == 10).then_some(false),
                                ..Default::default()
                            })
                            .collect(),
                    );
                }
                if s.locked == 11 {
                    im.locked = Some(Lock {
                        write_enabled: true,
                        delete_enabled: false,
                    });
                }
                let mut seen = HashSet::new();
                let bl: Vec<BlobRef> = s
                    .blobs
                    .iter()
                    .filter(|b| seen.insert(**b))
                    .map(|b| blob(&format!("blob{b}"), 10 + *b as u64))
                    .collect();
                im.size_bytes = Some(bl.iter().map(|b| b.size).sum());
                im.blobs = Some(bl);
                if s.shape == 9 {
                    im.media_type = String::new(); // the registry reported none
                }
                im
            })
            .collect();
        // Indexes over the next two images of their repository; referrers of the previous.
        let n = images.len();
        for i in 0..n {
            let same = |j: usize| j < n && specs[j].repo == specs[i].repo;
            if specs[i].shape < 2 && same(i + 1) && same(i + 2) {
                images[i].kind = ImageKind::Index;
                images[i].media_type = "application/vnd.oci.image.index.v1+json".into();
                images[i].children =
                    vec![images[i + 1].digest.clone(), images[i + 2].digest.clone()];
            } else if specs[i].shape == 2 && i > 0 && same(i - 1) {
                images[i].subject = Some(images[i - 1].digest.clone());
            }
        }
        images
    })
}

/// `acr purge` arguments: filters (repository half, tag half), ago in days (or none with
/// `--untagged-only`), keep, untagged mode (0 none, 1 `--untagged`, 2 `--untagged-only`),
/// `--include-locked`.
#[derive(Clone, Debug)]
struct Args {
    filters: Vec<(&'static str, &'static str)>,
    ago: Option<i64>,
    keep: usize,
    mode: u8,
    include_locked: bool,
}

impl Args {
    fn text(&self) -> String {
        let mut s = String::from("acr purge");
        for (r, t) in &self.filters {
            s += &format!(" --filter '{r}:{t}'");
        }
        if let Some(a) = self.ago {
            s += &format!(" --ago {a}d");
        }
        if self.keep > 0 {
            s += &format!(" --keep {}", self.keep);
        }
        s += ["", " --untagged", " --untagged-only"][self.mode as usize];
        if self.include_locked {
            s += " --include-locked";
        }
        s
    }

    fn cutoff(&self) -> Option<DateTime<Utc>> {
        self.ago.map(days)
    }

    /// Whether the acr-cli release knows every flag given: `--include-locked` came in
    /// 0.17, `--untagged-only` in 0.18; cobra refuses an unknown flag, purging nothing.
    fn known_to(&self, sw: &Switches) -> bool {
        let v = sw.acr_cli_version;
        let refused = (self.include_locked && v == AcrCliVersion::Before017)
            || (self.mode == 2 && v != AcrCliVersion::V019);
        !refused
    }

    /// The filters reaching `repo` (acr-cli anchors the repository half: "^" + r + "$").
    fn reaching(&self, repo: &str) -> Vec<&'static str> {
        self.filters
            .iter()
            .filter(|(r, _)| {
                Regex::new(&format!("^{r}$"))
                    .unwrap()
                    .is_match(repo)
                    .unwrap()
            })
            .map(|(_, t)| *t)
            .collect()
    }
}

fn arb_args() -> impl Strategy<Value = Args> {
    let repo = prop::sample::select(vec!["app", "app.*", ".*", "team/.+", "app2"]);
    let tag = prop::sample::select(vec!["test", "^v", ".*", "^((?!release).)*$", "-[0-9]$"]);
    (
        prop::collection::vec((repo, tag), 0..3),
        prop::option::weighted(0.85, 0i64..35),
        0usize..4,
        0u8..3,
        any::<bool>(),
    )
        .prop_map(|(mut filters, mut ago, keep, mode, include_locked)| {
            // acr-cli: a filter is required unless --untagged-only, --ago as well.
            if mode != 2 {
                if filters.is_empty() {
                    filters.push((".*", ".*"));
                }
                ago.get_or_insert(7);
            }
            Args {
                filters,
                ago,
                keep,
                mode,
                include_locked,
            }
        })
}

fn arb_switches() -> impl Strategy<Value = Switches> {
    (
        prop::sample::select(vec![
            AcrCliVersion::V019,
            AcrCliVersion::V017,
            AcrCliVersion::Before017,
        ]),
        any::<bool>(),
    )
        .prop_map(|(v, refresh)| Switches {
            acr_cli_version: v,
            acr_untag_refreshes_manifest_time: refresh,
            ..Switches::default()
        })
}

/// The time acr-cli reads for a tag: its own lastUpdateTime; where the registry gives no
/// per-tag time, the manifest's (what ACR's tag listing reports for it).
fn tag_time(im: &Image, tag: &str) -> Option<DateTime<Utc>> {
    match &im.tag_details {
        Some(d) => d.iter().find(|t| t.name == tag).and_then(|t| t.last_update),
        None => im.updated_at,
    }
}

fn tag_locked(im: &Image, tag: &str) -> bool {
    im.tag_details.iter().flatten().any(|t| {
        t.name == tag && (t.write_enabled == Some(false) || t.delete_enabled == Some(false))
    })
}

fn evaluate(images: &[Image], a: &Args, sw: &Switches) -> super::Evaluation {
    AcrPurge::parse(&a.text())
        .unwrap_or_else(|e| panic!("{}: {e}", a.text()))
        .evaluate(images, now(), sw)
}

fn acr_plan(images: &[Image], a: &Args, sw: &Switches, repo_scope: bool) -> DeletionPlan {
    let mut o = opts();
    o.format = PolicyFormat::Acr;
    o.switches = sw.describe(PolicyFormat::Acr);
    o.unlock = a.include_locked;
    if repo_scope {
        o.scope = ReclaimScope::Repository;
    }
    DeletionPlan::build(images, &evaluate(images, a, sw), &o)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(384))]

    /// (a) + (c) for tags: every untagged tag was reached by a filter, found by its tag
    /// half, known to be older than the cutoff (strictly), and unlocked or unlocked by
    /// `--include-locked`. `--untagged-only` untags nothing.
    #[test]
    fn an_untagged_tag_is_eligible_as_acr_cli_reads_it(images in arb_fleet(), a in arb_args(), sw in arb_switches()) {
        let ev = evaluate(&images, &a, &sw);
        let cutoff = a.cutoff();
        for d in ev.decisions.iter().filter(|d| d.action == ActionKind::Untag) {
            prop_assert!(a.mode != 2, "--untagged-only untagged a tag");
            let im = &images[d.image];
            let tag = d.tag.as_deref().unwrap();
            let t = tag_time(im, tag);
            prop_assert!(t.is_some(), "{}:{tag} untagged although its update time is unknown", im.repository);
            prop_assert!(t < cutoff, "{}:{tag} updated {:?} untagged, cutoff {:?}", im.repository, t, cutoff);
            prop_assert!(a.reaching(&im.repository).iter().any(|f| Regex::new(f).unwrap().is_match(tag).unwrap()),
                "{}:{tag} untagged but no filter finds it", im.repository);
            prop_assert!(a.include_locked || !tag_locked(im, tag), "locked tag {tag} untagged");
        }
    }

    /// (b): of the eligible tags of a repository, exactly those strictly older than the
    /// keep-th newest are untagged (all of them with no --keep, none when at most keep).
    #[test]
    fn the_newest_keep_eligible_tags_survive_ties_included(images in arb_fleet(), a in arb_args(), sw in arb_switches()) {
        prop_assume!(a.mode != 2);
        let ev = evaluate(&images, &a, &sw);
        let cutoff = a.cutoff().unwrap();
        let mut eligible: BTreeMap<&str, Vec<(DateTime<Utc>, &str)>> = BTreeMap::new();
        for im in &images {
            let filters: Vec<Regex> = a.reaching(&im.repository).iter().map(|f| Regex::new(f).unwrap()).collect();
            for tag in &im.tags {
                let Some(t) = tag_time(im, tag) else { continue };
                if filters.iter().any(|f| f.is_match(tag).unwrap())
                    && t < cutoff
                    && (a.include_locked || !tag_locked(im, tag))
                {
                    eligible.entry(im.repository.as_str()).or_default().push((t, tag.as_str()));
                }
            }
        }
        let mut want: Vec<(String, String)> = Vec::new();
        for (repo, mut e) in eligible {
            e.sort_by_key(|x| std::cmp::Reverse(x.0));
            let edge = (a.keep > 0 && e.len() >= a.keep).then(|| e[a.keep - 1].0);
            for (t, tag) in e {
                let goes = if a.keep == 0 { true } else { edge.is_some_and(|k| t < k) };
                if goes {
                    want.push((repo.to_string(), tag.to_string()));
                }
            }
        }
        let mut got: Vec<(String, String)> = ev
            .decisions
            .iter()
            .filter(|d| d.action == ActionKind::Untag)
            .map(|d| (images[d.image].repository.clone(), d.tag.clone().unwrap()))
            .collect();
        if !a.known_to(&sw) {
            want.clear();
            prop_assert!(ev.decisions.is_empty(), "{} under {:?}: {:?}", a.text(), sw.acr_cli_version, ev.decisions);
        }
        want.sort();
        got.sort();
        prop_assert_eq!(got, want, "{}", a.text());
    }

    /// (a) + (c) for manifests: a deleted manifest has no tag left after the tag pass, is
    /// no referrer, has a media type, is unlocked (or --include-locked), and from acr-cli
    /// 0.17 on its lastUpdateTime is known (never a stand-in) and not after the cutoff,
    /// now − ago or now itself.
    #[test]
    fn a_deleted_manifest_is_dangling_and_old_enough_by_a_known_time(images in arb_fleet(), a in arb_args(), sw in arb_switches()) {
        let ev = evaluate(&images, &a, &sw);
        if a.mode == 0 {
            prop_assert!(ev.decisions.iter().all(|d| d.action == ActionKind::Untag), "deleted without --untagged");
        }
        let untagged: HashSet<(usize, &str)> = ev.decisions.iter()
            .filter_map(|d| d.tag.as_deref().map(|t| (d.image, t))).collect();
        let cutoff = a.cutoff();
        for d in ev.decisions.iter().filter(|d| d.action == ActionKind::Delete) {
            let im = &images[d.image];
            prop_assert!(im.tags.iter().all(|t| untagged.contains(&(d.image, t.as_str()))),
                "{} deleted with tags left", d.image);
            // acr-cli's one exception: an OCI referrer index with children (it keeps them).
            prop_assert!(im.subject.is_none() || !im.children.is_empty(), "referrer {} deleted by the purge itself", d.image);
            prop_assert!(!im.media_type.is_empty(), "manifest without media type deleted");
            prop_assert!(a.include_locked || im.locked.is_none(), "locked manifest deleted");
            prop_assert!(a.mode == 2 || !a.reaching(&im.repository).is_empty(), "repository no filter reaches");
            if sw.acr_cli_version != AcrCliVersion::Before017 {
                let c = cutoff.unwrap_or_else(now);
                prop_assert_eq!(d.time_source, Some(TimeSource::Updated));
                prop_assert!(im.updated_at.is_some_and(|t| t <= c),
                    "manifest {} updated {:?} deleted, cutoff {:?}", d.image, im.updated_at, c);
            }
        }
    }

    /// The children of an index acr-cli keeps, recursively and whatever their own locks,
    /// are not deleted by the evaluation itself (`addDependentManifestsToIgnoreList`).
    #[test]
    fn no_child_of_an_index_acr_cli_keeps_is_deleted(images in arb_fleet(), a in arb_args(), sw in arb_switches()) {
        prop_assume!(a.mode != 0);
        let ev = evaluate(&images, &a, &sw);
        let untagged: HashSet<(usize, &str)> = ev.decisions.iter()
            .filter_map(|d| d.tag.as_deref().map(|t| (d.image, t))).collect();
        let deleted: HashSet<&Digest> = ev.decisions.iter()
            .filter(|d| d.action == ActionKind::Delete).map(|d| &images[d.image].digest).collect();
        let cutoff = a.cutoff().unwrap_or_else(now);
        let ages = sw.acr_cli_version != AcrCliVersion::Before017;
        let mut stack: Vec<&Image> = images.iter().enumerate().filter(|(i, im)| {
            let reached = (a.mode == 2 && a.filters.is_empty()) || !a.reaching(&im.repository).is_empty();
            let tags_left = im.tags.iter().any(|t| !untagged.contains(&(*i, t.as_str())));
            let young = ages && im.updated_at.is_none_or(|t| t > cutoff);
            reached && !im.children.is_empty() && (a.include_locked || im.locked.is_none()) && (tags_left || young)
        }).map(|(_, im)| im).collect();
        let mut seen = HashSet::new();
        while let Some(p) = stack.pop() {
            for c in &p.children {
                prop_assert!(!deleted.contains(c), "child {} of kept index {} deleted: {}", c.short(), p.digest.short(), a.text());
                if seen.insert(c) {
                    if let Some(ci) = images.iter().find(|x| &x.digest == c && x.repository == p.repository) {
                        stack.push(ci);
                    }
                }
            }
        }
    }

    /// (d): no plan removes a child of an index that stays or a referrer of a subject
    /// that stays.
    #[test]
    fn no_child_of_a_kept_index_or_referrer_of_a_kept_subject_is_removed(images in arb_fleet(), a in arb_args(), sw in arb_switches()) {
        let plan = acr_plan(&images, &a, &sw, false);
        let gone: HashSet<&Digest> = plan.actions.iter()
            .filter(|x| x.action.removes_manifest()).map(|x| &x.digest).collect();
        for im in &images {
            if gone.contains(&im.digest) {
                if let Some(s) = &im.subject {
                    prop_assert!(gone.contains(s), "referrer of a kept subject removed: {}", a.text());
                }
            }
            if !im.children.is_empty() && !gone.contains(&im.digest) {
                for c in &im.children {
                    prop_assert!(!gone.contains(c), "child of a kept index removed: {}", a.text());
                }
            }
        }
    }

    /// (e)
    #[test]
    fn acr_reclaimed_never_exceeds_naive(images in arb_fleet(), a in arb_args(), sw in arb_switches(), repo_scope in any::<bool>()) {
        let plan = acr_plan(&images, &a, &sw, repo_scope);
        prop_assert!(plan.summary.reclaimed_bytes <= plan.summary.naive_bytes,
            "{} > {}", plan.summary.reclaimed_bytes, plan.summary.naive_bytes);
    }
}
