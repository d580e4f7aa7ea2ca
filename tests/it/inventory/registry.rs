//! A registry seeded with the fleet: every record checked against the fixture bytes.

use super::{by_digest, check_image, crawl, crawl_with};
use crate::support::fixtures::Pushed;
use crate::support::fleet::{self, distinct_bytes, Fleet, SBOM_TYPE};
use crate::support::registry::TestRegistry;
use crate::support::seed::{sha256, Seeder};
use regscope::model::{Image, ImageKind};
use std::collections::{BTreeMap, BTreeSet};
/// Bytes of `p`'s blobs that none of `others` list.
fn bytes_not_in(p: &[&Pushed], others: &[&Pushed]) -> u64 {
    let theirs: BTreeSet<&String> = others
        .iter()
        .flat_map(|o| o.blobs.iter().map(|b| &b.0))
        .collect();
    let mut mine = BTreeMap::new();
    for x in p {
        for (d, s) in &x.blobs {
            if !theirs.contains(d) {
                mine.insert(d.clone(), *s);
            }
        }
    }
    mine.values().sum()
}

#[tokio::test]
async fn inventory_of_the_fleet_matches_the_fixture_bytes() {
    let Some(reg) = TestRegistry::start() else {
        return;
    };
    let f: Fleet = fleet::seed(&Seeder::new(&reg.base_url())).await;
    let out = crawl(&reg.addr).await;
    assert!(
        out.inventory.errors.is_empty(),
        "{:?}",
        out.inventory.errors
    );
    assert_eq!(
        out.repositories,
        [
            "org/platform/tools/cli",
            "team-a/api",
            "team-a/multi",
            "team-b/legacy"
        ]
    );
    let imgs = &out.inventory.images;

    // team-a/api: shared base layer between v1 and v2; a signature and an SBOM
    let api = by_digest(imgs, "team-a/api");
    assert_eq!(api.len(), 5, "{:#?}", api.keys());
    let v1 = api[&f.api_v1.digest];
    check_image(v1, &f.api_v1, ImageKind::Image);
    assert_eq!(v1.tags, ["latest", "stable", "v1"]);
    assert_eq!(
        v1.platforms
            .iter()
            .map(|p| p.to_string())
            .collect::<Vec<_>>(),
        ["linux/amd64"]
    );
    assert_eq!(
        v1.created_at.unwrap().to_rfc3339(),
        "2026-01-01T00:00:00+00:00"
    );
    // Deleting v1 alone takes its signature (referrers follow their subject).
    let others = [&f.api_v2, &f.api_v2_sbom];
    assert_eq!(
        v1.unique_bytes,
        Some(bytes_not_in(&[&f.api_v1, &f.api_v1_sig], &others))
    );
    let sig_bytes: u64 = f.api_v1_sig.blobs.iter().map(|b| b.1).sum();
    assert!(
        v1.unique_bytes.unwrap() < v1.size_bytes.unwrap() + sig_bytes,
        "the base layer is shared"
    );
    assert_eq!(v1.referrers.len(), 1);
    assert_eq!(v1.referrers[0].digest.to_string(), f.api_v1_sig.digest);

    let v2 = api[&f.api_v2.digest];
    check_image(v2, &f.api_v2, ImageKind::Image);
    assert_eq!(v2.tags, ["v2"]);
    assert_eq!(
        v2.unique_bytes,
        Some(bytes_not_in(
            &[&f.api_v2, &f.api_v2_sbom],
            &[&f.api_v1, &f.api_v1_sig]
        ))
    );
    assert_eq!(v2.referrers.len(), 1, "{:?}", v2.referrers);
    assert_eq!(v2.referrers[0].digest.to_string(), f.api_v2_sbom.digest);
    assert_eq!(v2.referrers[0].artifact_type.as_deref(), Some(SBOM_TYPE));

    let sig = api[&f.api_v1_sig.digest];
    check_image(sig, &f.api_v1_sig, ImageKind::Signature);
    assert_eq!(
        sig.subject.as_ref().map(|d| d.to_string()),
        Some(f.api_v1.digest.clone())
    );
    assert!(sig.platforms.is_empty());

    let sbom = api[&f.api_v2_sbom.digest];
    check_image(sbom, &f.api_v2_sbom, ImageKind::Attestation);
    assert!(
        sbom.tags.is_empty(),
        "reached through the fallback tag only"
    );
    assert_eq!(
        sbom.subject.as_ref().map(|d| d.to_string()),
        Some(f.api_v2.digest.clone())
    );
    assert_eq!(sbom.artifact_type.as_deref(), Some(SBOM_TYPE));

    let fallback_tag = f.api_v2.digest.replace(':', "-");
    let fb = api
        .values()
        .find(|i| i.tags == [fallback_tag.clone()])
        .expect("fallback index record");
    assert_eq!(fb.kind, ImageKind::Artifact);
    assert_eq!(
        fb.subject.as_ref().map(|d| d.to_string()),
        Some(f.api_v2.digest.clone())
    );
    assert!(fb.children.is_empty());
    assert_eq!((fb.size_bytes, fb.unique_bytes), (Some(0), Some(0)));

    // team-a/multi: an OCI index with a buildkit attestation entry
    let multi = by_digest(imgs, "team-a/multi");
    assert_eq!(multi.len(), 4);
    let idx = multi[&f.multi_index.digest];
    assert_eq!(idx.kind, ImageKind::Index);
    assert_eq!(idx.tags, ["1.0"]);
    assert_eq!(
        idx.platforms
            .iter()
            .map(|p| p.to_string())
            .collect::<Vec<_>>(),
        ["linux/amd64", "linux/arm64/v8"],
        "attestation entries are not platforms"
    );
    let children: Vec<String> = idx.children.iter().map(|d| d.to_string()).collect();
    assert_eq!(
        children,
        [
            f.multi_amd64.digest.clone(),
            f.multi_arm64.digest.clone(),
            f.multi_att.digest.clone()
        ]
    );
    let all = [&f.multi_amd64, &f.multi_arm64, &f.multi_att];
    assert_eq!(idx.size_bytes, Some(distinct_bytes(&all)));
    assert_eq!(
        idx.unique_bytes, idx.size_bytes,
        "nothing else in the repository"
    );
    assert_eq!(
        idx.created_at.unwrap().to_rfc3339(),
        "2026-03-02T00:00:00+00:00"
    );
    let amd = multi[&f.multi_amd64.digest];
    check_image(amd, &f.multi_amd64, ImageKind::Image);
    assert!(amd.tags.is_empty());
    assert_eq!(
        amd.unique_bytes,
        Some(bytes_not_in(
            &[&f.multi_amd64, &f.multi_att],
            &[&f.multi_arm64]
        )),
        "the base layer is shared with the arm64 sibling; its attestation goes with it"
    );
    assert_eq!(amd.referrers.len(), 1);
    assert_eq!(amd.referrers[0].digest.to_string(), f.multi_att.digest);
    let arm = multi[&f.multi_arm64.digest];
    assert_eq!(arm.platforms[0].to_string(), "linux/arm64/v8");
    let att = multi[&f.multi_att.digest];
    check_image(att, &f.multi_att, ImageKind::Attestation);
    assert_eq!(
        att.subject.as_ref().map(|d| d.to_string()),
        Some(f.multi_amd64.digest.clone())
    );
    assert!(att.platforms.is_empty());

    // team-b/legacy: Docker schema2 and a manifest list; the base layer shared with team-a
    // is unique here, as unique bytes are per repository
    let legacy = by_digest(imgs, "team-b/legacy");
    assert_eq!(legacy.len(), 5);
    let old = legacy[&f.legacy_old.digest];
    check_image(old, &f.legacy_old, ImageKind::Image);
    assert_eq!(
        old.media_type,
        "application/vnd.docker.distribution.manifest.v2+json"
    );
    assert_eq!(old.unique_bytes, old.size_bytes);
    let list = legacy[&f.legacy_list.digest];
    assert_eq!(list.kind, ImageKind::Index);
    assert_eq!(
        list.media_type,
        "application/vnd.docker.distribution.manifest.list.v2+json"
    );
    assert_eq!(
        list.platforms
            .iter()
            .map(|p| p.to_string())
            .collect::<Vec<_>>(),
        ["linux/amd64", "linux/arm/v7"]
    );
    assert_eq!(
        list.size_bytes,
        Some(distinct_bytes(&[
            &f.legacy_amd64,
            &f.legacy_armv7,
            &f.legacy_att
        ]))
    );
    assert_eq!(legacy[&f.legacy_att.digest].kind, ImageKind::Attestation);

    let nested = by_digest(imgs, "org/platform/tools/cli");
    check_image(nested[&f.nested.digest], &f.nested, ImageKind::Image);

    // every tag on exactly one record
    let mut seen = BTreeSet::new();
    for i in imgs {
        for t in &i.tags {
            assert!(
                seen.insert((i.repository.clone(), t.clone())),
                "tag {t} twice"
            );
        }
    }
    assert_eq!(seen.len(), 3 + 1 + 1 + 1 + 1 + 1 + 1 + 1);

    // the JSON document round-trips through the schema reader
    let json = serde_json::to_string(&out.inventory).unwrap();
    let back = regscope::model::Inventory::from_json(&json).unwrap();
    assert_eq!(back.images.len(), imgs.len());

    // No request beyond what the inventory needs: the catalog, 4 tag lists, 17 manifests
    // (one GET per each of the 10 tags + 7 untagged children/referrers), 8 configs (runnable images
    // only), one referrers probe (answered 404: not asked again), and the version check.
    let requests = out.stats.requests;
    assert!(
        (31..=32).contains(&requests),
        "{requests} requests: {:?}",
        out.stats
    );
    assert_eq!(out.stats.retries, 0);

    // HEAD-first resolution (what registries that meter GETs get) finds the same records:
    // one HEAD per tag, then one GET per distinct digest (10 tags on 8 digests).
    let heads = crawl_with(&reg.addr, |o| o.head_first = true).await;
    assert!(
        heads.inventory.errors.is_empty(),
        "{:?}",
        heads.inventory.errors
    );
    assert_eq!(&heads.inventory.images, imgs);
    assert_eq!(heads.stats.requests, requests + 8);

    skopeo_agrees(&reg.addr, &f, imgs);
}

