//! `scanning`, `scan-freshness` and `critical-findings`: whether images are scanned, how
//! recently the images people use were, and what those scans found.

use super::{last_activity, shown, top_level, Check, CheckId, RepoInputs, Status};
use crate::model::{Image, ScanStatus};
use crate::session::Setting;
use crate::text::{count, plural};
use chrono::Duration;

/// A referrer's artifact type that carries a vulnerability report (Trivy, Grype, SARIF).
pub fn is_scan_report(artifact_type: &str) -> bool {
    use crate::scan::artifact::{GRYPE_JSON, SARIF, TRIVY_JSON};
    let t = artifact_type.to_ascii_lowercase();
    t == TRIVY_JSON
        || t == GRYPE_JSON
        || t == SARIF
        || t.contains("trivy")
        || t.contains("grype")
        || t.contains("sarif")
        || t.contains("vuln")
}

fn has_report(im: &Image) -> bool {
    im.referrers
        .iter()
        .any(|r| r.artifact_type.as_deref().is_some_and(is_scan_report))
}

pub fn scanning(i: &RepoInputs) -> Check {
    let id = CheckId::Scanning;
    let why = match &i.settings.scanning {
        Setting::Known(s) if s.continuous => {
            return Check::new(id, Status::Pass, "continuous scanning is on")
                .with(s.evidence.clone())
        }
        Setting::Known(s) if s.on_push => {
            return Check::new(id, Status::Pass, "images are scanned on push")
                .with(s.evidence.clone())
        }
        Setting::Known(s) => {
            return Check::new(
                id,
                Status::Fail,
                "neither scan on push nor continuous scanning is on",
            )
            .with(s.evidence.clone())
        }
        Setting::Unknown(why) | Setting::NotApplicable(why) => why,
    };
    // No scanning setting to read: scanner reports attached as referrers are the evidence.
    let tops = top_level(i.images);
    if tops.is_empty() {
        return Check::new(id, Status::NotApplicable, "no images to scan").with([why.clone()]);
    }
    let with = tops.iter().filter(|im| has_report(im)).count();
    let evidence = vec![
        why.clone(),
        format!(
            "{with} of {} {} a scanner report as a referrer",
            count(tops.len(), "image"),
            plural(with, "carries", "carry")
        ),
    ];
    let (status, summary) = if with == tops.len() {
        (
            Status::Pass,
            "every image carries a scanner report".to_string(),
        )
    } else if with > 0 {
        (
            Status::Warn,
            format!(
                "{} of {} {} no scanner report",
                tops.len() - with,
                count(tops.len(), "image"),
                plural(tops.len() - with, "carries", "carry")
            ),
        )
    } else if matches!(i.settings.scanning, Setting::NotApplicable(_)) {
        (
            Status::Fail,
            "no scanning setting and no image carries a scanner report".to_string(),
        )
    } else {
        (
            Status::Unknown,
            "scanning settings not read and no scanner report attached".to_string(),
        )
    };
    Check::new(id, status, summary).with(evidence)
}

