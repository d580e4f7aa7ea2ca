//! What the command line does with words that are not commands: a TARGET must look like a
//! registry (a host with '.' or ':', localhost, ecr://, oci:, or a [[registry]] name),
//! otherwise `unknown command` with a suggestion and exit 2, with no connection attempted;
//! a malformed target is bad usage (2) before any connection too.

use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Stdio};

fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_regscope"))
        .args(args)
        .env("REGSCOPE_DATA", dir.join("data"))
        .env("REGSCOPE_CONFIG", dir.join("config.toml"))
        .env("DOCKER_CONFIG", dir.join("docker"))
        .env_remove("REGSCOPE_LOG")
        .stdin(Stdio::null())
        .output()
        .expect("run regscope");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A listener that must see no connection.
fn untouched() -> (TcpListener, u16) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    l.set_nonblocking(true).unwrap();
    let port = l.local_addr().unwrap().port();
    (l, port)
}

fn assert_untouched(l: &TcpListener) {
    match l.accept() {
        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
        other => panic!("something connected: {other:?}"),
    }
}

#[test]
fn unknown_words_are_unknown_commands_with_a_suggestion() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for (args, suggestion) in [
        (vec!["version"], None),
        (vec!["repo", "127.0.0.1:5000"], Some("'repos'")),
        (vec!["imags"], Some("'images'")),
        (vec!["completions", "bash"], Some("'completion'")),
    ] {
        let (code, stdout, stderr) = run(d, &args);
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(stdout.is_empty(), "{args:?}: {stdout}");
        assert!(
            stderr.starts_with(&format!("regscope: unknown command '{}'", args[0])),
            "{args:?}: {stderr}"
        );
        match suggestion {
            Some(s) => assert!(
                stderr.contains(&format!("similar command exists: {s}")),
                "{stderr}"
            ),
            None => assert!(!stderr.contains("similar command"), "{stderr}"),
        }
        // Refused before any terminal or network: no "No such device", no DNS error.
        assert!(
            !stderr.contains("device") && !stderr.contains("dns"),
            "{stderr}"
        );
    }
}

#[test]
fn a_configured_registry_name_is_a_target_and_its_settings_apply() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (listener, port) = untouched();
    drop(listener); // a closed port: the command must try this address, not https://local/
    std::fs::write(
        d.join("config.toml"),
        format!(
            "[[registry]]\nname = \"local\"\naddress = \"127.0.0.1:{port}\"\nmax_retries = 0\n"
        ),
    )
    .unwrap();
    let (code, _, stderr) = run(d, &["repos", "local"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains(&format!("127.0.0.1:{port}")), "{stderr}");
    assert!(!stderr.contains("unknown command"), "{stderr}");
}

/// `regscope login WORD` says WORD is no registry (and which command it is near) before
/// it asks for a user name; a configured name is a registry and gets as far as the prompt.
#[test]
fn login_and_logout_refuse_a_word_that_is_no_registry_before_asking() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (listener, port) = untouched();
    std::fs::write(
        d.join("config.toml"),
        format!("[[registry]]\nname = \"local\"\naddress = \"127.0.0.1:{port}\"\n"),
    )
    .unwrap();
    for (args, tip) in [
        (vec!["login", "myuser"], None),
        (
            vec!["login", "repos"],
            Some("'repos' is a regscope command"),
        ),
        (
            vec!["login", "imags", "-u", "me"],
            Some("similar command exists: 'images'"),
        ),
        (vec!["logout", "alice"], None),
    ] {
        let (code, stdout, stderr) = run(d, &args);
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(stdout.is_empty(), "{args:?}: {stdout}");
        assert!(
            stderr.starts_with(&format!(
                "regscope: {}: '{}' is not a registry: ",
                args[0], args[1]
            )),
            "{args:?}: {stderr}"
        );
        assert!(
            !stderr.contains("-u USER"),
            "asked for a user first: {stderr}"
        );
        assert!(stderr.contains("[[registry]] name"), "{stderr}");
        match tip {
            Some(t) => assert!(stderr.contains(t), "{args:?}: {stderr}"),
            None => assert!(!stderr.contains("tip:"), "{args:?}: {stderr}"),
        }
    }
    // A configured name and a host are registries: on to the user name (stdin is no
    // terminal here), still without connecting.
    for host in ["local", "registry.example:5000"] {
        let (code, _, stderr) = run(d, &["login", host]);
        assert_eq!(code, 2, "{host}: {stderr}");
        assert!(
            stderr.contains("give the user name with -u USER"),
            "{host}: {stderr}"
        );
    }
    assert_untouched(&listener);
}

#[test]
fn malformed_targets_exit_2_without_connecting() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (listener, port) = untouched();
    let bad_port = format!("127.0.0.1:{port}:x");
    for args in [
        vec!["images", "nope::bad"],
        vec!["repos", bad_port.as_str()],
        vec!["plan", "nope::bad", "--policy", "p.json"],
        vec!["inspect", "nope::bad/app:1"],
    ] {
        let (code, _, stderr) = run(d, &args);
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(!stderr.contains("builder error"), "{stderr}");
    }
    assert_untouched(&listener);
}

#[tokio::test]
async fn a_repository_that_does_not_exist_exits_1_naming_it() {
    use crate::support::fixtures::{tar, Entry, ImageFixture, Layer};
    use crate::support::registry::TestRegistry;
    use crate::support::seed::Seeder;
    let Some(reg) = TestRegistry::start() else {
        return;
    };
    ImageFixture::new(
        "amd64",
        "2026-01-01T00:00:00Z",
        vec![Layer::gzip(tar(&[Entry::File("a", b"a")]), "COPY a /")],
    )
    .push(&Seeder::new(&reg.base_url()), "team/app", &["v1"])
    .await;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_path_buf();
    let addr = reg.addr.clone();
    let (code, _, stderr) = tokio::task::spawn_blocking(move || {
        run(&d, &["images", &format!("{addr}/does-not-exist")])
    })
    .await
    .unwrap();
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("no repository does-not-exist"), "{stderr}");
    let d = dir.path().to_path_buf();
    let addr = reg.addr.clone();
    let (code, stdout, stderr) =
        tokio::task::spawn_blocking(move || run(&d, &["images", &format!("{addr}/team")]))
            .await
            .unwrap();
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("team/app"), "{stdout}");
}
