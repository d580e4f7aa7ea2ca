//! The plan's guarantees: protections, followers, reclaim, the wire format, and property
//! tests over random inventories and ECR policies.

use super::ecr::tests::{policy, rule};
use super::inuse::InUse;
use super::plan::{DeletionPlan, PlanOptions, PLAN_SCHEMA};
use super::reclaim::ReclaimScope;
use super::testkit::*;
use super::{ActionKind, PolicyFormat, Switches};
use crate::model::{BlobRef, Digest, Image, ImageKind, Lock};
use proptest::prelude::*;

pub(super) fn opts() -> PlanOptions {
    PlanOptions {
        registry: "127.0.0.1:5000".into(),
        format: PolicyFormat::Ecr,
        evaluated_at: now(),
        policy_source: None,
        switches: Switches::default().describe(PolicyFormat::Ecr),
        scope: ReclaimScope::Registry,
        in_use: None,
        unlock: false,
    }
}

fn any_older_than(days: u64) -> super::ecr::EcrPolicy {
    policy(&[rule(
        1,
        r#""tagStatus":"any""#,
        "sinceImagePushed",
        days,
        "expire",
    )])
}

pub(super) fn plan(
    images: &[Image],
    p: &super::ecr::EcrPolicy,
    sw: &Switches,
    o: &PlanOptions,
) -> DeletionPlan {
    DeletionPlan::build(images, &p.evaluate(images, now(), sw), o)
}

fn planned(p: &DeletionPlan) -> Vec<Digest> {
    let mut v: Vec<Digest> = p.actions.iter().map(|a| a.digest.clone()).collect();
    v.sort();
    v
}

#[test]
fn children_of_a_surviving_index_are_protected_even_when_ranked() {
    let mut i = img("r", "I", &["v1"], "1d");
    i.kind = ImageKind::Index;
    i.children = vec![dg("c1")];
    let images = vec![i, img("r", "c1", &[], "100d")];
    let mut sw = Switches::default();
    sw.set("ecr.rank_index_children=true").unwrap();
    let p = plan(&images, &any_older_than(30), &sw, &opts());
    assert!(p.actions.is_empty(), "{:?}", p.actions);
    assert_eq!(p.protected.len(), 1);
    assert!(
        p.protected[0].why.contains("child of surviving index")
            && p.protected[0].why.contains("v1"),
        "{:?}",
        p.protected
    );
}

#[test]
fn children_of_a_removed_index_may_go_and_referrers_follow_their_subject() {
    let mut i = img("r", "I", &["v1"], "100d");
    i.kind = ImageKind::Index;
    i.children = vec![dg("c1")];
    let mut sig = img("r", "SIG", &[], "1d");
    sig.subject = Some(dg("I"));
    let images = vec![i, img("r", "c1", &[], "100d"), sig];
    let mut sw = Switches::default();
    sw.set("ecr.rank_index_children=true").unwrap();
    let p = plan(&images, &any_older_than(30), &sw, &opts());
    assert_eq!(planned(&p), {
        let mut v = vec![dg("I"), dg("c1"), dg("SIG")];
        v.sort();
        v
    });
    let follower = p.actions.iter().find(|a| a.digest == dg("SIG")).unwrap();
    assert_eq!(follower.rule, "follows subject");
}

#[test]
fn referrers_of_a_surviving_subject_are_never_planned() {
    let mut sig = img("r", "SIG", &[], "100d");
    sig.subject = Some(dg("S"));
    let images = vec![img("r", "S", &["v1"], "1d"), sig];
    let mut sw = Switches::default();
    sw.set("ecr.rank_index_children=true").unwrap();
    let p = plan(&images, &any_older_than(30), &sw, &opts());
    assert!(p.actions.is_empty());
}