pub fn freshness(i: &RepoInputs) -> Check {
    let id = CheckId::ScanFreshness;
    if let Setting::Known(s) = &i.settings.scanning {
        if s.continuous {
            return Check::new(
                id,
                Status::Pass,
                "continuous scanning re-scans as advisories appear",
            )
            .with(s.evidence.clone());
        }
    }
    let window = Duration::days(i.thresholds.recent_days);
    let tops = top_level(i.images);
    let mut dated = 0;
    let recent: Vec<&Image> = tops
        .iter()
        .copied()
        .filter(|im| match last_activity(i, im) {
            Some((t, _)) => {
                dated += 1;
                i.now - t <= window
            }
            None => false,
        })
        .collect();
    if recent.is_empty() {
        return if dated == 0 && !tops.is_empty() {
            Check::new(
                id,
                Status::Unknown,
                "no image has a known push, pull or creation time",
            )
        } else {
            Check::new(
                id,
                Status::NotApplicable,
                format!(
                    "no image pushed or pulled in the last {}",
                    count(i.thresholds.recent_days, "day")
                ),
            )
        };
    }
    let limit = i.now - Duration::days(i.thresholds.scan_days);
    let (mut old, mut never, mut unknown) = (Vec::new(), Vec::new(), 0usize);
    for im in &recent {
        match &im.scan {
            Some(s) if s.status == ScanStatus::Scanned => match s.scanned_at {
                Some(t) if t < limit => old.push(format!(
                    "{} last scanned {}",
                    shown(im),
                    t.format("%Y-%m-%d")
                )),
                Some(_) => {}
                None => unknown += 1,
            },
            Some(_) => never.push(format!("{} has no completed scan", shown(im))),
            None => unknown += 1,
        }
    }
    let n = recent.len();
    let days = i.thresholds.scan_days;
    if !old.is_empty() || !never.is_empty() {
        let summary = format!(
            "{} of {n} recent {} not scanned in the last {}",
            old.len() + never.len(),
            plural(n, "image", "images"),
            count(days, "day")
        );
        let mut ev = never;
        ev.extend(old);
        return Check::new(id, Status::Warn, summary).with(super::capped(ev, 10));
    }
    if unknown > 0 {
        return Check::new(
            id,
            Status::Unknown,
            format!(
                "scan times of {unknown} of {n} recent {} are not known",
                plural(n, "image", "images")
            ),
        )
        .with(["the listing carries no scan time for them (reports are read per image with `regscope findings`)".to_string()]);
    }
    Check::new(
        id,
        Status::Pass,
        format!(
            "{} in the last {}",
            if n == 1 {
                "the only recent image scanned".to_string()
            } else {
                // plural: never one: one is the branch above
                format!("all {n} recent images scanned")
            },
            count(days, "day")
        ),
    )
}

pub fn critical(i: &RepoInputs) -> Check {
    let id = CheckId::CriticalFindings;
    let window = Duration::days(i.thresholds.recent_days);
    let scope: Vec<(&Image, String)> = top_level(i.images)
        .into_iter()
        .filter_map(|im| {
            if let Some(why) = i.in_use.and_then(|u| u.why(i.registry, im)) {
                return Some((im, why));
            }
            match im.last_pulled_at {
                Some(t) if i.now - t <= window => {
                    Some((im, format!("pulled {}", t.format("%Y-%m-%d"))))
                }
                _ => None,
            }
        })
        .collect();
    if scope.is_empty() {
        return if i.in_use.is_none() && !i.records_pull_time {
            Check::new(
                id,
                Status::Unknown,
                "no --in-use list, and the registry records no pull times",
            )
        } else {
            Check::new(
                id,
                Status::NotApplicable,
                format!(
                    "no image in use or pulled in the last {}",
                    count(i.thresholds.recent_days, "day")
                ),
            )
        };
    }
    let (mut crit, mut high, mut unscanned) = (0u32, 0u32, Vec::new());
    let mut ev = Vec::new();
    for (im, why) in &scope {
        match &im.scan {
            Some(s) if s.status == ScanStatus::Scanned => {
                let c = s.counts;
                crit += c.critical;
                high += c.high;
                if c.critical + c.high > 0 {
                    ev.push(format!(
                        "{} ({why}): {} critical, {} high",
                        shown(im),
                        c.critical,
                        c.high
                    ));
                }
            }
            _ => unscanned.push(format!("{} ({why}): no scan result", shown(im))),
        }
    }
    let n = scope.len();
    let unscanned_n = unscanned.len();
    ev.extend(unscanned);
    let ev = super::capped(ev, 10);
    if crit > 0 {
        Check::new(
            id,
            Status::Fail,
            format!(
                "{crit} critical and {} in {} in use",
                count(high, "high finding"),
                count(n, "image")
            ),
        )
        .with(ev)
    } else if high > 0 {
        Check::new(
            id,
            Status::Warn,
            format!(
                "{} in {} in use",
                count(high, "high finding"),
                count(n, "image")
            ),
        )
        .with(ev)
    } else if unscanned_n > 0 {
        Check::new(
            id,
            Status::Unknown,
            format!(
                "{unscanned_n} of {} in use {} no scan result",
                count(n, "image"),
                plural(unscanned_n, "has", "have")
            ),
        )
        .with(ev)
    } else {
        Check::new(
            id,
            Status::Pass,
            format!(
                "no critical or high findings in {} in use",
                count(n, "image")
            ),
        )
    }
}
