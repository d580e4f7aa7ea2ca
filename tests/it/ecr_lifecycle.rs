//! Lifecycle cleanup on ECR, as a user runs it, against moto_server: `regscope plan` with
//! a policy file and with each repository's own lifecycle policy (`GetLifecyclePolicy`),
//! `regscope delete --plan` (checks with `DescribeImages`, one `BatchGetImage` per deleted
//! image for the audit log, `BatchDeleteImage` by digest), and `regscope restore`
//! (`PutImage`).

use crate::ecr::manifest;
use crate::support::moto::{Moto, ACCOUNT, REGION};
use regscope::policy::audit::{AuditEntry, AuditEvent};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Output;

const OCI: &str = "application/vnd.oci.image.manifest.v1+json";

/// The binary with an environment that points the SDK at moto and keeps config, data
/// and audit logs in `dir`.
pub fn regscope(m: &Moto, dir: &Path, args: &[&str]) -> Output {
    let empty = m.dir.path().join("empty-aws-file");
    std::fs::write(&empty, "").unwrap();
    std::process::Command::new(env!("CARGO_BIN_EXE_regscope"))
        .args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", dir)
        .env("REGSCOPE_DATA", dir.join("data"))
        .env("REGSCOPE_CONFIG", dir.join("config.toml"))
        .env("AWS_ENDPOINT_URL_ECR", &m.url)
        .env("AWS_ACCESS_KEY_ID", "AKIDTEST")
        .env("AWS_SECRET_ACCESS_KEY", "test-secret")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", &empty)
        .env("AWS_SHARED_CREDENTIALS_FILE", &empty)
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run regscope")
}

pub fn ok(out: &Output) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        out.status.success(),
        "exit {:?}\nstdout:\n{}\nstderr:\n{stderr}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout)
    );
    stderr
}

/// digest -> sorted tags, as moto holds `repo` now (through an independent raw client).
pub async fn held(m: &Moto, repo: &str) -> BTreeMap<String, Vec<String>> {
    let v = m
        .call(REGION, "DescribeImages", json!({"repositoryName": repo}))
        .await;
    v["imageDetails"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let mut tags: Vec<String> = d["imageTags"]
                .as_array()
                .map(|a| a.iter().map(|t| t.as_str().unwrap().to_string()).collect())
                .unwrap_or_default();
            tags.sort();
            (d["imageDigest"].as_str().unwrap().to_string(), tags)
        })
        .collect()
}

/// Keep `keep*` (a rule that claims but never fires), expire everything else older than a
/// day; evaluated as of 2030 every image is older.
const POLICY: &str = r#"{"rules":[
 {"rulePriority":1,"description":"protect keep tags","selection":{"tagStatus":"tagged","tagPatternList":["keep*"],"countType":"imageCountMoreThan","countNumber":9999},"action":{"type":"expire"}},
 {"rulePriority":2,"description":"everything else after a day","selection":{"tagStatus":"any","countType":"sinceImagePushed","countUnit":"days","countNumber":1},"action":{"type":"expire"}}]}"#;
const LATER: &str = "2030-01-01T00:00:00Z";

