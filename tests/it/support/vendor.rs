//! The vendors' own Python clients (installed pinned into `.venv` by
//! scripts/install-test-deps.sh), run against the fakes so the fakes answer what the
//! vendors' code expects rather than one reading of a document. Under `CI=true` a missing
//! client fails the test; elsewhere it is skipped.

use std::path::PathBuf;

/// The project's `.venv` Python when it can import `module`.
pub fn python_with(module: &str) -> Option<PathBuf> {
    let py = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/python");
    let ok = py.is_file()
        && std::process::Command::new(&py)
            .args(["-c", &format!("import {module}")])
            .output()
            .is_ok_and(|o| o.status.success());
    if ok {
        return Some(py);
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("the Python module {module} is not installed in .venv; run scripts/install-test-deps.sh (CI=true: a missing client is a failure)");
    }
    eprintln!("SKIP: Python module {module} not in .venv; run scripts/install-test-deps.sh");
    None
}

/// Runs `script` with `args` (async, so the fakes on this runtime keep answering) and
/// returns its stdout parsed as JSON; a failure shows the script's stderr.
pub async fn run_json(
    py: &PathBuf,
    script: &str,
    args: &[&str],
    env: &[(&str, &str)],
) -> serde_json::Value {
    let mut cmd = tokio::process::Command::new(py);
    cmd.arg("-c").arg(script).args(args).kill_on_drop(true);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = tokio::time::timeout(std::time::Duration::from_secs(120), cmd.output())
        .await
        .expect("the vendor client finished within 120 s")
        .expect("the vendor client ran");
    assert!(
        out.status.success(),
        "vendor client failed: {}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "vendor client printed no JSON ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}
