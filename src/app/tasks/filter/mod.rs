//! The images view computation (sort + `:platform` + fuzzy filter) on its own thread.
//!
//! Each request carries a generation; the worker skips to the newest queued request, and a
//! running scan gives up as soon as a newer generation is announced, so typing fast never
//! queues stale work. A query typed further than the last one searches only the last
//! result (every match of the longer query is a match of the shorter one). The scan hands
//! out fixed chunks of the sorted rows to the worker and a helper thread, each with its own
//! nucleo matcher, so a thread slowed by other processes takes fewer chunks; results come
//! out already in sort order. No filter means the cached sort permutation itself: "all
//! rows" is never materialised per keystroke.

pub mod query;

use crate::app::views::images::column::SortKey;
use crate::app::views::images::state::RowView;
use crate::app::views::images::table::ImageTable;
use crate::model::Platform;
use nucleo_matcher::{Config, Matcher};
pub use query::Query;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Mutex};

#[derive(Clone, Debug)]
pub struct ViewRequest {
    pub generation: u64,
    pub table: Arc<ImageTable>,
    pub sort: SortKey,
    /// The filter as typed: a leading `!` inverts it.
    pub query: String,
    pub platform: Option<Platform>,
}

/// Rows per unit of work: small enough to balance two threads and to notice a newer
/// generation within a fraction of a millisecond, large enough to cost nothing to hand out.
const CHUNK: usize = 16 * 1024;

/// Computes the view for `req` over every row; `None` when a newer generation superseded
/// it midway.
pub fn compute(req: &ViewRequest, latest: &AtomicU64) -> Option<RowView> {
    let base = req.table.sorted(req.sort);
    let query = Query::parse(&req.query);
    if query.is_empty() && req.platform.is_none() {
        return Some(RowView::Ordered(base));
    }
    filter_rows(req, &query, &base, latest).map(RowView::Filtered)
}

/// What one thread found: (chunk index, matching rows) per chunk it took; `None` when it
/// gave up for a newer generation.
type ChunkResults = Option<Vec<(usize, Vec<u32>)>>;

/// The rows of `base` (in its order) that pass `query` and the platform of `req`.
fn filter_rows(
    req: &ViewRequest,
    query: &Query,
    base: &[u32],
    latest: &AtomicU64,
) -> Option<Arc<[u32]>> {
    let stale = || latest.load(Ordering::Relaxed) != req.generation;
    if stale() {
        return None;
    }
    let chunks = base.len().div_ceil(CHUNK);
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 4)
        .min(chunks.max(1));
    let next = AtomicUsize::new(0);
    let table = &*req.table;
    let platform = req.platform.as_ref();
    // Each thread takes the next chunk until none is left; (chunk index, matches).
    let work = || -> ChunkResults {
        let mut matcher = Matcher::new(Config::DEFAULT);
        let mut done = Vec::new();
        loop {
            let c = next.fetch_add(1, Ordering::Relaxed);
            if c >= chunks {
                return Some(done);
            }
            if stale() {
                return None;
            }
            let ids = &base[c * CHUNK..((c + 1) * CHUNK).min(base.len())];
            // Sized for the chunk: no growth in the loop, whatever share of rows matches.
            let mut out = Vec::with_capacity(ids.len());
            for &id in ids {
                let r = table.row(id);
                if platform.is_some_and(|p| !r.platforms().iter().any(|x| x.satisfies(p))) {
                    continue;
                }
                if query.matches_row(r.tags_bytes(), r.tag_mask(), r.digest_bytes(), &mut matcher) {
                    out.push(id);
                }
            }
            done.push((c, out));
        }
    };
    let parts: Vec<ChunkResults> = std::thread::scope(|s| {
        let helpers: Vec<_> = (1..threads).map(|_| s.spawn(work)).collect();
        let mine = work();
        std::iter::once(mine)
            .chain(helpers.into_iter().map(|h| h.join().unwrap_or(None)))
            .collect()
    });
    let mut slots: Vec<Vec<u32>> = vec![Vec::new(); chunks];
    for part in parts {
        for (c, ids) in part? {
            slots[c] = ids;
        }
    }
    let total = slots.iter().map(Vec::len).sum();
    let mut rows = Vec::with_capacity(total);
    for s in slots {
        rows.extend_from_slice(&s);
    }
    Some(rows.into())
}

/// The last finished filtered view, kept so a refining keystroke can search only it.
struct LastResult {
    table: Arc<ImageTable>,
    sort: SortKey,
    platform: Option<Platform>,
    query: String,
    rows: Arc<[u32]>,
}

