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
use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
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
    invert: bool,
}

impl Query {
    pub fn parse(raw: &str) -> Query {
        let (invert, rest) = match raw.strip_prefix('!') {
            Some(r) => (true, r),
            None => (false, raw),
        };
        let rest = rest.trim();
        Query {
            pattern: (!rest.is_empty())
                .then(|| Pattern::parse(rest, CaseMatching::Smart, Normalization::Smart)),
            invert,
        }
    }
    pub fn is_empty(&self) -> bool {
        self.pattern.is_none()
    }
    /// `haystack` is a row's tags and digest separated by spaces. Each term must match
    /// within one field (a tag, or the digest), so a fuzzy query never strings letters
    /// together across a tag and the digest; a negated term (`!x`) must miss every field.
    pub fn matches(&self, haystack: &str, matcher: &mut Matcher) -> bool {
        let Some(p) = &self.pattern else {
            return true;
        };
        let hit = p.atoms.iter().all(|atom| {
            let mut fields = haystack.split(' ');
            let score = |f: &str, m: &mut Matcher| atom.score(Utf32Str::Ascii(f.as_bytes()), m);
            if atom.negative {
                fields.all(|f| score(f, matcher).is_some())
            } else {
                fields.any(|f| score(f, matcher).is_some())
            }
        });
        hit != self.invert
    }
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
                        if query.matches(table.haystack(id), &mut matcher) {
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
