//! A parsed filter and the row test behind it: nucleo pattern syntax, checked per field
//! (each tag, the digest), with cheap necessary conditions in front of nucleo so most rows
//! are decided by a mask test or a short scan of the tags, and no row allocates.

use nucleo_matcher::pattern::{AtomKind, CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Matcher, Utf32Str};

/// One bit per character class of lower-cased ASCII; a row's mask says which classes occur
/// in its tags. `needle ⊆ row` is necessary for any atom to match a tag, so most rows of a
/// selective query are rejected with one load and one AND.
pub fn char_mask(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0u64, |m, &b| m | char_bit(b))
}

/// Whether `b`'s class holds `b` alone (case aside): then "the row's tags contain `b`" is
/// exactly its mask bit.
fn exact_class(b: u8) -> bool {
    matches!(b.to_ascii_lowercase(), b'a'..=b'z' | b'0'..=b'9' | b'.' | b'-' | b'_' | b':')
}

fn char_bit(b: u8) -> u64 {
    let b = b.to_ascii_lowercase();
    let slot = match b {
        b'a'..=b'z' => b - b'a',
        b'0'..=b'9' => 26 + b - b'0',
        b'.' => 36,
        b'-' => 37,
        b'_' => 38,
        b':' => 39,
        b' ' => return 0,
        other => 40 + other % 24,
    };
    1u64 << slot
}

/// What one nucleo atom needs before nucleo is asked.
#[derive(Clone, Debug)]
struct AtomTest {
    /// The atom's literal characters, lower-cased (`None`: no cheap test, ask nucleo).
    needle: Option<Vec<u8>>,
    /// `char_mask` of the needle.
    mask: u64,
    /// A lower-case fuzzy atom over ASCII: nucleo's match predicate is exactly the
    /// case-insensitive subsequence test, so the fast test is the answer.
    decided_by_needle: bool,
    /// Whether the needle could occur in a digest (`sha256:` + lower-case hex).
    in_digest: bool,
    /// A one-character needle whose class is that character alone: the tag mask answers
    /// for the tags without reading them.
    mask_decides_tags: bool,
}

/// A parsed filter: nucleo pattern syntax (space-separated terms all match; `'exact`,
/// `^prefix`, `suffix$`), inverted as a whole by a leading `!`.
pub struct Query {
    pattern: Option<Pattern>,
    tests: Vec<AtomTest>,
    invert: bool,
}

