//! The images view computation (sort + `:platform` + fuzzy filter) on its own thread.
//!
//! Each request carries a generation; the worker skips to the newest queued request, and a
//! running scan gives up as soon as a newer generation is announced, so typing fast never
//! queues stale work. The scan splits the sorted rows across a few scoped threads with one
//! nucleo matcher each; results come out already in sort order. No filter means the cached
//! sort permutation itself: "all rows" is never materialised per keystroke.

use crate::app::views::images::column::SortKey;
use crate::app::views::images::state::RowView;
use crate::app::views::images::table::ImageTable;
use crate::model::Platform;
use nucleo_matcher::pattern::{AtomKind, CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc};

#[derive(Clone, Debug)]
pub struct ViewRequest {
    pub generation: u64,
    pub table: Arc<ImageTable>,
    pub sort: SortKey,
    /// The filter as typed: a leading `!` inverts it.
    pub query: String,
    pub platform: Option<Platform>,
}

/// A parsed filter: nucleo pattern syntax (space-separated terms all match; `'exact`,
/// `^prefix`, `suffix$`), inverted as a whole by a leading `!`.
pub struct Query {
    pattern: Option<Pattern>,
    /// Per atom, the lower-cased characters any match must contain in order (`None`: no
    /// cheap test, ask nucleo). Every nucleo atom kind (fuzzy, substring, prefix, suffix,
    /// exact) implies this subsequence, so the test only skips rows nucleo would reject.
    prefilter: Vec<Option<Vec<u8>>>,
    /// Per atom: a lower-case fuzzy atom over ASCII, whose nucleo match predicate is
    /// exactly the case-insensitive subsequence test, so the prefilter's yes is the answer
    /// (nucleo's score would only rank, and the table keeps its column order).
    exact_by_prefilter: Vec<bool>,
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
        let prefilter = pattern
            .as_ref()
            .map(|p| prefilters(rest, p))
            .unwrap_or_default();
        let exact_by_prefilter = pattern
            .as_ref()
            .map(|p| {
                p.atoms
                    .iter()
                    .zip(&prefilter)
                    .map(|(a, pre)| {
                        a.kind == AtomKind::Fuzzy
                            && !a.negative
                            && pre.is_some()
                            && !rest.bytes().any(|b| b.is_ascii_uppercase())
                    })
                    .collect()
            })
            .unwrap_or_default();
        Query {
            pattern,
            prefilter,
            exact_by_prefilter,
            invert,
        }
    }
    pub fn is_empty(&self) -> bool {
        self.pattern.is_none()
    }
    /// `haystack` is a row's tags and digest separated by spaces (the digest last).
    pub fn matches(&self, haystack: &str, matcher: &mut Matcher) -> bool {
        let (tags, digest) = haystack.rsplit_once(' ').unwrap_or(("", haystack));
        self.matches_row(tags, digest, matcher)
    }

    /// Each term must match within one field (a tag, or the digest), so a fuzzy query
    /// never strings letters together across a tag and the digest; a negated term (`!x`)
    /// must miss every field. `tags` is space-separated.
    pub fn matches_row(&self, tags: &str, digest: &str, matcher: &mut Matcher) -> bool {
        let Some(p) = &self.pattern else {
            return true;
        };
        let hit = p.atoms.iter().enumerate().all(|(i, atom)| {
            let pre = self.prefilter.get(i).and_then(|x| x.as_deref());
            if let (Some(n), Some(true)) = (pre, self.exact_by_prefilter.get(i)) {
                return field_subsequence(n, tags.as_bytes())
                    || (could_be_in_digest(n) && may_match(n, digest.as_bytes()));
            }
            let mut fields = tags.split(' ').filter(|f| !f.is_empty()).chain([digest]);
            let score = |f: &str, m: &mut Matcher| atom.score(Utf32Str::Ascii(f.as_bytes()), m);
            if atom.negative {
                fields.all(|f| score(f, matcher).is_some())
            } else {
                fields.any(|f| {
                    pre.is_none_or(|n| may_match(n, f.as_bytes())) && score(f, matcher).is_some()
                })
            }
        });
        hit != self.invert
    }
}

/// Digests are `sha256:` or `sha512:` and lower-case hex: a needle with any other
/// character cannot be in one, which spares scanning 71 bytes per row.
fn could_be_in_digest(needle: &[u8]) -> bool {
    needle
        .iter()
        .all(|&b| matches!(b, b'0'..=b'9' | b'a'..=b'f' | b's' | b'h' | b':'))
}

