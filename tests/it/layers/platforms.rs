//! `regscope diff` of two multi-platform indexes against a real `docker-registry`: the
//! platform sets of both indexes and what B added and dropped, with the chosen platform's
//! images compared. The expectation is the pushed indexes' own platform lists.

use super::cat::run;
use crate::support::fixtures::{push_index, tar, Entry, ImageFixture, Layer};
use crate::support::registry::TestRegistry;
use crate::support::seed::Seeder;
use serde_json::{json, Value};

fn image(arch: &str, variant: Option<&str>, tag: &[u8]) -> ImageFixture {
    let mut f = ImageFixture::new(
        arch,
        "2026-06-01T00:00:00Z",
        vec![Layer::gzip(
            tar(&[Entry::File("etc/build", tag)]),
            "COPY build /etc/",
        )],
    );
    f.variant = variant.map(String::from);
    f
}

#[tokio::test]
async fn diff_reports_platforms_added_and_removed() {
    let Some(reg) = TestRegistry::start() else {
        return;
    };
    let s = Seeder::new(&reg.base_url());
    let repo = "multi/app";
    // v1: amd64, arm64/v8, arm/v7. v2: amd64, arm64/v8, s390x (arm/v7 dropped).
    let a = [
        image("amd64", None, b"1"),
        image("arm64", Some("v8"), b"1"),
        image("arm", Some("v7"), b"1"),
    ];
    let mut b = [
        image("amd64", None, b"2"),
        image("arm64", Some("v8"), b"2"),
        image("s390x", None, b"2"),
    ];
    for f in &mut b {
        f.docker = true;
    }
    let mut pa = Vec::new();
    for f in &a {
        pa.push(f.push(&s, repo, &[]).await);
    }
    let mut pb = Vec::new();
    for f in &b {
        pb.push(f.push(&s, repo, &[]).await);
    }
    let ca: Vec<_> = a.iter().zip(pa.iter()).collect();
    let cb: Vec<_> = b.iter().zip(pb.iter()).collect();
    push_index(&s, repo, false, &ca, vec![], &["v1"]).await;
    // B as a Docker manifest list of schema2 images: sets compare across formats.
    push_index(&s, repo, true, &cb, vec![], &["v2"]).await;

    let data = tempfile::tempdir().unwrap();
    let (ra, rb) = (
        format!("{}/{repo}:v1", reg.addr),
        format!("{}/{repo}:v2", reg.addr),
    );
    let d = data.path().to_path_buf();
    let (code, out, err) = tokio::task::spawn_blocking({
        let (ra, rb) = (ra.clone(), rb.clone());
        move || {
            run(
                &d,
                &["diff", &ra, &rb, "--platform", "linux/arm64/v8", "--json"],
            )
        }
    })
    .await
    .unwrap();
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(
        v["platforms"],
        json!({"a": ["linux/amd64", "linux/arm64/v8", "linux/arm/v7"],
               "b": ["linux/amd64", "linux/arm64/v8", "linux/s390x"],
               "added": ["linux/s390x"], "removed": ["linux/arm/v7"]})
    );
    // The arm64 images of both were compared.
    assert_eq!(v["a"]["digest"], pa[1].digest.as_str());
    assert_eq!(v["b"]["digest"], pb[1].digest.as_str());
    assert_eq!(v["a"]["platform"], "linux/arm64/v8");
    assert_eq!(v["files"]["changed"][0]["path"], "etc/build");

    let d = data.path().to_path_buf();
    let (code, out, err) = tokio::task::spawn_blocking(move || {
        run(&d, &["diff", &ra, &rb, "--platform", "linux/arm64/v8"])
    })
    .await
    .unwrap();
    assert_eq!(code, 0, "{err}");
    let text = String::from_utf8(out).unwrap();
    assert!(
        text.contains(r#"platforms: added ["linux/s390x"], removed ["linux/arm/v7"]"#),
        "{text}"
    );
}
