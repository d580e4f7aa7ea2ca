//! Ordering package versions as scanner reports write them, for "package P below version
//! V". Reports mix ecosystems (dpkg and rpm for OS packages, semver for language
//! packages, apk) and rarely say which, so one comparison covers them all:
//!
//! 1. An epoch (`2:1.0`) wins first; none means 0.
//! 2. A leading `v` (`v1.2.3`, Go and semver tags) marks a semver version: every hyphen
//!    suffix is a pre-release and `+build` metadata is ignored.
//! 3. Otherwise a hyphen followed by a letter (`1.0.0-rc.1`, `2.0-beta`) is a pre-release,
//!    except apk's `-r<N>` package revision; a hyphen followed by a digit (`1.2.3-1`,
//!    `3.0.7-27.el9`) separates a dpkg/rpm revision.
//! 4. Pre-releases become dpkg's `~`, which sorts before anything, even the end: so
//!    `1.0~rc1 < 1.0 < 1.0-1 < 1.0.1`.
//! 5. Upstream, then revision, compare as dpkg does: runs of non-digits by character
//!    (letters before other symbols), runs of digits numerically, alternating.
//!
//! Where the report names the package's ecosystem (`compare_in`), that ecosystem's own
//! rule decides instead: PEP 440 for Python, semantic versioning for npm/Cargo/NuGet
//! (`1.0.0+build.5 == 1.0.0`), Go's semver with pseudo-versions for Go modules, and apk's
//! `_alpha`/`_beta`/`_pre`/`_rc` pre-release suffixes for Alpine. A version that its
//! ecosystem's rule cannot read falls back to the mixed rule above.

mod pep440;
mod semver;
#[cfg(test)]
mod vectors;

use crate::model::Ecosystem;
use std::cmp::Ordering;

/// A version split into what gets compared.
#[derive(Debug, PartialEq, Eq)]
struct Parts {
    epoch: u64,
    upstream: String,
    revision: String,
}

fn parse(v: &str) -> Parts {
    let v = v.trim();
    let (epoch, rest) = match v.split_once(':') {
        Some((e, r)) if !e.is_empty() && e.bytes().all(|b| b.is_ascii_digit()) => {
            (e.parse().unwrap_or(u64::MAX), r)
        }
        _ => (0, v),
    };
    let semver =
        rest.len() > 1 && rest.starts_with(['v', 'V']) && rest.as_bytes()[1].is_ascii_digit();
    if semver {
        let body = &rest[1..];
        let body = body.split_once('+').map_or(body, |(b, _)| b);
        return Parts {
            epoch,
            upstream: body.replacen('-', "~", 1),
            revision: String::new(),
        };
    }
    // Pre-release hyphens become `~`; the last remaining hyphen splits off the revision.
    let mut s = String::with_capacity(rest.len());
    let bytes = rest.as_bytes();
    for (i, c) in rest.char_indices() {
        let next = bytes.get(i + 1).copied();
        let apk_revision = next == Some(b'r')
            && bytes.len() > i + 2
            && bytes[i + 2..].iter().all(u8::is_ascii_digit);
        if c == '-' && next.is_some_and(|n| n.is_ascii_alphabetic()) && !apk_revision {
            s.push('~');
        } else {
            s.push(c);
        }
    }
    match s.rsplit_once('-') {
        Some((u, r)) => Parts {
            epoch,
            upstream: u.to_string(),
            revision: r.to_string(),
        },
        None => Parts {
            epoch,
            upstream: s,
            revision: String::new(),
        },
    }
}

/// dpkg's character order: `~` before the end, the end before letters, letters before
/// everything else.
fn weight(c: Option<u8>) -> i32 {
    match c {
        None => 0,
        Some(b'~') => -1,
        Some(c) if c.is_ascii_digit() => 0,
        Some(c) if c.is_ascii_alphabetic() => i32::from(c),
        Some(c) => i32::from(c) + 256,
    }
}

/// dpkg's `verrevcmp` over one part (upstream or revision).
fn compare_part(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        while (i < a.len() && !a[i].is_ascii_digit()) || (j < b.len() && !b[j].is_ascii_digit()) {
            let (wa, wb) = (weight(a.get(i).copied()), weight(b.get(j).copied()));
            if wa != wb {
                return wa.cmp(&wb);
            }
            i += 1;
            j += 1;
        }
        while i < a.len() && a[i] == b'0' {
            i += 1;
        }
        while j < b.len() && b[j] == b'0' {
            j += 1;
        }
        let si = i;
        while i < a.len() && a[i].is_ascii_digit() {
            i += 1;
        }
        let sj = j;
        while j < b.len() && b[j].is_ascii_digit() {
            j += 1;
        }
        let (da, db) = (&a[si..i], &b[sj..j]);
        let o = da.len().cmp(&db.len()).then_with(|| da.cmp(db));
        if o != Ordering::Equal {
            return o;
        }
    }
    Ordering::Equal
}

/// Orders two versions by the rule in this module's documentation.
pub fn compare(a: &str, b: &str) -> Ordering {
    let (pa, pb) = (parse(a), parse(b));
    pa.epoch
        .cmp(&pb.epoch)
        .then_with(|| compare_part(&pa.upstream, &pb.upstream))
        .then_with(|| compare_part(&pa.revision, &pb.revision))
}

