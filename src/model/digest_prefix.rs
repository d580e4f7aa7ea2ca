//! Short digests as people type them (`sha256:0a8b13f7`, or bare `0a8b13f7` where only a
//! digest can be meant), and their resolution against the digests known for one
//! repository: exactly one match is that digest, none or several is an error that says
//! which. A full digest never goes through here: it needs no listing.

use super::Digest;
use std::fmt;

/// The fewest hex characters a short digest may have (docs/decisions.md, "Short digests"):
/// at 8, two of a repository's 1,000 digests share a prefix with probability ~1e-4, and a
/// typed prefix matches a wrong digest by chance ~2e-7; at 6, ~3e-2 and ~6e-5.
pub const MIN_PREFIX_HEX: usize = 8;

/// At most this many candidates are named in an "ambiguous" error.
const SHOWN_CANDIDATES: usize = 5;

/// A digest as typed: complete, or a prefix still to be resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TypedDigest {
    Full(Digest),
    Prefix(DigestPrefix),
}

/// The start of a digest: an algorithm (or none, when typed as bare hex) and at least
/// [`MIN_PREFIX_HEX`] lower-case hex characters, fewer than the algorithm's full length.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct DigestPrefix {
    algorithm: Option<String>,
    hex: String,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("invalid digest {value:?}: {why}")]
pub struct DigestPrefixError {
    pub value: String,
    pub why: String,
}

impl TypedDigest {
    /// `sha256:HEX` (full or a prefix), or with `bare_hex_ok` a bare `HEX` prefix (where the
    /// context says a digest is meant). A full-length digest is validated as [`Digest`]
    /// always is; a prefix by the same rules (known algorithm, lower-case hex).
    pub fn parse(s: &str, bare_hex_ok: bool) -> Result<TypedDigest, DigestPrefixError> {
        let err = |why: String| DigestPrefixError {
            value: s.chars().take(80).collect(),
            why,
        };
        let (algorithm, hex) = match s.split_once(':') {
            Some((a, h)) => (Some(a), h),
            None if bare_hex_ok => (None, s),
            None => return Err(err("missing ':' (write sha256:HEX)".into())),
        };
        let full = match algorithm {
            Some("sha256") | None => 64,
            Some("sha512") => 128,
            Some(other) => {
                return Err(err(format!(
                    "unsupported algorithm {other:?} (sha256 or sha512)"
                )))
            }
        };
        if let Some(bad) = hex.chars().find(|c| !c.is_ascii_hexdigit()) {
            return Err(err(format!("{bad:?} is not a hex digit")));
        }
        if hex.bytes().any(|b| b.is_ascii_uppercase()) {
            return Err(err(format!(
                "digests are lower-case hex: {}",
                hex.to_ascii_lowercase()
            )));
        }
        if algorithm.is_some() && hex.len() == full {
            return Digest::parse(s)
                .map(TypedDigest::Full)
                .map_err(|e| err(e.why.to_string()));
        }
        if algorithm.is_none() && (hex.len() == 64 || hex.len() == 128) {
            let alg = if hex.len() == 64 { "sha256" } else { "sha512" };
            let d = Digest::parse(&format!("{alg}:{hex}")).map_err(|e| err(e.why.into()))?;
            return Ok(TypedDigest::Full(d));
        }
        if hex.len() > full {
            return Err(err(format!(
                "{} hex characters; a digest has {full}",
                hex.len()
            )));
        }
        if hex.len() < MIN_PREFIX_HEX {
            return Err(err(format!(
                "a short digest needs at least {MIN_PREFIX_HEX} hex characters, this has {}",
                hex.len()
            )));
        }
        Ok(TypedDigest::Prefix(DigestPrefix {
            algorithm: algorithm.map(str::to_string),
            hex: hex.to_string(),
        }))
    }
}

impl DigestPrefix {
    /// Whether `d` starts with this prefix (any algorithm when typed as bare hex).
    pub fn matches(&self, d: &Digest) -> bool {
        self.algorithm.as_deref().is_none_or(|a| a == d.algorithm())
            && d.hex().starts_with(&self.hex)
    }
}

impl fmt::Display for DigestPrefix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.algorithm {
            Some(a) => write!(f, "{a}:{}", self.hex),
            None => f.write_str(&self.hex),
        }
    }
}

/// One digest known for a repository, and what names it (its tags, or where it was seen:
/// "child of sha256:…", "referrer", "tag v1 before").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KnownDigest {
    pub digest: Digest,
    pub names: Vec<String>,
}

