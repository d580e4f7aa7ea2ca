//! One definition of an image and of its bytes (issue 12): an index's `unique_bytes` is
//! exactly what a plan that deletes it alone reclaims, over the demo fleet and over a
//! real distribution registry; and every front end counts the same images.

use crate::support::fleet;
use crate::support::registry::TestRegistry;
use crate::support::seed::Seeder;
use regscope::model::{roles, Image, ImageKind, Inventory, RepositorySummary, Role};
use regscope::policy::reclaim::ReclaimScope;
use regscope::policy::{DeletionPlan, Evaluation, PlanOptions, PolicyFormat};
use regscope::scan::fleet::fleet_images;
use std::collections::BTreeMap;
use std::process::{Command, Stdio};

fn regscope(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    let o = Command::new(env!("CARGO_BIN_EXE_regscope"))
        .args(args)
        .current_dir(dir)
        .env("REGSCOPE_DATA", dir.join("data"))
        .env("REGSCOPE_CONFIG", dir.join("config.toml"))
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    o
}

fn inventory(dir: &std::path::Path, target: &str) -> Inventory {
    let o = regscope(dir, &["--no-cache", "images", target, "--json"]);
    Inventory::from_json(&String::from_utf8_lossy(&o.stdout)).unwrap()
}

/// What a plan of marks deleting image `i` of `images` alone reclaims, with the plan.
fn reclaimed_alone(images: &[Image], i: usize, scope: ReclaimScope) -> DeletionPlan {
    let opts = PlanOptions {
        registry: "test".into(),
        format: PolicyFormat::Gar,
        evaluated_at: chrono::Utc::now(),
        policy_source: None,
        switches: Vec::new(),
        scope,
        in_use: None,
        unlock: false,
    };
    DeletionPlan::build(images, &Evaluation::marked(&[i]), &opts)
}

/// For every image of every repository: UNIQUE equals the plan's reclaimed bytes, the
/// plan removes the index's untagged platforms and its referrers, and the repository's
/// image count, the fleet query's and the plan's agree. Returns how many indexes were
/// checked.
fn check(inv: &Inventory, scope: ReclaimScope) -> usize {
    let mut by_repo: BTreeMap<&str, Vec<Image>> = BTreeMap::new();
    for im in &inv.images {
        by_repo.entry(&im.repository).or_default().push(im.clone());
    }
    let mut indexes = 0;
    for (repo, images) in &by_repo {
        let r = roles(images);
        let counted = r.iter().filter(|x| x.is_image()).count();
        let summary = RepositorySummary::from_images("test", repo, images.iter());
        assert_eq!(summary.images, counted, "{repo}: repos count");
        assert_eq!(fleet_images(images).len(), counted, "{repo}: fleet query");
        for (i, im) in images.iter().enumerate() {
            if !r[i].is_image() {
                continue;
            }
            let plan = reclaimed_alone(images, i, scope);
            assert_eq!(plan.summary.images, counted, "{repo}: plan count");
            assert!(plan.reclaim_method.starts_with("blobs: exact"), "{plan:#?}");
            assert_eq!(
                im.unique_bytes,
                Some(plan.summary.reclaimed_bytes),
                "{repo}@{} ({:?}): UNIQUE is what deleting it alone reclaims\n{:#?}",
                im.digest,
                im.tags,
                plan.actions
            );
            if im.kind == ImageKind::Index {
                indexes += 1;
                // Its untagged platforms go with it; so do referrers of anything removed.
                for (k, role) in r.iter().enumerate() {
                    let gone = plan.actions.iter().any(|a| a.digest == images[k].digest);
                    if matches!(role, Role::Child { parent } if *parent as usize == i)
                        && images[k].tags.is_empty()
                    {
                        assert!(gone, "{repo}: platform {} stays", images[k].digest);
                    }
                    if let Role::Referrer { subject } = role {
                        let subject_gone = plan
                            .actions
                            .iter()
                            .any(|a| a.digest == images[*subject as usize].digest);
                        assert_eq!(gone, subject_gone, "{repo}: referrer {}", images[k].digest);
                    }
                }
            }
        }
    }
    indexes
}

#[test]
fn unique_is_what_deleting_alone_reclaims_over_the_demo_fleet() {
    let dir = tempfile::tempdir().unwrap();
    regscope(
        dir.path(),
        &[
            "demo",
            "--build-only",
            "--dir",
            "demo",
            "--epoch",
            "2026-11-16T00:00:00Z",
        ],
    );
    let target = format!("oci:{}", dir.path().join("demo").display());
    let inv = inventory(dir.path(), &target);
    assert!(inv.errors.is_empty(), "{:?}", inv.errors);
    // A layout holds its own blobs per repository.
    let indexes = check(&inv, ReclaimScope::Repository);
    assert!(indexes > 20, "the demo has multi-arch indexes: {indexes}");
}

#[tokio::test]
async fn unique_is_what_deleting_alone_reclaims_on_a_real_registry() {
    let Some(reg) = TestRegistry::start() else {
        return;
    };
    let f = fleet::seed(&Seeder::new(&reg.base_url())).await;
    let dir = tempfile::tempdir().unwrap();
    let inv = inventory(dir.path(), &reg.addr);
    assert!(inv.errors.is_empty(), "{:?}", inv.errors);
    // The plan of one repository's records: registry-wide storage reduces to it.
    let indexes = check(&inv, ReclaimScope::Registry);
    assert_eq!(indexes, 2, "team-a/multi and team-b/legacy");
    // The index over amd64 and arm64 with an attestation: its unique bytes hold both
    // platforms' own and what they share, not just its own (empty) blob list.
    let get = |d: &str| {
        inv.images
            .iter()
            .find(|i| i.digest.as_str() == d)
            .unwrap()
            .unique_bytes
            .unwrap()
    };
    let (index, amd, arm) = (
        get(&f.multi_index.digest),
        get(&f.multi_amd64.digest),
        get(&f.multi_arm64.digest),
    );
    assert!(amd > 0 && arm > 0, "{amd} {arm}");
    assert!(index >= amd + arm, "{index} < {amd} + {arm}");
}
