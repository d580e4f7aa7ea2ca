//! Lifecycle end to end against the real registry: `regscope plan` over an inventory of
//! what the seeder pushed, `regscope delete` of the plan, then the registry is asked
//! directly (by the independent seeder) which digests it still serves; the audit log holds
//! the manifests and `regscope restore` brings them back.

use crate::support::fixtures::{
    push_index, push_referrer, tar, Entry, ImageFixture, Layer, Pushed,
};
use crate::support::registry::TestRegistry;
use crate::support::seed::Seeder;
use serde_json::{json, Value};
use std::path::Path;
use std::process::{Command, Output, Stdio};

pub(crate) const NOW: &str = "2026-01-01T00:00:00Z";

fn ago(days: i64) -> String {
    (chrono::DateTime::parse_from_rfc3339(NOW).unwrap() - chrono::Duration::days(days)).to_rfc3339()
}

pub(crate) fn fixture(arch: &str, unique: &str) -> ImageFixture {
    ImageFixture::new(
        arch,
        "2025-01-01T00:00:00Z",
        vec![
            Layer::gzip(
                tar(&[Entry::File("etc/base", b"shared base layer\n")]),
                "ADD base",
            ),
            Layer::gzip(
                tar(&[Entry::File("etc/own", unique.as_bytes())]),
                "COPY own",
            ),
        ],
    )
}

pub(crate) fn record(
    p: &Pushed,
    kind: &str,
    tags: &[&str],
    days: i64,
    children: &[&Pushed],
    subject: Option<&Pushed>,
) -> Value {
    let size: u64 = p.blobs.iter().map(|b| b.1).sum::<u64>()
        + children
            .iter()
            .flat_map(|c| c.blobs.iter())
            .map(|b| b.1)
            .sum::<u64>();
    json!({
        "repository": "life/app", "digest": p.digest, "media_type": p.media_type, "kind": kind,
        "tags": tags, "size_bytes": size, "unique_bytes": null, "platforms": [], "created_at": null,
        "pushed_at": ago(days), "last_pulled_at": null,
        "children": children.iter().map(|c| c.digest.clone()).collect::<Vec<_>>(),
        "subject": subject.map(|s| s.digest.clone()), "referrers": [],
        "blobs": p.blobs.iter().map(|(d, s)| json!({"digest": d, "size": s})).collect::<Vec<_>>(),
        "manifest_size": p.manifest.len(),
    })
}

struct Seeded {
    a: Pushed,
    b: Pushed,
    c: Pushed,
    index: Pushed,
    c1: Pushed,
    c2: Pushed,
    sig_a: Pushed,
    sig_c: Pushed,
}

