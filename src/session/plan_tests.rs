//! Plan assembly as both front ends use it.

use super::*;
use crate::policy::ecr::tests::rule;
use crate::policy::testkit::*;
use crate::policy::ActionKind;

fn ecr_text(rules: &[String]) -> String {
    format!(r#"{{"rules":[{}]}}"#, rules.join(","))
}

fn inputs() -> PlanInputs {
    PlanInputs::new("reg.example", "reg.example", now(), ReclaimScope::Registry)
}

#[test]
fn a_policy_file_is_read_with_its_format_detected_or_given_and_errors_name_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("life.json");
    std::fs::write(
        &p,
        ecr_text(&[rule(
            1,
            r#""tagStatus":"untagged""#,
            "sinceImagePushed",
            7,
            "expire",
        )]),
    )
    .unwrap();
    let r = read_policy(&p, None).unwrap();
    assert_eq!(r.policy.format(), PolicyFormat::Ecr);
    assert!(
        r.source.contains("life.json (ecr, detected:"),
        "{}",
        r.source
    );
    let r = read_policy(&p, Some(PolicyFormat::Ecr)).unwrap();
    assert!(
        r.source.ends_with("(ecr, given with --policy-format)"),
        "{}",
        r.source
    );
    // Given as another format, the text is refused, naming the file.
    let e = read_policy(&p, Some(PolicyFormat::Gar)).unwrap_err();
    assert!(
        e.starts_with("policy refused") && e.contains("life.json"),
        "{e}"
    );
    let e = read_policy(&dir.path().join("nope.json"), None).unwrap_err();
    assert!(
        e.contains("cannot read policy file") && e.contains("nope.json"),
        "{e}"
    );
    let e = read_policy_text("not a policy", "x.txt", None).unwrap_err();
    assert!(e.starts_with("x.txt: cannot tell the policy format"), "{e}");
}

#[test]
fn the_default_scope_follows_the_kind_then_the_address() {
    // A known kind wins over the address.
    assert_eq!(
        default_scope(Some(Kind::Ecr), "reg.example"),
        Kind::Ecr.caps().reclaim_scope
    );
    assert_eq!(
        default_scope(None, "myreg.azurecr.io"),
        Kind::Acr.caps().reclaim_scope
    );
    assert_eq!(default_scope(None, "reg.example"), ReclaimScope::Registry);
    assert_eq!(
        default_scope(None, "not a target ::"),
        ReclaimScope::Registry
    );
    // A saved inventory of an OCI layout shares storage per repository: the address says.
    assert_eq!(
        default_scope(None, "oci:./images"),
        ReclaimScope::Repository
    );
    assert_eq!(
        default_scope(Some(Kind::Distribution), "oci:./images"),
        ReclaimScope::Registry
    );
}

#[test]
fn marks_become_deletes_by_digest_without_switches() {
    let images = vec![
        img("web", "a", &["v1", "stable"], "3d"),
        img("web", "b", &[], "2d"),
    ];
    let plan = plan_of_marks(&images, &[0], "1 image marked", &inputs());
    assert_eq!(plan.policy_format, MARKS_FORMAT);
    assert_eq!(plan.policy_source.as_deref(), Some("1 image marked"));
    assert!(plan.switches.is_empty());
    assert_eq!(plan.actions.len(), 1);
    assert_eq!(plan.actions[0].action, ActionKind::Delete);
    assert_eq!(plan.actions[0].tags, ["stable", "v1"]);
}

#[test]
fn a_policy_plan_carries_its_source_switches_and_scope() {
    let images = vec![img("web", "old", &[], "30d"), img("web", "new", &[], "1d")];
    let p = read_policy_text(
        &ecr_text(&[rule(
            1,
            r#""tagStatus":"untagged""#,
            "sinceImagePushed",
            7,
            "expire",
        )]),
        "life.json",
        None,
    )
    .unwrap();
    let mut at = inputs();
    at.scope = ReclaimScope::Repository;
    let plan = plan_with_policy(&images, &p, &at);
    assert_eq!(plan.actions.len(), 1);
    assert_eq!(plan.actions[0].digest, dg("old"));
    assert_eq!(plan.actions[0].action, ActionKind::Expire);
    assert_eq!(plan.policy_source, Some(p.source.clone()));
    assert_eq!(plan.switches, at.switches.describe(PolicyFormat::Ecr));
    assert_eq!(plan.reclaim_scope, "repository");
    assert_eq!(plan.evaluated_at, now());
}

#[test]
fn own_policies_evaluate_per_repository_and_name_those_without_one() {
    let images = vec![
        img("a", "a-old", &[], "30d"),
        img("b", "b-old", &[], "30d"),
        img("a", "a-new", &[], "1d"),
    ];
    let own = OwnPolicies {
        format: PolicyFormat::Ecr,
        how: "ECR GetLifecyclePolicy".into(),
        policies: vec![
            (
                "a".into(),
                Some(ecr_text(&[rule(
                    1,
                    r#""tagStatus":"untagged""#,
                    "sinceImagePushed",
                    7,
                    "expire",
                )])),
            ),
            ("b".into(), None),
        ],
    };
    let plan = plan_with_own_policies(&images, &own, &inputs()).unwrap();
    // Only a's old image: b keeps no policy, and the indexes map back to the whole list.
    assert_eq!(plan.actions.len(), 1);
    assert_eq!(plan.actions[0].digest, dg("a-old"));
    assert!(plan
        .warnings
        .iter()
        .any(|w| w == "repository b has no lifecycle policy; nothing evaluated there"));
    assert_eq!(
        plan.policy_source.as_deref(),
        Some("each repository's current lifecycle policy (ECR GetLifecyclePolicy)")
    );
    let bad = OwnPolicies {
        policies: vec![("a".into(), Some(r#"{"rules":[{}]}"#.into()))],
        ..own
    };
    let e = plan_with_own_policies(&images, &bad, &inputs()).unwrap_err();
    assert!(e.contains("lifecycle policy of a"), "{e}");
}
