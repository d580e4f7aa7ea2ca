//! ACR as a user meets it: the kind found by probe (`GET /acr/v1/_catalog` answers with
//! ACR's Bearer challenge), `regscope images` with ACR's times and locks, an `acr purge`
//! plan that includes locked images (`--include-locked`), and `regscope delete` refusing
//! the locked ones with the reason while deleting the rest.

use crate::acr::seed;
use crate::support::fake_acr::{FakeAcr, ADMIN_PASSWORD, ADMIN_USER};
use base64::Engine as _;
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

fn regscope(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_regscope"))
        .args(args)
        .current_dir(dir)
        .env("REGSCOPE_DATA", dir.join("data"))
        .env("REGSCOPE_CONFIG", dir.join("config.toml"))
        .env("DOCKER_CONFIG", dir.join("docker"))
        .output()
        .unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

// The fake runs on this runtime while the binary runs: a second worker keeps it answering.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn probe_inventory_and_a_locked_image_refused_on_delete() {
    let Some(fake) = FakeAcr::start().await else {
        return;
    };
    let seeded = seed(&fake).await;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir_all(d.join("docker")).unwrap();
    let auth =
        base64::engine::general_purpose::STANDARD.encode(format!("{ADMIN_USER}:{ADMIN_PASSWORD}"));
    let cfg = serde_json::json!({"auths": {format!("http://{}", fake.host()): {"auth": auth}}});
    std::fs::write(d.join("docker/config.json"), cfg.to_string()).unwrap();
    let host = fake.host().to_string();

    let o = regscope(d, &["images", &host, "--json", "--verbose"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("kind acr"),
        "{}",
        text(&o)
    );
    let inv: Value = serde_json::from_slice(&o.stdout).unwrap();
    let v1 = inv["images"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["digest"] == seeded.v1.digest.as_str())
        .unwrap();
    assert!(
        v1["pushed_at"].is_string() && v1["updated_at"].is_string(),
        "{v1}"
    );
    assert_eq!(v1["tag_details"][0]["name"], "v1");

    std::fs::write(
        d.join("purge.txt"),
        "acr purge --filter 'app:.*' --ago 7d --untagged --include-locked\n",
    )
    .unwrap();
    let now = seeded.now.to_rfc3339();
    let o = regscope(
        d,
        &[
            "plan",
            &host,
            "--policy",
            "purge.txt",
            "--now",
            &now,
            "--json",
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    std::fs::write(d.join("plan.json"), &o.stdout).unwrap();
    let plan: Value = serde_json::from_slice(&o.stdout).unwrap();
    let deletes: Vec<&str> = plan["actions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["action"] == "delete")
        .map(|a| a["digest"].as_str().unwrap())
        .collect();
    for want in [
        &seeded.untagged.digest,
        &seeded.v1.digest,
        &seeded.v2.digest,
    ] {
        assert!(
            deletes.contains(&want.as_str()),
            "{want} not planned: {plan}"
        );
    }

    let o = regscope(d, &["delete", "--plan", "plan.json", "--yes", "--json"]);
    let out = text(&o);
    let results: Value = serde_json::from_slice(&o.stdout).unwrap_or(Value::Null);
    eprintln!("{out}");
    let outcome = |digest: &str| -> String {
        let items = results["results"].as_array().unwrap();
        let r = items
            .iter()
            .find(|r| r["digest"] == digest && r["action"] == "delete")
            .unwrap_or_else(|| panic!("{digest} not in {results}"));
        format!("{} {}", r["outcome"], r["detail"])
    };
    let loose = outcome(&seeded.untagged.digest);
    assert!(
        loose.contains("skipped") && loose.contains("locked in ACR (deleteEnabled=false)"),
        "{loose}"
    );
    let v2 = outcome(&seeded.v2.digest);
    assert!(
        v2.contains("skipped") && v2.contains("tag v2 is locked"),
        "{v2}"
    );
    assert!(outcome(&seeded.v1.digest).contains("deleted"), "{out}");
    // The registry still holds the locked ones; the unlocked one is gone.
    let s = fake.seeder();
    assert_eq!(s.manifest_status("app", &seeded.untagged.digest).await, 200);
    assert_eq!(s.manifest_status("app", &seeded.v2.digest).await, 200);
    assert_eq!(s.manifest_status("app", &seeded.v1.digest).await, 404);
}

/// acr-cli skips a locked manifest before it reads it (`GetUntaggedManifests`), so the
/// untagged platforms of a locked index are dangling to `acr purge --untagged-only`; the
/// plan keeps them as children of a surviving index and says why. Unlocked, the index
/// keeps them in acr-cli too, and there is nothing to say.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn untagged_only_a_locked_index_keeps_its_platforms_in_the_plan() {
    let Some(fake) = FakeAcr::start().await else {
        return;
    };
    let seeded = seed(&fake).await;
    let old = seeded.now - chrono::Duration::days(30);
    for c in &seeded.children {
        fake.set_manifest("app", &c.digest, |m| (m.created, m.updated) = (old, old));
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir_all(d.join("docker")).unwrap();
    let auth =
        base64::engine::general_purpose::STANDARD.encode(format!("{ADMIN_USER}:{ADMIN_PASSWORD}"));
    let cfg = serde_json::json!({"auths": {format!("http://{}", fake.host()): {"auth": auth}}});
    std::fs::write(d.join("docker/config.json"), cfg.to_string()).unwrap();
    std::fs::write(
        d.join("purge.txt"),
        "acr purge --filter 'app:.*' --untagged-only --ago 7d\n",
    )
    .unwrap();
    let host = fake.host().to_string();
    let now = seeded.now.to_rfc3339();
    let plan = || -> Value {
        let o = regscope(
            d,
            &[
                "plan",
                &host,
                "--policy",
                "purge.txt",
                "--now",
                &now,
                "--json",
            ],
        );
        assert!(o.status.success(), "{}", text(&o));
        serde_json::from_slice(&o.stdout).unwrap()
    };
    let digests = |p: &Value, key: &str| -> Vec<String> {
        p[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["digest"].as_str().unwrap().to_string())
            .collect()
    };
    let children: Vec<String> = seeded.children.iter().map(|c| c.digest.clone()).collect();

    let p = plan();
    for c in &children {
        // Not even proposed: acr-cli keeps the children of a tagged index.
        assert!(!digests(&p, "actions").contains(c), "{p:#}");
        assert!(!digests(&p, "protected").contains(c), "{p:#}");
    }
    assert!(!p["warnings"].to_string().contains("is locked"), "{p:#}");

    fake.set_manifest("app", &seeded.index.digest, |m| {
        m.attrs.write_enabled = false
    });
    let p = plan();
    for c in &children {
        assert!(!digests(&p, "actions").contains(c), "{p:#}");
        let why = p["protected"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["digest"] == c.as_str())
            .map(|x| x["why"].to_string())
            .unwrap_or_default();
        assert!(why.contains("child of surviving index"), "{c}: {p:#}");
    }
    assert!(
        p["warnings"]
            .to_string()
            .contains("is locked, and acr purge does not protect its untagged children"),
        "{p:#}"
    );
}
