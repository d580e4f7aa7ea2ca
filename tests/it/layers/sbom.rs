//! Packages compared by SBOM referrers, against a real `docker-registry` (no referrers API:
//! found through the `sha256-<hex>` fallback tag). A's SBOM is SPDX 2.3 JSON written by
//! spdx-tools, B's CycloneDX 1.5 JSON written by cyclonedx-python-lib, both validated by
//! their libraries; the expected changes come from the same script's package lists
//! (`support/sbom_docs.py`), not from regscope. An SBOM on the index is found too. The same documents in an OCI layout are
//! found through its referrers API. An image without an SBOM, and one whose
//! SBOM is malformed, are said so — never empty lists — and the rest of the diff stands.

use super::cat::run;
use crate::support::fixtures::{
    push_index, push_referrer, tar, Entry, ImageFixture, Layer, OCI_CONFIG, OCI_EMPTY, OCI_MANIFEST,
};
use crate::support::registry::TestRegistry;
use crate::support::seed::Seeder;
use crate::support::vendor::python_with;
use regscope::registry::layout::LayoutWriter;
use serde_json::{json, Value};

const SPDX: &str = "application/spdx+json";
const CYCLONEDX: &str = "application/vnd.cyclonedx+json";

fn image(content: &[u8]) -> ImageFixture {
    ImageFixture::new(
        "amd64",
        "2026-11-01T00:00:00Z",
        vec![
            Layer::gzip(
                tar(&[Entry::File("etc/debian_version", b"12.5\n")]),
                "ADD rootfs /",
            ),
            Layer::gzip(tar(&[Entry::File("app/bin", content)]), "COPY app /app"),
        ],
    )
}

async fn diff(data: &std::path::Path, a: &str, b: &str, json: bool) -> (i32, Vec<u8>, String) {
    let (d, a, b) = (data.to_path_buf(), a.to_string(), b.to_string());
    tokio::task::spawn_blocking(move || {
        let mut args = vec!["diff", a.as_str(), b.as_str()];
        if json {
            args.push("--json");
        }
        run(&d, &args)
    })
    .await
    .unwrap()
}