/// Why a short digest named no single digest.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShortDigestError {
    #[error("no digest of {repository} starts with {prefix} ({} checked)", count_digests(*.checked))]
    NotFound {
        repository: String,
        prefix: String,
        checked: usize,
    },
    #[error("{prefix} is ambiguous in {repository}: it matches {} ({}); type more of the digest", count_digests(*.total), list(.candidates, *.total))]
    Ambiguous {
        repository: String,
        prefix: String,
        /// The first few matches (sorted by digest), with their names.
        candidates: Vec<KnownDigest>,
        total: usize,
    },
    /// The repository's digests could not be listed.
    #[error("cannot resolve {prefix} in {repository}: {why}")]
    Listing {
        repository: String,
        prefix: String,
        why: String,
    },
}

impl ShortDigestError {
    /// The error on one status line: candidates by their hex cut just past the typed
    /// prefix (at least 12, as `docker images` shows them), which still tells them apart.
    pub fn one_line(&self) -> String {
        let ShortDigestError::Ambiguous {
            repository,
            prefix,
            candidates,
            total,
        } = self
        else {
            return self.to_string();
        };
        let typed = prefix.rsplit(':').next().unwrap_or(prefix).len();
        let mut parts: Vec<String> = candidates
            .iter()
            .map(|c| {
                let hex = &c.digest.hex()[..(typed + 4).max(12).min(c.digest.hex().len())];
                match c.names.is_empty() {
                    true => format!("{hex} untagged"),
                    false => format!("{hex} {}", c.names.join(", ")),
                }
            })
            .collect();
        if *total > candidates.len() {
            parts.push(format!("and {} more", total - candidates.len()));
        }
        format!(
            "{prefix} is ambiguous in {repository}, {} match: {}; type more of it",
            total,
            parts.join(" · ")
        )
    }
}

fn count_digests(n: usize) -> String {
    crate::text::count(n, "digest")
}

fn list(candidates: &[KnownDigest], total: usize) -> String {
    let mut parts: Vec<String> = candidates
        .iter()
        .map(|c| match c.names.is_empty() {
            true => format!("{} untagged", c.digest),
            false => format!("{} {}", c.digest, c.names.join(", ")),
        })
        .collect();
    if total > candidates.len() {
        parts.push(format!("and {} more", total - candidates.len()));
    }
    parts.join("; ")
}

