//! dive's figures (`dive` in `regscope layers --json`) on the scenario image, worked out
//! by hand from dive's rules (dive/filetree/efficiency.go, dive/image/analysis.go), not by
//! running our code: per layer, the leaves of its own tar tree, visited by name.
//!
//! Layer 0 (19,700 bytes): etc/config 100, usr/bin/tool 5,000, apt lists 3,000 + 0,
//! opt/data/a 200, b 300, tmp/big 10,000, the PAX file 400, the GNU file 700, a hard link
//! and a symlink (0).
//! Layer 1 (6,200): etc/config 150, opt/data/c 50 (the opaque marker is never added),
//! tmp/.wh.big (a whited-out file weighs 0), usr/bin/tool 6,000.
//! Layer 2: empty. Layer 3 (120): `etc/.wh.nothing-here` sorts before `etc/config` and
//! names no lower path, so the visit of layer 3 ends there: /etc/nothing-here keeps
//! dive's smallest size of -1 and layer 3's etc/config and apt whiteout are not counted.
//!
//! Σ all copies = 250 + 11,000 + 10,000 + 3,000 + 200 + 300 + 50 + 400 + 700 = 25,900;
//! Σ smallest = 100 + 5,000 + 0 + 3,000 + 200 + 300 + 50 + 400 + 700 - 1 = 9,749.
//! Inefficient: /usr/bin/tool 11,000, /tmp/big 10,000, /etc/config 250 = 21,250 wasted;
//! user bytes (layers 1-3) 6,320.

use super::cli::amd64;
use crate::support::registry::TestRegistry;
use crate::support::seed::Seeder;
use serde_json::{json, Value};
use std::path::Path;
use std::process::Command;

pub const EFFICIENCY: f64 = 9749.0 / 25900.0;
pub const WASTED: u64 = 21_250;
pub const USER: u64 = 6_320;

pub fn check_scenario_dive(d: &Value) {
    assert_eq!(
        *d,
        json!({
            "efficiency": EFFICIENCY,
            "wasted_bytes": WASTED,
            "user_size_bytes": USER,
            "wasted_user_percent": WASTED as f64 / USER as f64,
            "inefficient": [
                {"path": "/usr/bin/tool", "cumulative_size": 11_000, "layers": [0, 1]},
                {"path": "/tmp/big", "cumulative_size": 10_000, "layers": [0, 1]},
                {"path": "/etc/config", "cumulative_size": 250, "layers": [0, 1]},
            ],
        }),
        "{d:#}"
    );
}

/// `regscope layers REF --ci …` run in `cwd` (where dive looks for `.dive-ci`).
fn ci(cwd: &Path, data: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_regscope"))
        .args(args)
        .current_dir(cwd)
        .env("REGSCOPE_DATA", data)
        .env_remove("XDG_CACHE_HOME")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The scenario image pushed to a real docker-registry, gated by dive's rules: dive's
/// defaults, a passing and a failing `.dive-ci`, `--ci-config`, `--json`, and broken files.
#[tokio::test]
async fn ci_gate_against_a_registry_exits_as_dive_does() {
    let Some(reg) = TestRegistry::start() else {
        return;
    };
    let s = Seeder::new(&reg.base_url());
    amd64().push(&s, "team/app", &["v1"]).await;
    let r = format!("{}/team/app:v1", reg.addr);
    let tmp = tempfile::tempdir().unwrap();
    let (cwd, data) = (tmp.path().join("work"), tmp.path().join("data"));
    std::fs::create_dir_all(&cwd).unwrap();
    let run = |args: Vec<String>| {
        let (cwd, data) = (cwd.clone(), data.clone());
        move || {
            ci(
                &cwd,
                &data,
                &args.iter().map(String::as_str).collect::<Vec<_>>(),
            )
        }
    };
    let go = |args: &[&str]| {
        tokio::task::spawn_blocking(run(args.iter().map(|a| a.to_string()).collect()))
    };

    // no .dive-ci: dive's defaults (0.9, disabled, 0.1) fail this image
    let (code, out, err) = go(&["layers", &r, "--ci"]).await.unwrap();
    assert_eq!(code, 1, "{out}{err}");
    for line in [
        "  efficiency:        37.64 %",
        "  wastedBytes:       21250 bytes (21 KiB)",
        "  userWastedPercent: 336.23 %",
        "  2      11 KiB        /usr/bin/tool",
        "Evaluation (rules: dive's defaults (no .dive-ci here)):",
        "  FAIL  highestUserWastedPercent (too many bytes wasted, relative to the user bytes added (%-user-wasted-bytes=3.36 > threshold=0.1))",
        "  SKIP  highestWastedBytes (disabled)",
        "  FAIL  lowestEfficiency (image efficiency is too low (efficiency=0.38 < threshold=0.9))",
        "FAIL [fail:2 skip:1]",
    ] {
        assert!(out.lines().any(|l| l == line), "missing {line:?} in\n{out}");
    }

    // ./.dive-ci, read as dive reads it: 21KiB = 21,504 bytes passes 21,250 wasted
    let pass = "rules:\n  lowestEfficiency: 0.3\n  highestWastedBytes: 21KiB\n  highestUserWastedPercent: off\n";
    std::fs::write(cwd.join(".dive-ci"), pass).unwrap();
    let (code, out, err) = go(&["layers", &r, "--ci"]).await.unwrap();
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("  PASS  highestWastedBytes (21KiB)\n"),
        "{out}"
    );
    assert!(out.contains("  PASS  lowestEfficiency (0.3)\n"), "{out}");
    assert!(
        out.contains("  SKIP  highestUserWastedPercent (disabled)\n"),
        "{out}"
    );
    assert!(out.ends_with("\nPASS [pass:2 skip:1]\n"), "{out}");

    // --ci-config wins over ./.dive-ci: 21KB = 21,000 bytes fails; with --json stdout
    // stays the report and the verdict goes to stderr
    let fail = tmp.path().join("strict.yaml");
    std::fs::write(&fail, "rules:\n  highestWastedBytes: 21KB\n").unwrap();
    let f = fail.to_str().unwrap();
    let (code, out, err) = go(&["layers", &r, "--ci", "--ci-config", f, "--json"])
        .await
        .unwrap();
    assert_eq!(code, 1, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    check_scenario_dive(&v["dive"]);
    assert!(
        err.contains("  FAIL  highestWastedBytes (too many bytes wasted (wasted-bytes=21250 > threshold=21000))"),
        "{err}"
    );

    // a broken file: exit 2 before any network, naming the file, the line and the key
    std::fs::write(
        cwd.join(".dive-ci"),
        "rules:\n  lowestEfficiency: 0.95\n  highestWastedBytes: [20MB]\n",
    )
    .unwrap();
    let (code, out, err) = go(&["layers", "127.0.0.1:1/team/app:v1", "--ci"])
        .await
        .unwrap();
    assert_eq!(code, 2, "{out}{err}");
    assert!(
        err.contains(".dive-ci: line 3: rules.highestWastedBytes: expected a single value"),
        "{err}"
    );
    std::fs::write(cwd.join(".dive-ci"), "rules:\n  lowestEfficiency: 95%\n").unwrap();
    let (code, _, err) = go(&["layers", &r, "--ci"]).await.unwrap();
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains(".dive-ci: line 2: rules.lowestEfficiency: invalid lowestEfficiency config value, given \"95%\""),
        "{err}"
    );
    let (code, _, err) = go(&["layers", &r, "--ci", "--ci-config", "nope.yaml"])
        .await
        .unwrap();
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("--ci-config nope.yaml: cannot read it"),
        "{err}"
    );
}