impl Query {
    pub fn parse(raw: &str) -> Query {
        let (invert, rest) = match raw.strip_prefix('!') {
            Some(r) => (true, r),
            None => (false, raw),
        };
        let rest = rest.trim();
        let pattern = (!rest.is_empty())
            .then(|| Pattern::parse(rest, CaseMatching::Smart, Normalization::Smart));
        let tests = pattern
            .as_ref()
            .map(|p| atom_tests(rest, p))
            .unwrap_or_default();
        Query {
            pattern,
            tests,
            invert,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.pattern.is_none()
    }

    /// `haystack` is a row's tags and digest separated by spaces (the digest last).
    pub fn matches(&self, haystack: &str, matcher: &mut Matcher) -> bool {
        let (tags, digest) = haystack.rsplit_once(' ').unwrap_or(("", haystack));
        let (tags, digest) = (tags.as_bytes(), digest.as_bytes());
        self.matches_row(tags, char_mask(tags), digest, matcher)
    }

    /// Each term must match within one field (a tag, or the digest), so a fuzzy query
    /// never strings letters together across a tag and the digest; a negated term (`!x`)
    /// must miss every field. `tags` is space-separated ASCII (the table guarantees it);
    /// `tag_mask` is its `char_mask`.
    pub fn matches_row(&self, tags: &[u8], tag_mask: u64, digest: &[u8], m: &mut Matcher) -> bool {
        let Some(p) = &self.pattern else {
            return true;
        };
        let hit = p
            .atoms
            .iter()
            .zip(&self.tests)
            .all(|(atom, test)| match &test.needle {
                Some(n) if test.decided_by_needle => {
                    let in_tags = tag_mask & test.mask == test.mask
                        && (test.mask_decides_tags || field_subsequence(n, tags));
                    in_tags || (test.in_digest && in_digest(n, digest))
                }
                needle => {
                    let mut fields = tags
                        .split(|b| *b == b' ')
                        .filter(|f| !f.is_empty())
                        .chain([digest]);
                    let score =
                        |f: &[u8], m: &mut Matcher| atom.score(Utf32Str::Ascii(f), m).is_some();
                    if atom.negative {
                        fields.all(|f| score(f, m))
                    } else {
                        if needle.is_some() && tag_mask & test.mask != test.mask && !test.in_digest
                        {
                            return false;
                        }
                        fields
                            .any(|f| needle.as_ref().is_none_or(|n| may_match(n, f)) && score(f, m))
                    }
                }
            });
        hit != self.invert
    }

    /// The same test over any list's text fields (repository names, plan rows, errors):
    /// each term must match within one field, a negated term must miss every field, and a
    /// leading `!` inverts the whole. Fields may be any Unicode.
    pub fn matches_fields(&self, fields: &[&str], m: &mut Matcher) -> bool {
        let Some(p) = &self.pattern else {
            return true;
        };
        let mut buf = Vec::new();
        let mut score = |atom: &nucleo_matcher::pattern::Atom, f: &str, m: &mut Matcher| {
            atom.score(Utf32Str::new(f, &mut buf), m).is_some()
        };
        let hit = p.atoms.iter().all(|atom| {
            if atom.negative {
                fields.iter().all(|f| score(atom, f, m))
            } else {
                fields.iter().any(|f| score(atom, f, m))
            }
        });
        hit != self.invert
    }

    /// Whether every row matching `new` also matches `old` (both as typed), so the result
    /// of `old` can be searched instead of every row. Conservative: only a query typed
    /// further (the last word extended, or words added) qualifies, never an inverted one,
    /// a negated or `$`-anchored word being extended, or an escape.
    pub fn refines(old: &str, new: &str) -> bool {
        if old.starts_with('!') || new.starts_with('!') || old.contains('\\') || new.contains('\\')
        {
            return false;
        }
        let ow: Vec<&str> = old.split_whitespace().collect();
        let nw: Vec<&str> = new.split_whitespace().collect();
        let Some((last, head)) = ow.split_last() else {
            return false;
        };
        if nw.len() < ow.len() || nw[..head.len()] != *head {
            return false;
        }
        let grown = nw[head.len()];
        if grown == *last {
            return true;
        }
        let literal = last
            .trim_start_matches(['!', '\'', '^'])
            .trim_end_matches('$');
        // A longer literal (whatever `$` or `'` the new word gains) only matches fields that
        // also hold the shorter one; a negated word would grow its exclusions instead, and
        // an anchored `ab$` typed on is no longer anchored where it was.
        grown.starts_with(last)
            && !last.starts_with('!')
            && !last.ends_with('$')
            && !literal.is_empty()
    }
}

/// Digests are `sha256:` or `sha512:` and lower-case hex: a needle with any other
/// character cannot be in one, which spares scanning 71 bytes per row.
fn could_be_in_digest(needle: &[u8]) -> bool {
    needle
        .iter()
        .all(|&b| matches!(b, b'0'..=b'9' | b'a'..=b'f' | b's' | b'h' | b':'))
}

/// The cheap tests of each atom, when the query's words line up one to one with nucleo's
/// atoms (no escaped spaces) and are ASCII.
fn atom_tests(raw: &str, p: &Pattern) -> Vec<AtomTest> {
    let none = AtomTest {
        needle: None,
        mask: 0,
        decided_by_needle: false,
        in_digest: true,
        mask_decides_tags: false,
    };
    let words: Vec<&str> = raw.split_whitespace().collect();
    if raw.contains('\\') || !raw.is_ascii() || words.len() != p.atoms.len() {
        return vec![none; p.atoms.len()];
    }
    let has_upper = raw.bytes().any(|b| b.is_ascii_uppercase());
    words
        .iter()
        .zip(&p.atoms)
        .map(|(w, a)| {
            if a.negative {
                return none.clone();
            }
            let lit = w.trim_start_matches('!').trim_start_matches(['\'', '^']);
            let lit = lit.strip_suffix('$').unwrap_or(lit);
            if lit.is_empty() {
                return none.clone();
            }
            let needle = lit.to_ascii_lowercase().into_bytes();
            AtomTest {
                mask_decides_tags: needle.len() == 1 && exact_class(needle[0]),
                mask: char_mask(&needle),
                in_digest: could_be_in_digest(&needle),
                decided_by_needle: a.kind == AtomKind::Fuzzy && !has_upper,
                needle: Some(needle),
            }
        })
        .collect()
}

/// The first `c` (lower-case ASCII) in `hay`, either case. A plain loop: tags are a few
/// dozen bytes, where a vectorised search costs more to set up than it saves (profiles
/// showed `memchr2` as the filter's largest cost).
#[inline]
fn find_ci(c: u8, hay: &[u8]) -> Option<usize> {
    if c.is_ascii_lowercase() {
        // For a letter, `b | 0x20 == c` holds exactly for its two cases.
        hay.iter().position(|&b| b | 0x20 == c)
    } else {
        hay.iter().position(|&b| b == c)
    }
}

/// `needle` (lower-case ASCII, not empty) as a case-insensitive subsequence of one of the
/// space-separated fields of `hay`. A scan jumps to the needle's first character; from
/// there the rest must follow within that field. Greedy matching is exact for
/// subsequences, so a field that fails from its first candidate fails altogether, and the
/// search jumps to the next field.
pub fn field_subsequence(needle: &[u8], hay: &[u8]) -> bool {
    let (first, rest) = match needle.split_first() {
        Some(x) => x,
        None => return true,
    };
    let mut at = 0;
    while let Some(p) = find_ci(*first, &hay[at..]) {
        let mut j = at + p + 1;
        let mut k = 0;
        while k < rest.len() && j < hay.len() {
            let b = hay[j];
            if b == b' ' {
                break;
            }
            k += usize::from(b.to_ascii_lowercase() == rest[k]);
            j += 1;
        }
        if k == rest.len() {
            return true;
        }
        match hay[j..].iter().position(|&b| b == b' ') {
            Some(q) => at = j + q + 1,
            None => return false,
        }
    }
    false
}

/// Whether `needle` (lower-case ASCII) is a subsequence of a digest (lower-case by the
/// spec, 71 bytes and more: long enough for `memchr` to pay).
fn in_digest(needle: &[u8], digest: &[u8]) -> bool {
    let mut rest = digest;
    for &c in needle {
        match memchr::memchr(c, rest) {
            Some(p) => rest = &rest[p + 1..],
            None => return false,
        }
    }
    true
}

/// Whether `needle` (lower-case ASCII) is a case-insensitive subsequence of `hay`.
pub fn may_match(needle: &[u8], hay: &[u8]) -> bool {
    let mut rest = hay;
    for &c in needle {
        match find_ci(c, rest) {
            Some(p) => rest = &rest[p + 1..],
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use nucleo_matcher::Config;

    /// The same query with every cheap test switched off: nucleo alone decides.
    fn nucleo_only(q: &str) -> Query {
        let mut without = Query::parse(q);
        for t in &mut without.tests {
            t.needle = None;
            t.decided_by_needle = false;
            t.in_digest = true;
            t.mask_decides_tags = false;
        }
        without
    }

    #[test]
    fn prefilter_never_rejects_what_nucleo_accepts() {
        let hay = [
            "v1.2.3 sha-abc sha256:0a1b",
            "x#y sha256:0a1b",
            "Latest sha256:ffee",
            "main-97 sha256:00ff",
            "sha256:1234",
        ];
        for q in [
            "v12", "LAT", "lat", "'main", "^sha", "ff$", "v1 abc", "!x", "z", "s:1", "0ff", "v",
            "3", ".", "-", "#", "L",
        ] {
            let (with, without) = (Query::parse(q), nucleo_only(q));
            let mut m = Matcher::new(Config::DEFAULT);
            for h in hay {
                assert_eq!(
                    with.matches(h, &mut m),
                    without.matches(h, &mut m),
                    "{q} on {h}"
                );
            }
        }
        assert!(field_subsequence(b"v12", b"a xV1y2"));
        assert!(!field_subsequence(b"v12", b"v1 2"));
        assert!(field_subsequence(b"v12", b"v1 xv2 v9v12"));
        assert!(!field_subsequence(b"ab", b"a b"));
        assert!(may_match(b"v12", b"xV1y2"));
        assert!(!may_match(b"v12", b"2v1"));
    }

    #[test]
    fn refinement_only_when_every_new_match_is_an_old_match() {
        for (old, new) in [
            ("v1", "v12"),
            ("v1", "v1 sha"),
            ("v1 sh", "v1 sha"),
            ("'v1", "'v1."),
            ("^ma", "^main"),
            ("v1", "v1"),
            ("ab", "ab$"),
            ("v1 ", "v1 !x"),
        ] {
            assert!(Query::refines(old, new), "{old} -> {new}");
        }
        for (old, new) in [
            ("", "v"),
            ("v12", "v1"),
            ("!v1", "!v12"),
            ("x !ab", "x !abc"),
            ("ab$", "ab$c"),
            ("v1 sha", "v12 sha"),
            ("^", "^a"),
            ("'", "'a"),
            ("a\\", "a\\ b"),
        ] {
            assert!(!Query::refines(old, new), "{old} -> {new}");
        }
    }

    proptest::proptest! {
        /// The fast paths and nucleo agree on every ASCII row and query.
        #[test]
        fn fast_path_agrees_with_nucleo(
            fields in proptest::collection::vec("[a-zA-Z0-9._-]{1,12}", 0..4),
            hex in "[0-9a-f]{1,16}",
            query in "!?['^]?[a-zA-Z0-9.:-]{1,5}\\$?( !?[a-z0-9]{1,3})?",
        ) {
            let mut hay = fields.join(" ");
            if !hay.is_empty() {
                hay.push(' ');
            }
            hay.push_str(&format!("sha256:{hex}"));
            let (with, without) = (Query::parse(&query), nucleo_only(&query));
            let mut m = Matcher::new(Config::DEFAULT);
            proptest::prop_assert_eq!(with.matches(&hay, &mut m), without.matches(&hay, &mut m));
        }

        /// A refined query never matches a row the query it refines rejected.
        #[test]
        fn refinement_is_a_subset(
            fields in proptest::collection::vec("[a-zA-Z0-9._$'^!-]{1,8}", 0..4),
            old in "['^!]?[a-z0-9.$]{0,4}( ['^!]?[a-z0-9.$]{1,3})?",
            more in "[a-z0-9.$ '^!]{1,4}",
        ) {
            let new = format!("{old}{more}");
            if Query::refines(&old, &new) {
                let mut hay = fields.join(" ");
                if !hay.is_empty() {
                    hay.push(' ');
                }
                hay.push_str("sha256:0123abcd");
                let mut m = Matcher::new(Config::DEFAULT);
                if Query::parse(&new).matches(&hay, &mut m) {
                    proptest::prop_assert!(Query::parse(&old).matches(&hay, &mut m), "{old:?} -> {new:?} on {hay:?}");
                }
            }
        }
    }
}