#[test]
fn in_use_and_locked_images_are_protected_with_reasons() {
    let mut locked = img("r", "L", &["old-2"], "100d");
    locked.locked = Some(Lock {
        write_enabled: false,
        delete_enabled: true,
    });
    let images = vec![
        img("r", "U", &["old-1"], "100d"),
        locked,
        img("r", "X", &[], "100d"),
    ];
    let mut o = opts();
    o.in_use = Some(InUse::parse("127.0.0.1:5000/r:old-1\n").unwrap());
    let p = plan(&images, &any_older_than(30), &Switches::default(), &o);
    assert_eq!(planned(&p), [dg("X")]);
    let whys: Vec<&str> = p.protected.iter().map(|x| x.why.as_str()).collect();
    assert!(whys.iter().any(|w| w.contains("in use by tag")), "{whys:?}");
    assert!(whys.iter().any(|w| w.contains("locked")), "{whys:?}");
    assert!(p
        .protected
        .iter()
        .all(|x| x.would.as_deref() == Some("expire by rule 1")));
}

pub(super) fn blob(id: &str, size: u64) -> BlobRef {
    BlobRef {
        digest: dg(id),
        size,
    }
}

#[test]
fn reclaim_counts_only_blobs_no_survivor_reaches() {
    let mut a = img("r", "A", &[], "100d");
    a.blobs = Some(vec![blob("base", 70), blob("a-top", 30)]);
    a.size_bytes = Some(100);
    let mut b = img("r", "B", &[], "100d");
    b.blobs = Some(vec![blob("base", 70), blob("b-top", 20)]);
    b.size_bytes = Some(90);
    let mut c = img("other", "C", &["keep"], "1d");
    c.blobs = Some(vec![blob("b-top", 20)]);
    c.size_bytes = Some(20);
    let images = vec![a, b, c];
    let p = plan(&images, &any_older_than(30), &Switches::default(), &opts());
    assert_eq!(p.summary.naive_bytes, 190);
    // base counted once; b-top survives in "other" (registry-wide store).
    assert_eq!(p.summary.reclaimed_bytes, 100);
    assert_eq!(p.reclaim_scope, "registry");
    let mut o = opts();
    o.scope = ReclaimScope::Repository;
    let p = plan(&images, &any_older_than(30), &Switches::default(), &o);
    assert_eq!(p.summary.reclaimed_bytes, 120);
    assert!(p.reclaim_method.starts_with("blobs"));
}

/// A blob two manifests declare with different sizes has no known size: a plan freeing
/// it counts neither declaration and says so, naming the digest and both sizes.
#[test]
fn reclaim_leaves_out_a_freed_blob_declared_with_two_sizes_and_warns() {
    let mut a = img("r", "A", &[], "100d");
    a.blobs = Some(vec![blob("base", 70), blob("a-top", 30)]);
    a.size_bytes = Some(100);
    let mut b = img("r", "B", &[], "100d");
    b.blobs = Some(vec![blob("base", 7000), blob("b-top", 20)]);
    b.size_bytes = None; // the crawl's blob graph leaves it unknown
    let images = vec![a.clone(), b.clone()];
    for scope in [ReclaimScope::Registry, ReclaimScope::Repository] {
        let mut o = opts();
        o.scope = scope;
        let p = plan(&images, &any_older_than(30), &Switches::default(), &o);
        assert_eq!(p.summary.reclaimed_bytes, 50, "{scope:?}: the tops only");
        assert_eq!(p.summary.naive_bytes, 100);
        assert_eq!(p.summary.unknown_sizes, 1);
        let warning = p
            .warnings
            .iter()
            .find(|w| w.contains(dg("base").as_str()))
            .unwrap_or_else(|| panic!("no warning naming the blob: {:?}", p.warnings));
        assert!(warning.contains("70 bytes and 7000 bytes"), "{warning}");
        assert!(
            p.reclaim_method.contains("1 freed blob is declared"),
            "{}",
            p.reclaim_method
        );
    }
    // the conflicted blob survives in a kept image: nothing freed is unknown, no warning
    let mut keep = img("r", "K", &["keep"], "1d");
    keep.blobs = Some(vec![blob("base", 70)]);
    keep.size_bytes = Some(70);
    let images = vec![a, b, keep];
    let p = plan(&images, &any_older_than(30), &Switches::default(), &opts());
    assert_eq!(p.summary.reclaimed_bytes, 50);
    assert!(
        !p.warnings.iter().any(|w| w.contains(dg("base").as_str())),
        "{:?}",
        p.warnings
    );
}

