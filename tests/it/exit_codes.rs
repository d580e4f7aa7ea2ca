//! Exit codes of every command, as README "Exit codes" documents them: 0 success, 1 the
//! command failed (unreachable registry, unknown image), 2 bad usage (the command line or
//! a file it names is wrong), 3 a partial result. Runs the real binary; the failing
//! registry is a closed port on loopback.

use std::path::Path;
use std::process::{Command, Stdio};

const UNREACHABLE: &str = "127.0.0.1:1";
const POLICY: &str = r#"{"rules":[{"rulePriority":1,"description":"old untagged","selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days","countNumber":14},"action":{"type":"expire"}}]}"#;

fn code(dir: &Path, args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_regscope"))
        .args(args)
        .current_dir(dir)
        .env("REGSCOPE_DATA", dir.join("data"))
        .env("REGSCOPE_CONFIG", dir.join("config.toml"))
        .env_remove("REGSCOPE_LOG")
        .stdin(Stdio::null())
        .output()
        .expect("run regscope");
    // The doctor's verdict is its output (stdout); every failure also speaks on stderr.
    let mut said = String::from_utf8_lossy(&out.stderr).into_owned();
    if args[0] == "doctor" {
        said.push_str(&String::from_utf8_lossy(&out.stdout));
    }
    (out.status.code().unwrap_or(-1), said)
}

#[test]
fn every_command_follows_the_documented_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("policy.json"), POLICY).unwrap();
    std::fs::write(d.join("not-json.json"), "{ nope").unwrap();
    std::fs::write(d.join("dive-ci.yaml"), "rules:\n  lowestEfficiency: 2\n").unwrap();
    let partial = serde_json::json!({
        "schema": "regscope.inventory/v1", "registry": "127.0.0.1:5000",
        "generated_at": "2026-01-01T00:00:00Z", "images": [],
        "errors": [{"repository": "team/app", "message": "team/app: tags could not be listed"}]
    });
    std::fs::write(d.join("partial.json"), partial.to_string()).unwrap();
    let unreachable_ref = format!("{UNREACHABLE}/team/app:v1");
    let cases: Vec<(Vec<&str>, i32, &str)> = vec![
        // plan
        (vec!["plan"], 2, "neither TARGET nor --inventory"),
        (
            vec![
                "plan",
                "--inventory",
                "missing.json",
                "--policy",
                "policy.json",
            ],
            2,
            "missing inventory file",
        ),
        (
            vec![
                "plan",
                "--inventory",
                "partial.json",
                "--policy",
                "not-json.json",
            ],
            2,
            "policy that is not JSON",
        ),
        (
            vec![
                "plan",
                "--inventory",
                "partial.json",
                "--policy",
                "policy.json",
                "--now",
                "yesterday",
            ],
            2,
            "--now not RFC 3339",
        ),
        (
            vec![
                "plan",
                "--inventory",
                "partial.json",
                "--policy",
                "policy.json",
                "--switch",
                "nope",
            ],
            2,
            "bad --switch",
        ),
        (
            vec!["plan", "--inventory", "partial.json"],
            2,
            "--inventory without --policy",
        ),
        (
            vec!["plan", UNREACHABLE, "--policy", "policy.json"],
            1,
            "registry unreachable",
        ),
        (
            vec![
                "plan",
                "--inventory",
                "partial.json",
                "--policy",
                "policy.json",
                "--json",
            ],
            3,
            "partial inventory",
        ),
        // layers
        (vec!["layers", "Not A Ref!"], 2, "bad reference"),
        (
            vec!["layers", &unreachable_ref, "--platform", "linux"],
            2,
            "bad --platform",
        ),
        (vec!["layers", &unreachable_ref], 1, "registry unreachable"),
        (
            vec!["layers", &unreachable_ref, "--ci"],
            1,
            "--ci with dive's defaults, registry unreachable",
        ),
        (
            vec![
                "layers",
                &unreachable_ref,
                "--ci",
                "--ci-config",
                "dive-ci.yaml",
            ],
            2,
            "a --ci-config dive would refuse",
        ),
        (
            vec![
                "layers",
                &unreachable_ref,
                "--ci",
                "--ci-config",
                "missing.yaml",
            ],
            2,
            "missing --ci-config",
        ),
        // findings
        (vec!["findings", "Not A Ref!"], 2, "bad reference"),
        (
            vec!["findings", "https://example.com", "--cve", "CVE-2024-1"],
            2,
            "bad target",
        ),
        (
            vec!["findings", &unreachable_ref],
            1,
            "registry unreachable",
        ),
        (
            vec!["findings", UNREACHABLE, "--package", "two words"],
            2,
            "bad --package",
        ),
        // delete, restore
        (
            vec!["delete", "--plan", "missing.json", "--yes"],
            2,
            "missing plan file",
        ),
        (
            vec!["delete", "--plan", "not-json.json", "--yes"],
            2,
            "plan that is not JSON",
        ),
        (vec!["restore", "missing.jsonl"], 2, "missing audit log"),
        // demo
        (
            vec![
                "demo",
                "--build-only",
                "--dir",
                "demo",
                "--epoch",
                "someday",
            ],
            2,
            "bad --epoch",
        ),
        // repos, images, inspect, doctor
        (vec!["repos", "https://example.com"], 2, "bad target"),
        (vec!["repos", UNREACHABLE], 1, "registry unreachable"),
        (
            vec!["images", UNREACHABLE, "--json"],
            1,
            "registry unreachable",
        ),
        (vec!["inspect", "Not A Ref!"], 2, "bad reference"),
        (vec!["inspect", &unreachable_ref], 1, "registry unreachable"),
        (vec!["doctor", "Not A Ref!"], 2, "bad reference"),
        (vec!["doctor", &unreachable_ref], 1, "not pullable"),
        // the explorer and clap itself
        (
            vec!["https://example.com"],
            2,
            "bad target for the explorer",
        ),
        (vec!["images"], 2, "missing argument"),
        (
            vec!["images", "--no-such-flag", UNREACHABLE],
            2,
            "unknown flag",
        ),
    ];
    let mut wrong = Vec::new();
    for (args, want, why) in &cases {
        let (got, stderr) = code(d, args);
        if got != *want {
            wrong.push(format!(
                "regscope {} ({why}): exit {got}, want {want}\n  {}",
                args.join(" "),
                stderr.trim()
            ));
        } else if *want != 0 {
            assert!(
                !stderr.trim().is_empty(),
                "regscope {}: no message",
                args.join(" ")
            );
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
