//! `tag-immutability`: the registry's immutability setting (ECR `imageTagMutability` with
//! its exclusion filters, Artifact Registry `immutableTags`, Harbor immutable rules), ACR
//! locks on release tags, and from the store's tag history, the tags that moved lately.

use super::{is_release_tag, Check, CheckId, RepoInputs, Status};
use crate::session::Setting;
use crate::store::TagObservation;
use chrono::{DateTime, Duration, Utc};
use std::collections::BTreeMap;

/// How often each tag moved to another digest since `since`, most moved first. A tag's
/// first observation is not a move; every later one is.
pub fn moves_since(history: &[TagObservation], since: DateTime<Utc>) -> Vec<(String, usize)> {
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    let mut moves: BTreeMap<&str, usize> = BTreeMap::new();
    for (tag, _, first, _, _) in history {
        let n = seen.entry(tag).or_default();
        *n += 1;
        if *n > 1 && *first >= since {
            *moves.entry(tag).or_default() += 1;
        }
    }
    let mut out: Vec<(String, usize)> =
        moves.into_iter().map(|(t, n)| (t.to_string(), n)).collect();
    out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    out
}

pub fn immutability(i: &RepoInputs) -> Check {
    let id = CheckId::TagImmutability;
    let days = i.thresholds.recent_days;
    let moves = i
        .tag_history
        .map(|h| moves_since(h, i.now - Duration::days(days)))
        .unwrap_or_default();
    let mut ev: Vec<String> = moves
        .iter()
        .map(|(t, n)| {
            let times = if *n == 1 {
                "once".to_string()
            } else {
                format!("{n} times")
            };
            format!(
                "{t} moved {times} in {} (store's tag history)",
                crate::text::count(days, "day")
            )
        })
        .collect();
    if i.tag_history.is_none() {
        ev.push(
            "no tag history in the local store (moves are seen from the second crawl on)".into(),
        );
    }
    let release_moved: Vec<&str> = moves
        .iter()
        .filter(|(t, _)| is_release_tag(t))
        .map(|(t, _)| t.as_str())
        .collect();
    let fail_moved = || {
        Check::new(
            id,
            Status::Fail,
            format!("release tags moved: {}", release_moved.join(", ")),
        )
    };
    match &i.settings.tag_immutability {
        Setting::Known(t) if t.all_immutable => {
            let mut e = t.evidence.clone();
            if !t.exclusions.is_empty() {
                e.push(format!("mutable by exclusion: {}", t.exclusions.join(", ")));
            }
            e.extend(ev);
            if !release_moved.is_empty() {
                return fail_moved().with(e);
            }
            Check::new(id, Status::Pass, "tags are immutable").with(e)
        }
        Setting::Known(t) if !t.rules.is_empty() => {
            let mut e = t.evidence.clone();
            e.extend(t.rules.iter().map(|r| format!("immutable rule: {r}")));
            e.extend(ev);
            if !release_moved.is_empty() {
                return fail_moved().with(e);
            }
            Check::new(
                id,
                Status::Pass,
                "immutable-tag rules protect matching tags",
            )
            .with(e)
        }
        Setting::Known(t) => {
            let mut e = t.evidence.clone();
            e.extend(ev);
            if !release_moved.is_empty() {
                return fail_moved().with(e);
            }
            let summary = match moves.first() {
                Some((t, n)) => format!(
                    "tags are mutable; {t} moved {n}× in {}",
                    crate::text::count(days, "day")
                ),
                None => "tags are mutable".to_string(),
            };
            Check::new(id, Status::Warn, summary).with(e)
        }
        Setting::Unknown(why) | Setting::NotApplicable(why) => {
            if !release_moved.is_empty() {
                return fail_moved().with([why.clone()]).with(ev);
            }
            if let Some(c) = locks(i) {
                return c.with(ev);
            }
            let status = if matches!(i.settings.tag_immutability, Setting::Unknown(_)) {
                Status::Unknown
            } else {
                Status::NotApplicable
            };
            let summary = match moves.first() {
                Some((t, n)) => format!(
                    "{why}; {t} moved {n}× in {}",
                    crate::text::count(days, "day")
                ),
                None => why.clone(),
            };
            Check::new(id, status, summary).with(ev)
        }
    }
}

/// ACR-style locks: release tags whose write is disabled cannot move. `None` where the
/// registry reported no lock state for any tag.
fn locks(i: &RepoInputs) -> Option<Check> {
    let id = CheckId::TagImmutability;
    let mut reported = false;
    let (mut locked, mut open) = (Vec::new(), Vec::new());
    for im in i.images {
        let image_locked = im.locked.as_ref().map(|l| !l.write_enabled);
        reported |= image_locked.is_some();
        for t in im.tags.iter().filter(|t| is_release_tag(t)) {
            let tag_locked = im
                .tag_details
                .iter()
                .flatten()
                .find(|d| &d.name == t)
                .and_then(|d| d.write_enabled.map(|w| !w));
            reported |= tag_locked.is_some();
            match tag_locked.or(image_locked) {
                Some(true) => locked.push(t.clone()),
                _ => open.push(t.clone()),
            }
        }
    }
    if !reported {
        return None;
    }
    let n = locked.len() + open.len();
    if n == 0 {
        return Some(Check::new(
            id,
            Status::NotApplicable,
            "no release tags to lock",
        ));
    }
    let ev = super::capped(
        open.iter().map(|t| format!("{t} is not locked")).collect(),
        10,
    );
    Some(if open.is_empty() {
        Check::new(
            id,
            Status::Pass,
            if n == 1 {
                "the only release tag is locked".to_string()
            } else {
                // plural: never one: one is the branch above
                format!("all {n} release tags are locked")
            },
        )
    } else {
        Check::new(
            id,
            Status::Warn,
            format!(
                "{} of {} {} not locked",
                open.len(),
                crate::text::count(n, "release tag"),
                crate::text::plural(open.len(), "is", "are")
            ),
        )
        .with(ev)
    })
}
