//! `regscope cat` against a real `docker-registry`, on images built by GNU tar from real
//! files: bytes equal to the files', symbolic and hard links (also across layers), the
//! layer that deleted a path named, and `layers` not counting linked bytes as wasted.

use super::model::expect;
use super::real::{fixture, image_a, listings, real, GPL3, OS_RELEASE, TAR_BINARY};
use crate::support::registry::TestRegistry;
use crate::support::seed::{sha256, Seeder};
use serde_json::Value;
use std::path::Path;
use std::process::Command;

/// Runs the binary with its data dir at `data`; stdout as bytes.
pub fn run(data: &Path, args: &[&str]) -> (i32, Vec<u8>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_regscope"))
        .args(args)
        .env("REGSCOPE_DATA", data)
        .env_remove("XDG_CACHE_HOME")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        out.stdout,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

async fn run_async(data: &Path, args: &[&str]) -> (i32, Vec<u8>, String) {
    let data = data.to_path_buf();
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    tokio::task::spawn_blocking(move || {
        run(&data, &args.iter().map(String::as_str).collect::<Vec<_>>())
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn cat_reads_real_files_through_links_and_names_the_deleting_layer() {
    let Some(reg) = TestRegistry::start() else {
        return;
    };
    let s = Seeder::new(&reg.base_url());
    let work = tempfile::tempdir().unwrap();
    let a = image_a(work.path());
    fixture(&a).push(&s, "real/a", &["v1"]).await;
    let data = tempfile::tempdir().unwrap();
    let r = format!("{}/real/a:v1", reg.addr);
    let tar_bytes = real(TAR_BINARY);
    for (path, want) in [
        ("/etc/os-release", real(OS_RELEASE)), // symlink into the gzip layer
        ("usr/bin/tar-hard", tar_bytes.clone()), // GNU tar's hard link; target deleted later
        ("/usr/bin/gz-link", tar_bytes.clone()), // hard link from the zstd layer to layer 0
        ("/usr/bin/old-link", vec![b'o'; 3000]), // its target hidden by an opaque dir
        ("/opt/cache/blob", vec![b'c'; 1000]), // content of the zstd layer
        ("/opt/app/new", b"new\n".to_vec()),   // the plain layer
        ("/opt/app/../app/new", b"new\n".to_vec()),
    ] {
        let (code, out, err) = run_async(data.path(), &["cat", &r, path, "-v"]).await;
        assert_eq!(code, 0, "{path}: {err}");
        assert!(
            out == want,
            "{path}: {} bytes, want {}",
            out.len(),
            want.len()
        );
        if path == "/opt/app/new" {
            assert!(err.contains("one range request"), "{err}");
        }
    }
    let layer = |i: usize| sha256(&a[i].layer.bytes);
    let (code, out, err) = run_async(data.path(), &["cat", &r, GPL3]).await;
    assert_eq!((code, out.len()), (1, 0));
    assert!(
        err.contains(&format!(
            "{GPL3}: not in the image: removed by layer 2 {}",
            layer(1)
        )) && err.contains("it was added by layer 1"),
        "{err}"
    );
    let (code, _, err) = run_async(data.path(), &["cat", &r, "/opt/app/old"]).await;
    assert_eq!(code, 1);
    assert!(err.contains("removed by layer 3"), "{err}");
    let (code, _, err) = run_async(data.path(), &["cat", &r, "/no/such"]).await;
    assert_eq!(code, 1);
    assert!(err.contains("/no/such: no such file"), "{err}");
    let (code, _, err) = run_async(data.path(), &["cat", &r, "/usr"]).await;
    assert_eq!(code, 1);
    assert!(err.contains("not a regular file (dir)"), "{err}");

    // Hard links keep their bytes alive across layers: `layers` agrees with the model.
    let (code, out, err) = run_async(data.path(), &["layers", &r, "--json"]).await;
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_slice(&out).unwrap();
    let model = expect(&listings(&a));
    let wasted: u64 = model.wasted.iter().map(|w| w.1).sum();
    assert_eq!(v["wasted_bytes"], wasted, "{:?}", model.wasted);
    // GPL-3 (whited out) and `opt/app/keep` (under the opaque directory); not `usr/bin/tar`
    // nor `opt/app/old`, whose bytes hard links still name.
    assert_eq!(wasted, real(GPL3).len() as u64 + 8);
    let paths: Vec<&str> = v["wasted"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, [GPL3, "/opt/app/keep"]);
}
