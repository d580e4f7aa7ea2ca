//! The command line's documentation kept true to its clap definitions: man pages under
//! docs/man (regenerate with scripts/man.sh), completion scripts that the shells accept,
//! and `Examples:` in every command's `--help`.

use std::path::{Path, PathBuf};

/// Every command as (file stem, command): `regscope`, `regscope-plan`, `regscope-cache-prune`.
fn pages() -> Vec<(String, clap::Command)> {
    let mut root = regscope::cli::command();
    root.build();
    let mut out = Vec::new();
    walk(&root, "regscope", &mut out);
    out
}

fn walk(cmd: &clap::Command, stem: &str, out: &mut Vec<(String, clap::Command)>) {
    // After `build()` clap names a subcommand `regscope-plan` (display name) in its page.
    out.push((stem.to_string(), cmd.clone()));
    for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
        walk(sub, &format!("{stem}-{}", sub.get_name()), out);
    }
}

fn man_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/man")
}

fn render(cmd: clap::Command) -> Vec<u8> {
    let mut buf = Vec::new();
    clap_mangen::Man::new(cmd)
        .render(&mut buf)
        .expect("render a man page");
    buf
}

/// Fails when a page in docs/man differs from what the clap definitions give, or when a
/// command has no page (or a page has no command). `REGSCOPE_UPDATE_MAN=1` rewrites them
/// instead (scripts/man.sh).
#[test]
fn man_pages_are_current() {
    let update = std::env::var_os("REGSCOPE_UPDATE_MAN").is_some();
    let dir = man_dir();
    let mut stale = Vec::new();
    let mut expected = std::collections::BTreeSet::new();
    for (stem, cmd) in pages() {
        let file = format!("{stem}.1");
        let want = render(cmd);
        let path = dir.join(&file);
        if update {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, &want).unwrap();
        } else if std::fs::read(&path).ok().as_deref() != Some(&want[..]) {
            stale.push(file.clone());
        }
        expected.insert(file);
    }
    for entry in std::fs::read_dir(&dir).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if name.ends_with(".1") && !expected.contains(&name) {
            if update {
                std::fs::remove_file(dir.join(&name)).unwrap();
            } else {
                stale.push(format!("{name} (no such command)"));
            }
        }
    }
    assert!(
        stale.is_empty(),
        "man pages out of date, run scripts/man.sh: {stale:?}"
    );
}

#[test]
fn man_pages_name_every_flag_and_carry_the_examples() {
    let pages = pages();
    let (_, images) = pages.iter().find(|(s, _)| s == "regscope-images").unwrap();
    let text = String::from_utf8(render(images.clone())).unwrap();
    for flag in [
        "\\-\\-json",
        "\\-\\-ca\\-file",
        "\\-\\-insecure",
        "\\-\\-quiet",
    ] {
        assert!(text.contains(flag), "{flag} missing from regscope-images.1");
    }
    assert!(text.contains("Examples:"), "{text}");
}

/// Every command and subcommand, including ones added later, shows `Examples:` in `--help`.
#[test]
fn every_command_has_examples() {
    let mut missing = Vec::new();
    for (stem, cmd) in pages() {
        let help = cmd.clone().render_long_help().to_string();
        if !help.contains("\nExamples:\n  regscope") {
            missing.push(stem);
        }
    }
    assert!(
        missing.is_empty(),
        "commands without Examples: {missing:?} (add them in src/cli/examples.rs)"
    );
}

fn completion(shell: &str) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_regscope"))
        .args(["completion", shell])
        .output()
        .expect("run regscope completion")
}

#[test]
fn completion_scripts_for_every_shell_and_bash_parses_its_own() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = completion(shell);
        assert_eq!(out.status.code(), Some(0), "{shell}");
        let script = String::from_utf8(out.stdout).unwrap();
        // Commands added by anyone appear, because the script is generated from clap.
        for word in ["images", "login", "completion", "policy-format"] {
            assert!(script.contains(word), "{shell} script lacks {word}");
        }
        if shell == "bash" {
            let dir = tempfile::tempdir().unwrap();
            let file = dir.path().join("regscope.bash");
            std::fs::write(&file, &script).unwrap();
            let check = std::process::Command::new("bash")
                .arg("-n")
                .arg(&file)
                .output()
                .expect("bash");
            assert!(
                check.status.success(),
                "bash -n: {}",
                String::from_utf8_lossy(&check.stderr)
            );
            // Sourcing defines the completion function and registers it.
            let sourced = std::process::Command::new("bash")
                .arg("-c")
                .arg(format!("source {} && complete -p regscope", file.display()))
                .output()
                .expect("bash");
            assert!(
                String::from_utf8_lossy(&sourced.stdout).contains("_regscope"),
                "{}",
                String::from_utf8_lossy(&sourced.stderr)
            );
        }
    }
    let bad = completion("tcsh");
    assert_eq!(bad.status.code(), Some(2));
}