/// skopeo, an independent client, sees the same digests and index entries.
fn skopeo_agrees(addr: &str, f: &Fleet, imgs: &[Image]) {
    if crate::support::require_binary("skopeo").is_none() {
        return;
    }
    let raw = |r: &str| {
        let out = std::process::Command::new("skopeo")
            .args([
                "inspect",
                "--raw",
                "--tls-verify=false",
                &format!("docker://{addr}/{r}"),
            ])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "skopeo {r}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    };
    for (r, want) in [
        ("team-a/api:v1", &f.api_v1.digest),
        ("team-a/multi:1.0", &f.multi_index.digest),
        ("team-b/legacy:list", &f.legacy_list.digest),
    ] {
        let bytes = raw(r);
        assert_eq!(&sha256(&bytes), want, "{r}");
        let img = imgs.iter().find(|i| &i.digest.to_string() == want).unwrap();
        let doc: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        if let Some(ms) = doc["manifests"].as_array() {
            let theirs: Vec<&str> = ms.iter().map(|m| m["digest"].as_str().unwrap()).collect();
            let ours: Vec<String> = img.children.iter().map(|d| d.to_string()).collect();
            assert_eq!(ours, theirs, "{r}");
        } else {
            let mut sizes = doc["config"]["size"].as_u64().unwrap();
            for l in doc["layers"].as_array().unwrap() {
                sizes += l["size"].as_u64().unwrap();
            }
            assert_eq!(img.size_bytes, Some(sizes), "{r}");
        }
    }
    let out = std::process::Command::new("skopeo")
        .args([
            "list-tags",
            "--tls-verify=false",
            &format!("docker://{addr}/team-a/api"),
        ])
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut theirs: Vec<String> = doc["Tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap().to_string())
        .collect();
    theirs.sort();
    let mut ours: Vec<String> = imgs
        .iter()
        .filter(|i| i.repository == "team-a/api")
        .flat_map(|i| i.tags.clone())
        .collect();
    ours.sort();
    assert_eq!(ours, theirs);
}

/// One repository read again (the explorer after a deletion): the same records as the
/// whole crawl has for it, a nested repository under the same prefix left out, and a
/// name the registry does not list read as absent.
#[tokio::test]
async fn one_repository_is_read_again_alone() {
    let Some(reg) = TestRegistry::start() else {
        return;
    };
    let f: Fleet = fleet::seed(&Seeder::new(&reg.base_url())).await;
    let whole = crawl(&reg.addr).await;
    let target = regscope::registry::Target::parse(&reg.addr).unwrap();
    let settings = regscope::config::RegistrySettings::for_address(&reg.addr);
    let session = regscope::session::open(&target, &settings).await;
    let read = session.crawl_repository("team-a/api").await.unwrap();
    assert!(read.issues.is_empty(), "{:?}", read.issues);
    assert_eq!(read.registry, whole.inventory.registry);
    let mut got: Vec<Image> = read.images.expect("listed");
    let mut want: Vec<Image> = whole
        .inventory
        .images
        .iter()
        .filter(|i| i.repository == "team-a/api")
        .cloned()
        .collect();
    got.sort_by(|a, b| a.digest.cmp(&b.digest));
    want.sort_by(|a, b| a.digest.cmp(&b.digest));
    assert_eq!(got, want);
    assert!(got.iter().any(|i| i.digest.as_str() == f.api_v1.digest));
    let none = session.crawl_repository("team-a").await.unwrap();
    assert!(none.images.is_none(), "{none:?}");
}
