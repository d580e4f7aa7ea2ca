//! The layer explorer against a real `docker-registry`: fixtures pushed by the independent
//! seeder, read back by `regscope layers` and by the engine over `DistributionClient`.

use super::cli::{amd64, arm64, check_scenario_report, regscope};
use crate::support::fixtures::{push_index, tar, Entry, ImageFixture, Layer};
use crate::support::registry::TestRegistry;
use crate::support::seed::{sha256, Seeder};
use regscope::layers::{analyze_image, resolve, AnalyzeOptions, LayerCache, LayerProgress};
use regscope::model::Platform;
use regscope::registry::distribution::connect;
use serde_json::Value;
use std::sync::Mutex;

#[tokio::test]
async fn layers_of_a_pushed_index_match_the_model() {
    let Some(reg) = TestRegistry::start() else {
        return;
    };
    let s = Seeder::new(&reg.base_url());
    let (a, b) = (amd64(), arm64());
    let pa = a.push(&s, "team/app", &[]).await;
    let pb = b.push(&s, "team/app", &[]).await;
    push_index(
        &s,
        "team/app",
        false,
        &[(&a, &pa), (&b, &pb)],
        vec![],
        &["v1"],
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let r = format!("{}/team/app:v1", reg.addr);
    let data = dir.path().to_path_buf();
    let args = [
        "layers",
        &r,
        "--platform",
        "linux/amd64",
        "--json",
        "--files",
    ];
    let (code, out, err) = tokio::task::spawn_blocking({
        let (data, args) = (data.clone(), args.map(String::from));
        move || regscope(&data, &args.iter().map(String::as_str).collect::<Vec<_>>())
    })
    .await
    .unwrap();
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    check_scenario_report(&v, &r);
    assert_eq!(v["digest"], pa.digest, "the platform manifest's digest");
}

#[tokio::test]
async fn a_layer_shared_by_two_images_is_read_once() {
    let Some(reg) = TestRegistry::start() else {
        return;
    };
    let s = Seeder::new(&reg.base_url());
    let base = Layer::gzip(
        tar(&[Entry::File("bin/busybox", &[1; 4096])]),
        "ADD rootfs /",
    );
    let one = ImageFixture::new(
        "amd64",
        "2026-01-01T00:00:00Z",
        vec![
            base.clone(),
            Layer::zstd(tar(&[Entry::File("app/one", b"1")]), "COPY one"),
        ],
    );
    let two = ImageFixture::new(
        "amd64",
        "2026-01-01T00:00:00Z",
        vec![
            base.clone(),
            Layer::plain(tar(&[Entry::File("app/two", b"22")]), "COPY two"),
        ],
    );
    one.push(&s, "svc/one", &["v1"]).await;
    two.push(&s, "svc/two", &["v1"]).await;
    let dir = tempfile::tempdir().unwrap();
    let opts = AnalyzeOptions {
        cache: Some(LayerCache::new(dir.path())),
        ..AnalyzeOptions::default()
    };
    let client = connect(&reg.addr).unwrap();
    let mut seen = vec![];
    for repo in ["svc/one", "svc/two"] {
        let image = resolve(
            &client,
            repo,
            "v1",
            Some(&Platform::parse("linux/amd64").unwrap()),
        )
        .await
        .unwrap();
        let log = Mutex::new(vec![]);
        let layers = analyze_image(&client, image, &opts, &|p| log.lock().unwrap().push(p)).await;
        let a = layers.analysis().unwrap();
        assert_eq!(a.stats[0].bytes_added, 4096);
        seen.push(log.into_inner().unwrap());
    }
    let cached = |log: &[LayerProgress], layer| {
        log.iter()
            .any(|p| matches!(p, LayerProgress::Done { layer: l, cached: true, .. } if *l == layer))
    };
    assert!(
        !cached(&seen[0], 0),
        "first image reads the base layer: {:?}",
        seen[0]
    );
    assert!(
        cached(&seen[1], 0),
        "second image takes it from the cache: {:?}",
        seen[1]
    );
    assert!(!cached(&seen[1], 1));
    let before = client_requests(&client);
    let image = resolve(&client, "svc/one", "v1", None).await.unwrap();
    let _ = analyze_image(&client, image, &opts, &|_| {}).await;
    // manifest + config only: no blob streamed again
    assert_eq!(client_requests(&client) - before, 2);
}

fn client_requests(c: &regscope::registry::distribution::DistributionClient) -> u64 {
    use regscope::registry::ManifestSource;
    c.stats().requests
}

#[tokio::test]
async fn corrupt_storage_fails_its_layer_and_a_bomb_stops_at_the_bound() {
    let Some(reg) = TestRegistry::start() else {
        return;
    };
    let s = Seeder::new(&reg.base_url());
    let zeros = vec![0u8; 32 << 20];
    let mut img = ImageFixture::new(
        "amd64",
        "2026-01-01T00:00:00Z",
        vec![
            Layer::gzip(tar(&[Entry::File("ok", b"fine")]), "ADD ok /"),
            Layer::gzip(tar(&[Entry::File("bomb", &zeros)]), "ADD bomb /"),
            Layer::gzip(tar(&[Entry::File("victim", &[7; 5000])]), "ADD victim /"),
        ],
    );
    img.docker = true; // Docker schema2 media types on the way
    img.push(&s, "hostile/app", &["v1"]).await;
    let victim = sha256(&img.layers[2].bytes);
    let hex = victim.trim_start_matches("sha256:");
    let data = reg
        .dir
        .path()
        .join("data/docker/registry/v2/blobs/sha256")
        .join(&hex[..2])
        .join(hex)
        .join("data");
    let mut bytes = std::fs::read(&data).unwrap();
    let n = bytes.len();
    bytes[n / 2] ^= 0xff;
    std::fs::write(&data, &bytes).unwrap();

    let dir = tempfile::tempdir().unwrap();
    let r = format!("{}/hostile/app:v1", reg.addr);
    let path = dir.path().to_path_buf();
    let (code, out, err) = tokio::task::spawn_blocking(move || {
        regscope(
            &path,
            &["layers", &r, "--json", "--max-layer-bytes", "1000000"],
        )
    })
    .await
    .unwrap();
    assert_eq!(code, 1, "{out}");
    let bomb = sha256(&img.layers[1].bytes);
    assert!(
        err.contains(&format!(
            "layer 2 of 3, {bomb}: decompressed size exceeds the bound of 1000000 bytes"
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!("layer 3 of 3, {victim}: digest mismatch")),
        "{err}"
    );
    assert!(!err.contains("layer 1:"), "the intact layer is fine: {err}");
}