/// The one digest of `known` (the digests of `repository`) that `prefix` names. The same
/// digest listed twice (a tag and a child) counts once, with both names.
pub fn resolve(
    prefix: &DigestPrefix,
    repository: &str,
    known: impl IntoIterator<Item = KnownDigest>,
) -> Result<Digest, ShortDigestError> {
    let mut all: std::collections::BTreeMap<Digest, Vec<String>> = Default::default();
    for k in known {
        let names = all.entry(k.digest).or_default();
        for n in k.names {
            if !names.contains(&n) {
                names.push(n);
            }
        }
    }
    let checked = all.len();
    let mut hits: Vec<KnownDigest> = all
        .into_iter()
        .filter(|(d, _)| prefix.matches(d))
        .map(|(digest, names)| KnownDigest { digest, names })
        .collect();
    match hits.len() {
        0 => Err(ShortDigestError::NotFound {
            repository: repository.to_string(),
            prefix: prefix.to_string(),
            checked,
        }),
        1 => Ok(hits.remove(0).digest),
        total => {
            hits.truncate(SHOWN_CANDIDATES);
            Err(ShortDigestError::Ambiguous {
                repository: repository.to_string(),
                prefix: prefix.to_string(),
                candidates: hits,
                total,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(hex_start: &str) -> Digest {
        let hex = format!("{hex_start}{}", "0".repeat(64 - hex_start.len()));
        Digest::parse(&format!("sha256:{hex}")).unwrap()
    }
    fn known(hex_start: &str, names: &[&str]) -> KnownDigest {
        KnownDigest {
            digest: d(hex_start),
            names: names.iter().map(|s| s.to_string()).collect(),
        }
    }
    fn prefix(s: &str) -> DigestPrefix {
        match TypedDigest::parse(s, true).unwrap() {
            TypedDigest::Prefix(p) => p,
            full => panic!("{s} parsed as {full:?}"),
        }
    }

    #[test]
    fn a_unique_prefix_is_its_digest() {
        let repo = [known("0a8b13f7", &["v1"]), known("0a8b13f8", &["v2"])];
        assert_eq!(
            resolve(&prefix("sha256:0a8b13f7"), "team/api", repo.clone()),
            Ok(d("0a8b13f7"))
        );
        assert_eq!(
            resolve(&prefix("0a8b13f8"), "team/api", repo),
            Ok(d("0a8b13f8"))
        );
    }

    #[test]
    fn no_match_names_repository_prefix_and_count() {
        let repo = [known("0a8b13f7", &["v1"]), known("11111111", &[])];
        let e = resolve(&prefix("sha256:deadbeef"), "team/api", repo).unwrap_err();
        assert_eq!(
            e.to_string(),
            "no digest of team/api starts with sha256:deadbeef (2 digests checked)"
        );
    }

    #[test]
    fn several_matches_list_candidates_with_tags_and_how_many_more() {
        let mut repo: Vec<KnownDigest> = (0..7)
            .map(|i| known(&format!("0a8b13f7{i}"), &[]))
            .collect();
        repo[0].names = vec!["v1".into(), "latest".into()];
        // The same digest again, as a child: one candidate, not two.
        repo.push(known("0a8b13f70", &["child of sha256:ffff"]));
        let e = resolve(&prefix("sha256:0a8b13f7"), "team/api", repo).unwrap_err();
        let ShortDigestError::Ambiguous {
            candidates, total, ..
        } = &e
        else {
            panic!("{e:?}")
        };
        assert_eq!((candidates.len(), *total), (5, 7));
        let s = e.to_string();
        assert!(
            s.starts_with("sha256:0a8b13f7 is ambiguous in team/api: it matches 7 digests ("),
            "{s}"
        );
        assert!(
            s.contains(&format!(
                "{} v1, latest, child of sha256:ffff",
                d("0a8b13f70")
            )),
            "{s}"
        );
        assert!(s.contains(&format!("{} untagged", d("0a8b13f71"))), "{s}");
        assert!(s.contains("and 2 more"), "{s}");
        assert!(s.ends_with("type more of the digest"), "{s}");
        assert_eq!(
            e.one_line(),
            "sha256:0a8b13f7 is ambiguous in team/api, 7 match: 0a8b13f70000 v1, latest, child of sha256:ffff · 0a8b13f71000 untagged · 0a8b13f72000 untagged · 0a8b13f73000 untagged · 0a8b13f74000 untagged · and 2 more; type more of it"
        );
    }

    #[test]
    fn too_short_says_the_minimum() {
        for short in ["sha256:0a8b13f", "0a8b", "sha256:"] {
            let e = TypedDigest::parse(short, true).unwrap_err();
            assert!(
                e.to_string().contains("at least 8 hex characters"),
                "{short}: {e}"
            );
        }
    }

    #[test]
    fn upper_case_non_hex_and_wrong_algorithm_are_named() {
        let e = TypedDigest::parse("sha256:0A8B13F7", false).unwrap_err();
        assert!(e.to_string().contains("lower-case hex: 0a8b13f7"), "{e}");
        let e = TypedDigest::parse("sha256:0a8b13g7", false).unwrap_err();
        assert!(e.to_string().contains("'g' is not a hex digit"), "{e}");
        let e = TypedDigest::parse("md5:0a8b13f7", false).unwrap_err();
        assert!(
            e.to_string().contains("unsupported algorithm \"md5\""),
            "{e}"
        );
        let e = TypedDigest::parse("0a8b13f7", false).unwrap_err();
        assert!(e.to_string().contains("missing ':'"), "{e}");
        let long = format!("sha256:{}", "a".repeat(65));
        assert!(TypedDigest::parse(&long, false)
            .unwrap_err()
            .to_string()
            .contains("65 hex"));
    }

    #[test]
    fn full_digests_stay_full_and_prefixes_keep_their_algorithm() {
        let full = format!("sha256:{}", "ab".repeat(32));
        assert_eq!(
            TypedDigest::parse(&full, false),
            Ok(TypedDigest::Full(Digest::parse(&full).unwrap()))
        );
        assert_eq!(
            TypedDigest::parse(&"ab".repeat(32), true),
            Ok(TypedDigest::Full(Digest::parse(&full).unwrap()))
        );
        // A sha512 prefix never matches a sha256 digest of the same hex; bare hex matches any.
        let sha512 = prefix(&format!("sha512:{}", "ab".repeat(8)));
        assert!(!sha512.matches(&Digest::parse(&full).unwrap()));
        assert!(prefix(&"ab".repeat(8)).matches(&Digest::parse(&full).unwrap()));
    }
}