/// Whether `installed` is strictly below `bound`.
pub fn is_below(installed: &str, bound: &str) -> bool {
    compare(installed, bound) == Ordering::Less
}

/// Orders two versions of a package of `ecosystem` by that ecosystem's rule, or by the
/// mixed rule when the ecosystem is unknown or either version is not valid in it.
pub fn compare_in(ecosystem: Option<Ecosystem>, a: &str, b: &str) -> Ordering {
    let own = match ecosystem {
        Some(Ecosystem::Python) => pep440::Pep440::parse(a)
            .zip(pep440::Pep440::parse(b))
            .map(|(x, y)| x.cmp(&y)),
        Some(Ecosystem::Go) => semver::Semver::parse_go(a)
            .zip(semver::Semver::parse_go(b))
            .map(|(x, y)| x.cmp(&y)),
        Some(Ecosystem::Semver) => semver::Semver::parse_strict(a)
            .zip(semver::Semver::parse_strict(b))
            .map(|(x, y)| x.cmp(&y)),
        Some(Ecosystem::Alpine) => Some(compare(&apk_pre_releases(a), &apk_pre_releases(b))),
        Some(Ecosystem::Debian | Ecosystem::Rpm) | None => None,
    };
    own.unwrap_or_else(|| compare(a, b))
}

/// Whether `installed` is strictly below `bound` in `ecosystem`.
pub fn is_below_in(ecosystem: Option<Ecosystem>, installed: &str, bound: &str) -> bool {
    compare_in(ecosystem, installed, bound) == Ordering::Less
}

/// apk writes pre-releases as `_alpha`, `_beta`, `_pre`, `_rc` (before the release) and
/// everything else after an underscore (`_p1`, `_git2024`) as a later version: the first
/// become the mixed rule's `~`.
fn apk_pre_releases(v: &str) -> String {
    let mut out = v.to_string();
    for suffix in ["_alpha", "_beta", "_pre", "_rc"] {
        out = out.replace(suffix, &format!("~{}", &suffix[1..]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lt(a: &str, b: &str) {
        assert_eq!(compare(a, b), Ordering::Less, "{a} < {b}");
        assert_eq!(compare(b, a), Ordering::Greater, "{b} > {a}");
    }

    #[test]
    fn numbers_compare_as_numbers_not_text() {
        lt("1.2.9", "1.2.10");
        lt("1.9", "1.10.0");
        lt("0.9.8zh", "1.0.0");
        assert_eq!(compare("1.02", "1.2"), Ordering::Equal);
    }

    #[test]
    fn epochs_win_over_everything() {
        lt("9.9.9", "1:0.1");
        lt("1:2.0", "2:1.0");
        assert_eq!(compare("0:1.0", "1.0"), Ordering::Equal);
    }

    #[test]
    fn tilde_sorts_before_the_release_and_before_the_end() {
        lt("1.0~rc1", "1.0");
        lt("1.0~rc1", "1.0~rc2");
        lt("1.0~~", "1.0~");
        lt("2.36.1-8+deb11u1~bpo", "2.36.1-8+deb11u1");
    }

    #[test]
    fn dpkg_and_rpm_revisions_come_after_the_upstream_version() {
        lt("2.36.1", "2.36.1-8");
        lt("2.36.1-8", "2.36.1-8+deb11u1");
        lt("1.1.1n-0+deb11u4", "1.1.1n-0+deb11u5");
        lt("1.1.1n-0+deb11u5", "1.1.1o-0+deb11u1");
        lt("3.0.7-25.el9", "3.0.7-27.el9_5");
        lt("2.5.0-1ubuntu0.1", "2.5.0-1ubuntu0.2");
        lt("1.2.3-r0", "1.2.3-r1");
        lt("1.2.3", "1.2.3-r0");
    }

    #[test]
    fn semver_pre_releases_sort_before_the_release() {
        lt("1.0.0-rc.1", "1.0.0");
        lt("1.0.0-alpha", "1.0.0-alpha.1");
        lt("1.0.0-alpha.1", "1.0.0-alpha.beta");
        lt("1.0.0-beta.2", "1.0.0-beta.11");
        lt("1.0.0-rc.1", "1.0.0-rc.2");
        lt("2.0-SNAPSHOT", "2.0");
        lt("v1.22.0-rc.1", "v1.22.0");
        lt("v0.0.0-20210101-abc", "v0.0.0");
        lt("v1.9.0", "v1.10.0");
        assert_eq!(compare("v1.2.3+build.7", "v1.2.3"), Ordering::Equal);
        assert_eq!(compare("v1.2.3", "1.2.3"), Ordering::Equal);
    }

    #[test]
    fn letters_sort_before_symbols_and_after_the_end() {
        lt("1.0", "1.0a");
        lt("1.0a", "1.0+");
        lt("1.0+dfsg", "1.0.1");
    }

    #[test]
    fn below_is_strict() {
        assert!(is_below("2.5.0-1", "2.6.0"));
        assert!(!is_below("2.6.0", "2.6.0"));
        assert!(!is_below("1:1.0", "2.0"));
        assert!(is_below("3.0.0-rc.1", "3.0.0"));
    }
}
