//! Large inventories take the two-thread paths (graph scan, ranking by repository, the
//! partitioned reclaim); their results must equal evaluating each repository alone.

use super::tests::{policy, rule};
use crate::model::{BlobRef, Digest, Image, ImageKind};
use crate::policy::testkit::now;
use crate::policy::Switches;
use chrono::Duration;

fn fleet(n: usize, per_repo: usize) -> Vec<Image> {
    (0..n)
        .map(|i| {
            let k = i % per_repo;
            let mut im = Image::new(
                &format!("team/svc-{}", i / per_repo),
                Digest::sha256_of(format!("s{i}").as_bytes()),
                "application/vnd.oci.image.manifest.v1+json",
                ImageKind::Image,
            );
            im.tags = match k % 5 {
                0 => vec![format!("release-{k}")],
                1 => vec![format!("v1.{k}"), format!("sha-{i:x}")],
                2 => vec![format!("dev-{k}")],
                _ => vec![],
            };
            // Every 7th image shares its push time with the one before: ties on purpose.
            let h = ((i - (i % 7 == 0 && i > 0) as usize) * 7919) % (400 * 24);
            im.pushed_at = Some(now() - Duration::hours(h as i64));
            im.size_bytes = Some(10);
            im.blobs = Some(vec![BlobRef {
                digest: Digest::sha256_of(format!("b{}", i / 3).as_bytes()),
                size: 10,
            }]);
            im
        })
        .collect()
}

#[test]
fn two_threads_decide_what_each_repository_alone_decides() {
    let per_repo = 700;
    let images = fleet(84_000, per_repo);
    let p = policy(&[
        rule(
            1,
            r#""tagStatus":"tagged","tagPatternList":["release-*"]"#,
            "imageCountMoreThan",
            20,
            "expire",
        ),
        rule(
            2,
            r#""tagStatus":"tagged","tagPatternList":["v*","sha-*"]"#,
            "sinceImagePushed",
            100,
            "expire",
        ),
        rule(
            3,
            r#""tagStatus":"tagged","tagPrefixList":["dev-"]"#,
            "imageCountMoreThan",
            10,
            "expire",
        ),
        rule(
            4,
            r#""tagStatus":"untagged""#,
            "sinceImagePushed",
            14,
            "expire",
        ),
        rule(
            5,
            r#""tagStatus":"any""#,
            "imageCountMoreThan",
            300,
            "expire",
        ),
    ]);
    let sw = Switches::default();
    let whole = p.evaluate(&images, now(), &sw);
    let mut alone = Vec::new();
    let mut warnings = Vec::new();
    for (r, chunk) in images.chunks(per_repo).enumerate() {
        let ev = p.evaluate(chunk, now(), &sw);
        warnings.extend(ev.warnings);
        alone.extend(ev.decisions.into_iter().map(|mut d| {
            d.image += r * per_repo;
            d
        }));
    }
    assert!(whole.decisions.len() > 10_000, "{}", whole.decisions.len());
    assert_eq!(whole.decisions, alone);
    assert_eq!(whole.warnings, warnings);
    assert!(whole.warnings.iter().any(|w| w.contains("genuine tie")));
}

/// The partitioned two-thread reclaim equals a plain count over every blob.
#[test]
fn partitioned_reclaim_equals_a_plain_count() {
    use crate::policy::graph::Graph;
    use crate::policy::reclaim::{estimate, ReclaimScope};
    use std::collections::HashMap;
    let images = fleet(90_000, 900);
    let removed: Vec<bool> = (0..images.len()).map(|i| i % 4 != 1).collect();
    let g = Graph::build(&images);
    for scope in [ReclaimScope::Registry, ReclaimScope::Repository] {
        let mut blobs: HashMap<(String, &Digest), (u64, bool, bool)> = HashMap::new();
        for (i, im) in images.iter().enumerate() {
            let space = match scope {
                ReclaimScope::Registry => String::new(),
                ReclaimScope::Repository => im.repository.clone(),
            };
            for b in im.blobs.as_ref().unwrap() {
                let e = blobs
                    .entry((space.clone(), &b.digest))
                    .or_insert((b.size, false, false));
                if removed[i] {
                    e.2 = true;
                } else {
                    e.1 = true;
                }
            }
        }
        let plain: u64 = blobs.values().filter(|v| v.2 && !v.1).map(|v| v.0).sum();
        let est = estimate(&images, &g, &removed, scope);
        assert!(plain > 0);
        assert_eq!(est.reclaimed_bytes, plain, "{scope:?}");
    }
}
