//! `untagged-bytes` and `stale-images`: bytes held by manifests nobody names, and by images
//! neither pushed nor pulled for a long time. Bytes are the reclaim estimate of the plan
//! engine within the repository (blobs no surviving manifest of it reaches).

use super::{
    chosen_tags, human_bytes, is_release_tag, last_activity, shown, top_level, Check, CheckId,
    RepoInputs, Status,
};
use crate::model::Digest;
use crate::policy::graph::Graph;
use crate::policy::reclaim::{estimate, ReclaimScope};
use crate::text::{count, plural};
use chrono::Duration;
use std::collections::HashSet;

/// Bytes freed by removing `removed` from the repository; `None` when a removed image's
/// size is unknown (an approximate figure counts an unknown unique size as 0, which is not
/// a figure to report). The second value says how the figure was reached.
fn freed(i: &RepoInputs, removed: &[bool]) -> (Option<u64>, String) {
    let e = estimate(
        i.images,
        &Graph::build(i.images),
        removed,
        ReclaimScope::Repository,
    );
    let exact = i.images.iter().all(|im| im.blobs.is_some());
    let lacking = i
        .images
        .iter()
        .zip(removed)
        .filter(|(im, r)| **r && (im.size_bytes.is_none() || (!exact && im.unique_bytes.is_none())))
        .count();
    if lacking > 0 {
        let how = format!(
            "{lacking} of them without a known size of their own; their sizes add up to {} (shared layers counted)",
            human_bytes(e.naive_bytes)
        );
        return (None, how);
    }
    (
        Some(e.reclaimed_bytes),
        format!("bytes freed within the repository, by {}", e.method),
    )
}

/// "1.2 GiB", or what is known about an unknown figure.
fn held(bytes: Option<u64>) -> String {
    bytes
        .map(human_bytes)
        .unwrap_or_else(|| "an unknown number of bytes".into())
}

pub fn untagged(i: &RepoInputs) -> (Check, Option<u64>) {
    let id = CheckId::UntaggedBytes;
    let children: HashSet<&Digest> = i.images.iter().flat_map(|im| im.children.iter()).collect();
    let referrers: HashSet<&Digest> = i
        .images
        .iter()
        .flat_map(|im| im.referrers.iter().map(|r| &r.digest))
        .collect();
    let removed: Vec<bool> = i
        .images
        .iter()
        .map(|im| {
            im.tags.is_empty()
                && im.subject.is_none()
                && !children.contains(&im.digest)
                && !referrers.contains(&im.digest)
        })
        .collect();
    let n = removed.iter().filter(|r| **r).count();
    if n == 0 && !i.settings.listing_lists_untagged {
        return (
            Check::new(
                id,
                Status::Unknown,
                "the registry's listing shows tags only: untagged manifests cannot be seen",
            ),
            None,
        );
    }
    if n == 0 {
        return (
            Check::new(
                id,
                Status::Pass,
                "no untagged manifests outside indexes and referrers",
            ),
            Some(0),
        );
    }
    let (bytes, how) = freed(i, &removed);
    let held = held(bytes);
    let mut ev = vec![how];
    // A listing of tags only: these were found from digests the store saw tags name.
    let at_least = if i.settings.listing_lists_untagged {
        ""
    } else {
        ev.push("found from the store's tag history (digests tags once named, read again by digest); the registry's API lists tags only, so there may be more".into());
        "at least "
    };
    ev.extend(super::capped(
        i.images
            .iter()
            .zip(&removed)
            .filter(|(_, r)| **r)
            .map(|(im, _)| format!("{}@{}", im.repository, im.digest))
            .collect(),
        10,
    ));
    (
        Check::new(
            id,
            Status::Warn,
            format!(
                "{at_least}{} {} {held}",
                crate::text::count(n, "untagged manifest"),
                crate::text::plural(n, "holds", "hold")
            ),
        )
        .with(ev),
        bytes,
    )
}

pub fn stale(i: &RepoInputs) -> (Check, Option<u64>) {
    let id = CheckId::StaleImages;
    let days = i.thresholds.stale_days;
    let limit = i.now - Duration::days(days);
    let basis = match (i.records_push_time, i.records_pull_time) {
        (true, true) => "by push and pull time",
        (true, false) => "by push time: the registry records no pulls",
        (false, true) => "by pull time: the registry records no pushes",
        (false, false) => "by image creation time: the registry records no push or pull time",
    };
    let mut stale = HashSet::new();
    let (mut unknown, mut candidates, mut release) = (0usize, 0usize, 0usize);
    let mut ev = Vec::new();
    for im in top_level(i.images) {
        if chosen_tags(im).next().is_none() {
            continue; // untagged: counted by untagged-bytes
        }
        if chosen_tags(im).any(|t| is_release_tag(t)) {
            release += 1;
            continue;
        }
        candidates += 1;
        match last_activity(i, im) {
            Some((t, what)) if t < limit => {
                stale.insert(im.digest.clone());
                ev.push(format!(
                    "{} last {what} {}",
                    shown(im),
                    t.format("%Y-%m-%d")
                ));
            }
            Some(_) => {}
            None => unknown += 1,
        }
    }
    if candidates == 0 && release == 0 {
        return (
            Check::new(id, Status::NotApplicable, "no tagged images"),
            Some(0),
        );
    }
    let mut head = vec![format!(
        "{basis}; {} with release tags excepted",
        count(release, "image")
    )];
    if stale.is_empty() {
        if unknown > 0 {
            head.push(format!(
                "{} {} no known time",
                count(unknown, "image"),
                plural(unknown, "has", "have")
            ));
            return (
                Check::new(
                    id,
                    Status::Unknown,
                    format!(
                        "times of {unknown} of {} are unknown",
                        count(candidates, "image")
                    ),
                )
                .with(head),
                None,
            );
        }
        return (
            Check::new(
                id,
                Status::Pass,
                format!("no image idle for more than {}", count(days, "day")),
            )
            .with(head),
            Some(0),
        );
    }
    // An index goes with its children, a subject with its referrers.
    let gone_children: HashSet<&Digest> = i
        .images
        .iter()
        .filter(|im| stale.contains(&im.digest))
        .flat_map(|im| im.children.iter())
        .collect();
    let removed: Vec<bool> = i
        .images
        .iter()
        .map(|im| {
            stale.contains(&im.digest)
                || gone_children.contains(&im.digest)
                || im.subject.as_ref().is_some_and(|s| stale.contains(s))
        })
        .collect();
    let (bytes, how) = freed(i, &removed);
    head.push(how);
    head.extend(super::capped(ev, 10));
    let held = held(bytes);
    (
        Check::new(
            id,
            Status::Warn,
            format!(
                "{} idle for more than {} {} {held}",
                count(stale.len(), "image"),
                count(days, "day"),
                plural(stale.len(), "holds", "hold")
            ),
        )
        .with(head),
        bytes,
    )
}
