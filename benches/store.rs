//! The store's benchmarks (issue 18; figures in docs/performance.md):
//! - `store reopen DB REGISTRY`: the first full tree from the store, as the TUI gets it on
//!   open: open the database, the listing and the summaries into the app state, one frame
//!   (`tree_ms`); then every repository decoded and turned into the TUI's table
//!   (`app::tasks::inventory::convert`), one more frame (`all_rows_ms`). One JSON line. scripts/bench-store.sh runs it on the database a cold
//!   crawl of the 2,000-manifest benchmark registry left behind.
//! - `store million [REPOS [IMAGES]]`: a store holding 1,000,000 images (REPOS
//!   repositories, 1,000 by default; IMAGES to try it smaller), written through the
//!   store's own write path (`record_repository`, as a crawl records) by a child process;
//!   then, in a fresh child, the open, the read of
//!   the whole last inventory, the tables and one frame, the size on disk and the
//!   resident memory (VmHWM) of that child, i.e. of a TUI that opened it.
//!
//! Run: `cargo bench --bench store` (both; the reopen needs a database: see the script).

use chrono::Duration;
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use regscope::app::msg::Msg;
use regscope::app::state::State;
use regscope::app::tasks::inventory::convert;
use regscope::app::testing::{fixed_now, image};
use regscope::app::{ui, update::update};
use regscope::config::RegistrySettings;
use regscope::inventory::InventoryEvent;
use regscope::model::{BlobRef, Digest, Image};
use regscope::registry::Target;
use regscope::store::Store;
use std::path::Path;
use std::time::Instant;

const MILLION: u64 = 1_000_000;
/// Repositories of the default million: 1,000 of 1,000 images each.
const DEFAULT_REPOS: u64 = 1_000;
/// Base images the repositories build on: each repository's images share one of them.
const BASES: u64 = 12;
const BENCH_REGISTRY: &str = "bench.example";

fn rss_mb() -> (f64, f64) {
    let s = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        s.lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<f64>().ok())
            .map_or(f64::NAN, |kb| kb / 1024.0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

fn ms(d: std::time::Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        ["reopen", db, registry] => reopen(Path::new(db), registry),
        ["million-write", db, repos, images] => million_write(
            Path::new(db),
            repos.parse().expect("REPOS"),
            images.parse().expect("IMAGES"),
            BENCH_REGISTRY,
        ),
        // A store for the real TUI to open (its registry name is the address the TUI is
        // started on): see docs/performance.md for the tmux measurement.
        ["million-write", db, repos, images, registry] => million_write(
            Path::new(db),
            repos.parse().expect("REPOS"),
            images.parse().expect("IMAGES"),
            registry,
        ),
        ["million"] | [] => million(DEFAULT_REPOS, MILLION),
        ["million", repos] => million(repos.parse().expect("REPOS"), MILLION),
        ["million", repos, images] => million(
            repos.parse().expect("REPOS"),
            images.parse().expect("IMAGES"),
        ),
        _ => eprintln!(
            "usage: store reopen DB REGISTRY | store million [REPOS [IMAGES]] | store million-write DB REPOS IMAGES [REGISTRY]"
        ),
    }
}

/// What [`first_tree`] measured, in milliseconds from the open.
struct Tree {
    open: f64,
    listing: f64,
    /// The whole tree on screen: listing, summaries, one frame.
    tree: f64,
    /// Every repository's rows: each decoded and turned into its table, one more frame.
    all_rows: f64,
    repos: usize,
    images: usize,
}

/// Opens `db` and brings `registry`'s last known inventory on screen as the TUI does
/// (inventory::cached's `send_cached`): the listing and the summaries (the whole tree, one
/// frame), then each repository decoded and turned into its table, one at a time.
fn first_tree(db: &Path, registry: &str) -> Tree {
    let t0 = Instant::now();
    let store = Store::open(db).expect("the store opens");
    let open = ms(t0.elapsed());
    let (as_of, repositories) = store
        .cached_listing(registry, None)
        .expect("the store holds this registry");
    let listing = ms(t0.elapsed());
    let mut s = RegistrySettings::for_address(registry);
    s.name = registry.into();
    let target = Target::parse(&s.address).unwrap_or(Target::Distribution {
        host: registry.into(),
        prefix: None,
    });
    let mut state = State::new(vec![(target, s)], fixed_now());
    state.size = (200, 50);
    let (repos, mut images) = (repositories.len(), 0);
    let feed = |state: &mut State, ev: InventoryEvent| {
        update(state, Msg::Inventory(convert(ev)));
    };
    feed(
        &mut state,
        InventoryEvent::RepositoriesListed {
            registry: registry.into(),
            repositories: repositories.clone(),
        },
    );
    let summaries = store.cached_summaries(registry, None);
    assert_eq!(summaries.len(), repos, "every repository has its summary");
    feed(
        &mut state,
        InventoryEvent::CachedSummaries {
            registry: registry.into(),
            summaries,
            as_of,
        },
    );
    let mut term = Terminal::new(TestBackend::new(200, 50)).unwrap();
    term.draw(|f| ui::draw(f, &state)).unwrap();
    let tree = ms(t0.elapsed());
    for repository in repositories {
        let imgs = store
            .cached_images(registry, &repository)
            .expect("every stored repository decodes");
        images += imgs.len();
        let ev = InventoryEvent::RepositoryImages {
            registry: registry.into(),
            repository,
            images: imgs,
        };
        feed(&mut state, ev);
    }
    term.draw(|f| ui::draw(f, &state)).unwrap();
    let all_rows = ms(t0.elapsed());
    Tree {
        open,
        listing,
        tree,
        all_rows,
        repos,
        images,
    }
}

