//! When each demo repository built, what it was tagged, and which base it built on: pure
//! functions of the fleet description, the seed and the epoch.

use super::spec::{BaseSpec, FleetSpec, RepoSpec, VulnSpec};
use chrono::{DateTime, Datelike, Duration, Utc, Weekday};
use std::collections::BTreeMap;

/// Base images are rebuilt on a grid that starts this many days before the epoch, so every
/// build has a base at least as old as itself.
const BASE_GRID_START: u32 = 168;

/// A seeded generator for one named thing: the same names always give the same stream.
pub fn rng_for(seed: u64, parts: &[&str]) -> fastrand::Rng {
    // FNV-1a: stable across platforms and releases, unlike `std`'s hasher.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ seed;
    for p in parts {
        for b in p.bytes().chain(std::iter::once(0xff)) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    fastrand::Rng::with_seed(h)
}

#[derive(Clone, Debug)]
pub struct Build {
    pub index: usize,
    /// Days before the epoch.
    pub day: u32,
    pub at: DateTime<Utc>,
    pub commit: String,
    /// The semver this build released, if it was a release.
    pub version: Option<String>,
    /// Tags still pointing at this build once the whole history has run.
    pub tags: Vec<String>,
}

/// The repository's builds in time order with their final tags.
pub fn builds(spec: &FleetSpec, repo: &RepoSpec, epoch: DateTime<Utc>) -> Vec<Build> {
    let mut rng = rng_for(spec.seed, &["timeline", &repo.name]);
    let mut out = Vec::new();
    let mut day = repo.first_day as i64;
    while day >= repo.last_day as i64 {
        let date = epoch - Duration::days(day);
        let weekend = matches!(date.weekday(), Weekday::Sat | Weekday::Sun);
        if !(repo.weekdays_only && weekend) {
            let minutes = 8 * 60 + rng.i64(0..600);
            let commit: String = (0..40)
                .map(|_| char::from_digit(rng.u32(0..16), 16).unwrap())
                .collect();
            out.push(Build {
                index: out.len(),
                day: day as u32,
                at: date + Duration::minutes(minutes),
                commit,
                version: None,
                tags: Vec::new(),
            });
        }
        day -= repo.every_days as i64;
    }
    let mut tags: BTreeMap<String, usize> = BTreeMap::new();
    let mut version = repo.version.as_deref().and_then(parse_semver);
    let mut releases = 0u32;
    for b in out.iter_mut() {
        for t in &repo.moving {
            tags.insert(t.clone(), b.index);
        }
        let Some(every) = repo.release_every else {
            continue;
        };
        if !(b.index as u32 + 1).is_multiple_of(every) {
            continue;
        }
        if let Some((major, minor, patch)) = version.as_mut() {
            if releases > 0 {
                if releases.is_multiple_of(5) {
                    *minor += 1;
                    *patch = 0;
                } else {
                    *patch += 1;
                }
            }
            releases += 1;
            let v = format!("{major}.{minor}.{patch}");
            tags.insert(v.clone(), b.index);
            tags.insert(format!("{major}.{minor}"), b.index);
            tags.insert("latest".into(), b.index);
            b.version = Some(v);
        }
    }
    let n = out.len();
    for b in out.iter().skip(n.saturating_sub(repo.sha_tags)) {
        tags.insert(format!("sha-{}", &b.commit[..7]), b.index);
    }
    for (t, i) in tags {
        out[i].tags.push(t);
    }
    out
}

fn parse_semver(s: &str) -> Option<(u32, u32, u32)> {
    let mut it = s.split('.').map(|p| p.parse::<u32>().ok());
    Some((it.next()??, it.next()??, it.next()??))
}

/// The day (before the epoch) the base in use on `day` was built.
pub fn base_day(base: &BaseSpec, day: u32) -> u32 {
    let step = base.rebuild_days.max(1);
    let k = BASE_GRID_START.saturating_sub(day) / step;
    BASE_GRID_START - k * step
}

fn applies(v: &VulnSpec, base: &BaseSpec) -> bool {
    base.packages.contains(&v.package) && (v.bases.is_empty() || v.bases.contains(&base.name))
}

/// Whether a base built on `base_day` still ships the vulnerable version.
pub fn vulnerable(v: &VulnSpec, base: &BaseSpec, base_day: u32) -> bool {
    applies(v, base) && v.fixed_day.is_none_or(|f| base_day > f)
}

/// The package versions a base built on `base_day` ships.
pub fn package_versions(spec: &FleetSpec, base: &BaseSpec, base_day: u32) -> Vec<(String, String)> {
    base.packages
        .iter()
        .map(|p| {
            let vs: Vec<&VulnSpec> = spec
                .vulnerabilities
                .iter()
                .filter(|v| v.package == *p && applies(v, base))
                .collect();
            let version = vs
                .iter()
                .find(|v| vulnerable(v, base, base_day))
                .map(|v| v.installed.clone())
                .or_else(|| vs.iter().filter_map(|v| v.fixed.clone()).max())
                .unwrap_or_else(|| default_version(&base.name, p));
            (p.clone(), version)
        })
        .collect()
}

fn default_version(base: &str, pkg: &str) -> String {
    let n = pkg.len() % 7;
    if base == "alpine" {
        format!("1.{n}.2-r0")
    } else {
        format!("1.{n}.4-1")
    }
}
