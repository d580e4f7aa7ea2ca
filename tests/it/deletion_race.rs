//! Deletion that nothing can surprise: the registry is changed while `regscope delete` runs
//! (the fault proxy holds the first DELETE's answer and pushes meanwhile), and each later
//! item must see it in its own re-check: a planned tag moved away, a tag pushed onto a
//! planned digest, a new tagged index over a planned image, a new referrer to a planned
//! subject. Only the untouched items go.

use crate::lifecycle::{fixture, record, regscope, text, NOW};
use crate::support::faults::{Fault, FaultProxy};
use crate::support::fixtures::{push_index, push_referrer, Pushed};
use crate::support::registry::TestRegistry;
use crate::support::seed::Seeder;
use serde_json::{json, Value};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

const REPO: &str = "life/app";

/// The old (planned) images and the new one.
type Seeded = (Vec<Pushed>, Pushed);

/// Seeds `n` old tagged images and one new one; writes an inventory naming `registry`
/// (the proxy) and a policy that expires everything older than 30 days.
async fn seed_old(s: &Seeder, dir: &Path, registry: &str, n: usize) -> (Vec<Pushed>, Pushed) {
    let mut old = Vec::new();
    let mut records = Vec::new();
    for i in 0..n {
        let tag = format!("old-{i}");
        let p = fixture("amd64", &format!("race {i}"))
            .push(s, REPO, &[&tag])
            .await;
        records.push(record(&p, "image", &[&tag], 100, &[], None));
        old.push(p);
    }
    let keep = fixture("amd64", "keeper").push(s, REPO, &["new"]).await;
    records.push(record(&keep, "image", &["new"], 1, &[], None));
    let inv = json!({"schema": "regscope.inventory/v1", "registry": registry,
        "generated_at": NOW, "images": records});
    std::fs::write(dir.join("inv.json"), serde_json::to_vec(&inv).unwrap()).unwrap();
    let policy = json!({"rules": [{"rulePriority": 1, "description": "older than a month",
        "selection": {"tagStatus": "any", "countType": "sinceImagePushed", "countUnit": "days", "countNumber": 30},
        "action": {"type": "expire"}}]});
    std::fs::write(
        dir.join("policy.json"),
        serde_json::to_vec(&policy).unwrap(),
    )
    .unwrap();
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
            "-o",
            "plan.json",
        ],
        None,
    );
    assert!(o.status.success(), "{}", text(&o));
    (old, keep)
}

fn results(o: &std::process::Output) -> Vec<Value> {
    let out: Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|_| panic!("{}", text(o)));
    out["results"].as_array().unwrap().clone()
}

