//! The plan review on actions `regscope delete` does not carry out (ECR archive, ACR
//! untag): listed, marked as such, not in the byte figures.

use super::plan::ecr_harness;
use crate::app::effect::Effect;
use crate::app::msg::Msg;
use crate::app::tasks::plan::run;

/// An ECR policy that archives images: the review says the archive group is not
/// carried out by delete and not in reclaimed; the summary says how many are only listed,
/// the status line why, and with nothing removed there is nothing to confirm.
#[test]
fn archive_actions_are_listed_as_not_carried_out() {
    let mut h = ecr_harness();
    h.keys("D");
    let req = match h.other.pop() {
        Some(Effect::EvaluatePlan(r)) => r,
        other => panic!("expected a plan request, got {other:?}"),
    };
    let policy = r#"{"rules":[
      {"rulePriority":1,"description":"archive after 5 days","selection":{"tagStatus":"any","countType":"sinceImagePushed","countUnit":"days","countNumber":5},"action":{"type":"transition","targetStorageClass":"archive"}}]}"#;
    h.send(Msg::Plan(run(&req, Some(policy.into()))));
    let plan = h.state.plan.plan.clone().expect("evaluated");
    assert!(plan
        .actions
        .iter()
        .all(|a| a.action == crate::policy::ActionKind::Transition));
    assert_eq!(plan.summary.naive_bytes, 0);
    let screen = h.screen(140, 30);
    assert!(screen.contains("▾ TRANSITION"), "{screen}");
    assert!(
        screen.contains("not carried out by delete (the registry's lifecycle job archives)"),
        "{screen}"
    );
    assert!(
        screen.contains("to archive, 0 to untag: listed only"),
        "{screen}"
    );
    // The selected action's status line gives the full reason.
    h.keys("j");
    let screen = h.screen(240, 30);
    assert!(
        screen.contains("archiving is done by ECR's own lifecycle job"),
        "{screen}"
    );
    // With nothing to remove there is nothing to confirm.
    h.keys("D");
    assert!(h.state.modals.is_empty());
}
