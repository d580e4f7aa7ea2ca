//! The demo fleet: deterministic, realistic, and readable through the layout backend.

use super::*;
use crate::registry::layout::LayoutSource;
use crate::registry::{Manifest, ManifestSource, Referrers};

fn epoch() -> DateTime<Utc> {
    parse_epoch("2026-11-16T00:00:00Z").unwrap()
}

#[test]
fn the_embedded_description_parses_and_auto_epoch_is_this_weeks_monday() {
    let spec = FleetSpec::embedded();
    assert!(spec.repositories.len() >= 12);
    let now = parse_epoch("2026-11-19T15:30:00Z").unwrap();
    assert_eq!(resolve_epoch("auto", now).unwrap(), epoch());
    assert!(resolve_epoch("yesterday", now).is_err());
    assert!(FleetSpec::parse("seed = 1\nepoch = \"auto\"\nbase = []\n[[repository]]\nname=\"x\"\nbase=\"nope\"\narchs=[\"amd64\"]\nfirst_day=1\nlast_day=0\nevery_days=1\n").is_err());
}

fn tree_digest(dir: &Path) -> String {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                files.push(p);
            }
        }
    }
    files.sort();
    let mut all = Vec::new();
    for f in files {
        all.extend(f.strip_prefix(dir).unwrap().to_string_lossy().as_bytes());
        all.extend(std::fs::read(&f).unwrap());
    }
    crate::model::Digest::sha256_of(&all).to_string()
}

#[tokio::test]
async fn the_fleet_is_deterministic_and_realistic() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    let fa = ensure(&a, Some(epoch()), false).unwrap();
    assert!(fa.built_now);
    ensure(&b, Some(epoch()), false).unwrap();
    assert_eq!(tree_digest(&a), tree_digest(&b), "same epoch, same bytes");
    assert!(
        !ensure(&a, Some(epoch()), false).unwrap().built_now,
        "reused"
    );

    let src = LayoutSource::open(&a).unwrap();
    let repos = src.repositories(None).await.unwrap();
    assert!(repos.len() >= 12, "{repos:?}");
    assert!(repos.contains(&"team-a/api".to_string()));

    // team-a/api: multi-arch index with attestations, semver + latest, signed and scanned.
    let tags = src.tags("team-a/api").await.unwrap();
    assert!(tags.contains(&"latest".to_string()) && tags.contains(&"main".to_string()));
    assert!(tags.iter().any(|t| t.split('.').count() == 3), "{tags:?}");
    let latest = src.manifest("team-a/api", "latest").await.unwrap();
    let Manifest::Index(idx) = &latest.manifest else {
        panic!("latest is a multi-arch index")
    };
    let runnable: Vec<_> = idx
        .manifests
        .iter()
        .filter(|d| !d.is_attestation_entry())
        .collect();
    assert_eq!(runnable.len(), 2);
    assert!(idx.manifests.iter().any(|d| d.is_attestation_entry()));
    let Referrers::Listed(refs) = src.referrers("team-a/api", &latest.digest).await.unwrap() else {
        panic!()
    };
    let kinds: Vec<_> = refs
        .iter()
        .filter_map(|r| r.artifact_type.clone())
        .collect();
    assert!(kinds.iter().any(|k| k.contains("cosign")), "{kinds:?}");
    assert!(kinds.iter().any(|k| k.contains("spdx")), "{kinds:?}");
    assert!(
        kinds.iter().any(|k| k == crate::scan::artifact::TRIVY_JSON),
        "{kinds:?}"
    );

    // Untagged leftovers exist (moving tags left them behind).
    let listed = src.list_manifests("team-a/worker").await.unwrap().unwrap();
    assert!(listed.iter().any(|d| d.annotations.is_none()));

    // Shared base layer: two repositories on the same base and day share the digest.
    let child = src
        .manifest("team-a/api", runnable[0].digest.as_str())
        .await
        .unwrap();
    let Manifest::Image(img) = child.manifest else {
        panic!()
    };
    assert!(img.layers.len() >= 3);
    let layer = src
        .blob("team-a/api", &img.layers[0].digest, 16 << 20)
        .await
        .unwrap();
    assert_eq!(&layer[..2], &[0x1f, 0x8b], "real gzip");

    // The cosign tag scheme and 1970 reproducible builds are present.
    assert!(src
        .tags("payments/ledger")
        .await
        .unwrap()
        .iter()
        .any(|t| t.ends_with(".sig")));
    let ci = src.manifest("tools/ci-runner", "latest").await.unwrap();
    let Manifest::Index(ci) = ci.manifest else {
        panic!()
    };
    let m = src
        .manifest("tools/ci-runner", ci.manifests[0].digest.as_str())
        .await
        .unwrap();
    let Manifest::Image(m) = m.manifest else {
        panic!()
    };
    let cfg = src
        .blob("tools/ci-runner", &m.config.digest, 1 << 20)
        .await
        .unwrap();
    assert!(String::from_utf8_lossy(&cfg).contains("\"created\":\"1970-01-01T00:00:00Z\""));

    let size: u64 = walk_size(&a);
    assert!(size < 60 << 20, "fleet is {size} bytes");
}

fn walk_size(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk_size(&p)
            } else {
                p.metadata().unwrap().len()
            }
        })
        .sum()
}