#[test]
fn reclaim_falls_back_honestly_without_blob_lists() {
    let mut a = img("r", "A", &[], "100d");
    a.unique_bytes = Some(40);
    let images = vec![a, img("r", "B", &["new"], "1d")];
    let p = plan(&images, &any_older_than(30), &Switches::default(), &opts());
    assert_eq!(p.summary.naive_bytes, MB100);
    assert_eq!(p.summary.reclaimed_bytes, 40);
    assert!(
        p.reclaim_method.contains("approximate") && p.reclaim_method.contains("lower bound"),
        "{}",
        p.reclaim_method
    );
}

#[test]
fn wire_format_round_trips_and_refuses_other_versions() {
    let images = vec![img("r", "A", &["x", "y"], "100d")];
    let p = plan(&images, &any_older_than(30), &Switches::default(), &opts());
    let text = serde_json::to_string_pretty(&p).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["schema"], PLAN_SCHEMA);
    assert_eq!(v["policy_format"], "ecr");
    assert_eq!(v["evaluated_at"], "2026-01-01T00:00:00Z");
    let a = &v["actions"][0];
    for k in ["repository", "digest", "action", "tags", "rule", "reason"] {
        assert!(a.get(k).is_some(), "{k} missing in {a}");
    }
    assert_eq!(a["tags"], serde_json::json!(["x", "y"]));
    for k in ["images", "actions", "naive_bytes", "reclaimed_bytes"] {
        assert!(v["summary"].get(k).is_some(), "{k}");
    }
    assert_eq!(DeletionPlan::from_json(&text).unwrap(), p);
    let other = text.replace(PLAN_SCHEMA, "regscope.plan/v2");
    let e = DeletionPlan::from_json(&other).unwrap_err();
    assert!(
        e.contains("regscope.plan/v2") && e.contains(PLAN_SCHEMA),
        "{e}"
    );
}

#[test]
fn archiving_tagged_images_warns_that_tags_become_unpullable() {
    let images = vec![img("r", "A", &["x"], "100d")];
    let p = plan(
        &images,
        &policy(&[rule(
            1,
            r#""tagStatus":"any""#,
            "sinceImagePushed",
            30,
            "transition",
        )]),
        &Switches::default(),
        &opts(),
    );
    assert_eq!(p.actions[0].action, ActionKind::Transition);
    assert!(
        p.warnings.iter().any(|w| w.contains("unpullable")),
        "{:?}",
        p.warnings
    );
    assert_eq!(p.summary.naive_bytes, 0, "a transition frees nothing");
}

#[test]
fn compare_reports_both_directions() {
    let images = vec![
        img("r", "A", &[], "100d"),
        img("r", "B", &[], "40d"),
        img("r", "C", &[], "1d"),
    ];
    let cur = plan(&images, &any_older_than(60), &Switches::default(), &opts());
    let prop = plan(&images, &any_older_than(30), &Switches::default(), &opts());
    let c = super::compare::compare(&cur, &prop);
    assert_eq!(
        c.only_proposed
            .iter()
            .map(|a| a.digest.clone())
            .collect::<Vec<_>>(),
        [dg("B")]
    );
    assert!(c.only_current.is_empty());
    assert_eq!(c.both, 1);
}

// ---------- properties ----------

fn arb_images() -> impl Strategy<Value = Vec<Image>> {
    let one = (
        prop::collection::vec(
            prop::sample::select(vec![
                "prod-1", "prod-2", "beta-1", "v1", "v2", "latest", "sha-a",
            ]),
            0..3,
        ),
        0i64..400,
        prop::collection::vec(0usize..8, 1..4),
        0u8..10,
    );
    prop::collection::vec(one, 1..14).prop_map(|specs| {
        let n = specs.len();
        let mut images: Vec<Image> = specs
            .iter()
            .enumerate()
            .map(|(i, (tags, age, blobs, _))| {
                let mut im = img("r", &format!("p{i}"), tags, &format!("{age}d"));
                let mut seen = std::collections::BTreeSet::new();
                let bl: Vec<BlobRef> = blobs
                    .iter()
                    .filter(|b| seen.insert(**b))
                    .map(|b| blob(&format!("blob{b}"), 10 + *b as u64))
                    .collect();
                im.size_bytes = Some(bl.iter().map(|b| b.size).sum());
                im.blobs = Some(bl);
                im
            })
            .collect();
        // Some images become indexes over later images, some referrers of earlier ones.
        for i in 0..n {
            let shape = specs[i].3;
            if shape < 2 && i + 2 < n {
                images[i].kind = ImageKind::Index;
                images[i].children =
                    vec![images[i + 1].digest.clone(), images[i + 2].digest.clone()];
            } else if shape == 2 && i > 0 {
                images[i].subject = Some(images[i - 1].digest.clone());
            }
        }
        images
    })
}