#[tokio::test]
async fn ecr_lifecycle_plan_delete_skips_what_moved_audits_and_restores() {
    let Some(m) = Moto::start() else { return };
    m.create_repository("team/app", false, false).await;
    m.create_repository("other/svc", false, false).await;
    let (ma, mb, mc) = (
        manifest("del-a", 11),
        manifest("del-b", 12),
        manifest("del-c", 13),
    );
    let a = m.put_image("team/app", &ma, OCI, Some("old-1")).await;
    let b = m.put_image("team/app", &mb, OCI, Some("old-2")).await;
    let c = m.put_image("team/app", &mc, OCI, None).await;
    let d = m
        .put_image("team/app", &manifest("keep-d", 14), OCI, Some("keep-1"))
        .await;
    let me = manifest("moved-e", 15);
    let e = m.put_image("team/app", &me, OCI, Some("e-stays")).await;
    assert_eq!(m.put_image("team/app", &me, OCI, Some("moves")).await, e);
    let f = m
        .put_image("other/svc", &manifest("other-f", 16), OCI, Some("prod"))
        .await;
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("policy.json");
    std::fs::write(&policy, POLICY).unwrap();
    let plan_file = dir.path().join("plan.json");
    let target = format!("ecr://{ACCOUNT}/{REGION}/team");

    let out = regscope(
        &m,
        dir.path(),
        &[
            "plan",
            &target,
            "--policy",
            policy.to_str().unwrap(),
            "--now",
            LATER,
            "-o",
            plan_file.to_str().unwrap(),
        ],
    );
    ok(&out);
    let plan: Value = serde_json::from_str(&std::fs::read_to_string(&plan_file).unwrap()).unwrap();
    let planned: BTreeSet<String> = plan["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["digest"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        planned,
        BTreeSet::from([a.clone(), b.clone(), c.clone(), e.clone()]),
        "{plan:#}"
    );

    // Between plan and delete, the tag `moves` goes to a new image: e must be skipped.
    let g = m
        .put_image("team/app", &manifest("new-g", 17), OCI, Some("moves"))
        .await;
    let ops_before = m.recorded_operations().len();
    let out = regscope(
        &m,
        dir.path(),
        &[
            "delete",
            "--plan",
            plan_file.to_str().unwrap(),
            "--yes",
            "--json",
        ],
    );
    let stderr = ok(&out);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let results = report["results"].as_array().unwrap();
    let outcome = |dg: &str| {
        results
            .iter()
            .find(|r| r["digest"] == dg)
            .unwrap_or_else(|| panic!("no result for {dg}: {report:#}"))
            .clone()
    };
    for x in [&a, &b, &c] {
        assert_eq!(outcome(x)["outcome"], "deleted", "{report:#}\n{stderr}");
    }
    let skipped = outcome(&e);
    assert_eq!(skipped["outcome"], "skipped", "{report:#}");
    let why = skipped["detail"].as_str().unwrap();
    assert!(
        why.contains("tag moves now points at") && why.contains(&g[7..19]),
        "{why}"
    );

    // Moto no longer holds exactly the deleted digests and still holds everything else.
    let now = held(&m, "team/app").await;
    assert_eq!(
        now.keys().cloned().collect::<BTreeSet<_>>(),
        BTreeSet::from([d.clone(), e.clone(), g.clone()]),
        "{now:?}"
    );
    assert_eq!(now[&e], ["e-stays"]);
    assert_eq!(now[&g], ["moves"]);
    assert_eq!(held(&m, "other/svc").await.keys().collect::<Vec<_>>(), [&f]);

    // Checks were DescribeImages; the only manifest reads (pulls) were one per deleted
    // image, for the audit log.
    let ops: Vec<String> = m.recorded_operations()[ops_before..].to_vec();
    let count = |op: &str| ops.iter().filter(|o| *o == op).count();
    assert_eq!(count("BatchGetImage"), 3, "{ops:?}");
    assert_eq!(count("BatchDeleteImage"), 3, "{ops:?}");
    assert!(count("DescribeImages") >= 4, "{ops:?}");

    // The audit log holds each deleted manifest's exact bytes, before and after.
    let audit_path = report["audit_log"].as_str().unwrap().to_string();
    let text = std::fs::read_to_string(&audit_path).unwrap();
    let entries: Vec<AuditEntry> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    for (digest, bytes) in [(&a, &ma), (&b, &mb), (&c, &mc)] {
        let intent = entries
            .iter()
            .find(|x| x.event == AuditEvent::Intent && &x.digest == digest)
            .unwrap_or_else(|| panic!("no intent for {digest}:\n{text}"));
        assert_eq!(intent.manifest_bytes().unwrap(), bytes.as_bytes());
        let at = |ev: AuditEvent| {
            entries
                .iter()
                .position(|x| x.event == ev && &x.digest == digest)
        };
        assert!(at(AuditEvent::Intent) < at(AuditEvent::Deleted), "{text}");
    }
    assert!(entries
        .iter()
        .any(|x| x.event == AuditEvent::Skipped && x.digest == e));

    // Restore brings the deleted images back, with their tags.
    let out = regscope(&m, dir.path(), &["restore", &audit_path]);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    ok(&out);
    assert!(
        stdout.contains("3 restored, 0 could not be restored"),
        "{stdout}"
    );
    let back = held(&m, "team/app").await;
    assert_eq!(back[&a], ["old-1"], "{back:?}");
    assert_eq!(back[&b], ["old-2"]);
    assert_eq!(back[&c], Vec::<String>::new());
    assert_eq!(back[&g], ["moves"], "restore left the moved tag alone");
    let got = m
        .call(
            REGION,
            "BatchGetImage",
            json!({"repositoryName": "team/app", "imageIds": [{"imageDigest": a}]}),
        )
        .await;
    assert_eq!(got["images"][0]["imageManifest"], ma.as_str());
}