async fn seed(s: &Seeder, dir: &Path, addr: &str) -> Seeded {
    let a = fixture("amd64", "a").push(s, "life/app", &["old-1"]).await;
    let b = fixture("amd64", "b").push(s, "life/app", &["old-2"]).await;
    let c = fixture("amd64", "c").push(s, "life/app", &["new"]).await;
    let (f1, f2) = (fixture("arm64", "c1"), fixture("amd64", "c2"));
    let c1 = f1.push(s, "life/app", &[]).await;
    let c2 = f2.push(s, "life/app", &[]).await;
    let index = push_index(
        s,
        "life/app",
        false,
        &[(&f1, &c1), (&f2, &c2)],
        vec![],
        &["multi"],
    )
    .await;
    let sig_a = push_referrer(
        s,
        "life/app",
        &a,
        "application/vnd.example.sbom",
        b"sbom of a",
        false,
    )
    .await;
    let sig_c = push_referrer(
        s,
        "life/app",
        &c,
        "application/vnd.example.sbom",
        b"sbom of c",
        false,
    )
    .await;
    let inv = json!({
        "schema": "regscope.inventory/v1", "registry": addr, "generated_at": NOW,
        "images": [
            record(&a, "image", &["old-1"], 100, &[], None),
            record(&b, "image", &["old-2"], 90, &[], None),
            record(&c, "image", &["new"], 1, &[], None),
            record(&index, "index", &["multi"], 100, &[&c1, &c2], None),
            record(&c1, "image", &[], 100, &[], None),
            record(&c2, "image", &[], 100, &[], None),
            record(&sig_a, "artifact", &[], 100, &[], Some(&a)),
            record(&sig_c, "artifact", &[], 100, &[], Some(&c)),
        ]
    });
    std::fs::write(
        dir.join("inv.json"),
        serde_json::to_vec_pretty(&inv).unwrap(),
    )
    .unwrap();
    let policy = json!({"rules": [
        {"rulePriority": 1, "description": "claim multi-arch releases",
         "selection": {"tagStatus": "tagged", "tagPatternList": ["multi"], "countType": "imageCountMoreThan", "countNumber": 10},
         "action": {"type": "expire"}},
        {"rulePriority": 2, "description": "sweep anything older than a month",
         "selection": {"tagStatus": "any", "countType": "sinceImagePushed", "countUnit": "days", "countNumber": 30},
         "action": {"type": "expire"}}]});
    std::fs::write(
        dir.join("policy.json"),
        serde_json::to_vec_pretty(&policy).unwrap(),
    )
    .unwrap();
    Seeded {
        a,
        b,
        c,
        index,
        c1,
        c2,
        sig_a,
        sig_c,
    }
}

pub(crate) fn regscope(dir: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_regscope"));
    cmd.args(args)
        .current_dir(dir)
        .env("REGSCOPE_DATA", dir.join("data"))
        .env("REGSCOPE_CONFIG", dir.join("config.toml"))
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    if let Some(text) = stdin {
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
    }
    child.wait_with_output().unwrap()
}

