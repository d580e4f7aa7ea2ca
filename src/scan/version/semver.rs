//! Semantic versions (semver.org 2.0.0) and Go module versions (golang.org/x/mod/semver):
//! major.minor.patch compared numerically, a pre-release before its release, pre-release
//! identifiers numeric-before-alphanumeric, build metadata (`+build.5`) ignored. Go
//! pseudo-versions (`v1.2.4-0.20060102150405-hash`) are pre-releases whose numeric
//! timestamp orders them, so they need no rule of their own.

use std::cmp::Ordering;

#[derive(Debug, PartialEq, Eq)]
pub struct Semver<'a> {
    core: [&'a str; 3],
    pre: Vec<&'a str>,
}

fn numeric(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// A number without a leading zero (`0` itself allowed), as both specs require.
fn canonical_number(s: &str) -> bool {
    numeric(s) && (s == "0" || !s.starts_with('0'))
}

fn identifier(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

impl<'a> Semver<'a> {
    /// Go's rules: a leading `v` is required; `v1` and `v1.2` are shorthands for
    /// `v1.0.0` and `v1.2.0`, but only without a pre-release or build suffix.
    pub fn parse_go(v: &'a str) -> Option<Semver<'a>> {
        Self::parse(v.strip_prefix('v')?, true)
    }

    /// semver.org's rules; a leading `v` (as tags write it) is tolerated.
    pub fn parse_strict(v: &'a str) -> Option<Semver<'a>> {
        let v = v.trim();
        Self::parse(v.strip_prefix('v').unwrap_or(v), false)
    }

    fn parse(v: &'a str, shorthand: bool) -> Option<Semver<'a>> {
        let (rest, build) = match v.split_once('+') {
            Some((r, b)) => (r, Some(b)),
            None => (v, None),
        };
        if let Some(b) = build {
            if !b.split('.').all(identifier) {
                return None;
            }
        }
        let (core, pre) = match rest.split_once('-') {
            Some((c, p)) => (c, Some(p)),
            None => (rest, None),
        };
        let parts: Vec<&str> = core.split('.').collect();
        if parts.is_empty() || parts.len() > 3 || !parts.iter().all(|p| canonical_number(p)) {
            return None;
        }
        if parts.len() < 3 && (!shorthand || pre.is_some() || build.is_some()) {
            return None;
        }
        let pre: Vec<&str> = match pre {
            None => Vec::new(),
            Some(p) => {
                let ids: Vec<&str> = p.split('.').collect();
                let ok = ids
                    .iter()
                    .all(|i| identifier(i) && (!numeric(i) || canonical_number(i)));
                if !ok {
                    return None;
                }
                ids
            }
        };
        Some(Semver {
            core: [
                parts[0],
                parts.get(1).copied().unwrap_or("0"),
                parts.get(2).copied().unwrap_or("0"),
            ],
            pre,
        })
    }
}

fn cmp_number(a: &str, b: &str) -> Ordering {
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

impl Ord for Semver<'_> {
    fn cmp(&self, o: &Self) -> Ordering {
        for (a, b) in self.core.iter().zip(&o.core) {
            let c = cmp_number(a, b);
            if c != Ordering::Equal {
                return c;
            }
        }
        match (self.pre.is_empty(), o.pre.is_empty()) {
            (true, true) => return Ordering::Equal,
            (true, false) => return Ordering::Greater,
            (false, true) => return Ordering::Less,
            _ => {}
        }
        for (a, b) in self.pre.iter().zip(&o.pre) {
            let c = match (numeric(a), numeric(b)) {
                (true, true) => cmp_number(a, b),
                (true, false) => Ordering::Less,
                (false, true) => Ordering::Greater,
                (false, false) => a.cmp(b),
            };
            if c != Ordering::Equal {
                return c;
            }
        }
        self.pre.len().cmp(&o.pre.len())
    }
}

impl PartialOrd for Semver<'_> {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
