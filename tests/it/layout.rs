//! The OCI image-layout backend against layouts written by an independent tool: skopeo
//! copies images from the real registry into `oci:DIR:TAG`, regscope reads them back, and
//! every digest is checked against what the seeder pushed. The other way round, skopeo
//! reads a layout regscope's writer made and pushes it into the registry.

use crate::support::fixtures::{push_index, tar, Entry, ImageFixture, Layer};
use crate::support::registry::TestRegistry;
use crate::support::seed::{sha256, Seeder};
use regscope::model::Digest;
use regscope::registry::layout::{LayoutSource, LayoutWriter};
use regscope::registry::{media, Manifest, ManifestSource, Referrers};
use std::path::Path;
use std::process::Command;

fn skopeo(bin: &Path, args: &[&str]) {
    let out = Command::new(bin).args(args).output().expect("run skopeo");
    assert!(
        out.status.success(),
        "skopeo {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn image(arch: &str, app: &[u8]) -> ImageFixture {
    ImageFixture::new(
        arch,
        "2026-03-01T00:00:00Z",
        vec![
            Layer::gzip(
                tar(&[Entry::File("etc/os-release", b"ID=demo\n")]),
                "ADD rootfs /",
            ),
            Layer::gzip(tar(&[Entry::File("app/bin", app)]), "COPY app /app"),
        ],
    )
}

#[tokio::test]
async fn skopeo_written_layouts_read_back_with_verified_digests() {
    let Some(reg) = TestRegistry::start() else {
        return;
    };
    let bin = crate::require!("skopeo");
    let s = Seeder::new(&reg.base_url());
    let (amd, arm) = (image("amd64", b"amd-app"), image("arm64", b"arm-app"));
    let pa = amd.push(&s, "demo/app", &[]).await;
    let pr = arm.push(&s, "demo/app", &[]).await;
    let idx = push_index(
        &s,
        "demo/app",
        false,
        &[(&amd, &pa), (&arm, &pr)],
        vec![],
        &["1.0"],
    )
    .await;
    let single = image("amd64", b"single-app")
        .push(&s, "demo/app", &["v1"])
        .await;

    let tmp = tempfile::tempdir().unwrap();
    let dest = tmp.path().join("team/app");
    std::fs::create_dir_all(&dest).unwrap();
    for (tag, all) in [("1.0", true), ("v1", false)] {
        let src = format!("docker://{}/demo/app:{tag}", reg.addr);
        let dst = format!("oci:{}:{tag}", dest.display());
        let mut args = vec!["copy", "--src-tls-verify=false", "--preserve-digests"];
        if all {
            args.push("--all");
        }
        args.extend([src.as_str(), dst.as_str()]);
        skopeo(&bin, &args);
    }

    let src = LayoutSource::open(tmp.path()).unwrap();
    assert_eq!(src.repositories(None).await.unwrap(), vec!["team/app"]);
    assert_eq!(src.tags("team/app").await.unwrap(), vec!["1.0", "v1"]);
    let got = src.manifest("team/app", "1.0").await.unwrap();
    assert_eq!(got.digest.as_str(), idx.digest);
    assert_eq!(sha256(&got.bytes), idx.digest, "bytes hash independently");
    assert!(matches!(got.manifest, Manifest::Index(_)));
    assert_eq!(
        src.head_manifest("team/app", "v1")
            .await
            .unwrap()
            .digest
            .as_str(),
        single.digest
    );
    for child in [&pa, &pr, &single] {
        let m = src.manifest("team/app", &child.digest).await.unwrap();
        assert_eq!(m.bytes, child.manifest);
        for (d, size) in &child.blobs {
            let digest = Digest::parse(d).unwrap();
            assert_eq!(
                src.head_blob("team/app", &digest).await.unwrap(),
                Some(*size)
            );
            let bytes = src.blob("team/app", &digest, 1 << 20).await.unwrap();
            assert_eq!(&sha256(&bytes), d);
        }
    }

    // A referrer put into the layout is found by the subject scan.
    let empty = src
        .head_blob("team/app", &Digest::sha256_of(b"{}"))
        .await
        .unwrap();
    assert_eq!(empty, None);
    let dir = regscope::registry::layout::LayoutDir::new(&dest);
    let e = dir.write_blob(b"{}").unwrap();
    let sbom = serde_json::to_vec(&serde_json::json!({"schemaVersion":2,"mediaType":media::OCI_MANIFEST,
        "artifactType":"application/spdx+json",
        "config":{"mediaType":media::OCI_EMPTY,"digest":e,"size":2},"layers":[{"mediaType":media::OCI_EMPTY,"digest":e,"size":2}],
        "subject":{"mediaType":media::OCI_MANIFEST,"digest":single.digest,"size":single.manifest.len()}})).unwrap();
    let sd = src
        .put_manifest("team/app", &sha256(&sbom), media::OCI_MANIFEST, &sbom)
        .await
        .unwrap();
    let subject = Digest::parse(&single.digest).unwrap();
    let Referrers::Listed(r) = src.referrers("team/app", &subject).await.unwrap() else {
        panic!()
    };
    assert_eq!(r.iter().map(|d| &d.digest).collect::<Vec<_>>(), vec![&sd]);

    // Deleting the single image collects its app layer and config but not the base layer
    // the index's children share; skopeo still reads the index afterwards.
    src.delete_manifest("team/app", &subject).await.unwrap();
    assert_eq!(src.tags("team/app").await.unwrap(), vec!["1.0"]);
    let app_layer = Digest::parse(&single.blobs[2].0).unwrap();
    let base_layer = Digest::parse(&single.blobs[1].0).unwrap();
    assert_eq!(src.head_blob("team/app", &app_layer).await.unwrap(), None);
    assert!(src
        .head_blob("team/app", &base_layer)
        .await
        .unwrap()
        .is_some());
    skopeo(
        &bin,
        &["inspect", "--raw", &format!("oci:{}:1.0", dest.display())],
    );
}

#[tokio::test]
async fn skopeo_reads_what_the_layout_writer_wrote() {
    let Some(reg) = TestRegistry::start() else {
        return;
    };
    let bin = crate::require!("skopeo");
    let fx = image("arm64", b"written-by-regscope");
    let config = fx.config_json();
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("web/frontend");
    let mut w = LayoutWriter::create(&path).unwrap();
    w.add_blob(media::OCI_CONFIG, &config).unwrap();
    for l in &fx.layers {
        w.add_blob(&l.media_type, &l.bytes).unwrap();
    }
    let (mt, manifest) = fx.manifest_json(&config);
    w.add_manifest(&mt, &manifest, &["2.1.0", "latest"])
        .unwrap();
    w.finish().unwrap();

    skopeo(
        &bin,
        &[
            "copy",
            "--dest-tls-verify=false",
            "--preserve-digests",
            &format!("oci:{}:2.1.0", path.display()),
            &format!("docker://{}/web/frontend:2.1.0", reg.addr),
        ],
    );
    let s = Seeder::new(&reg.base_url());
    assert_eq!(
        s.manifest_status("web/frontend", &sha256(&manifest)).await,
        200
    );
}
