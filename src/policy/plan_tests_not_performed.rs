//! The plan actions `regscope delete` does not carry out (ACR untag, ECR archive):
//! listed, never in the byte figures, and saying so.

use super::ecr::tests::{policy, rule};
use super::plan::DeletionPlan;
use super::plan_tests::{blob, opts, plan};
use super::testkit::*;
use super::ActionKind;
use super::{PolicyFormat, Switches};

/// Untags (ACR, manifest stays) and archive transitions (ECR) are listed, never counted
/// in the byte figures, and `delete` says it does not carry them out.
#[test]
fn reclaim_never_counts_actions_delete_does_not_carry_out() {
    use super::acr::AcrPurge;
    let mut a = img("app", "A", &["test-1", "keep"], "30d");
    a.blobs = Some(vec![blob("only-a", 1_000)]);
    a.tag_details = Some(
        ["test-1", "keep"]
            .iter()
            .map(|t| crate::model::TagDetail {
                name: t.to_string(),
                last_update: Some(ago("30d")),
                ..Default::default()
            })
            .collect(),
    );
    let images = vec![a];
    let purge = AcrPurge::parse(r#"--filter "app:test" --ago 7d"#).unwrap();
    let mut o = opts();
    o.format = PolicyFormat::Acr;
    let p = DeletionPlan::build(
        &images,
        &purge.evaluate(&images, now(), &Switches::default()),
        &o,
    );
    assert_eq!(p.actions.len(), 1);
    assert_eq!(p.actions[0].action, ActionKind::Untag);
    assert_eq!((p.summary.naive_bytes, p.summary.reclaimed_bytes), (0, 0));
    let archive = plan(
        &images,
        &policy(&[rule(
            1,
            r#""tagStatus":"any""#,
            "sinceImagePushed",
            7,
            "transition",
        )]),
        &Switches::default(),
        &opts(),
    );
    assert_eq!(archive.actions[0].action, ActionKind::Transition);
    assert_eq!(
        (archive.summary.naive_bytes, archive.summary.reclaimed_bytes),
        (0, 0)
    );
    for k in [ActionKind::Untag, ActionKind::Transition] {
        assert!(k.not_carried_out().unwrap().starts_with("not performed"));
    }
    assert!(ActionKind::Expire.not_carried_out().is_none());
    assert!(ActionKind::Delete.not_carried_out().is_none());
}