fn arb_policy() -> impl Strategy<Value = super::ecr::EcrPolicy> {
    let tagged = prop::sample::select(vec![
        r#"["prod*"]"#,
        r#"["beta*"]"#,
        r#"["v*"]"#,
        r#"["*"]"#,
        r#"["prod*","v*"]"#,
        r#"["sha-*"]"#,
    ]);
    (
        prop::collection::vec((tagged, 0u8..2, 1u64..60), 0..3),
        0u8..3,
        1u64..4,
        0u8..2,
    )
        .prop_map(|(ts, untagged, un, any)| {
            let mut rules = Vec::new();
            let mut prio = 1;
            let mut used = std::collections::HashSet::new();
            for (list, kind, n) in ts {
                if !used.insert(list) {
                    continue;
                }
                let sel = format!(r#""tagStatus":"tagged","tagPatternList":{list}"#);
                let ct = if kind == 0 {
                    "imageCountMoreThan"
                } else {
                    "sinceImagePushed"
                };
                rules.push(rule(prio, &sel, ct, n, "expire"));
                prio += 1;
            }
            if untagged > 0 {
                rules.push(rule(
                    prio,
                    r#""tagStatus":"untagged""#,
                    if untagged == 1 {
                        "imageCountMoreThan"
                    } else {
                        "sinceImagePushed"
                    },
                    un,
                    "expire",
                ));
                prio += 1;
            }
            if any > 0 || rules.is_empty() {
                rules.push(rule(
                    prio,
                    r#""tagStatus":"any""#,
                    "sinceImagePushed",
                    30,
                    "expire",
                ));
            }
            policy(&rules)
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn a_higher_priority_claim_is_never_expired_by_a_lower_rule(images in arb_images(), p in arb_policy(), rank_children in any::<bool>()) {
        let sw = Switches { ecr_rank_index_children: rank_children, ..Switches::default() };
        let ev = p.evaluate(&images, now(), &sw);
        for d in &ev.decisions {
            let prio: i64 = d.rule.parse().unwrap();
            for r in p.rules.iter().filter(|r| r.priority < prio) {
                prop_assert!(!super::ecr::tag_requirement_matches(r, &images[d.image], true),
                    "image {} expired by P{} although P{} claims it", d.image, prio, r.priority);
            }
        }
    }

    #[test]
    fn no_child_of_a_surviving_index_or_referrer_of_a_surviving_subject_is_planned(images in arb_images(), p in arb_policy(), rank_children in any::<bool>()) {
        let sw = Switches { ecr_rank_index_children: rank_children, ..Switches::default() };
        let plan = plan(&images, &p, &sw, &opts());
        let gone: std::collections::HashSet<&Digest> = plan.actions.iter().filter(|a| a.action == ActionKind::Expire).map(|a| &a.digest).collect();
        for im in &images {
            if gone.contains(&im.digest) {
                if let Some(s) = &im.subject {
                    prop_assert!(gone.contains(s), "referrer of surviving subject planned");
                }
            }
            if im.kind == ImageKind::Index && !gone.contains(&im.digest) {
                for c in &im.children {
                    prop_assert!(!gone.contains(c), "child of surviving index planned");
                }
            }
        }
    }

    #[test]
    fn reclaimed_never_exceeds_naive(images in arb_images(), p in arb_policy(), repo_scope in any::<bool>()) {
        let mut o = opts();
        if repo_scope { o.scope = ReclaimScope::Repository; }
        let plan = plan(&images, &p, &Switches::default(), &o);
        prop_assert!(plan.summary.reclaimed_bytes <= plan.summary.naive_bytes,
            "{} > {}", plan.summary.reclaimed_bytes, plan.summary.naive_bytes);
    }
}