/// `needle` (lower-case ASCII) as a case-insensitive subsequence of one of the
/// space-separated fields of `hay`, in one pass (greedy matching is exact for
/// subsequences; a space starts the needle over).
fn field_subsequence(needle: &[u8], hay: &[u8]) -> bool {
    let mut i = 0;
    for &b in hay {
        if b == b' ' {
            i = 0;
        } else if b.to_ascii_lowercase() == needle[i] {
            i += 1;
            if i == needle.len() {
                return true;
            }
        }
    }
    false
}

/// The literal characters of each atom, when the query's words line up one to one with
/// nucleo's atoms (no escaped spaces) and are ASCII.
fn prefilters(raw: &str, p: &Pattern) -> Vec<Option<Vec<u8>>> {
    if raw.contains('\\') || !raw.is_ascii() {
        return vec![None; p.atoms.len()];
    }
    let words: Vec<&str> = raw.split_whitespace().collect();
    if words.len() != p.atoms.len() {
        return vec![None; p.atoms.len()];
    }
    words
        .iter()
        .zip(&p.atoms)
        .map(|(w, a)| {
            if a.negative {
                return None;
            }
            let lit = w.trim_start_matches('!').trim_start_matches(['\'', '^']);
            let lit = lit.strip_suffix('$').unwrap_or(lit);
            (!lit.is_empty()).then(|| lit.to_ascii_lowercase().into_bytes())
        })
        .collect()
}

/// Whether `needle` (lower-case ASCII) is a case-insensitive subsequence of `hay`; memchr
/// jumps to each next character, so a miss costs about one vectorised scan.
fn may_match(needle: &[u8], hay: &[u8]) -> bool {
    let mut rest = hay;
    for &c in needle {
        let pos = if c.is_ascii_lowercase() {
            memchr::memchr2(c, c.to_ascii_uppercase(), rest)
        } else {
            memchr::memchr(c, rest)
        };
        match pos {
            Some(p) => rest = &rest[p + 1..],
            None => return false,
        }
    }
    true
}

const CHECK_EVERY: usize = 8192;

