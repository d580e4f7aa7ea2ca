//! End to end: the real binary in tmux over the demo fleet (an OCI layout tree with Trivy,
//! Grype, SARIF and cosign reports attached as referrers): `:cve` sweeps the whole fleet
//! and answers with the unknowns stated, enter shows a hit in the explorer where the
//! severity columns now carry counts, and `:pkg NAME < VERSION` asks by package.

use crate::tui::Tmux;
use std::process::Command;
use std::time::{Duration, Instant};

#[test]
fn cve_and_pkg_queries_in_tmux_over_the_demo_fleet() {
    crate::require!("tmux");
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    let bin = env!("CARGO_BIN_EXE_regscope");
    let out = Command::new(bin)
        .args([
            "demo",
            "--build-only",
            "--epoch",
            "2026-11-16T00:00:00Z",
            "--dir",
        ])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let cfg = tmp.path().join("config.toml");
    let state = tmp.path().join("state");
    let tm = Tmux::start(
        &format!("{bin} oci:{}", dir.display()),
        &[
            ("REGSCOPE_CONFIG", cfg.to_str().unwrap()),
            ("XDG_STATE_HOME", state.to_str().unwrap()),
            ("TERM", "xterm-256color"),
        ],
    );
    tm.wait_for("the inventory", |s| s.contains("✔"));

    tm.keys(&[":"]);
    tm.literal("cve CVE-2024-45490");
    tm.keys(&["Enter"]);
    let screen = tm.wait_for("the fleet answer", |s| {
        s.contains("CVE-2024-45490 · ")
            && s.contains("answered for")
            && !s.contains("not fetched yet")
    });
    assert!(
        screen.contains("images affected · newest first"),
        "{screen}"
    );
    assert!(screen.contains("libexpat1"), "{screen}");
    assert!(screen.contains("2.5.0-1 → 2.5.0-1+deb12u1"), "{screen}");
    assert!(screen.contains("2.5.0-1 → no fix"), "{screen}");
    assert!(
        screen.contains("not scanned"),
        "the demo keeps unscanned images: {screen}"
    );

    // Most recently pulled first, then back.
    tm.keys(&["s"]);
    tm.wait_for("pulled order", |s| s.contains("pulled first"));
    tm.keys(&["s"]);

    // Enter: the hit in the explorer, with severity counts in its repository's table.
    tm.keys(&["Enter"]);
    let screen = tm.wait_for("the explorer with severity columns", |s| {
        s.contains("CRIT") && s.contains("? not fetched · — not scanned")
    });
    assert!(!screen.contains("answered for"), "{screen}");

    // 5 returns to the query; :pkg asks by package and version.
    tm.keys(&["5"]);
    tm.wait_for("the query again", |s| s.contains("CVE-2024-45490 · "));
    tm.keys(&[":"]);
    tm.literal("pkg libssl3 < 3.0.14");
    tm.keys(&["Enter"]);
    let screen = tm.wait_for("the package answer", |s| {
        s.contains("libssl3 < 3.0.14 · ") && !s.contains("not fetched yet")
    });
    assert!(screen.contains("3.0.13-1~deb12u1"), "{screen}");
    assert!(
        !screen.contains("3.1.4-r5"),
        "alpine's 3.1.4 is not below 3.0.14: {screen}"
    );

    tm.keys(&["q"]);
    let deadline = Instant::now() + Duration::from_secs(10);
    while tm.alive() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(!tm.alive(), "regscope did not quit on q");
}
