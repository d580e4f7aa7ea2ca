//! Property: over random fleets with missing, epoch, future and shared times, no age or
//! count rule of any evaluator deletes an image whose ordering time is unknown, and no
//! image newer (by the time used) than a kept image of the same selection is deleted.

use super::order_time::{CreatedTimes, TimeSource};
use crate::model::{Digest, Image, ImageKind, TagDetail};
use crate::policy::graph::Graph;
use crate::policy::{ecr, gar, harbor, Evaluation, Switches};
use chrono::{DateTime, Duration, Utc};
use proptest::prelude::*;

fn now() -> DateTime<Utc> {
    "2026-01-01T00:00:00Z".parse().unwrap()
}

/// One image: (repository 0..2, push hours ago or none, created kind, created hours ago).
type Spec = (u8, Option<u16>, u8, u16);

fn fleet(specs: &[Spec]) -> Vec<Image> {
    specs
        .iter()
        .enumerate()
        .map(|(i, &(repo, push, created_kind, created_h))| {
            let mut im = Image::new(
                &format!("p/r{repo}"),
                Digest::sha256_of(format!("img{i}").as_bytes()),
                "application/vnd.oci.image.manifest.v1+json",
                ImageKind::Image,
            );
            im.tags = vec![format!("t{i}")];
            im.size_bytes = Some(1);
            // Coarse hours so genuine ties happen.
            im.pushed_at = push.map(|h| now() - Duration::hours(h as i64 % 50 * 12));
            im.created_at = match created_kind % 6 {
                0 => None,
                1 => Some("1970-01-01T00:00:00Z".parse().unwrap()),
                2 => Some(now() + Duration::days(3)),
                // A constant several images share.
                3 => Some("2024-02-02T00:00:00Z".parse().unwrap()),
                _ => Some(now() - Duration::hours(created_h as i64 % 50 * 12)),
            };
            im
        })
        .collect()
}

/// The ordering time an evaluator reading the push time should use, in seconds.
fn push_time(images: &[Image], g: &Graph, c: &CreatedTimes, i: usize) -> Option<i64> {
    c.resolve(images, g, i, images[i].pushed_at, TimeSource::Pushed)
        .ok()
        .map(|x| x.0.timestamp())
}

/// Checks the two properties for one evaluation whose only rule selects every image.
fn check(images: &[Image], ev: &Evaluation, what: &str) -> Result<(), TestCaseError> {
    let g = Graph::build(images);
    let c = CreatedTimes::new(images, &g, now());
    let mut deleted = vec![false; images.len()];
    for d in &ev.decisions {
        deleted[d.image] = true;
        let t = push_time(images, &g, &c, d.image);
        prop_assert!(
            t.is_some(),
            "{what}: image {} deleted with an unknown time",
            d.image
        );
        prop_assert!(d.time_source.is_some(), "{what}: no time_source");
    }
    for (i, &gone) in deleted.iter().enumerate() {
        if !gone {
            continue;
        }
        for (k, &kept) in deleted.iter().enumerate() {
            if kept || images[k].repository != images[i].repository {
                continue;
            }
            if let (Some(ti), Some(tk)) =
                (push_time(images, &g, &c, i), push_time(images, &g, &c, k))
            {
                prop_assert!(
                    ti <= tk,
                    "{what}: deleted {i} ({ti}) is newer than kept {k} ({tk})"
                );
            }
        }
    }
    Ok(())
}

fn spec() -> impl Strategy<Value = Vec<Spec>> {
    prop::collection::vec(
        (
            0u8..2,
            prop::option::weighted(0.6, 0u16..200),
            0u8..12,
            0u16..200,
        ),
        0..24,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(192))]

    #[test]
    fn ecr_count_and_age_rules_never_delete_on_a_guess(specs in spec(), n in 0u64..6, days in 1u64..20) {
        let images = fleet(&specs);
        let count = ecr::tests::policy(&[ecr::tests::rule(1, r#""tagStatus":"any""#, "imageCountMoreThan", n.max(1), "expire")]);
        check(&images, &count.evaluate(&images, now(), &Switches::default()), "ecr count")?;
        let age = ecr::tests::policy(&[ecr::tests::rule(1, r#""tagStatus":"any""#, "sinceImagePushed", days, "expire")]);
        let ev = age.evaluate(&images, now(), &Switches::default());
        for d in &ev.decisions {
            let g = Graph::build(&images);
            let c = CreatedTimes::new(&images, &g, now());
            let t = push_time(&images, &g, &c, d.image);
            prop_assert!(t.is_some_and(|t| now().timestamp() - t > days as i64 * 86_400));
        }
    }

    #[test]
    fn harbor_latest_pushed_never_deletes_on_a_guess(specs in spec(), k in 0i64..6) {
        let mut images = fleet(&specs);
        // Harbor reads tag push times too: give some tags the artifact's push time.
        for im in images.iter_mut().step_by(3) {
            im.tag_details = Some(vec![TagDetail { name: im.tags[0].clone(), pushed_at: im.pushed_at, ..Default::default() }]);
        }
        let text = format!(
            r#"{{"algorithm":"or","scope":{{"level":"project","ref":1}},"rules":[{{"priority":1,"disabled":false,"action":"retain","template":"latestPushedK","params":{{"latestPushedK":{k}}},"tag_selectors":[{{"kind":"doublestar","decoration":"matches","pattern":"**","extras":"{{\"untagged\":true}}"}}],"scope_selectors":{{"repository":[{{"kind":"doublestar","decoration":"repoMatches","pattern":"**"}}]}}}}]}}"#
        );
        let p = harbor::HarborPolicy::parse(&text).unwrap();
        check(&images, &p.evaluate(&images, now(), &Switches::default()), "harbor latestPushedK")?;
    }

    #[test]
    fn gar_age_and_keep_count_never_delete_on_a_guess(specs in spec(), keep in 0usize..5, days in 1u64..20) {
        let images = fleet(&specs);
        let text = format!(
            r#"[{{"name":"old","action":{{"type":"Delete"}},"condition":{{"tagState":"ANY","olderThan":"{days}d"}}}},
               {{"name":"recent","action":{{"type":"Keep"}},"mostRecentVersions":{{"keepCount":{keep}}}}}]"#
        );
        let p = gar::GarPolicy::parse(&text).unwrap();
        let mut sw = Switches::default();
        sw.set("gar.package_root=0").unwrap();
        let ev = p.evaluate(&images, now(), &sw);
        let g = Graph::build(&images);
        let c = CreatedTimes::new(&images, &g, now());
        for d in &ev.decisions {
            let t = push_time(&images, &g, &c, d.image);
            prop_assert!(t.is_some_and(|t| now().timestamp() - t > days as i64 * 86_400));
            prop_assert!(d.time_source.is_some());
        }
        // Keep-count: nothing deleted is newer than a version of its package it kept
        // for being among the most recent.
        if keep > 0 {
            for d in &ev.decisions {
                let td = push_time(&images, &g, &c, d.image).unwrap();
                let newer = (0..images.len()).filter(|&k| {
                    images[k].repository == images[d.image].repository
                        && push_time(&images, &g, &c, k).is_some_and(|t| t > td)
                }).count();
                prop_assert!(newer >= keep, "deleted version has only {newer} newer");
            }
        }
    }
}