fn reopen(db: &Path, registry: &str) {
    let t = first_tree(db, registry);
    let (_, hwm) = rss_mb();
    println!(
        "{{\"open_ms\":{:.1},\"listing_ms\":{:.1},\"tree_ms\":{:.1},\"all_rows_ms\":{:.1},\"repositories\":{},\"images\":{},\"peak_rss_mb\":{hwm:.1}}}",
        t.open, t.listing, t.tree, t.all_rows, t.repos, t.images
    );
}

/// Image `n` of synthetic repository `r`, with the blobs a real record carries (config,
/// one of [`BASES`] base layers shared across repositories, a dependency layer shared by
/// the repository, an own layer) and CI-style tags (a version and a commit; one image in
/// seven untagged, as CI leftovers are).
fn synthetic(repository: &str, r: u64, n: u64) -> Image {
    let tag = format!("v{}.{}.{}", n / 10_000, (n / 100) % 100, n % 100);
    let sha = format!("sha-{:07x}", (n * 2_654_435_761) & 0xfff_ffff);
    let mut i = match n % 7 {
        3 => image(repository, n, &[]),
        _ => image(repository, n, &[&tag, &sha]),
    };
    i.created_at = Some(fixed_now() - Duration::minutes(n as i64 * 13));
    let blob = |s: String, size: u64| BlobRef {
        digest: Digest::sha256_of(s.as_bytes()),
        size,
    };
    i.blobs = Some(vec![
        blob(format!("{repository}/config/{n}"), 1_500),
        blob(format!("base/{}", r % BASES), 30_000_000 + r % BASES),
        blob(format!("{repository}/deps"), 80_000_000 + r),
        blob(format!("{repository}/own/{n}"), 4_000_000 + n % 1_000_000),
    ]);
    i.manifest_size = Some(900);
    i
}

fn million_write(db: &Path, repos: u64, total: u64, registry: &str) {
    let store = Store::open(db).expect("the store opens");
    let crawl = store.begin_crawl(registry, None).expect("a crawl");
    let per = total / repos;
    let t = Instant::now();
    for r in 0..repos {
        let repo = format!("team-{:02}/svc-{r:03}", r % 17);
        let images: Vec<Image> = (0..per).map(|n| synthetic(&repo, r, r * per + n)).collect();
        store
            .record_repository(crawl, registry, &repo, &images)
            .expect("the store records");
    }
    store.finish_crawl(crawl, true);
    println!(
        "wrote {} images in {repos} repositories: {:.1} s",
        per * repos,
        t.elapsed().as_secs_f64()
    );
}

fn million(repos: u64, total: u64) {
    let dir = tempfile::tempdir().expect("a temp dir");
    let db = dir.path().join("regscope.db");
    let me = std::env::current_exe().expect("this bench's path");
    let run = |args: &[&str]| {
        let out = std::process::Command::new(&me)
            .args(args)
            .output()
            .expect("run the bench child");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    let db_s = db.to_str().expect("a UTF-8 temp path");
    println!(
        "{}",
        run(&[
            "million-write",
            db_s,
            &repos.to_string(),
            &total.to_string()
        ])
    );
    let size = regscope::store::size_on_disk(&db);
    println!("size on disk: {:.1} MB", size as f64 / 1e6);
    // Each open in a fresh process, as a TUI starting would: the first has a cold page
    // cache only if the machine dropped it; the figure is the process's own work.
    for round in 1..=3 {
        println!("round {round}: {}", run(&["reopen", db_s, BENCH_REGISTRY]));
    }
}
