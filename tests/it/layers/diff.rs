//! `regscope diff` against a real `docker-registry`: two images built by GNU tar from real
//! files sharing their first two layers, checked against the independent `tar -tv` model.

use super::cat::run;
use super::model::expect;
use super::real::{fixture, image_a, image_b, listings, real, GZIP_BINARY};
use crate::support::registry::TestRegistry;
use crate::support::seed::{sha256, Seeder};
use serde_json::Value;
use std::collections::BTreeSet;

#[tokio::test]
async fn diff_of_two_real_images_matches_the_tar_model() {
    let Some(reg) = TestRegistry::start() else {
        return;
    };
    let s = Seeder::new(&reg.base_url());
    let work = tempfile::tempdir().unwrap();
    let a = image_a(work.path());
    let b = image_b(work.path(), &a);
    let (fa, mut fb) = (fixture(&a), fixture(&b));
    fb.empty_history = vec!["ENV MODE=prod".into()];
    let pa = fa.push(&s, "real/app", &["v1"]).await;
    let pb = fb.push(&s, "real/app", &["v2"]).await;
    let data = tempfile::tempdir().unwrap();
    let (ra, rb) = (
        format!("{}/real/app:v1", reg.addr),
        format!("{}/real/app:v2", reg.addr),
    );
    let (d, ra2, rb2) = (data.path().to_path_buf(), ra.clone(), rb.clone());
    let (code, out, err) =
        tokio::task::spawn_blocking(move || run(&d, &["diff", &ra2, &rb2, "--json"]))
            .await
            .unwrap();
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["schema"], "regscope.diff/v1");
    assert_eq!(v["a"]["reference"], ra.as_str());
    assert_eq!(v["a"]["digest"], pa.digest.as_str());
    assert_eq!(v["b"]["digest"], pb.digest.as_str());
    let sum = |p: &crate::support::fixtures::Pushed| p.blobs.iter().map(|b| b.1).sum::<u64>();
    assert_eq!(v["a"]["size_bytes"], sum(&pa));
    assert_eq!(v["b"]["size_bytes"], sum(&pb));
    assert_eq!(v["delta_bytes"], sum(&pb) as i64 - sum(&pa) as i64);
    let digest = |l: &super::real::Built| Value::from(sha256(&l.layer.bytes));
    assert_eq!(
        v["layers"]["shared"],
        Value::Array(vec![digest(&a[0]), digest(&a[1])])
    );
    assert_eq!(v["layers"]["only_a"], Value::Array(vec![digest(&a[2])]));
    assert_eq!(v["layers"]["only_b"], Value::Array(vec![digest(&b[2])]));

    // The model: final filesystems from GNU tar's own listings.
    let (ma, mb) = (expect(&listings(&a)), expect(&listings(&b)));
    let files = |fs: &std::collections::HashMap<String, (char, u64, usize)>| -> BTreeSet<String> {
        fs.iter()
            .filter(|(_, v)| v.0 != 'd')
            .map(|(k, _)| k.clone())
            .collect()
    };
    let (fa_, fb_) = (files(&ma.fs), files(&mb.fs));
    let listed = |key: &str| -> BTreeSet<String> {
        v["files"][key]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["path"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(listed("added"), &fb_ - &fa_);
    assert_eq!(listed("removed"), &fa_ - &fb_);
    let changed: BTreeSet<String> = fa_
        .intersection(&fb_)
        .filter(|p| ma.fs[*p].1 != mb.fs[*p].1 || ma.fs[*p].0 != mb.fs[*p].0)
        .cloned()
        .collect();
    assert_eq!(listed("changed"), changed);
    assert!(
        listed("added").contains("usr/lib/gzip"),
        "paths have no leading /"
    );
    assert!(
        listed("added").contains("usr/bin/tar"),
        "B keeps what A's layer 2 removed"
    );
    let changed = &v["files"]["changed"][0];
    let n = real(super::real::OS_RELEASE).len() as u64;
    assert_eq!(
        (
            changed["path"].as_str(),
            changed["size_a"].as_u64(),
            changed["size_b"].as_u64()
        ),
        (Some("usr/lib/os-release"), Some(n), Some(n + 13))
    );
    // Biggest growth first: /usr/lib grew by the gzip binary.
    let dirs = v["files"]["directories"].as_array().unwrap();
    assert_eq!(dirs[0]["path"], "");
    let usr_lib = dirs.iter().find(|d| d["path"] == "usr/lib").unwrap();
    assert_eq!(usr_lib["delta"], real(GZIP_BINARY).len() as i64 + 13);
    assert_eq!(v["config"]["history"]["added"][0], "ENV MODE=prod");
    assert_eq!(v["config"]["entrypoint"]["a"], Value::Null);
    assert_eq!(v["config"]["cmd"]["b"], serde_json::json!(["/bin/sh"]));
    assert_eq!(v["config"]["user"]["a"], v["config"]["user"]["b"]);
    assert_eq!(v["config"]["env"]["added"], serde_json::json!([]));
    assert_eq!(v["platforms"]["added"], serde_json::json!([]));

    // The table names the same things.
    let d = data.path().to_path_buf();
    let (code, out, err) = tokio::task::spawn_blocking(move || run(&d, &["diff", &ra, &rb]))
        .await
        .unwrap();
    assert_eq!(code, 0, "{err}");
    let text = String::from_utf8(out).unwrap();
    assert!(
        text.contains("layers: 2 shared, 1 only in A, 1 only in B"),
        "{text}"
    );
    assert!(text.contains("+ /usr/lib/gzip"), "{text}");
    assert!(text.contains("~ /usr/lib/os-release (size)"), "{text}");
}