#[tokio::test]
async fn ecr_lifecycle_plan_under_each_repository_own_policy() {
    let Some(m) = Moto::start() else { return };
    m.create_repository("svc/a", false, false).await;
    m.create_repository("svc/b", false, false).await;
    let untagged = m
        .put_image("svc/a", &manifest("own-u", 21), OCI, None)
        .await;
    let v1 = m
        .put_image("svc/a", &manifest("own-v1", 22), OCI, Some("v1"))
        .await;
    m.put_image("svc/b", &manifest("own-b", 23), OCI, None)
        .await;
    m.call(
        REGION,
        "PutLifecyclePolicy",
        json!({"repositoryName": "svc/a", "lifecyclePolicyText": json!({"rules": [
            {"rulePriority": 1, "description": "untagged after a week",
             "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days", "countNumber": 7},
             "action": {"type": "expire"}}]}).to_string()}),
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let out = regscope(
        &m,
        dir.path(),
        &[
            "plan",
            &format!("ecr://{ACCOUNT}/{REGION}/svc"),
            "--now",
            LATER,
            "--json",
        ],
    );
    ok(&out);
    let plan: Value = serde_json::from_slice(&out.stdout).unwrap();
    let actions = plan["actions"].as_array().unwrap();
    assert_eq!(actions.len(), 1, "{plan:#}");
    assert_eq!(actions[0]["digest"], untagged.as_str());
    assert_eq!(actions[0]["repository"], "svc/a");
    assert_eq!(actions[0]["rule"], "1");
    assert!(actions.iter().all(|x| x["digest"] != v1.as_str()));
    assert!(
        plan["policy_source"]
            .as_str()
            .unwrap()
            .contains("GetLifecyclePolicy"),
        "{plan:#}"
    );
    let warnings = plan["warnings"].to_string();
    assert!(
        warnings.contains("repository svc/b has no lifecycle policy; nothing evaluated there"),
        "{warnings}"
    );
    // The same, as a person reads it.
    let out = regscope(
        &m,
        dir.path(),
        &[
            "plan",
            &format!("ecr://{ACCOUNT}/{REGION}/svc"),
            "--now",
            LATER,
        ],
    );
    ok(&out);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("EXPIRE (1)") && text.contains("svc/b has no lifecycle policy"),
        "{text}"
    );
    // Reading the policies and the images never pulled.
    assert!(!m.recorded_operations().iter().any(|o| o == "BatchGetImage"));
}

/// The explorer on an ECR target (moto): open a repository that has its own lifecycle
/// policy, press D, and the review shows what that policy expires; a repository without
/// a policy says so instead of failing.
#[tokio::test(flavor = "multi_thread")]
async fn ecr_lifecycle_tui_plan_view_from_a_repository_with_its_own_policy() {
    crate::require!("tmux");
    let Some(m) = Moto::start() else { return };
    m.create_repository("svc/a", false, false).await;
    m.create_repository("svc/b", false, false).await;
    for (i, tag) in ["first", "second", "third"].iter().enumerate() {
        if i > 0 {
            // moto records push times in whole seconds; images pushed within one second
            // are a genuine tie, which regscope keeps rather than break by digest.
            tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
        }
        m.put_image(
            "svc/a",
            &manifest(&format!("tui-{i}"), 30 + i as u64),
            OCI,
            Some(tag),
        )
        .await;
    }
    m.put_image("svc/b", &manifest("tui-b", 40), OCI, Some("only"))
        .await;
    m.call(
        REGION,
        "PutLifecyclePolicy",
        json!({"repositoryName": "svc/a", "lifecyclePolicyText": json!({"rules": [
            {"rulePriority": 1, "description": "keep one",
             "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 1},
             "action": {"type": "expire"}}]}).to_string()}),
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty-aws-file");
    std::fs::write(&empty, "").unwrap();
    let (cfg, data, state) = (
        dir.path().join("config.toml"),
        dir.path().join("data"),
        dir.path().join("state"),
    );
    let bin = env!("CARGO_BIN_EXE_regscope");
    let tm = crate::tui::Tmux::start(
        &format!("{bin} ecr://{ACCOUNT}/{REGION}"),
        &[
            ("REGSCOPE_CONFIG", cfg.to_str().unwrap()),
            ("REGSCOPE_DATA", data.to_str().unwrap()),
            ("XDG_STATE_HOME", state.to_str().unwrap()),
            ("TERM", "xterm-256color"),
            ("AWS_ENDPOINT_URL_ECR", &m.url),
            ("AWS_ACCESS_KEY_ID", "AKIDTEST"),
            ("AWS_SECRET_ACCESS_KEY", "test-secret"),
            ("AWS_EC2_METADATA_DISABLED", "true"),
            ("AWS_CONFIG_FILE", empty.to_str().unwrap()),
            ("AWS_SHARED_CREDENTIALS_FILE", empty.to_str().unwrap()),
        ],
    );
    tm.wait_for("the ECR inventory", |s| {
        s.contains("svc/a") && s.contains("svc/b")
    });
    tm.keys(&[":"]);
    tm.literal("repo svc/a");
    tm.keys(&["Enter"]);
    tm.wait_for("the images of svc/a", |s| s.contains("3 of 3"));
    tm.keys(&["D"]);
    let screen = tm.wait_for("the plan review", |s| {
        s.contains("lifecycle policy of svc/a") && s.contains("EXPIRE 2")
    });
    assert!(screen.contains("2 images removed"), "{screen}");
    // Nothing was deleted by opening the review.
    assert_eq!(held(&m, "svc/a").await.len(), 3);
    tm.keys(&["Escape", ":"]);
    tm.literal("repo svc/b");
    tm.keys(&["Enter"]);
    tm.wait_for("the images of svc/b", |s| s.contains("1 of 1"));
    tm.keys(&["D"]);
    tm.wait_for("no policy said", |s| {
        s.contains("svc/b has no lifecycle policy")
    });
    tm.keys(&["q"]);
}
