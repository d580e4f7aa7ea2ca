//! `regscope layers` end to end on OCI layouts: the stable JSON checked against the
//! independent `tar -tv` model, platform choice from an index, the cache, corruption.

use super::engine::scenario;
use super::model::{expect, tar_tv};
use crate::support::fixtures::{tar, Entry, ImageFixture, Layer, OCI_INDEX};
use regscope::registry::layout::LayoutWriter;
use serde_json::{json, Value};
use std::path::Path;
use std::process::Command;

pub fn amd64() -> ImageFixture {
    let mut f = ImageFixture::new(
        "amd64",
        "2026-01-01T00:00:00Z",
        scenario().into_iter().map(|(_, l)| l).collect(),
    );
    f.empty_history = vec!["ENV A=1".into(), "LABEL x=y".into()];
    f
}

pub fn arm64() -> ImageFixture {
    let mut f = ImageFixture::new(
        "arm64",
        "2026-01-01T00:00:00Z",
        vec![Layer::gzip(
            tar(&[Entry::File("etc/arch", b"arm64\n")]),
            "COPY arch /etc/",
        )],
    );
    f.variant = Some("v8".into());
    f
}

/// A layout at `dir` whose tag `v1` is an index over `images`.
pub fn write_layout(dir: &Path, images: &[ImageFixture]) {
    let mut w = LayoutWriter::create(dir).unwrap();
    let mut entries = vec![];
    for img in images {
        let config = img.config_json();
        w.add_blob("application/vnd.oci.image.config.v1+json", &config)
            .unwrap();
        for l in &img.layers {
            w.add_blob(&l.media_type, &l.bytes).unwrap();
        }
        let (mt, m) = img.manifest_json(&config);
        let d = w.add_child_manifest(&mt, &m).unwrap();
        let mut plat = json!({"os": img.os, "architecture": img.arch});
        if let Some(v) = &img.variant {
            plat["variant"] = json!(v);
        }
        entries
            .push(json!({"mediaType": mt, "digest": d.digest, "size": d.size, "platform": plat}));
    }
    let index = serde_json::to_vec(
        &json!({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": entries}),
    )
    .unwrap();
    w.add_manifest(OCI_INDEX, &index, &["v1"]).unwrap();
    w.finish().unwrap();
}

pub fn regscope(data: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_regscope"))
        .args(args)
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

/// Checks a `--json --files` report of the amd64 scenario image against the model.
pub fn check_scenario_report(v: &Value, reference: &str) {
    let mut keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "digest",
            "dive",
            "efficiency",
            "files",
            "layers",
            "platform",
            "reference",
            "total_bytes",
            "wasted",
            "wasted_bytes"
        ]
    );
    assert_eq!(v["reference"], reference);
    assert_eq!(v["platform"], "linux/amd64");
    super::dive::check_scenario_dive(&v["dive"]);
    let layers = scenario();
    let want = expect(&layers.iter().map(|(t, _)| tar_tv(t)).collect::<Vec<_>>());
    assert_eq!(v["total_bytes"], want.total);
    let wasted: u64 = want.wasted.iter().map(|w| w.1).sum();
    assert_eq!(v["wasted_bytes"], wasted);
    let eff = v["efficiency"].as_f64().unwrap();
    assert!(
        (eff - (1.0 - wasted as f64 / want.total as f64)).abs() < 1e-9,
        "{eff}"
    );
    let mut got: Vec<(String, u64, usize)> = v["wasted"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| {
            (
                w["path"]
                    .as_str()
                    .unwrap()
                    .trim_start_matches('/')
                    .to_string(),
                w["size"].as_u64().unwrap(),
                w["layer"].as_u64().unwrap() as usize,
            )
        })
        .collect();
    got.sort();
    assert_eq!(got, want.wasted);
    let rows = v["layers"].as_array().unwrap();
    assert_eq!(rows.len(), 4);
    for (row, (t, l)) in rows.iter().zip(&layers) {
        let mut k: Vec<&str> = row
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        k.sort();
        assert_eq!(
            k,
            [
                "bytes_added",
                "created_by",
                "digest",
                "files_added",
                "files_modified",
                "files_removed",
                "media_type",
                "size",
                "uncompressed_size"
            ]
        );
        assert_eq!(row["digest"], crate::support::seed::sha256(&l.bytes));
        assert_eq!(row["media_type"], l.media_type.as_str());
        assert_eq!(row["size"], l.bytes.len());
        assert_eq!(row["uncompressed_size"], t.len());
        assert_eq!(
            row["created_by"],
            l.created_by.as_str(),
            "empty_layer history entries skipped"
        );
    }
    assert_eq!(rows[1]["files_added"], 1);
    assert_eq!(rows[1]["files_modified"], 2);
    assert_eq!(rows[1]["files_removed"], 3);
    assert_eq!(rows[2]["bytes_added"], 0);
    let files = v["files"].as_array().unwrap();
    let find = |path: &str, layer: u64| {
        files
            .iter()
            .find(|f| f["path"] == path && f["layer"] == layer)
            .unwrap_or_else(|| panic!("{path} in layer {layer}: {files:?}"))
    };
    let f = find("/etc/config", 3);
    assert_eq!(
        (f["state"].as_str(), f["size"].as_u64(), f["kind"].as_str()),
        (Some("modified"), Some(120), Some("file"))
    );
    assert_eq!(find("/tmp/big", 1)["state"], "removed");
    assert_eq!(find("/usr/bin/sh", 0)["kind"], "symlink");
    assert_eq!(find("/usr/bin/tool-link", 0)["kind"], "hardlink");
    assert_eq!(
        find(&format!("/{}", super::engine::PAX_NAME), 0)["size"],
        400
    );
}

#[test]
fn json_from_a_layout_matches_the_model_and_picks_the_platform() {
    let dir = tempfile::tempdir().unwrap();
    let layout = dir.path().join("app");
    write_layout(&layout, &[amd64(), arm64()]);
    let data = dir.path().join("data");
    let r = format!("oci:{}:v1", layout.display());
    let (code, out, err) = regscope(
        &data,
        &[
            "layers",
            &r,
            "--platform",
            "linux/amd64",
            "--json",
            "--files",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    check_scenario_report(&v, &r);

    let (code, out, err) = regscope(
        &data,
        &["layers", &r, "--platform", "linux/arm64", "--json"],
    );
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["platform"], "linux/arm64/v8");
    assert!(v.get("files").is_none(), "files only with --files");
    assert_eq!(v["layers"][0]["created_by"], "COPY arch /etc/");
    assert_eq!(
        (
            v["total_bytes"].as_u64(),
            v["wasted_bytes"].as_u64(),
            v["efficiency"].as_f64()
        ),
        (Some(6), Some(0), Some(1.0))
    );
    // one layer: dive has no user bytes, and the ratio is unknown rather than 0
    assert_eq!(
        v["dive"],
        json!({"efficiency": 1.0, "wasted_bytes": 0, "user_size_bytes": 0,
               "wasted_user_percent": null, "inefficient": []})
    );

    let (code, _, err) = regscope(&data, &["layers", &r, "--platform", "linux/s390x"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("linux/s390x") && err.contains("linux/amd64, linux/arm64/v8"),
        "{err}"
    );

    // the table names the same numbers
    let (code, out, err) = regscope(&data, &["layers", &r, "--platform", "linux/amd64"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("efficiency"), "{out}");
    assert!(
        out.contains("dive's score: efficiency 37.6%, wasted 21 KiB (user 336.2%)"),
        "{out}"
    );
    assert!(out.contains("RUN rm -rf /var/lib/apt/lists"), "{out}");
    assert!(out.contains("/tmp/big"), "{out}");
    assert!(out.contains("package cache /var/lib/apt/lists"), "{out}");
}

#[test]
fn cached_layers_are_not_reread_and_a_corrupt_blob_fails_its_layer() {
    let dir = tempfile::tempdir().unwrap();
    let layout = dir.path().join("app");
    let img = amd64();
    write_layout(&layout, std::slice::from_ref(&img));
    let data = dir.path().join("data");
    let r = format!("oci:{}:v1", layout.display());
    let (code, first, err) = regscope(&data, &["layers", &r, "--json"]);
    assert_eq!(code, 0, "{err}");
    let cached = std::fs::read_dir(data.join("cache/layers/sha256"))
        .unwrap()
        .count();
    assert_eq!(cached, 4, "one cache entry per layer");

    // corrupt layer 1 in the layout: the cache still answers (content-addressed, already
    // verified), but a read that bypasses it fails that layer with a digest error
    let digest = crate::support::seed::sha256(&img.layers[1].bytes);
    let blob = layout
        .join("blobs/sha256")
        .join(digest.trim_start_matches("sha256:"));
    let mut bytes = std::fs::read(&blob).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x55;
    std::fs::write(&blob, &bytes).unwrap();
    let (code, second, err) = regscope(&data, &["layers", &r, "--json"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(first, second);
    let (code, out, err) = regscope(&data, &["layers", &r, "--json", "--no-cache"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        err.contains("layer 2 of 4, sha256:")
            && err.contains("digest mismatch")
            && err.contains(&digest),
        "{err}"
    );
    assert!(out.is_empty(), "no partial report on stdout: {out}");

    // a corrupt cache entry is ignored and rebuilt (here from an intact layer)
    let l0 = crate::support::seed::sha256(&img.layers[0].bytes);
    let entry = data
        .join("cache/layers/sha256")
        .join(format!("{}.json", l0.trim_start_matches("sha256:")));
    std::fs::write(&entry, b"garbage").unwrap();
    std::fs::write(&blob, img.layers[1].bytes.as_slice()).unwrap();
    let (code, third, err) = regscope(&data, &["layers", &r, "--json"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(first, third);
    assert!(
        serde_json::from_slice::<Value>(&std::fs::read(&entry).unwrap()).is_ok(),
        "rebuilt"
    );
}
