//! The crawl over an OCI layout tree written by skopeo.

use super::{by_digest, check_image, crawl};
use crate::support::fleet::{self, distinct_bytes, SBOM_TYPE};
use crate::support::registry::TestRegistry;
use crate::support::seed::{sha256, Seeder};
use regscope::model::ImageKind;
/// The same crawl over an OCI layout tree (written by skopeo, an independent tool) gives
/// the same records, and finds referrers through the layout's referrers listing.
#[tokio::test]
async fn inventory_of_an_oci_layout_tree_written_by_skopeo() {
    let Some(reg) = TestRegistry::start() else {
        return;
    };
    let bin = crate::require!("skopeo");
    let f = fleet::seed(&Seeder::new(&reg.base_url())).await;
    let tmp = tempfile::tempdir().unwrap();
    for (repo, tag) in [("team-a/multi", "1.0"), ("team-a/api", "v1")] {
        let dest = tmp.path().join(repo);
        std::fs::create_dir_all(&dest).unwrap();
        let out = std::process::Command::new(&bin)
            .args([
                "copy",
                "--all",
                "--preserve-digests",
                "--src-tls-verify=false",
            ])
            .arg(format!("docker://{}/{repo}:{tag}", reg.addr))
            .arg(format!("oci:{}:{tag}", dest.display()))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // an SBOM attached to v1 inside the layout (found through the referrers listing)
    let src = regscope::registry::layout::LayoutSource::open(tmp.path()).unwrap();
    use regscope::registry::ManifestSource;
    let dir = regscope::registry::layout::LayoutDir::new(tmp.path().join("team-a/api"));
    let e = dir.write_blob(b"{}").unwrap();
    let sbom = serde_json::to_vec(&serde_json::json!({"schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json", "artifactType": SBOM_TYPE,
        "config": {"mediaType": "application/vnd.oci.empty.v1+json", "digest": e, "size": 2},
        "layers": [{"mediaType": "application/vnd.oci.empty.v1+json", "digest": e, "size": 2}],
        "subject": {"mediaType": f.api_v1.media_type, "digest": f.api_v1.digest, "size": f.api_v1.manifest.len()}}))
    .unwrap();
    let sd = src
        .put_manifest(
            "team-a/api",
            &sha256(&sbom),
            "application/vnd.oci.image.manifest.v1+json",
            &sbom,
        )
        .await
        .unwrap();

    let out = crawl(&format!("oci:{}", tmp.path().display())).await;
    assert!(
        out.inventory.errors.is_empty(),
        "{:?}",
        out.inventory.errors
    );
    assert_eq!(out.repositories, ["team-a/api", "team-a/multi"]);
    let multi = by_digest(&out.inventory.images, "team-a/multi");
    assert_eq!(multi.len(), 4, "{:?}", multi.keys());
    let idx = multi[&f.multi_index.digest];
    assert_eq!(idx.tags, ["1.0"]);
    assert_eq!(
        idx.size_bytes,
        Some(distinct_bytes(&[
            &f.multi_amd64,
            &f.multi_arm64,
            &f.multi_att
        ]))
    );
    assert_eq!(multi[&f.multi_att.digest].kind, ImageKind::Attestation);
    check_image(
        multi[&f.multi_arm64.digest],
        &f.multi_arm64,
        ImageKind::Image,
    );
    let api = by_digest(&out.inventory.images, "team-a/api");
    let v1 = api[&f.api_v1.digest];
    check_image(v1, &f.api_v1, ImageKind::Image);
    assert_eq!(v1.tags, ["v1"]);
    assert_eq!(v1.referrers.len(), 1);
    assert_eq!(v1.referrers[0].digest, sd);
    let s = api[&sd.to_string()];
    assert_eq!(s.kind, ImageKind::Attestation);
    assert_eq!(
        s.subject.as_ref().map(|d| d.to_string()),
        Some(f.api_v1.digest.clone())
    );
    // the SBOM's only blob is 2 bytes listed twice: counted once
    assert_eq!((s.size_bytes, s.unique_bytes), (Some(2), Some(2)));

    // the command line prints the same document
    let target = format!("oci:{}", tmp.path().display());
    let cli = std::process::Command::new(env!("CARGO_BIN_EXE_regscope"))
        .args(["images", &target, "--json"])
        .output()
        .unwrap();
    assert_eq!(
        cli.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&cli.stderr)
    );
    let doc =
        regscope::model::Inventory::from_json(&String::from_utf8(cli.stdout).unwrap()).unwrap();
    assert_eq!(doc.images.len(), out.inventory.images.len());
    assert_eq!(doc.registry, target);
}