/// Computes the view for `req`; `None` when a newer generation superseded it midway.
pub fn compute(req: &ViewRequest, latest: &AtomicU64) -> Option<RowView> {
    let stale = || latest.load(Ordering::Relaxed) != req.generation;
    let base = req.table.sorted(req.sort);
    let query = Query::parse(&req.query);
    if query.is_empty() && req.platform.is_none() {
        return Some(RowView::Ordered(base));
    }
    if stale() {
        return None;
    }
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 4);
    let chunk = base.len().div_ceil(threads).max(CHECK_EVERY);
    let table = &*req.table;
    let parts: Vec<Option<Vec<u32>>> = std::thread::scope(|s| {
        let handles: Vec<_> = base
            .chunks(chunk)
            .map(|ids| {
                let query = &query;
                let platform = req.platform.as_ref();
                s.spawn(move || {
                    let mut matcher = Matcher::new(Config::DEFAULT);
                    let mut out = Vec::new();
                    for (n, &id) in ids.iter().enumerate() {
                        if n % CHECK_EVERY == 0 && stale() {
                            return None;
                        }
                        if let Some(p) = platform {
                            if !table.row(id).platforms().iter().any(|x| x.satisfies(p)) {
                                continue;
                            }
                        }
                        let r = table.row(id);
                        if query.matches_row(r.tags_text(), r.digest_str(), &mut matcher) {
                            out.push(id);
                        }
                    }
                    Some(out)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or(None))
            .collect()
    });
    let mut rows = Vec::new();
    for p in parts {
        rows.extend(p?);
    }
    Some(RowView::Filtered(rows.into()))
}

/// The long-lived worker thread. Dropping it ends the thread.
pub struct FilterWorker {
    tx: mpsc::Sender<ViewRequest>,
    latest: Arc<AtomicU64>,
}

impl FilterWorker {
    /// Starts the worker; `publish` receives `(generation, view)` for every finished request.
    pub fn spawn(publish: impl Fn(u64, RowView) + Send + 'static) -> Self {
        let (tx, rx) = mpsc::channel::<ViewRequest>();
        let latest = Arc::new(AtomicU64::new(0));
        let l = latest.clone();
        std::thread::Builder::new()
            .name("regscope-filter".into())
            .spawn(move || {
                while let Ok(mut req) = rx.recv() {
                    // Only the newest queued request matters.
                    while let Ok(newer) = rx.try_recv() {
                        req = newer;
                    }
                    if let Some(view) = compute(&req, &l) {
                        publish(req.generation, view);
                    }
                }
            })
            .expect("spawn filter thread");
        FilterWorker { tx, latest }
    }

    pub fn submit(&self, req: ViewRequest) {
        self.latest.store(req.generation, Ordering::Relaxed);
        let _ = self.tx.send(req);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::testing::image;
    use crate::app::views::images::column::ImageColumn;

    fn table() -> Arc<ImageTable> {
        let imgs = vec![
            image("web", 1, &["v1.0.0", "latest"]),
            image("web", 2, &["v1.1.0"]),
            image("web", 3, &[]),
        ];
        Arc::new(ImageTable::from_images("reg", "web", &imgs))
    }

    fn run(query: &str, platform: Option<Platform>) -> Vec<u32> {
        let req = ViewRequest {
            generation: 7,
            table: table(),
            sort: SortKey::new(ImageColumn::Digest, false),
            query: query.into(),
            platform,
        };
        let latest = AtomicU64::new(7);
        let v = compute(&req, &latest).unwrap();
        (0..v.len()).map(|i| v.get(i)).collect()
    }

    #[test]
    fn fuzzy_inverted_and_empty() {
        assert_eq!(run("", None).len(), 3);
        // Fuzzy: the letters of "latest" in order.
        assert_eq!(run("lts", None), [0]);
        // Exact-substring atoms and inversion of the whole query.
        assert_eq!(run("'v1.1", None), [1]);
        let mut misses = run("!'v1.", None);
        misses.sort();
        assert_eq!(misses, [2]);
        assert_eq!(run("zzzz", None).len(), 0);
    }

    #[test]
    fn prefilter_never_rejects_what_nucleo_accepts() {
        let hay = [
            "v1.2.3 sha-abc sha256:0a1b",
            "Latest sha256:ffee",
            "main-97 sha256:00ff",
            "sha256:1234",
        ];
        for q in [
            "v12", "LAT", "lat", "'main", "^sha", "ff$", "v1 abc", "!x", "z", "s:1", "0ff",
        ] {
            let with = Query::parse(q);
            let mut without = Query::parse(q);
            without.prefilter = vec![None; without.prefilter.len()];
            without.exact_by_prefilter = vec![false; without.prefilter.len()];
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
        assert!(may_match(b"v12", b"xV1y2"));
        assert!(!may_match(b"v12", b"2v1"));
    }

    proptest::proptest! {
        /// The memchr fast path and nucleo agree on every ASCII row and query.
        #[test]
        fn fast_path_agrees_with_nucleo(
            fields in proptest::collection::vec("[a-zA-Z0-9._-]{1,12}", 0..4),
            hex in "[0-9a-f]{1,16}",
            query in "!?['^]?[a-zA-Z0-9.:-]{1,5}\\$?( [a-z0-9]{1,3})?",
        ) {
            let mut hay = fields.join(" ");
            if !hay.is_empty() {
                hay.push(' ');
            }
            hay.push_str(&format!("sha256:{hex}"));
            let with = Query::parse(&query);
            let mut without = Query::parse(&query);
            without.prefilter = vec![None; without.prefilter.len()];
            without.exact_by_prefilter = vec![false; without.prefilter.len()];
            let mut m = Matcher::new(Config::DEFAULT);
            proptest::prop_assert_eq!(with.matches(&hay, &mut m), without.matches(&hay, &mut m));
        }
    }

    #[test]
    fn stale_generation_gives_up() {
        let req = ViewRequest {
            generation: 1,
            table: table(),
            sort: SortKey::default(),
            query: "v".into(),
            platform: None,
        };
        assert!(compute(&req, &AtomicU64::new(2)).is_none());
    }

    #[test]
    fn platform_restricts_rows() {
        let arm = Platform::parse("linux/arm64").unwrap();
        assert_eq!(run("", Some(arm)).len(), 0);
        let amd = Platform::parse("linux/amd64").unwrap();
        assert_eq!(run("", Some(amd)).len(), 3);
    }
}
