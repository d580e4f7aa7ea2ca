//! The store's benchmarks (issue 18; figures in docs/performance.md):
//! - `store reopen DB REGISTRY`: the first full tree from the store, as the TUI gets it on
//!   open: open the database, read the last known inventory, turn every repository into
//!   the TUI's table (`app::tasks::inventory::convert`), feed the app state and draw one
//!   frame. Prints one JSON line. scripts/bench-store.sh runs it on the database a cold
//!   crawl of the 2,000-manifest benchmark registry left behind.
//! - `store million [REPOS [IMAGES]]`: a store holding 1,000,000 images (REPOS
//!   repositories, 200 by default; IMAGES to try it smaller), written by a child process; then, in a fresh child, the open, the read of
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
        ),
        ["million"] | [] => million(200, MILLION),
        ["million", repos] => million(repos.parse().expect("REPOS"), MILLION),
        ["million", repos, images] => million(
            repos.parse().expect("REPOS"),
            images.parse().expect("IMAGES"),
        ),
        _ => eprintln!("usage: store reopen DB REGISTRY | store million [REPOS [IMAGES]]"),
    }
}

/// Opens `db` and brings `registry`'s last known inventory on screen as the TUI does: the
/// listing, then each repository decoded and turned into its table, one at a time. Returns
/// (open ms, listing ms, all tables ms, first frame ms, repositories, images).
fn first_tree(db: &Path, registry: &str) -> (f64, f64, f64, f64, usize, usize) {
    let t0 = Instant::now();
    let store = Store::open(db).expect("the store opens");
    let opened = t0.elapsed();
    let (_, repositories) = store
        .cached_listing(registry, None)
        .expect("the store holds this registry");
    let listed = t0.elapsed();
    let mut s = RegistrySettings::for_address(registry);
    s.name = registry.into();
    let target = Target::parse(&s.address).unwrap_or(Target::Distribution {
        host: registry.into(),
        prefix: None,
    });
    let mut state = State::new(vec![(target, s)], fixed_now());
    state.size = (200, 50);
    let (repos, mut images) = (repositories.len(), 0);
    update(
        &mut state,
        Msg::Inventory(convert(InventoryEvent::RepositoriesListed {
            registry: registry.into(),
            repositories: repositories.clone(),
        })),
    );
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
        update(&mut state, Msg::Inventory(convert(ev)));
    }
    let tables = t0.elapsed();
    let mut term = Terminal::new(TestBackend::new(200, 50)).unwrap();
    term.draw(|f| ui::draw(f, &state)).unwrap();
    let frame = t0.elapsed();
    (ms(opened), ms(listed), ms(tables), ms(frame), repos, images)
}

fn reopen(db: &Path, registry: &str) {
    let (open, listed, tables, frame, repos, images) = first_tree(db, registry);
    let (_, hwm) = rss_mb();
    println!(
        "{{\"open_ms\":{open:.1},\"listing_ms\":{listed:.1},\"tables_ms\":{tables:.1},\"first_frame_ms\":{frame:.1},\"repositories\":{repos},\"images\":{images},\"peak_rss_mb\":{hwm:.1}}}"
    );
}

/// Image `n` of a synthetic repository, with the blobs a real record carries (config, a
/// base layer shared by the repository, an own layer) and CI-style tags.
fn synthetic(repository: &str, n: u64) -> Image {
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
        blob(format!("{repository}/base"), 30_000_000),
        blob(format!("{repository}/own/{n}"), 4_000_000 + n % 1_000_000),
    ]);
    i.manifest_size = Some(900);
    i
}

fn million_write(db: &Path, repos: u64, total: u64) {
    let store = Store::open(db).expect("the store opens");
    let crawl = store.begin_crawl("bench.example", None).expect("a crawl");
    let per = total / repos;
    let t = Instant::now();
    for r in 0..repos {
        let repo = format!("team-{:02}/svc-{r:03}", r % 17);
        let images: Vec<Image> = (0..per).map(|n| synthetic(&repo, r * per + n)).collect();
        store.record_repository(crawl, "bench.example", &repo, &images);
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
        println!("round {round}: {}", run(&["reopen", db_s, "bench.example"]));
    }
}
