//! `--in-use` never switches protection off: a truncated kubectl JSON or a line that is
//! not a reference is refused (exit 2 naming the file and why); the plan says how many
//! images the list named and matched.

use crate::support::limited::{regscope_limited, LIMIT};
use serde_json::{json, Value};
use std::path::Path;

const NOW: &str = "2026-01-01T00:00:00Z";
const REGISTRY: &str = "127.0.0.1:5000";

fn digest(c: char) -> String {
    format!("sha256:{}", c.to_string().repeat(64))
}

fn write_inventory(dir: &Path) {
    let image = |c: char, tags: &[&str]| {
        json!({
            "repository": "team/app", "digest": digest(c),
            "media_type": "application/vnd.oci.image.manifest.v1+json", "kind": "image",
            "tags": tags, "size_bytes": 1000, "unique_bytes": null, "platforms": [],
            "created_at": null, "pushed_at": "2025-01-01T00:00:00Z", "last_pulled_at": null,
            "children": [], "subject": null, "referrers": [], "blobs": [], "manifest_size": 100,
        })
    };
    let inv = json!({
        "schema": "regscope.inventory/v1", "registry": REGISTRY, "generated_at": NOW,
        "images": [image('a', &["v1"]), image('b', &["v2"]), image('c', &[])],
    });
    std::fs::write(dir.join("inv.json"), inv.to_string()).unwrap();
    let policy = json!({"rules": [{"rulePriority": 1, "description": "everything old",
        "selection": {"tagStatus": "any", "countType": "sinceImagePushed", "countUnit": "days", "countNumber": 30},
        "action": {"type": "expire"}}]});
    std::fs::write(dir.join("policy.json"), policy.to_string()).unwrap();
}

fn kubectl_pods() -> String {
    let pod = |name: &str, image: &str, id: &str| {
        json!({"kind": "Pod", "metadata": {"name": name, "namespace": "default"},
            "spec": {"containers": [{"name": "c", "image": image}]},
            "status": {"containerStatuses": [{"name": "c", "image": image, "imageID": id}]}})
    };
    let list = json!({"apiVersion": "v1", "kind": "List", "items": [
        pod("web", &format!("{REGISTRY}/team/app:v1"), &format!("docker-pullable://{REGISTRY}/team/app@{}", digest('a'))),
        pod("worker", &format!("{REGISTRY}/team/app@{}", digest('c')), ""),
        pod("other", "quay.io/else/thing:1", ""),
    ], "metadata": {"resourceVersion": ""}});
    serde_json::to_string_pretty(&list).unwrap()
}

fn plan(dir: &Path, in_use: &str) -> crate::support::limited::Limited {
    regscope_limited(
        dir,
        &[
            "plan",
            "--inventory",
            "inv.json",
            "--policy",
            "policy.json",
            "--now",
            NOW,
            "--in-use",
            in_use,
            "-o",
            "plan.json",
        ],
        LIMIT,
    )
}

#[test]
fn a_whole_kubectl_list_protects_and_the_plan_counts_named_and_matched() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write_inventory(d);
    std::fs::write(d.join("pods.json"), kubectl_pods()).unwrap();
    let o = plan(d, "pods.json");
    assert_eq!(o.code(), Some(0), "{}", o.text());
    assert!(
        o.stdout
            .contains("In use: kubectl pod list (3 pods) — 4 images named, 3 matched"),
        "{}",
        o.text()
    );
    let p: Value = serde_json::from_slice(&std::fs::read(d.join("plan.json")).unwrap()).unwrap();
    assert_eq!(p["in_use"]["named"], 4);
    assert_eq!(p["in_use"]["matched"], 3);
    let planned: Vec<&str> = p["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["digest"].as_str().unwrap())
        .collect();
    assert_eq!(planned, vec![digest('b').as_str()], "only the unused image");
}

#[test]
fn a_truncated_kubectl_list_is_refused_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write_inventory(d);
    let full = kubectl_pods();
    // Cut where the old reader found 'reference-like' lines and planned the in-use image.
    for cut in [full.len() / 3, full.len() / 2, full.len() - 2] {
        std::fs::write(d.join("pods.json"), &full[..cut]).unwrap();
        let o = plan(d, "pods.json");
        assert_eq!(o.code(), Some(2), "cut {cut}: {}", o.text());
        assert!(
            o.stderr.contains("pods.json") && o.stderr.contains("not valid JSON"),
            "{}",
            o.text()
        );
        assert!(!d.join("plan.json").exists(), "no plan is written");
    }
}

#[test]
fn a_reference_list_with_a_line_that_is_not_a_reference_is_refused_naming_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write_inventory(d);
    std::fs::write(
        d.join("refs.txt"),
        format!("# deployed\n{REGISTRY}/team/app:v1\n   \"image\": \"{REGISTRY}/team/app:v2\",\n"),
    )
    .unwrap();
    let o = plan(d, "refs.txt");
    assert_eq!(o.code(), Some(2), "{}", o.text());
    assert!(
        o.stderr.contains("refs.txt") && o.stderr.contains("line 3"),
        "{}",
        o.text()
    );
    std::fs::write(
        d.join("refs.txt"),
        format!("{REGISTRY}/team/app:v2\nelse.example/x:1\n"),
    )
    .unwrap();
    let o = plan(d, "refs.txt");
    assert_eq!(o.code(), Some(0), "{}", o.text());
    assert!(
        o.stdout
            .contains("reference list (2 references) — 2 images named, 1 matched"),
        "{}",
        o.text()
    );
}