pub(crate) fn text(o: &Output) -> String {
    format!(
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn make_plan(dir: &Path) -> Value {
    let o = regscope(
        dir,
        &[
            "plan",
            "--inventory",
            "inv.json",
            "--policy",
            "policy.json",
            "--now",
            NOW,
            "--switch",
            "ecr.rank_index_children=true",
            "-o",
            "plan.json",
        ],
        None,
    );
    assert!(o.status.success(), "{}", text(&o));
    serde_json::from_slice(&std::fs::read(dir.join("plan.json")).unwrap()).unwrap()
}

fn planned(plan: &Value) -> Vec<String> {
    let mut v: Vec<String> = plan["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["digest"].as_str().unwrap().to_string())
        .collect();
    v.sort();
    v
}

fn sorted(v: &[&Pushed]) -> Vec<String> {
    let mut v: Vec<String> = v.iter().map(|p| p.digest.clone()).collect();
    v.sort();
    v
}

#[tokio::test]
async fn plan_delete_audit_restore_round_trip() {
    let Some(reg) = TestRegistry::start() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let s = Seeder::new(&reg.base_url());
    let x = seed(&s, dir.path(), &reg.addr).await;
    let plan = make_plan(dir.path());
    // A and B are old; A's SBOM follows it; the index's children are protected, C's SBOM too.
    assert_eq!(planned(&plan), sorted(&[&x.a, &x.b, &x.sig_a]), "{plan:#}");
    let protected: Vec<&str> = plan["protected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["digest"].as_str().unwrap())
        .collect();
    assert!(
        protected.contains(&x.c1.digest.as_str()) && protected.contains(&x.c2.digest.as_str()),
        "{plan:#}"
    );
    assert!(
        plan["summary"]["reclaimed_bytes"].as_u64().unwrap()
            < plan["summary"]["naive_bytes"].as_u64().unwrap(),
        "the shared base layer survives in C"
    );

    let o = regscope(
        dir.path(),
        &["delete", "--plan", "plan.json", "--yes"],
        None,
    );
    assert!(o.status.success(), "{}", text(&o));
    for gone in [&x.a, &x.b, &x.sig_a] {
        assert_eq!(
            s.manifest_status("life/app", &gone.digest).await,
            404,
            "{} should be deleted",
            gone.digest
        );
    }
    for kept in [&x.c, &x.index, &x.c1, &x.c2, &x.sig_c] {
        assert_eq!(
            s.manifest_status("life/app", &kept.digest).await,
            200,
            "{} should survive",
            kept.digest
        );
    }
    assert_eq!(
        s.manifest_status("life/app", "multi").await,
        200,
        "the multi-arch tag still pulls"
    );

    // The audit log holds the raw manifests, before and after each deletion.
    let audit_dir = dir.path().join("data/audit");
    let audit = std::fs::read_dir(&audit_dir)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let lines: Vec<Value> = std::fs::read_to_string(&audit)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    for p in [&x.a, &x.b, &x.sig_a] {
        let intent = lines
            .iter()
            .find(|l| l["event"] == "intent" && l["digest"] == p.digest.as_str())
            .expect("intent entry");
        use base64::Engine as _;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(intent["manifest_base64"].as_str().unwrap())
            .unwrap();
        assert_eq!(bytes, p.manifest);
        let i = lines
            .iter()
            .position(|l| l["event"] == "intent" && l["digest"] == p.digest.as_str())
            .unwrap();
        let d = lines
            .iter()
            .position(|l| l["event"] == "deleted" && l["digest"] == p.digest.as_str())
            .unwrap();
        assert!(i < d, "intent is written before the deletion");
    }

    let o = regscope(dir.path(), &["restore", audit.to_str().unwrap()], None);
    assert!(o.status.success(), "{}", text(&o));
    for p in [&x.a, &x.b, &x.sig_a] {
        assert_eq!(
            s.manifest_status("life/app", &p.digest).await,
            200,
            "{} restored",
            p.digest
        );
    }
    assert_eq!(
        s.manifest_status("life/app", "old-1").await,
        200,
        "tag restored"
    );
    assert_eq!(
        s.manifest_status("life/app", "old-2").await,
        200,
        "tag restored"
    );
}

#[tokio::test]
async fn a_tag_moved_between_plan_and_delete_is_skipped_and_reported() {
    let Some(reg) = TestRegistry::start() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let s = Seeder::new(&reg.base_url());
    let x = seed(&s, dir.path(), &reg.addr).await;
    make_plan(dir.path());
    // Someone re-tags old-2 onto a fresh image after the plan was reviewed.
    let d = fixture("amd64", "d").push(&s, "life/app", &["old-2"]).await;
    let o = regscope(
        dir.path(),
        &["delete", "--plan", "plan.json", "--yes", "--json"],
        None,
    );
    assert!(o.status.success(), "{}", text(&o));
    let out: Value = serde_json::from_slice(&o.stdout).unwrap();
    let b = out["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["digest"] == x.b.digest.as_str())
        .unwrap();
    assert_eq!(b["outcome"], "skipped", "{b}");
    assert!(
        b["detail"]
            .as_str()
            .unwrap()
            .contains("tag old-2 now points at"),
        "{b}"
    );
    assert_eq!(
        s.manifest_status("life/app", &x.b.digest).await,
        200,
        "B was not deleted"
    );
    assert_eq!(s.manifest_status("life/app", &d.digest).await, 200);
    assert_eq!(
        s.manifest_status("life/app", &x.a.digest).await,
        404,
        "A still went as planned"
    );
}

#[tokio::test]
async fn confirmation_and_read_only_guard_deletion() {
    let Some(reg) = TestRegistry::start() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let s = Seeder::new(&reg.base_url());
    let x = seed(&s, dir.path(), &reg.addr).await;
    make_plan(dir.path());
    // No stdin: refused, as a usage mistake (run in a terminal or pass --yes).
    let o = regscope(dir.path(), &["delete", "--plan", "plan.json"], None);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("no confirmation"),
        "{}",
        text(&o)
    );
    // A wrong answer cancels.
    let o = regscope(
        dir.path(),
        &["delete", "--plan", "plan.json"],
        Some("yes\n"),
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert_eq!(s.manifest_status("life/app", &x.a.digest).await, 200);
    // read_only = true refuses even with --yes.
    std::fs::write(
        dir.path().join("config.toml"),
        format!(
            "[[registry]]\nname = \"test\"\naddress = \"{}\"\nread_only = true\n",
            reg.addr
        ),
    )
    .unwrap();
    let o = regscope(
        dir.path(),
        &["delete", "--plan", "plan.json", "--yes"],
        None,
    );
    assert!(
        o.status.code() == Some(1) && String::from_utf8_lossy(&o.stderr).contains("read_only"),
        "{}",
        text(&o)
    );
    assert_eq!(s.manifest_status("life/app", &x.a.digest).await, 200);
    std::fs::remove_file(dir.path().join("config.toml")).unwrap();
    // Typing the repository name proceeds.
    let o = regscope(
        dir.path(),
        &["delete", "--plan", "plan.json"],
        Some("life/app\n"),
    );
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(s.manifest_status("life/app", &x.a.digest).await, 404);
}

#[test]
fn a_broken_policy_or_foreign_inventory_is_refused_before_evaluation() {
    let dir = tempfile::tempdir().unwrap();
    let inv = json!({"schema": "regscope.inventory/v1", "registry": "127.0.0.1:1", "generated_at": NOW, "images": []});
    std::fs::write(dir.path().join("inv.json"), inv.to_string()).unwrap();
    let bad = r#"{"rules":[{"rulePriority":3,"description":"keep the last five releases around for rollbacks","selection":{"tagStatus":"tagged","countType":"imageCountMoreThan","countNumber":5},"action":{"type":"expire"}}]}"#;
    std::fs::write(dir.path().join("bad.json"), bad).unwrap();
    let o = regscope(
        dir.path(),
        &[
            "plan",
            "--inventory",
            "inv.json",
            "--policy",
            "bad.json",
            "--json",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("bad.json")
            && err.contains("rulePriority 3")
            && err.contains("selection.tagStatus"),
        "{err}"
    );
    assert!(o.stdout.is_empty(), "nothing evaluated or printed");
    std::fs::write(
        dir.path().join("inv2.json"),
        inv.to_string().replace("inventory/v1", "inventory/v2"),
    )
    .unwrap();
    std::fs::write(dir.path().join("ok.txt"), "--filter 'app:.*' --ago 1d").unwrap();
    let o = regscope(
        dir.path(),
        &["plan", "--inventory", "inv2.json", "--policy", "ok.txt"],
        None,
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("regscope.inventory/v2") && err.contains("regscope.inventory/v1"),
        "{err}"
    );
}

#[tokio::test]
async fn plan_over_a_live_registry_protects_children_and_referrers_of_survivors() {
    let Some(reg) = TestRegistry::start() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let s = Seeder::new(&reg.base_url());
    let x = seed(&s, dir.path(), &reg.addr).await;
    let orphan = fixture("amd64", "orphan").push(&s, "life/app", &[]).await;
    let gar = r#"[{"name": "untagged", "action": {"type": "Delete"}, "condition": {"tagState": "UNTAGGED"}}]"#;
    std::fs::write(dir.path().join("gar.json"), gar).unwrap();
    let target = format!("{}/life", reg.addr);
    let o = regscope(
        dir.path(),
        &["plan", &target, "--policy", "gar.json", "--json"],
        None,
    );
    assert!(o.status.success(), "{}", text(&o));
    let plan: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(plan["policy_format"], "gar");
    let acted = planned(&plan);
    // The crawl may or may not see untagged manifests (distribution has no listing for
    // them); whatever it sees, children of the tagged index and referrers of surviving
    // subjects must never be planned.
    for never in [&x.c1, &x.c2, &x.sig_a, &x.sig_c, &x.a, &x.c, &x.index] {
        assert!(
            !acted.contains(&never.digest),
            "{} planned: {plan:#}",
            never.digest
        );
    }
    assert!(acted.iter().all(|d| *d == orphan.digest), "{plan:#}");
}
