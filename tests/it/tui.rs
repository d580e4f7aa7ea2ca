//! End to end: the real `regscope` binary in tmux against the real distribution registry.
//! It waits for the inventory, opens a repository, filters, opens the detail pane and the
//! help overlay, deletes a marked image (the row leaves the table), and quits; a second run
//! filters the tree, opens an index's layers and an error in full. It asserts on what
//! `tmux capture-pane` shows.

use crate::support::fixtures::{tar, Entry, ImageFixture, Layer};
use crate::support::registry::TestRegistry;
use crate::support::seed::Seeder;
use std::process::Command;
use std::time::{Duration, Instant};

pub struct Tmux {
    socket: String,
    session: &'static str,
}

impl Tmux {
    pub fn start(cmd: &str, env: &[(&str, &str)]) -> Tmux {
        let socket = format!("regscope-e2e-{}", std::process::id());
        let mut c = Command::new("tmux");
        c.args([
            "-L",
            &socket,
            "-f",
            "/dev/null",
            "new-session",
            "-d",
            "-s",
            "e2e",
        ]);
        c.args(["-x", "120", "-y", "36"]);
        for (k, v) in env {
            c.args(["-e", &format!("{k}={v}")]);
        }
        c.arg(cmd);
        let st = c.status().expect("run tmux");
        assert!(st.success(), "tmux new-session failed");
        Tmux {
            socket,
            session: "e2e",
        }
    }