/// Runs `support/sbom_docs.py`: `a.spdx.json`, `b.cdx.json`, `expected.json`.
fn sbom_docs(py: &std::path::Path) -> tempfile::TempDir {
    let docs = tempfile::tempdir().unwrap();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/it/support/sbom_docs.py");
    let out = std::process::Command::new(py)
        .arg(script)
        .arg(docs.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    docs
}

/// The expected packages object against what regscope wrote.
fn check_packages(p: &Value, want: &Value, sa: &str, sb: &str) {
    assert_eq!(p["note"], Value::Null, "{p}");
    assert_eq!(p["a"]["sbom"], sa);
    assert_eq!(p["a"]["format"], "SPDX-2.3");
    assert_eq!(
        p["a"]["packages"], want["packages_a"],
        "the image root left out"
    );
    assert_eq!(p["b"]["sbom"], sb);
    assert_eq!(p["b"]["format"], "CycloneDX-1.5");
    assert_eq!(p["b"]["packages"], want["packages_b"]);
    for key in ["added", "removed", "changed"] {
        assert_eq!(p[key], want[key], "{key}");
    }
}

/// The same SBOMs in an OCI image layout, whose source answers the referrers API (a
/// subject scan of the layout's manifests) instead of a fallback tag.
#[tokio::test]
async fn sboms_found_through_the_referrers_api_of_a_layout() {
    let Some(py) = python_with("spdx_tools, cyclonedx") else {
        return;
    };
    let docs = sbom_docs(&py);
    let read = |n: &str| std::fs::read(docs.path().join(n)).unwrap();
    let want: Value = serde_json::from_slice(&read("expected.json")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let layout = dir.path().join("layout");
    let mut w = LayoutWriter::create(&layout).unwrap();
    let mut subjects = Vec::new();
    for (tag, content) in [("v1", b"one"), ("v2", b"two")] {
        let f = image(content);
        let config = f.config_json();
        w.add_blob(OCI_CONFIG, &config).unwrap();
        for l in &f.layers {
            w.add_blob(&l.media_type, &l.bytes).unwrap();
        }
        let (mt, m) = f.manifest_json(&config);
        subjects.push(w.add_manifest(&mt, &m, &[tag]).unwrap());
    }
    let mut sboms = Vec::new();
    for (subject, (at, doc)) in subjects
        .iter()
        .zip([(SPDX, "a.spdx.json"), (CYCLONEDX, "b.cdx.json")])
    {
        let payload = read(doc);
        let empty = w.add_blob(OCI_EMPTY, b"{}").unwrap();
        let layer = w.add_blob(at, &payload).unwrap();
        let m = serde_json::to_vec(&json!({"schemaVersion": 2, "mediaType": OCI_MANIFEST,
            "artifactType": at, "config": empty, "layers": [layer],
            "subject": {"mediaType": subject.media_type, "digest": subject.digest, "size": subject.size}}))
        .unwrap();
        sboms.push(w.add_manifest(OCI_MANIFEST, &m, &[]).unwrap().digest);
    }
    w.finish().unwrap();
    let r = |t: &str| format!("oci:{}:{t}", layout.display());
    let data = tempfile::tempdir().unwrap();
    let (code, out, err) = diff(data.path(), &r("v1"), &r("v2"), true).await;
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_slice(&out).unwrap();
    check_packages(&v["packages"], &want, sboms[0].as_str(), sboms[1].as_str());
}

#[tokio::test]
async fn packages_changed_between_spdx_and_cyclonedx_referrers() {
    let Some(py) = python_with("spdx_tools, cyclonedx") else {
        return;
    };
    let Some(reg) = TestRegistry::start() else {
        return;
    };
    let docs = sbom_docs(&py);
    let read = |n: &str| std::fs::read(docs.path().join(n)).unwrap();
    let want: Value = serde_json::from_slice(&read("expected.json")).unwrap();

    let s = Seeder::new(&reg.base_url());
    let repo = "sbom/app";
    let v1 = image(b"one").push(&s, repo, &["v1"]).await;
    let v2 = image(b"two").push(&s, repo, &["v2"]).await;
    image(b"three").push(&s, repo, &["v3"]).await;
    let v4 = image(b"four").push(&s, repo, &["v4"]).await;
    let sa = push_referrer(&s, repo, &v1, SPDX, &read("a.spdx.json"), true).await;
    let sb = push_referrer(&s, repo, &v2, CYCLONEDX, &read("b.cdx.json"), true).await;
    // Claims SPDX, but its package has no name (SPDX requires one).
    let bad = br#"{"spdxVersion":"SPDX-2.3","SPDXID":"SPDXRef-DOCUMENT","packages":[{"SPDXID":"SPDXRef-p","versionInfo":"1.0"}]}"#;
    let sbad = push_referrer(&s, repo, &v4, SPDX, bad, true).await;

    let data = tempfile::tempdir().unwrap();
    let r = |t: &str| format!("{}/{repo}:{t}", reg.addr);
    let (code, out, err) = diff(data.path(), &r("v1"), &r("v2"), true).await;
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_slice(&out).unwrap();
    check_packages(&v["packages"], &want, &sa.digest, &sb.digest);
    // The rest of the report is there too.
    assert_eq!(v["files"]["changed"][0]["path"], "app/bin");

    let (code, out, err) = diff(data.path(), &r("v1"), &r("v2"), false).await;
    assert_eq!(code, 0, "{err}");
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains("SBOM of A: SPDX-2.3"), "{text}");
    assert!(text.contains("2 added, 1 removed, 5 changed"), "{text}");
    assert!(
        text.contains("~ openssl 3.0.11-1~deb12u2 -> 3.0.13-1~deb12u1"),
        "{text}"
    );
    assert!(text.contains("+ requests 2.32.3"), "{text}");
    assert!(text.contains("- tzdata 2024a-0+deb12u1"), "{text}");

    // No SBOM on B: said, and no lists.
    let (code, out, err) = diff(data.path(), &r("v1"), &r("v3"), true).await;
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_slice(&out).unwrap();
    let p = &v["packages"];
    assert_eq!(p["note"], "no SBOM on B");
    assert_eq!(p["a"]["sbom"], sa.digest.as_str());
    assert_eq!(p["b"]["sbom"], Value::Null);
    for key in ["added", "removed", "changed"] {
        assert_eq!(p[key], Value::Null, "{key}: null, not []");
    }

    // A malformed SBOM is named by digest, and the diff goes on.
    let (code, out, err) = diff(data.path(), &r("v4"), &r("v1"), true).await;
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_slice(&out).unwrap();
    let p = &v["packages"];
    let note = p["note"].as_str().unwrap();
    assert!(note.starts_with("SBOM of A unreadable: "), "{note}");
    assert!(note.contains(&sbad.digest), "{note}");
    assert!(note.contains("package 0 has no name"), "{note}");
    assert!(p["a"]["problems"][0]
        .as_str()
        .unwrap()
        .contains(&sbad.digest));
    assert_eq!(p["added"], Value::Null);
    assert_eq!(v["b"]["digest"], v1.digest.as_str());
    assert_eq!(v["files"]["changed"][0]["path"], "app/bin");
    let (code, out, _) = diff(data.path(), &r("v4"), &r("v1"), false).await;
    assert_eq!(code, 0);
    let text = String::from_utf8(out).unwrap();
    assert!(
        text.contains(&format!("! A: SBOM {}", sbad.digest)),
        "{text}"
    );
    assert!(text.contains("packages not compared"), "{text}");

    // An SBOM attached to the index (not to the platform's manifest) is found through it.
    let f5 = image(b"five");
    let p5 = f5.push(&s, repo, &[]).await;
    let idx = push_index(&s, repo, false, &[(&f5, &p5)], vec![], &["v5"]).await;
    let s5 = push_referrer(&s, repo, &idx, CYCLONEDX, &read("b.cdx.json"), true).await;
    let (code, out, err) = diff(data.path(), &r("v1"), &r("v5"), true).await;
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["b"]["digest"], p5.digest.as_str(), "the platform's image");
    check_packages(&v["packages"], &want, &sa.digest, &s5.digest);
}
