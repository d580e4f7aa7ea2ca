//! The TUI and the store (issue 18), end to end in tmux against the real distribution
//! registry: a corrupt database is said once on screen and moved aside while the inventory
//! still streams in from the registry; once the store holds the inventory, a TUI started
//! while the registry is down still draws every repository from the store.

use crate::support::registry::TestRegistry;
use crate::support::seed::Seeder;
use crate::tui::Tmux;
use std::path::Path;
use std::time::{Duration, Instant};

fn quit(tm: &Tmux) {
    tm.keys(&["q"]);
    let deadline = Instant::now() + Duration::from_secs(10);
    while tm.alive() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(!tm.alive(), "regscope did not quit on q");
}

fn start(addr: &str, tmp: &Path) -> Tmux {
    let bin = env!("CARGO_BIN_EXE_regscope");
    let p = |s: &str| tmp.join(s).to_str().unwrap().to_string();
    Tmux::start(
        &format!("{bin} {addr}"),
        &[
            ("REGSCOPE_CONFIG", &p("config.toml")),
            ("XDG_STATE_HOME", &p("state")),
            ("XDG_CACHE_HOME", &p("cache")),
            ("XDG_DATA_HOME", &p("data")),
            ("TERM", "xterm-256color"),
        ],
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn a_corrupt_store_is_said_once_and_a_filled_one_draws_without_the_registry() {
    crate::require!("tmux");
    let Some(reg) = TestRegistry::start() else {
        return;
    };
    let s = Seeder::new(&reg.base_url());
    for (repo, n) in [("shop/cart", "c1"), ("tools/lint", "l1")] {
        let layer = crate::support::fixtures::Layer::gzip(
            crate::support::fixtures::tar(&[crate::support::fixtures::Entry::File(
                "f",
                n.as_bytes(),
            )]),
            "COPY f /",
        );
        crate::support::fixtures::ImageFixture::new("amd64", "2026-01-01T00:00:00Z", vec![layer])
            .push(&s, repo, &["v1"])
            .await;
    }
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("cache/regscope/regscope.db");
    std::fs::create_dir_all(db.parent().unwrap()).unwrap();
    let junk = b"not a database: notes the user kept here\n".repeat(200);
    std::fs::write(&db, &junk).unwrap();

    // Corrupt: the warning on screen, the inventory from the registry all the same.
    let tm = start(&reg.addr, tmp.path());
    // (Waited for apart: the status line fades after a few seconds.)
    let screen = tm.wait_for("the warning", |s| s.contains("corrupt"));
    assert!(screen.contains("warning"), "{screen}");
    tm.wait_for("the inventory", |s| {
        s.contains("shop/cart") && s.contains("tools/lint")
    });
    let screen = tm.wait_for("the crawl done", |s| s.contains("✔ 2"));
    assert!(
        screen.contains("⚠1"),
        "the warning is kept as one issue: {screen}"
    );
    quit(&tm);
    drop(tm);
    let aside: Vec<_> = std::fs::read_dir(db.parent().unwrap())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains(".corrupt-"))
        .collect();
    assert_eq!(aside.len(), 1, "moved aside once");
    assert_eq!(
        std::fs::read(aside[0].path()).unwrap(),
        junk,
        "kept as it was"
    );

    // A clean start fills the store (no warning this time).
    let tm = start(&reg.addr, tmp.path());
    let screen = tm.wait_for("the crawl done", |s| s.contains("✔ 2"));
    assert!(!screen.contains("corrupt"), "{screen}");
    quit(&tm);
    drop(tm);
    assert!(db.exists());

    // The registry gone: the repositories are drawn from the store alone.
    let addr = reg.addr.clone();
    drop(reg);
    let tm = start(&addr, tmp.path());
    tm.wait_for("the stored inventory", |s| {
        s.contains("shop/cart") && s.contains("tools/lint")
    });
    quit(&tm);
}