fn outcome<'a>(results: &'a [Value], digest: &str) -> &'a Value {
    results
        .iter()
        .find(|r| r["digest"] == digest)
        .unwrap_or_else(|| panic!("no result for {digest}: {results:#?}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changes_made_while_the_run_is_under_way_are_seen_per_item() {
    let Some(reg) = TestRegistry::start() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let s = Arc::new(Seeder::new(&reg.base_url()));
    // The proxy's address goes into the inventory before the images exist: start it
    // first, with the mutation armed once the images are known.
    let armed: Arc<std::sync::Mutex<Option<Seeded>>> = Arc::default();
    let fired = Arc::new(AtomicBool::new(false));
    let (s2, armed2, fired2) = (s.clone(), armed.clone(), fired.clone());
    let proxy = FaultProxy::start(&reg.base_url(), move |req| {
        let (s, armed, fired) = (s2.clone(), armed2.clone(), fired2.clone());
        async move {
            if req.method != "DELETE" || fired.swap(true, Ordering::SeqCst) {
                return Fault::Forward;
            }
            let Some((old, keep)) = armed.lock().unwrap().clone() else {
                return Fault::Forward;
            };
            // Hold this DELETE and change the registry around the items still to come.
            let others: Vec<&Pushed> = old
                .iter()
                .filter(|p| !req.path().ends_with(&p.digest))
                .collect();
            let moved = old
                .iter()
                .position(|p| p.digest == others[0].digest)
                .unwrap();
            s.push_manifest(
                REPO,
                &format!("old-{moved}"),
                &keep.media_type,
                &keep.manifest,
            )
            .await;
            s.push_manifest(REPO, "hotfix-b", &others[1].media_type, &others[1].manifest)
                .await;
            let f = fixture("amd64", "unused");
            push_index(&s, REPO, false, &[(&f, others[2])], vec![], &["bundle"]).await;
            // distribution 2.8 has no referrers API: clients push the fallback tag.
            push_referrer(
                &s,
                REPO,
                others[3],
                "application/vnd.example.sig",
                b"sig",
                true,
            )
            .await;
            Fault::Forward
        }
    })
    .await;
    let (old, keep) = seed_old(&s, dir.path(), &proxy.addr, 6).await;
    *armed.lock().unwrap() = Some((old.clone(), keep.clone()));

    // The proxy serves on this test's runtime: wait for the child off it.
    let path = dir.path().to_path_buf();
    let o = tokio::task::spawn_blocking(move || {
        regscope(
            &path,
            &["delete", "--plan", "plan.json", "--yes", "--json"],
            None,
        )
    })
    .await
    .unwrap();
    assert!(o.status.success(), "{}", text(&o));
    let rs = results(&o);
    assert!(fired.load(Ordering::SeqCst), "the race window was opened");
    let first = proxy
        .requests
        .lock()
        .unwrap()
        .iter()
        .find(|r| r.method == "DELETE")
        .unwrap()
        .path()
        .rsplit('/')
        .next()
        .unwrap()
        .to_string();
    let others: Vec<&Pushed> = old.iter().filter(|p| p.digest != first).collect();
    let expect = [
        (others[0], "skipped", "now points at"),
        (others[1], "skipped", "gained tag hotfix-b"),
        (others[2], "skipped", "child of surviving index"),
        (others[3], "skipped", "has referrer"),
        (others[4], "deleted", ""),
    ];
    for (p, want, detail) in expect {
        let r = outcome(&rs, &p.digest);
        assert_eq!(
            r["outcome"],
            want,
            "want {detail:?}: {r}\n{rs:#?}\n{}",
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(r["detail"].as_str().unwrap_or("").contains(detail), "{r}");
        let status = s.manifest_status(REPO, &p.digest).await;
        assert_eq!(status, if want == "deleted" { 404 } else { 200 }, "{r}");
    }
    assert_eq!(outcome(&rs, &first)["outcome"], "deleted");
    assert_eq!(
        s.manifest_status(REPO, "hotfix-b").await,
        200,
        "hotfix-b kept"
    );
    assert_eq!(s.manifest_status(REPO, "bundle").await, 200);
    assert_eq!(s.manifest_status(REPO, &keep.digest).await, 200);
}

#[tokio::test]
async fn a_referrer_pushed_after_the_plan_protects_its_subject() {
    let Some(reg) = TestRegistry::start() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let s = Seeder::new(&reg.base_url());
    let (old, _) = seed_old(&s, dir.path(), &reg.addr, 2).await;
    // After review, before the run: a signature by the fallback tag as well as the API.
    push_referrer(
        &s,
        REPO,
        &old[0],
        "application/vnd.dev.cosign.artifact.sig.v1+json",
        b"sig",
        true,
    )
    .await;
    let o = regscope(
        dir.path(),
        &["delete", "--plan", "plan.json", "--yes", "--json"],
        None,
    );
    assert!(o.status.success(), "{}", text(&o));
    let rs = results(&o);
    let r = outcome(&rs, &old[0].digest);
    assert_eq!(r["outcome"], "skipped", "{r}");
    assert!(
        r["detail"].as_str().unwrap().contains("has referrer"),
        "{r}"
    );
    assert_eq!(s.manifest_status(REPO, &old[0].digest).await, 200);
    assert_eq!(outcome(&rs, &old[1].digest)["outcome"], "deleted");
}

/// SIGKILL between the registry's DELETE and the `deleted` record leaves only the intent:
/// the log is cut there (as the kill leaves it), and `restore` must look and restore.
#[tokio::test]
async fn an_intent_without_an_outcome_is_restored_when_missing() {
    let Some(reg) = TestRegistry::start() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let s = Seeder::new(&reg.base_url());
    let (old, _) = seed_old(&s, dir.path(), &reg.addr, 2).await;
    let o = regscope(
        dir.path(),
        &["delete", "--plan", "plan.json", "--yes", "--json"],
        None,
    );
    assert!(o.status.success(), "{}", text(&o));
    let audit: Value = serde_json::from_slice(&o.stdout).unwrap();
    let audit = audit["audit_log"].as_str().unwrap().to_string();
    // Drop every `deleted` record: one image deleted for real, the other put back by
    // hand so the registry still holds it although its intent has no outcome either.
    let kept: Vec<String> = std::fs::read_to_string(&audit)
        .unwrap()
        .lines()
        .filter(|l| !l.contains(r#""event":"deleted""#))
        .map(str::to_string)
        .collect();
    std::fs::write(&audit, kept.join("\n") + "\n").unwrap();
    s.push_manifest(REPO, &old[1].digest, &old[1].media_type, &old[1].manifest)
        .await;
    assert_eq!(s.manifest_status(REPO, &old[0].digest).await, 404);

    let o = regscope(dir.path(), &["restore", &audit], None);
    assert!(o.status.success(), "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("possibly deleted"), "{}", text(&o));
    assert!(out.contains("1 restored, 1 still present"), "{}", text(&o));
    assert_eq!(s.manifest_status(REPO, &old[0].digest).await, 200);
    assert_eq!(s.manifest_status(REPO, "old-0").await, 200, "tag back too");
}

/// The kill window for real: the registry carries out the first DELETE, its answer is held,
/// and `regscope delete` is killed with SIGKILL while it waits. The audit log holds the
/// intent and no outcome; `restore` must treat that as possibly deleted, find the image
/// missing and put it back with its tag.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_after_the_registry_deleted_leaves_an_intent_that_restore_puts_back() {
    let Some(reg) = TestRegistry::start() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let s = Arc::new(Seeder::new(&reg.base_url()));
    let acted: Arc<std::sync::Mutex<Option<String>>> = Arc::default();
    let (s2, acted2) = (s.clone(), acted.clone());
    let proxy = FaultProxy::start(&reg.base_url(), move |req| {
        let (s, acted) = (s2.clone(), acted2.clone());
        async move {
            if req.method != "DELETE" || acted.lock().unwrap().is_some() {
                return Fault::Forward;
            }
            // The registry acts; regscope never hears back.
            let digest = req.path().rsplit('/').next().unwrap().to_string();
            assert_eq!(s.delete_manifest(REPO, &digest).await, 202);
            *acted.lock().unwrap() = Some(digest);
            Fault::Hang
        }
    })
    .await;
    let (old, _) = seed_old(&s, dir.path(), &proxy.addr, 2).await;

    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_regscope"))
        .args(["delete", "--plan", "plan.json", "--yes", "--json"])
        .current_dir(dir.path())
        .env("REGSCOPE_DATA", dir.path().join("data"))
        .env("REGSCOPE_CONFIG", dir.path().join("config.toml"))
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    let first = loop {
        if let Some(d) = acted.lock().unwrap().clone() {
            break d;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no DELETE reached the registry"
        );
        assert!(child.try_wait().unwrap().is_none(), "delete ended early");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    // The DELETE is in flight from regscope's side: kill it there (SIGKILL).
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert_eq!(
        std::os::unix::process::ExitStatusExt::signal(&status),
        Some(9)
    );
    let i = old.iter().position(|p| p.digest == first).unwrap();
    assert_eq!(
        s.manifest_status(REPO, &first).await,
        404,
        "the registry acted"
    );

    // Only the intent is on disk for it.
    let audit_dir = dir.path().join("data");
    let log = walk(&audit_dir)
        .into_iter()
        .find(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("delete-") && n.ends_with(".jsonl"))
        })
        .expect("an audit log");
    let lines = std::fs::read_to_string(&log).unwrap();
    let about: Vec<&str> = lines.lines().filter(|l| l.contains(&first)).collect();
    assert!(
        about.iter().any(|l| l.contains(r#""event":"intent""#)),
        "{lines}"
    );
    assert!(
        !about.iter().any(|l| l.contains(r#""event":"deleted""#)),
        "{lines}"
    );

    let log_arg = log.to_string_lossy().to_string();
    let path = dir.path().to_path_buf();
    let o = tokio::task::spawn_blocking(move || regscope(&path, &["restore", &log_arg], None))
        .await
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("possibly deleted"), "{}", text(&o));
    assert_eq!(s.manifest_status(REPO, &first).await, 200, "{}", text(&o));
    assert_eq!(
        s.manifest_status(REPO, &format!("old-{i}")).await,
        200,
        "its tag is back too: {}",
        text(&o)
    );
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}
