//! lifecycle.md §1.8 ECR evaluation vectors (named after their ids) and our own.

use super::EcrPolicy;
use crate::model::{ImageKind, StorageClass};
use crate::policy::testkit::*;
use crate::policy::{ActionKind, Switches};

/// `rule(1, r#""tagStatus":"tagged","tagPatternList":["prod*"]"#, "imageCountMoreThan", 1, "expire")`
pub fn rule(prio: i64, tags: &str, count: &str, n: u64, action: &str) -> String {
    let unit = if count == "imageCountMoreThan" {
        ""
    } else {
        r#","countUnit":"days""#
    };
    let action = if action == "transition" {
        r#"{"type":"transition","targetStorageClass":"archive"}"#.to_string()
    } else {
        format!(r#"{{"type":"{action}"}}"#)
    };
    format!(
        r#"{{"rulePriority":{prio},"description":"rule {prio}","selection":{{{tags},"countType":"{count}"{unit},"countNumber":{n}}},"action":{action}}}"#
    )
}

pub fn policy(rules: &[String]) -> EcrPolicy {
    let text = format!(r#"{{"rules":[{}]}}"#, rules.join(","));
    EcrPolicy::parse(&text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

fn run(p: &EcrPolicy, images: &[crate::model::Image]) -> Vec<String> {
    acted_with_rule(images, &p.evaluate(images, now(), &Switches::default()))
}

const TAGGED: &str = r#""tagStatus":"tagged""#;

fn patterns(list: &str) -> String {
    format!(r#"{TAGGED},"tagPatternList":{list}"#)
}

#[test]
fn ecr_d1_priority_claim() {
    let images = vec![
        img("r", "A", &["beta-1", "prod-1"], "10d"),
        img("r", "B", &["beta-2", "prod-2"], "9d"),
        img("r", "C", &["beta-3"], "8d"),
    ];
    let p = policy(&[
        rule(
            1,
            &patterns(r#"["prod*"]"#),
            "imageCountMoreThan",
            1,
            "expire",
        ),
        rule(
            2,
            &patterns(r#"["beta*"]"#),
            "imageCountMoreThan",
            1,
            "expire",
        ),
    ]);
    assert_eq!(run(&p, &images), ["A(1)"]);
    // The older doc revision with prefixes gives the same outcome.
    let p = policy(&[
        rule(
            1,
            &format!(r#"{TAGGED},"tagPrefixList":["prod"]"#),
            "imageCountMoreThan",
            1,
            "expire",
        ),
        rule(
            2,
            &format!(r#"{TAGGED},"tagPrefixList":["beta"]"#),
            "imageCountMoreThan",
            1,
            "expire",
        ),
    ]);
    assert_eq!(run(&p, &images), ["A(1)"]);
}

#[test]
fn ecr_d2_priorities_swapped() {
    let images = vec![
        img("r", "A", &["beta-1", "prod-1"], "10d"),
        img("r", "B", &["beta-2", "prod-2"], "9d"),
        img("r", "C", &["beta-3"], "8d"),
    ];
    let p = policy(&[
        rule(
            1,
            &patterns(r#"["beta*"]"#),
            "imageCountMoreThan",
            1,
            "expire",
        ),
        rule(
            2,
            &patterns(r#"["prod*"]"#),
            "imageCountMoreThan",
            1,
            "expire",
        ),
    ]);
    assert_eq!(run(&p, &images), ["A(1)", "B(1)"]);
}

#[test]
fn ecr_d3_and_list_with_age() {
    let images = vec![
        img("r", "A", &["alpha-1"], "12d"),
        img("r", "B", &["beta-1"], "11d"),
        img("r", "C", &["alpha-2", "beta-2"], "10d"),
        img("r", "D", &["alpha-3"], "4d"),
        img("r", "E", &["beta-3"], "3d"),
        img("r", "F", &["alpha-4", "beta-4"], "2d"),
    ];
    let p = policy(&[rule(
        1,
        &patterns(r#"["alpha*","beta*"]"#),
        "sinceImagePushed",
        5,
        "expire",
    )]);
    assert_eq!(run(&p, &images), ["C(1)"]);
}

#[test]
fn ecr_d4_tags_are_not_exclusive() {
    let images = vec![
        img("r", "A", &["alpha-1", "beta-1", "gamma-1"], "10d"),
        img("r", "B", &["alpha-2", "beta-2"], "9d"),
        img("r", "C", &["alpha-3", "beta-3", "gamma-2"], "8d"),
    ];
    let p = policy(&[rule(
        1,
        &patterns(r#"["alpha*","beta*"]"#),
        "imageCountMoreThan",
        1,
        "expire",
    )]);
    assert_eq!(run(&p, &images), ["A(1)", "B(1)"]);
}

#[test]
fn ecr_d5_any_with_count() {
    let images = vec![
        img("r", "A", &["alpha-1"], "4d"),
        img("r", "B", &["beta-1"], "3d"),
        img("r", "C", &[], "2d"),
        img("r", "D", &["alpha-2"], "1d"),
    ];
    let p = policy(&[rule(
        1,
        r#""tagStatus":"any""#,
        "imageCountMoreThan",
        1,
        "expire",
    )]);
    assert_eq!(run(&p, &images), ["A(1)", "B(1)", "C(1)"]);
}

#[test]
fn ecr_d6_three_rule_kinds_combined() {
    let images = vec![
        img("r", "A", &["alpha-1", "beta-1"], "4d"),
        img("r", "B", &[], "3d"),
        img("r", "C", &["alpha-2"], "2d"),
        img("r", "D", &["3f2a9c1"], "25h"),
        img("r", "E", &[], "23h"),
    ];
    let p = policy(&[
        rule(
            1,
            &patterns(r#"["alpha*"]"#),
            "imageCountMoreThan",
            1,
            "expire",
        ),
        rule(
            2,
            r#""tagStatus":"untagged""#,
            "sinceImagePushed",
            1,
            "expire",
        ),
        rule(3, r#""tagStatus":"any""#, "imageCountMoreThan", 1, "expire"),
    ]);
    assert_eq!(run(&p, &images), ["A(1)", "B(2)", "D(3)"]);
}

#[test]
fn ecr_x1_protect_then_sweep() {
    let images = vec![
        img("r", "V1", &["v1.0.0"], "400d"),
        img("r", "V2", &["sha-aaa", "v1.1.0"], "200d"),
        img("r", "S1", &["sha-bbb"], "100d"),
        img("r", "U1", &[], "60d"),
        img("r", "S2", &["sha-ccc"], "10d"),
    ];
    let p = policy(&[
        rule(
            1,
            &patterns(r#"["v*"]"#),
            "imageCountMoreThan",
            9999,
            "expire",
        ),
        rule(2, r#""tagStatus":"any""#, "sinceImagePushed", 30, "expire"),
    ]);
    assert_eq!(run(&p, &images), ["S1(2)", "U1(2)"]);
}

#[test]
fn ecr_x2_partial_tag_match_deletes_the_whole_image() {
    let images = vec![
        img("r", "M", &["sha-abc", "v2.0.0"], "30d"),
        img("r", "N", &["sha-def"], "3d"),
    ];
    let p = policy(&[rule(
        1,
        &patterns(r#"["sha-*"]"#),
        "sinceImagePushed",
        7,
        "expire",
    )]);
    assert_eq!(run(&p, &images), ["M(1)"]);
}

#[test]
fn ecr_x6_prefix_and_with_one_tag_satisfying_both() {
    let images = vec![
        img("r", "P", &["prodstable"], "10d"),
        img("r", "Q", &["prod-1"], "10d"),
    ];
    let p = policy(&[rule(
        1,
        &format!(r#"{TAGGED},"tagPrefixList":["prod","prods"]"#),
        "sinceImagePushed",
        5,
        "expire",
    )]);
    assert_eq!(run(&p, &images), ["P(1)"]);
}

#[test]
fn ecr_x7_archive_pull_and_transitioned_semantics() {
    let mut a = img("r", "A", &["a"], "400d");
    a.storage_class = Some(StorageClass::Standard);
    let mut b = img("r", "B", &["b"], "400d");
    b.last_pulled_at = Some(ago("10d"));
    let mut c = img("r", "C", &["c"], "400d");
    c.last_pulled_at = Some(ago("200d"));
    c.activated_at = Some(ago("30d"));
    let mut d = img("r", "D", &["d"], "400d");
    d.storage_class = Some(StorageClass::Archive);
    d.archived_at = Some(ago("400d"));
    let mut e = img("r", "E", &["e"], "400d");
    e.storage_class = Some(StorageClass::Archive);
    e.archived_at = Some(ago("100d"));
    let images = vec![a, b, c, d, e];
    let p = policy(&[
        rule(
            1,
            r#""tagStatus":"any""#,
            "sinceImagePulled",
            90,
            "transition",
        ),
        rule(
            2,
            r#""tagStatus":"any","storageClass":"archive""#,
            "sinceImageTransitioned",
            365,
            "expire",
        ),
    ]);
    let ev = p.evaluate(&images, now(), &Switches::default());
    assert_eq!(acted(&images, &ev, ActionKind::Transition), ["A"]);
    assert_eq!(acted(&images, &ev, ActionKind::Expire), ["D"]);
}

#[test]
fn ecr_x8_children_of_a_surviving_index_are_not_candidates() {
    let mut i = img("r", "I", &["v1"], "10d");
    i.kind = ImageKind::Index;
    i.children = vec![dg("c1"), dg("c2")];
    let images = vec![i, img("r", "c1", &[], "10d"), img("r", "c2", &[], "10d")];
    let p = policy(&[rule(
        1,
        r#""tagStatus":"untagged""#,
        "sinceImagePushed",
        1,
        "expire",
    )]);
    let ev = p.evaluate(&images, now(), &Switches::default());
    assert!(ev.decisions.is_empty(), "{:?}", ev.decisions);
    assert!(
        ev.warnings.iter().any(|w| w.contains("untagged rule")),
        "{:?}",
        ev.warnings
    );
    // Once the index is gone, the children are eligible.
    let ev = p.evaluate(&images[1..], now(), &Switches::default());
    assert_eq!(acted(&images[1..], &ev, ActionKind::Expire), ["c1", "c2"]);
    // With ecr.rank_index_children=true the evaluator marks them; the plan still protects them.
    let mut sw = Switches::default();
    sw.set("ecr.rank_index_children=true").unwrap();
    assert_eq!(p.evaluate(&images, now(), &sw).decisions.len(), 2);
}

#[test]
fn own_claim_without_mark_blocks_lower_rules_even_when_older() {
    // P1 claims everything tagged release-*, marks nothing (count 100); P2 sweeps by age.
    let images = vec![
        img("r", "R", &["release-1"], "300d"),
        img("r", "X", &["feature-x"], "300d"),
    ];
    let p = policy(&[
        rule(
            1,
            &patterns(r#"["release-*"]"#),
            "imageCountMoreThan",
            100,
            "expire",
        ),
        rule(2, r#""tagStatus":"any""#, "sinceImagePushed", 30, "expire"),
    ]);
    assert_eq!(run(&p, &images), ["X(2)"]);
}

#[test]
fn own_lower_count_rule_ranks_claimed_images() {
    // P2 keeps the newest 2 of all images; the newest image is claimed by P1 but still
    // occupies a slot, so only one unclaimed image survives P2.
    let images = vec![
        img("r", "N", &["keep-me"], "1d"),
        img("r", "O1", &["x1"], "2d"),
        img("r", "O2", &["x2"], "3d"),
        img("r", "O3", &["x3"], "4d"),
    ];
    let p = policy(&[
        rule(
            1,
            &patterns(r#"["keep-*"]"#),
            "imageCountMoreThan",
            50,
            "expire",
        ),
        rule(2, r#""tagStatus":"any""#, "imageCountMoreThan", 2, "expire"),
    ]);
    assert_eq!(run(&p, &images), ["O2(2)", "O3(2)"]);
}

#[test]
fn own_repositories_are_evaluated_separately() {
    let images = vec![
        img("a", "A1", &["v1"], "3d"),
        img("a", "A2", &["v2"], "2d"),
        img("b", "B1", &["v1"], "3d"),
    ];
    let p = policy(&[rule(
        1,
        r#""tagStatus":"any""#,
        "imageCountMoreThan",
        1,
        "expire",
    )]);
    assert_eq!(run(&p, &images), ["A1(1)"]);
}

#[test]
fn own_tie_at_the_boundary_keeps_both_unless_a_tie_break_is_chosen() {
    let images = vec![img("r", "T1", &["a"], "2d"), img("r", "T2", &["b"], "2d")];
    let p = policy(&[rule(
        1,
        r#""tagStatus":"any""#,
        "imageCountMoreThan",
        1,
        "expire",
    )]);
    // By default a genuine tie keeps every tied image, and says so with the real time.
    let ev = p.evaluate(&images, now(), &Switches::default());
    assert!(ev.decisions.is_empty(), "{:?}", ev.decisions);
    assert!(
        ev.warnings
            .iter()
            .any(|w| w.contains("genuine tie") && w.contains("pushed at 2025-12-30T00:00:00+00:00")),
        "{:?}",
        ev.warnings
    );
    let mut sw = Switches::default();
    sw.set("ecr.tie_break=digest").unwrap();
    let ev = p.evaluate(&images, now(), &sw);
    assert_eq!(ev.decisions.len(), 1);
    let (lo, hi) = if dg("T1") < dg("T2") {
        ("T1", "T2")
    } else {
        ("T2", "T1")
    };
    assert_eq!(
        acted(&images, &ev, ActionKind::Expire),
        [hi],
        "{lo} sorts first and is kept"
    );
    assert!(
        ev.warnings.iter().any(|w| w.contains("tie")),
        "{:?}",
        ev.warnings
    );
}

#[test]
fn own_age_boundary_switch() {
    let images = vec![img("r", "E", &[], "5d")];
    let p = policy(&[rule(
        1,
        r#""tagStatus":"untagged""#,
        "sinceImagePushed",
        5,
        "expire",
    )]);
    assert!(p
        .evaluate(&images, now(), &Switches::default())
        .decisions
        .is_empty());
    let mut sw = Switches::default();
    sw.set("ecr.age_boundary=>=").unwrap();
    assert_eq!(p.evaluate(&images, now(), &sw).decisions.len(), 1);
}

#[test]
fn own_restore_time_counts_for_since_pushed_and_ordering() {
    let mut r = img("r", "R", &[], "400d");
    r.activated_at = Some(ago("2d"));
    let images = vec![r];
    let p = policy(&[rule(
        1,
        r#""tagStatus":"untagged""#,
        "sinceImagePushed",
        30,
        "expire",
    )]);
    assert!(p
        .evaluate(&images, now(), &Switches::default())
        .decisions
        .is_empty());
    let mut sw = Switches::default();
    sw.set("ecr.restore_affects_since_pushed=false").unwrap();
    assert_eq!(p.evaluate(&images, now(), &sw).decisions.len(), 1);
}

#[test]
fn own_case_sensitivity_switch_and_unknown_push_time() {
    let mut u = img("r", "U", &["PROD-1"], "100d");
    let images = vec![u.clone()];
    let p = policy(&[rule(
        1,
        &patterns(r#"["prod*"]"#),
        "sinceImagePushed",
        5,
        "expire",
    )]);
    assert!(p
        .evaluate(&images, now(), &Switches::default())
        .decisions
        .is_empty());
    let mut sw = Switches::default();
    sw.set("ecr.pattern_case_sensitive=false").unwrap();
    assert_eq!(p.evaluate(&images, now(), &sw).decisions.len(), 1);
    u.pushed_at = None;
    let ev = p.evaluate(&[u], now(), &sw);
    assert!(ev.decisions.is_empty());
    assert!(
        ev.warnings
            .iter()
            .any(|w| w.contains("no credible push time")),
        "{:?}",
        ev.warnings
    );
    assert_eq!(ev.protected.len(), 1);
    assert!(ev.protected[0].why.starts_with("push time unknown"));
}

#[test]
fn own_referrers_are_not_independent_candidates() {
    let mut sig = img("r", "SIG", &[], "100d");
    sig.subject = Some(dg("S"));
    let images = vec![img("r", "S", &["v1"], "1d"), sig];
    let p = policy(&[rule(
        1,
        r#""tagStatus":"untagged""#,
        "sinceImagePushed",
        1,
        "expire",
    )]);
    assert!(p
        .evaluate(&images, now(), &Switches::default())
        .decisions
        .is_empty());
}
