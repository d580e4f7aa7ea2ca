//! Layout backend tests on layouts built in a temp dir.

use super::*;
use crate::registry::manifest::media;
use serde_json::json;

struct Img {
    digest: Digest,
    bytes: Vec<u8>,
    layers: Vec<Digest>,
    config: Digest,
}

fn image(w: &mut LayoutWriter, layers: &[&[u8]], subject: Option<&Digest>) -> Img {
    let config = serde_json::to_vec(
        &json!({"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}),
    )
    .unwrap();
    let c = w.add_blob(media::OCI_CONFIG, &config).unwrap();
    let ls: Vec<Descriptor> = layers
        .iter()
        .map(|l| w.add_blob(media::OCI_LAYER_GZIP, l).unwrap())
        .collect();
    let mut m = json!({"schemaVersion":2,"mediaType":media::OCI_MANIFEST,"config":c,"layers":ls});
    if let Some(s) = subject {
        m["subject"] = json!({"mediaType":media::OCI_MANIFEST,"digest":s,"size":1});
        m["artifactType"] = json!("application/vnd.example.sbom");
    }
    let bytes = serde_json::to_vec(&m).unwrap();
    Img {
        digest: Digest::sha256_of(&bytes),
        bytes,
        layers: ls.into_iter().map(|d| d.digest).collect(),
        config: c.digest,
    }
}

fn add(w: &mut LayoutWriter, img: &Img, tags: &[&str]) {
    w.add_manifest(media::OCI_MANIFEST, &img.bytes, tags)
        .unwrap();
}

#[tokio::test]
async fn reads_a_tree_of_layouts_with_tags_manifests_blobs_and_referrers() {
    let tmp = tempfile::tempdir().unwrap();
    let mut w = LayoutWriter::create(&tmp.path().join("team-a/api")).unwrap();
    let base = image(&mut w, &[b"base-layer", b"app-v1"], None);
    add(&mut w, &base, &["v1", "latest"]);
    let sbom = image(&mut w, &[b"{\"spdx\":1}"], Some(&base.digest));
    add(&mut w, &sbom, &[]);
    w.finish().unwrap();
    let mut w = LayoutWriter::create(&tmp.path().join("platform/base")).unwrap();
    let x = image(&mut w, &[b"x"], None);
    add(&mut w, &x, &["1.0"]);
    w.finish().unwrap();
    std::fs::create_dir_all(tmp.path().join(".hidden/oci-layout")).unwrap();

    let src = LayoutSource::open(tmp.path()).unwrap();
    assert_eq!(
        src.repositories(None).await.unwrap(),
        vec!["platform/base", "team-a/api"]
    );
    assert_eq!(
        src.repositories(Some("team-a")).await.unwrap(),
        vec!["team-a/api"]
    );
    assert!(src.repositories(Some("team")).await.unwrap().is_empty());
    assert_eq!(src.tags("team-a/api").await.unwrap(), vec!["latest", "v1"]);

    let f = src.manifest("team-a/api", "v1").await.unwrap();
    assert_eq!(f.digest, base.digest);
    assert_eq!(f.bytes, base.bytes);
    assert_eq!(f.media_type, media::OCI_MANIFEST);
    let h = src.head_manifest("team-a/api", "latest").await.unwrap();
    assert_eq!(
        (h.digest, h.size),
        (base.digest.clone(), base.bytes.len() as u64)
    );
    let by_digest = src
        .manifest("team-a/api", base.digest.as_str())
        .await
        .unwrap();
    assert_eq!(by_digest.digest, base.digest);

    assert_eq!(
        src.blob("team-a/api", &base.layers[1], 1024).await.unwrap(),
        b"app-v1"
    );
    assert!(matches!(
        src.blob("team-a/api", &base.layers[1], 3).await,
        Err(RegistryError::TooLarge { .. })
    ));
    assert_eq!(
        src.head_blob("team-a/api", &base.config).await.unwrap(),
        Some(
            src.blob("team-a/api", &base.config, 1 << 20)
                .await
                .unwrap()
                .len() as u64
        )
    );
    assert_eq!(
        src.head_blob("team-a/api", &Digest::sha256_of(b"nope"))
            .await
            .unwrap(),
        None
    );
    let mut r = src
        .blob_reader("team-a/api", &base.layers[0])
        .await
        .unwrap();
    let mut buf = Vec::new();
    tokio::io::AsyncReadExt::read_to_end(&mut r, &mut buf)
        .await
        .unwrap();
    assert_eq!(buf, b"base-layer");

    let Referrers::Listed(refs) = src.referrers("team-a/api", &base.digest).await.unwrap() else {
        panic!("layouts always list referrers")
    };
    assert_eq!(refs.len(), 1);
    assert_eq!(refs[0].digest, sbom.digest);
    assert_eq!(
        refs[0].artifact_type.as_deref(),
        Some("application/vnd.example.sbom")
    );
    let Referrers::Listed(none) = src.referrers("team-a/api", &sbom.digest).await.unwrap() else {
        panic!()
    };
    assert!(none.is_empty());

    let listed = src.list_manifests("team-a/api").await.unwrap().unwrap();
    assert_eq!(
        listed.len(),
        3,
        "two tags of one image plus the untagged SBOM"
    );

    assert!(matches!(
        src.manifest("team-a/api", "v9").await,
        Err(RegistryError::NotFound { .. })
    ));
    for bad in [
        "../team-a/api",
        "team-a/../team-a/api",
        "/etc",
        "team-a//api",
        "nope",
    ] {
        assert!(
            matches!(src.tags(bad).await, Err(RegistryError::NotFound { .. })),
            "{bad}"
        );
    }
}

#[tokio::test]
async fn corruption_is_reported_naming_the_file() {
    let tmp = tempfile::tempdir().unwrap();
    let mut w = LayoutWriter::create(&tmp.path().join("app")).unwrap();
    let img = image(&mut w, &[b"layer-one"], None);
    add(&mut w, &img, &["v1"]);
    let dir = w.finish().unwrap();
    let src = LayoutSource::open(tmp.path()).unwrap();

    std::fs::write(dir.blob_path(&img.layers[0]), b"tampered").unwrap();
    let e = src.blob("app", &img.layers[0], 100).await.unwrap_err();
    assert!(matches!(e, RegistryError::DigestMismatch { .. }), "{e}");

    std::fs::remove_file(dir.blob_path(&img.digest)).unwrap();
    let e = src.manifest("app", "v1").await.unwrap_err();
    assert!(matches!(e, RegistryError::NotFound { .. }), "{e}");
    assert!(e.to_string().contains(img.digest.hex()), "{e}");
    assert!(src.head_manifest("app", "v1").await.is_err());

    std::fs::write(dir.index_path(), b"{\"manifests\": 7}").unwrap();
    let e = src.tags("app").await.unwrap_err();
    assert!(matches!(e, RegistryError::Malformed { .. }), "{e}");
    assert!(e.to_string().contains("index.json"), "{e}");

    assert!(LayoutSource::open(&tmp.path().join("missing")).is_err());
}

#[tokio::test]
async fn delete_removes_entries_and_collects_only_unreachable_blobs() {
    let tmp = tempfile::tempdir().unwrap();
    let mut w = LayoutWriter::create(&tmp.path().join("app")).unwrap();
    let old = image(&mut w, &[b"shared-base", b"old-app"], None);
    let new = image(&mut w, &[b"shared-base", b"new-app"], None);
    add(&mut w, &old, &["v1", "stable"]);
    add(&mut w, &new, &["v2"]);
    let sig = image(&mut w, &[b"sig"], Some(&old.digest));
    add(&mut w, &sig, &[]);
    let stray = w
        .add_blob("application/octet-stream", b"unrelated stray")
        .unwrap();
    let dir = w.finish().unwrap();
    let src = LayoutSource::open(tmp.path()).unwrap();

    let report = ops::delete(&dir, &old.digest).unwrap();
    assert_eq!(report.entries_removed, 2);
    let mut expect = vec![old.digest.clone(), old.layers[1].clone()];
    expect.sort();
    let mut got = report.blobs_removed.clone();
    got.sort();
    assert_eq!(got, expect, "the shared base layer and config stay");
    assert!(dir.blob_size(&old.layers[0]).is_some());
    assert!(
        dir.blob_size(&stray.digest).is_some(),
        "never reached, never collected"
    );
    assert_eq!(src.tags("app").await.unwrap(), vec!["v2"]);
    assert_eq!(src.manifest("app", "v2").await.unwrap().digest, new.digest);
    // The signature stays (a registry does not cascade either) and still names its subject.
    let Referrers::Listed(r) = src.referrers("app", &old.digest).await.unwrap() else {
        panic!()
    };
    assert_eq!(r.len(), 1);

    let e = src.delete_manifest("app", &old.digest).await.unwrap_err();
    assert!(matches!(e, RegistryError::NotFound { .. }), "{e}");
    src.delete_manifest("app", &new.digest).await.unwrap();
    assert!(src.tags("app").await.unwrap().is_empty());
    assert!(dir.blob_size(&new.layers[1]).is_none());
}

#[tokio::test]
async fn index_children_cannot_be_deleted_alone_and_go_with_their_index() {
    let tmp = tempfile::tempdir().unwrap();
    let mut w = LayoutWriter::create(&tmp.path().join("multi")).unwrap();
    let amd = image(&mut w, &[b"amd64"], None);
    let arm = image(&mut w, &[b"arm64"], None);
    let a = w
        .add_child_manifest(media::OCI_MANIFEST, &amd.bytes)
        .unwrap();
    let b = w
        .add_child_manifest(media::OCI_MANIFEST, &arm.bytes)
        .unwrap();
    let idx = serde_json::to_vec(
        &json!({"schemaVersion":2,"mediaType":media::OCI_INDEX,"manifests":[a,b]}),
    )
    .unwrap();
    let idx_desc = w.add_manifest(media::OCI_INDEX, &idx, &["1.0"]).unwrap();
    w.finish().unwrap();
    let src = LayoutSource::open(tmp.path()).unwrap();

    let child = src.manifest("multi", amd.digest.as_str()).await.unwrap();
    assert_eq!(child.digest, amd.digest);
    let head = src
        .head_manifest("multi", arm.digest.as_str())
        .await
        .unwrap();
    assert_eq!(head.media_type, media::OCI_MANIFEST);
    let e = src.delete_manifest("multi", &amd.digest).await.unwrap_err();
    assert!(matches!(e, RegistryError::Refused { .. }), "{e}");
    src.delete_manifest("multi", &idx_desc.digest)
        .await
        .unwrap();
    assert_eq!(src.head_blob("multi", &arm.layers[0]).await.unwrap(), None);
    assert_eq!(src.head_blob("multi", &amd.digest).await.unwrap(), None);
}

#[tokio::test]
async fn put_moves_tags_and_keeps_the_old_manifest_untagged() {
    let tmp = tempfile::tempdir().unwrap();
    let mut w = LayoutWriter::create(&tmp.path().join("app")).unwrap();
    let one = image(&mut w, &[b"one"], None);
    let two = image(&mut w, &[b"two"], None);
    add(&mut w, &one, &["latest"]);
    w.finish().unwrap();
    let src = LayoutSource::open(tmp.path()).unwrap();

    let d = src
        .put_manifest("app", "latest", media::OCI_MANIFEST, &two.bytes)
        .await
        .unwrap();
    assert_eq!(d, two.digest);
    assert_eq!(
        src.manifest("app", "latest").await.unwrap().digest,
        two.digest
    );
    let listed = src.list_manifests("app").await.unwrap().unwrap();
    assert_eq!(listed.len(), 2);
    assert!(listed
        .iter()
        .any(|e| e.digest == one.digest && store::entry_tag(e).is_none()));
    // Tagging the untagged one again leaves no untagged duplicate.
    src.put_manifest("app", "old", media::OCI_MANIFEST, &one.bytes)
        .await
        .unwrap();
    assert_eq!(src.list_manifests("app").await.unwrap().unwrap().len(), 2);
    assert_eq!(src.tags("app").await.unwrap(), vec!["latest", "old"]);

    let orphan = serde_json::to_vec(&json!({"schemaVersion":2,"mediaType":media::OCI_MANIFEST,
        "config":{"mediaType":media::OCI_CONFIG,"digest":Digest::sha256_of(b"absent"),"size":6},"layers":[]}))
    .unwrap();
    let e = src
        .put_manifest("app", "broken", media::OCI_MANIFEST, &orphan)
        .await
        .unwrap_err();
    assert!(matches!(e, RegistryError::Refused { .. }), "{e}");
    let e = src
        .put_manifest("app", one.digest.as_str(), media::OCI_MANIFEST, &two.bytes)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("hash to"), "{e}");
}

#[tokio::test]
async fn a_root_that_is_itself_a_layout_is_one_repository() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("exported");
    let mut w = LayoutWriter::create(&root).unwrap();
    let z = image(&mut w, &[b"z"], None);
    add(&mut w, &z, &["v1"]);
    w.finish().unwrap();
    let src = LayoutSource::open(&root).unwrap();
    assert_eq!(src.repositories(None).await.unwrap(), vec!["exported"]);
    assert_eq!(src.tags("exported").await.unwrap(), vec!["v1"]);
}