impl LastResult {
    /// The rows a request has to search: the last result when the request refines it.
    fn base_for(&self, req: &ViewRequest) -> Option<Arc<[u32]>> {
        (Arc::ptr_eq(&self.table, &req.table)
            && self.sort == req.sort
            && self.platform == req.platform
            && Query::refines(&self.query, &req.query))
        .then(|| self.rows.clone())
    }
}

/// Runs one request, searching the last result instead of every row when it can.
fn run(req: &ViewRequest, last: &Mutex<Option<LastResult>>, latest: &AtomicU64) -> Option<RowView> {
    let query = Query::parse(&req.query);
    if query.is_empty() && req.platform.is_none() {
        return compute(req, latest);
    }
    let prior = last
        .lock()
        .ok()
        .and_then(|l| l.as_ref().and_then(|l| l.base_for(req)));
    let base = match prior {
        Some(rows) => rows,
        None => req.table.sorted(req.sort),
    };
    let rows = filter_rows(req, &query, &base, latest)?;
    if let Ok(mut l) = last.lock() {
        *l = Some(LastResult {
            table: req.table.clone(),
            sort: req.sort,
            platform: req.platform.clone(),
            query: req.query.clone(),
            rows: rows.clone(),
        });
    }
    Some(RowView::Filtered(rows))
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
                let last = Mutex::new(None);
                while let Ok(mut req) = rx.recv() {
                    // Only the newest queued request matters.
                    while let Ok(newer) = rx.try_recv() {
                        req = newer;
                    }
                    if let Some(view) = run(&req, &last, &l) {
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

    fn request(table: &Arc<ImageTable>, generation: u64, query: &str) -> ViewRequest {
        ViewRequest {
            generation,
            table: table.clone(),
            sort: SortKey::new(ImageColumn::Digest, false),
            query: query.into(),
            platform: None,
        }
    }

    fn ids(v: &RowView) -> Vec<u32> {
        (0..v.len()).map(|i| v.get(i)).collect()
    }

    fn run_one(query: &str, platform: Option<Platform>) -> Vec<u32> {
        let mut req = request(&table(), 7, query);
        req.platform = platform;
        ids(&compute(&req, &AtomicU64::new(7)).unwrap())
    }

    #[test]
    fn fuzzy_inverted_and_empty() {
        assert_eq!(run_one("", None).len(), 3);
        // Fuzzy: the letters of "latest" in order.
        assert_eq!(run_one("lts", None), [0]);
        // Exact-substring atoms and inversion of the whole query.
        assert_eq!(run_one("'v1.1", None), [1]);
        let mut misses = run_one("!'v1.", None);
        misses.sort();
        assert_eq!(misses, [2]);
        assert_eq!(run_one("zzzz", None).len(), 0);
    }

    #[test]
    fn refining_searches_the_last_result_and_widening_searches_everything() {
        let t = table();
        let last = Mutex::new(None);
        let latest = AtomicU64::new(0);
        let go = |g: u64, q: &str| {
            latest.store(g, Ordering::Relaxed);
            ids(&run(&request(&t, g, q), &last, &latest).unwrap())
        };
        assert_eq!(go(1, "v1"), [0, 1]);
        // A poisoned last result shows whether the next request searched it.
        if let Some(l) = last.lock().unwrap().as_mut() {
            l.rows = Arc::from(vec![1u32]);
        }
        assert_eq!(
            go(2, "v1."),
            [1],
            "refinement searched only the last result"
        );
        assert_eq!(go(3, "v"), [0, 1], "a shorter query searches every row");
        assert_eq!(go(4, "!v1"), [2], "an inverted query searches every row");
    }

    #[test]
    fn matches_span_chunks_in_sort_order() {
        let imgs: Vec<_> = (0..(CHUNK as u64 * 2 + 10))
            .map(|n| image("r", n, if n % 3 == 0 { &["keep"] } else { &["drop"] }))
            .collect();
        let t = Arc::new(ImageTable::from_images("reg", "r", &imgs));
        let mut req = request(&t, 1, "kp");
        req.sort = SortKey::new(ImageColumn::Created, true);
        let got = ids(&compute(&req, &AtomicU64::new(1)).unwrap());
        let sorted = t.sorted(req.sort);
        let want: Vec<u32> = sorted.iter().copied().filter(|id| id % 3 == 0).collect();
        assert_eq!(got, want);
    }

    #[test]
    fn stale_generation_gives_up() {
        let req = request(&table(), 1, "v");
        assert!(compute(&req, &AtomicU64::new(2)).is_none());
    }

    #[test]
    fn platform_restricts_rows() {
        let arm = Platform::parse("linux/arm64").unwrap();
        assert_eq!(run_one("", Some(arm)).len(), 0);
        let amd = Platform::parse("linux/amd64").unwrap();
        assert_eq!(run_one("", Some(amd)).len(), 3);
    }
}