    pub fn capture(&self) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.socket, "capture-pane", "-p", "-t", self.session])
            .output()
            .expect("capture-pane");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    pub fn keys(&self, keys: &[&str]) {
        for k in keys {
            let st = Command::new("tmux")
                .args(["-L", &self.socket, "send-keys", "-t", self.session, k])
                .status()
                .expect("send-keys");
            assert!(st.success());
            std::thread::sleep(Duration::from_millis(60));
        }
    }

    pub fn literal(&self, text: &str) {
        Command::new("tmux")
            .args([
                "-L",
                &self.socket,
                "send-keys",
                "-t",
                self.session,
                "-l",
                text,
            ])
            .status()
            .expect("send-keys -l");
    }

    /// Waits until the screen satisfies `pred`, or fails with the last screen.
    pub fn wait_for(&self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let screen = self.capture();
            if pred(&screen) {
                return screen;
            }
            if Instant::now() > deadline {
                panic!("timed out waiting for {what}; screen:\n{screen}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn alive(&self) -> bool {
        Command::new("tmux")
            .args(["-L", &self.socket, "has-session", "-t", self.session])
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .stderr(std::process::Stdio::null())
            .status();
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn explorer_in_tmux_against_a_real_registry() {
    crate::require!("tmux");
    let Some(reg) = TestRegistry::start() else {
        return;
    };
    let s = Seeder::new(&reg.base_url());
    for (i, tag) in ["v1.0.0", "v1.1.0", "v2.0.0"].iter().enumerate() {
        let img = ImageFixture::new(
            "amd64",
            &format!("2026-0{}-01T00:00:00Z", i + 1),
            vec![
                Layer::gzip(
                    tar(&[Entry::File("etc/os-release", b"ID=e2e\n")]),
                    "ADD rootfs.tar /",
                ),
                Layer::gzip(
                    tar(&[Entry::File("app/bin", tag.as_bytes())]),
                    &format!("COPY app-{tag} /app/bin"),
                ),
            ],
        );
        img.push(&s, "shop/checkout", &[tag]).await;
    }
    let other = ImageFixture::new(
        "arm64",
        "2026-02-02T00:00:00Z",
        vec![Layer::gzip(tar(&[Entry::File("x", b"x")]), "COPY x /")],
    );
    other.push(&s, "tools/ci", &["latest"]).await;

    let tmp = tempfile::tempdir().unwrap();
    let cfg = tmp.path().join("config.toml");
    let state = tmp.path().join("state");
    let cache = tmp.path().join("cache");
    let data = tmp.path().join("data");
    let bin = env!("CARGO_BIN_EXE_regscope");
    let tm = Tmux::start(
        &format!("{bin} {}", reg.addr),
        &[
            ("REGSCOPE_CONFIG", cfg.to_str().unwrap()),
            ("XDG_STATE_HOME", state.to_str().unwrap()),
            ("XDG_CACHE_HOME", cache.to_str().unwrap()),
            ("XDG_DATA_HOME", data.to_str().unwrap()),
            ("TERM", "xterm-256color"),
        ],
    );

    // The inventory streams in: both repositories with their counts, registry done.
    let screen = tm.wait_for("the inventory", |s| {
        s.contains("shop/checkout") && s.contains("tools/ci") && s.contains("✔ 2")
    });
    assert!(screen.contains("registries"), "{screen}");

    // Open a repository with the command line.
    tm.keys(&[":"]);
    tm.literal("repo shop");
    tm.keys(&["Enter"]);
    let screen = tm.wait_for("the images of shop/checkout", |s| s.contains("3 of 3"));
    assert!(
        screen.contains("v2.0.0") && screen.contains("v1.0.0"),
        "{screen}"
    );

    // Filter: only v1.* remain, and the title says so.
    tm.keys(&["/"]);
    tm.literal("'v1.");
    tm.keys(&["Enter"]);
    let screen = tm.wait_for("the filter", |s| s.contains("2 of 3"));
    assert!(!screen.contains("v2.0.0"), "{screen}");
    assert!(screen.contains("/'v1."), "{screen}");

    // Detail: the reference by digest, then the layers with their commands.
    tm.keys(&["Enter"]);
    let screen = tm.wait_for("the detail overview", |s| {
        s.contains("reference") && s.contains("127.0.0.1") && s.contains("@sha256:")
    });
    assert!(screen.contains("media type"), "{screen}");
    tm.keys(&["l"]);
    let screen = tm.wait_for("the layers tab", |s| s.contains("COPY app-v1."));
    assert!(screen.contains("ADD rootfs.tar /"), "{screen}");

    // Help overlay, generated from the keymap.
    tm.keys(&["?"]);
    let screen = tm.wait_for("the help overlay", |s| s.contains("keys from your keymap"));
    assert!(
        screen.contains("q/ctrl-c") && screen.contains("this help, generated from the live keymap"),
        "{screen}"
    );
    tm.keys(&["Escape"]);

    // Delete from the TUI: back to the list without the filter, mark the oldest, review
    // the plan, type the repository's name. The row leaves the table, the count follows.
    tm.keys(&["Escape", "Escape"]);
    let screen = tm.wait_for("the whole list again", |s| s.contains("3 of 3"));
    assert!(screen.contains("v1.0.0"), "{screen}");
    tm.keys(&["G", "Space", "D"]);
    tm.wait_for("the plan of the mark", |s| s.contains("1 image marked"));
    tm.keys(&["D"]);
    tm.wait_for("the confirmation", |s| s.contains("confirm deletion"));
    tm.literal("shop/checkout");
    tm.keys(&["Enter"]);
    tm.wait_for("the deletion", |s| {
        s.contains("deletion finished: 1 deleted")
    });
    tm.keys(&["1"]);
    let screen = tm.wait_for("the row gone", |s| {
        s.contains("2 of 2") && s.contains("v2.0.0") && !s.contains("v1.0.0")
    });
    assert!(
        !screen.contains("● 1 marked"),
        "the mark went with the image: {screen}"
    );

    // Quit: the program ends and the session with it.
    tm.keys(&["q"]);
    let deadline = Instant::now() + Duration::from_secs(10);
    while tm.alive() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(!tm.alive(), "regscope did not quit on q");
    // Logs went to the state dir, not the screen.
    assert!(state.join("regscope/regscope.log").exists());
}

/// The explorer's lists and what it opens, end to end: `/` filters the registries tree,
/// the layers tab of an index shows its linux/amd64 platform's layers, and `enter` opens
/// an error (an unreachable second registry) in full.
#[tokio::test(flavor = "multi_thread")]
async fn tree_filter_index_layers_and_an_error_in_tmux() {
    use crate::support::fixtures::push_index;
    crate::require!("tmux");
    let Some(reg) = TestRegistry::start() else {
        return;
    };
    let s = Seeder::new(&reg.base_url());
    let platform = |arch: &str| {
        ImageFixture::new(
            arch,
            "2026-03-01T00:00:00Z",
            vec![Layer::gzip(
                tar(&[Entry::File("app/bin", arch.as_bytes())]),
                &format!("COPY app-{arch} /app/bin"),
            )],
        )
    };
    let (fa, fr) = (platform("amd64"), platform("arm64"));
    let amd = fa.push(&s, "multi/app", &[]).await;
    let arm = fr.push(&s, "multi/app", &[]).await;
    push_index(
        &s,
        "multi/app",
        false,
        &[(&fr, &arm), (&fa, &amd)],
        vec![],
        &["v2"],
    )
    .await;
    platform("amd64").push(&s, "tools/ci", &["latest"]).await;

    let tmp = tempfile::tempdir().unwrap();
    let dir = |d: &str| tmp.path().join(d).to_str().unwrap().to_string();
    let bin = env!("CARGO_BIN_EXE_regscope");
    // A second registry nobody answers on: its failure lands in the error list.
    let tm = Tmux::start(
        &format!("{bin} {} 127.0.0.1:1", reg.addr),
        &[
            ("REGSCOPE_CONFIG", &dir("config.toml")),
            ("XDG_STATE_HOME", &dir("state")),
            ("XDG_CACHE_HOME", &dir("cache")),
            ("XDG_DATA_HOME", &dir("data")),
            ("TERM", "xterm-256color"),
        ],
    );
    tm.wait_for("the inventory", |s| {
        s.contains("multi/app") && s.contains("tools/ci")
    });

    // `/` in the tree filters repository names (and typed letters are not commands).
    tm.keys(&["/"]);
    tm.literal("multi");
    tm.keys(&["Enter"]);
    let screen = tm.wait_for("the tree filtered", |s| {
        s.contains("/multi") && !s.contains("tools/ci")
    });
    assert!(screen.contains("multi/app"), "{screen}");
    assert!(tm.alive(), "typing in the filter ran no command");

    // The index's layers: those of linux/amd64, named.
    tm.keys(&[":"]);
    tm.literal("repo multi/app");
    tm.keys(&["Enter"]);
    tm.wait_for("the index row", |s| s.contains("index") && s.contains("v2"));
    tm.keys(&["Enter", "l"]);
    let screen = tm.wait_for("the layers of the index", |s| {
        s.contains("layers of linux/amd64") && s.contains("COPY app-amd64")
    });
    assert!(!screen.contains("COPY app-arm64"), "{screen}");

    // The unreachable registry's error, opened in full.
    tm.keys(&["Escape", "e"]);
    tm.wait_for("the error list", |s| s.contains("127.0.0.1:1"));
    tm.keys(&["Enter"]);
    // The opened form: one fact per line (the list's summary says "next step: ").
    let screen = tm.wait_for("the error in full", |s| {
        s.contains("next step  ") && s.contains("registry   127.0.0.1:1")
    });
    assert!(screen.contains("repository "), "{screen}");
    tm.keys(&["Escape", "Escape", "q"]);
    let deadline = Instant::now() + Duration::from_secs(10);
    while tm.alive() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(!tm.alive(), "regscope did not quit on q");
}