#[test]
fn full_reference_names_yield_their_tag() {
    let d = |name: &str| Descriptor {
        media_type: media::OCI_MANIFEST.into(),
        digest: Digest::sha256_of(b""),
        size: 0,
        platform: None,
        artifact_type: None,
        annotations: Some([(REF_NAME.to_string(), name.to_string())].into()),
        urls: None,
    };
    assert_eq!(store::entry_tag(&d("v1.2")).as_deref(), Some("v1.2"));
    assert_eq!(
        store::entry_tag(&d("docker.io/library/alpine:3.20")).as_deref(),
        Some("3.20")
    );
    assert_eq!(
        store::entry_tag(&d("localhost:5000/x")),
        None,
        "a repository, no tag"
    );
    assert_eq!(store::entry_tag(&d("bad tag")), None);
}

#[tokio::test]
async fn a_repository_through_a_symlink_out_of_the_root_is_not_served() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("tree");
    let mut w = LayoutWriter::create(&dir.path().join("elsewhere/secret")).unwrap();
    let img = image(&mut w, &[b"secret layer"], None);
    add(&mut w, &img, &["v1"]);
    w.finish().unwrap();
    let mut w = LayoutWriter::create(&root.join("team/app")).unwrap();
    let img = image(&mut w, &[b"app layer"], None);
    add(&mut w, &img, &["v1"]);
    w.finish().unwrap();
    std::os::unix::fs::symlink(dir.path().join("elsewhere"), root.join("out")).unwrap();
    // Inside the root, a symlink alias is fine (listed once, under its real name).
    std::os::unix::fs::symlink(root.join("team"), root.join("alias")).unwrap();
    let src = LayoutSource::open(&root).unwrap();
    assert_eq!(src.repositories(None).await.unwrap(), vec!["team/app"]);
    assert!(src.tags("team/app").await.is_ok());
    let e = src.tags("out/secret").await.unwrap_err();
    assert!(matches!(e, RegistryError::NotFound { .. }), "{e}");
}
