//! A digest declared with two sizes (issue 13): distribution accepts a manifest whose
//! descriptor size differs from the stored blob's (it checks only that the blob exists),
//! so two manifests can declare one blob as 11 and as 4000 bytes. The crawl must flag it
//! on each image naming the digest and both sizes, leave every figure that counts it
//! unknown (never the first declaration's guess), and a plan freeing it must leave it out.
//! Reading the layer refuses the lie: the bytes served do not match the declared size.

use crate::support::limited::{regscope_limited, LIMIT};
use crate::support::registry::TestRegistry;
use crate::support::seed::Seeder;
use regscope::model::{Inventory, RepositorySummary};
use regscope::policy::reclaim::ReclaimScope;
use regscope::policy::{DeletionPlan, Evaluation, PlanOptions, PolicyFormat};

const OCI: &str = "application/vnd.oci.image.manifest.v1+json";

fn manifest(config: &str, config_size: usize, layer: &str, layer_size: u64) -> Vec<u8> {
    format!(
        r#"{{"schemaVersion":2,"mediaType":"{OCI}","config":{{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{config}","size":{config_size}}},"layers":[{{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"{layer}","size":{layer_size}}}]}}"#
    )
    .into_bytes()
}

#[tokio::test]
async fn a_blob_declared_with_two_sizes_is_flagged_and_never_counted_by_a_guess() {
    crate::require!("docker-registry");
    let Some(reg) = TestRegistry::start() else {
        return;
    };
    let s = Seeder::new(&reg.base_url());
    let layer_bytes = b"hello layer"; // 11 bytes
    let (cfg_a, cfg_b) = (br#"{"a":1}"#.as_slice(), br#"{"b":2}"#.as_slice());
    let layer = s.push_blob("team/liar", layer_bytes).await;
    let ca = s.push_blob("team/liar", cfg_a).await;
    let cb = s.push_blob("team/liar", cfg_b).await;
    // The registry accepts both: it does not compare the declared size with the blob's.
    let honest = s
        .push_manifest(
            "team/liar",
            "honest",
            OCI,
            &manifest(&ca, cfg_a.len(), &layer, 11),
        )
        .await;
    let liar = s
        .push_manifest(
            "team/liar",
            "liar",
            OCI,
            &manifest(&cb, cfg_b.len(), &layer, 4000),
        )
        .await;
    // Another repository, honest: its figures stay known and the crawl goes on.
    let other_layer = s.push_blob("team/other", b"other layer!").await;
    let co = s.push_blob("team/other", cfg_a).await;
    s.push_manifest(
        "team/other",
        "v1",
        OCI,
        &manifest(&co, cfg_a.len(), &other_layer, 12),
    )
    .await;

    let dir = tempfile::tempdir().unwrap();
    let o = regscope_limited(
        dir.path(),
        &["--no-cache", "images", &reg.addr, "--json"],
        LIMIT,
    );
    // Partial: the figures that count the blob are unknown, and it says so.
    assert_eq!(o.code(), Some(3), "{}", o.text());
    let inv = Inventory::from_json(&o.stdout).unwrap();
    let liar_repo: Vec<_> = inv
        .images
        .iter()
        .filter(|i| i.repository == "team/liar")
        .collect();
    assert_eq!(liar_repo.len(), 2, "{}", o.text());
    for im in &liar_repo {
        assert_eq!(
            im.size_bytes, None,
            "{}: size is unknown, not a guess",
            im.digest
        );
        // Each manifest keeps its own declaration in its blob list.
        let declared = im
            .blobs
            .as_ref()
            .unwrap()
            .iter()
            .find(|b| b.digest.as_str() == layer)
            .unwrap()
            .size;
        let want = if im.digest.as_str() == liar { 4000 } else { 11 };
        assert_eq!(declared, want);
    }
    let other = inv
        .images
        .iter()
        .find(|i| i.repository == "team/other")
        .unwrap();
    assert_eq!(other.size_bytes, Some(12 + cfg_a.len() as u64));
    // One issue on each image, naming the blob and both sizes.
    for (image, mine, theirs) in [(&honest, 11, 4000), (&liar, 4000, 11)] {
        let issue = inv
            .errors
            .iter()
            .find(|e| e.reference.as_deref() == Some(image.as_str()))
            .unwrap_or_else(|| panic!("no issue on {image}: {:#?}", inv.errors));
        assert_eq!(issue.repository.as_deref(), Some("team/liar"));
        assert!(issue.message.contains(&layer), "{}", issue.message);
        assert!(
            issue.message.contains(&format!(
                "as {mine} bytes by this manifest and as {theirs} bytes"
            )),
            "{}",
            issue.message
        );
    }
    assert_eq!(inv.errors.len(), 2, "{:#?}", inv.errors);
    assert!(o.stderr.contains(&layer), "warned on stderr: {}", o.stderr);

    // The repository's total is unknown, the other repository's known.
    let liar_images: Vec<_> = liar_repo.iter().map(|i| (*i).clone()).collect();
    let summary = RepositorySummary::from_images(&inv.registry, "team/liar", liar_images.iter());
    assert_eq!(summary.total_bytes, None);
    let summary = RepositorySummary::from_images(&inv.registry, "team/other", [other]);
    assert_eq!(summary.total_bytes, Some(12 + cfg_a.len() as u64));

    // A plan deleting both frees the blob: it counts the config only team/liar holds
    // (team/other holds config a too, in the registry's one blob store) and names the blob.
    let opts = PlanOptions {
        registry: inv.registry.clone(),
        format: PolicyFormat::Gar,
        evaluated_at: chrono::Utc::now(),
        policy_source: None,
        switches: Vec::new(),
        scope: ReclaimScope::Registry,
        in_use: None,
        unlock: false,
    };
    let picked: Vec<usize> = inv
        .images
        .iter()
        .enumerate()
        .filter(|(_, i)| i.repository == "team/liar")
        .map(|(n, _)| n)
        .collect();
    let plan = DeletionPlan::build(&inv.images, &Evaluation::marked(&picked), &opts);
    assert_eq!(
        plan.summary.reclaimed_bytes,
        cfg_b.len() as u64,
        "{plan:#?}"
    );
    assert_eq!(plan.summary.naive_bytes, 0);
    assert_eq!(plan.summary.unknown_sizes, 2);
    assert!(
        plan.warnings
            .iter()
            .any(|w| w.contains(&layer) && w.contains("11 bytes and 4000 bytes")),
        "{:#?}",
        plan.warnings
    );

    // Reading the lying image's layer: the registry serves the 11 bytes the digest names,
    // and the declared 4000 is refused as a size mismatch naming both (not read further).
    let o = regscope_limited(
        dir.path(),
        &[
            "layers",
            "--no-cache",
            &format!("{}/team/liar:liar", reg.addr),
        ],
        LIMIT,
    );
    assert_eq!(o.code(), Some(1), "{}", o.text());
    let said = format!("{}{}", o.stdout, o.stderr);
    assert!(
        said.contains("size mismatch: the manifest says 4000 bytes, the registry served 11"),
        "{}",
        o.text()
    );
}

/// A manifest declaring a blob smaller than it is: reading stops one byte past the
/// declared size and says the size is wrong, not that the blob is corrupt.
#[tokio::test]
async fn a_blob_declared_smaller_than_it_is_is_a_size_mismatch() {
    crate::require!("docker-registry");
    let Some(reg) = TestRegistry::start() else {
        return;
    };
    let s = Seeder::new(&reg.base_url());
    let layer = s.push_blob("team/short", b"hello layer").await;
    let cfg = br#"{"a":1}"#;
    let c = s.push_blob("team/short", cfg).await;
    s.push_manifest("team/short", "v1", OCI, &manifest(&c, cfg.len(), &layer, 5))
        .await;
    let dir = tempfile::tempdir().unwrap();
    let o = regscope_limited(
        dir.path(),
        &[
            "layers",
            "--no-cache",
            &format!("{}/team/short:v1", reg.addr),
        ],
        LIMIT,
    );
    assert_eq!(o.code(), Some(1), "{}", o.text());
    let said = format!("{}{}", o.stdout, o.stderr);
    assert!(
        said.contains("size mismatch: the manifest says 5 bytes, the registry served more"),
        "{}",
        o.text()
    );
    assert!(!said.contains("digest mismatch"), "{}", o.text());
}
