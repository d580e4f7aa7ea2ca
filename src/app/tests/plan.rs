//! The plan view: opened from marks (`D`), from a policy file (`:plan FILE`) and from a
//! repository's own ECR lifecycle policy; the date control, export, the typed confirmation
//! that defaults to cancel, and read-only registries that show no deletion at all.

use super::{find, Harness};
use crate::app::config::theme::Role;
use crate::app::effect::Effect;
use crate::app::inventory_event as ev;
use crate::app::msg::Msg;
use crate::app::state::{Layer, Modal, View};
use crate::app::tasks::plan::{run, PlanResult, PlanSpec};
use crate::app::testing::fleet_images;
use crate::app::views::plan::state::PlanRow;
use crate::config::RegistrySettings;
use crate::model::Image;
use crate::policy::ActionKind;
use crate::registry::Target;
use insta::assert_snapshot;

/// Images pushed when they were built (n days ago), so age rules have something to act on.
fn pushed(repo: &str, n: u64) -> Vec<Image> {
    fleet_images(repo, n)
        .into_iter()
        .map(|mut i| {
            i.pushed_at = i.created_at;
            i
        })
        .collect()
}

fn web_open() -> Harness {
    let mut h = Harness::new(&["prod"]);
    h.inventory(ev::listed("prod", &["api", "web"]));
    h.inventory(ev::images("prod", "api", pushed("api", 4)));
    h.inventory(ev::images("prod", "web", pushed("web", 20)));
    h.inventory(ev::finished("prod", None));
    h.keys("G enter");
    assert_eq!(h.state.images.table.as_ref().unwrap().repository, "web");
    h
}

const EXPIRE_OLDER_THAN_10_DAYS: &str = r#"{"rules":[{"rulePriority":1,"description":"old builds",
  "selection":{"tagStatus":"any","countType":"sinceImagePushed","countUnit":"days","countNumber":10},
  "action":{"type":"expire"}}]}"#;

pub(super) fn ecr_harness() -> Harness {
    let mut s = RegistrySettings::for_address("ecr://eu-west-1");
    s.name = "aws".into();
    let mut h = Harness::new(&[]);
    h.state = crate::app::state::State::new(
        vec![(Target::parse("ecr://eu-west-1").unwrap(), s)],
        crate::app::testing::fixed_now(),
    );
    h.state.size = (100, 30);
    h.inventory(ev::listed("aws", &["web"]));
    h.inventory(ev::images("aws", "web", pushed("web", 20)));
    h.inventory(ev::finished("aws", None));
    h.keys("j enter");
    h
}

/// `D` on an ECR repository with no marks asks for its lifecycle policy; the test plays
/// the registry's part.
pub(super) fn ecr_plan() -> Harness {
    let mut h = ecr_harness();
    h.keys("D");
    let req = match h.other.pop() {
        Some(Effect::EvaluatePlan(r)) => r,
        other => panic!("expected a plan request, got {other:?}"),
    };
    assert_eq!(req.spec, PlanSpec::RepositoryPolicy("web".into()));
    h.send(Msg::Plan(run(&req, Some(EXPIRE_OLDER_THAN_10_DAYS.into()))));
    h
}

fn removals(h: &Harness) -> usize {
    h.state.plan.removals()
}

#[test]
fn d_with_marks_opens_a_review_and_deletes_nothing() {
    let mut h = web_open();
    h.keys("space space");
    h.keys("D");
    assert_eq!(h.state.view, View::Plan);
    assert_eq!(h.state.layer(), Layer::Plan);
    let plan = h.state.plan.plan.clone().expect("evaluated");
    assert_eq!(plan.policy_format, "marks");
    assert_eq!(plan.actions.len(), 2);
    assert!(plan.actions.iter().all(|a| a.action == ActionKind::Delete));
    // The newest image carries three tags; all of them go with its digest.
    assert_eq!(plan.actions[0].tags.len(), 3, "{:?}", plan.actions[0]);
    assert_eq!(
        h.state.plan.rows[..3],
        [
            PlanRow::Group(ActionKind::Delete, 2),
            PlanRow::Action(0),
            PlanRow::Action(1)
        ]
    );
    assert!(
        h.other.is_empty(),
        "opening a review has no side effects: {:?}",
        h.other
    );
    // Marks do not depend on the date.
    h.keys("]");
    assert!(h.state.flash.as_ref().unwrap().text.contains("date"));
    h.keys("esc");
    assert_eq!(h.state.view, View::Explorer);
    h.keys("3");
    assert_eq!(h.state.view, View::Plan, "3 returns to the last plan");
}

#[test]
fn d_without_marks_on_a_registry_without_policies_says_what_to_do() {
    let mut h = web_open();
    h.keys("D");
    assert_eq!(h.state.view, View::Explorer);
    assert!(h.state.flash.as_ref().unwrap().text.contains(":plan FILE"));
}

#[test]
fn policy_file_plan_moves_with_the_date_control() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("lifecycle.json");
    std::fs::write(&file, EXPIRE_OLDER_THAN_10_DAYS).unwrap();
    let mut h = web_open();
    h.keys(": ");
    h.type_text(&format!("plan {}", file.display()));
    h.keys("enter");
    assert_eq!(h.state.view, View::Plan);
    let plan = h.state.plan.plan.clone().unwrap();
    assert_eq!(plan.policy_format, "ecr");
    // Images 10..19 days old (plus 3h) are past 10 days.
    assert_eq!(removals(&h), 10);
    assert!(plan.actions.iter().all(|a| a.repository == "web"));
    h.keys("[");
    assert_eq!(removals(&h), 9, "a day earlier, one fewer");
    h.keys("}");
    assert_eq!(removals(&h), 16, "a week after that");
    assert_eq!(
        h.state.plan.as_of,
        Some(crate::app::testing::fixed_now() + chrono::Duration::days(6))
    );
    h.keys("t");
    assert_eq!(removals(&h), 10);
    // From the tree with the registry selected, the file covers every repository.
    h.keys("esc esc g");
    h.keys(": ");
    h.type_text(&format!("plan {}", file.display()));
    h.keys("enter");
    let plan = h.state.plan.plan.clone().unwrap();
    assert!(plan.summary.images == 24, "{}", plan.summary.images);
}

#[test]
fn a_bad_policy_file_shows_why_and_lands_in_the_error_list() {
    let mut h = web_open();
    h.keys(": ");
    h.type_text("plan /nonexistent/lifecycle.json");
    h.keys("enter");
    assert_eq!(h.state.view, View::Plan);
    assert!(h.state.plan.plan.is_none());
    let e = h.state.plan.error.clone().unwrap();
    assert!(e.contains("/nonexistent/lifecycle.json"), "{e}");
    assert_eq!(h.state.errors.entries.len(), 1);
    let screen = h.screen(100, 30);
    assert!(screen.contains("nothing was evaluated"), "{screen}");
}

#[test]
fn stale_results_are_dropped() {
    let mut h = ecr_harness();
    h.keys("D");
    let Some(Effect::EvaluatePlan(old)) = h.other.pop() else {
        panic!()
    };
    // A second D supersedes the first request.
    h.keys("esc D");
    let Some(Effect::EvaluatePlan(new)) = h.other.pop() else {
        panic!()
    };
    h.send(Msg::Plan(run(&old, Some(EXPIRE_OLDER_THAN_10_DAYS.into()))));
    assert!(h.state.plan.plan.is_none(), "old ticket ignored");
    assert!(h.state.plan.computing);
    h.send(Msg::Plan(PlanResult {
        ticket: new.ticket,
        outcome: Err("AccessDenied".into()),
    }));
    assert_eq!(h.state.plan.error.as_deref(), Some("AccessDenied"));
}

#[test]
fn export_is_an_effect_and_its_path_is_shown() {
    let mut h = ecr_plan();
    h.keys("x");
    let Some(Effect::ExportPlan(p)) = h.other.pop() else {
        panic!("export effect")
    };
    assert_eq!(p.actions.len(), 10);
    h.send(Msg::PlanExported(Ok("/data/plans/plan-aws.json".into())));
    assert!(h
        .screen(100, 30)
        .contains("exported to /data/plans/plan-aws.json"));
}

fn marked_plan() -> Harness {
    let mut h = web_open();
    h.keys("space space");
    h.keys("D");
    h
}

#[test]
fn confirmation_defaults_to_cancel_and_wants_the_repository_name() {
    let mut h = marked_plan();
    h.keys("D");
    assert_eq!(h.state.layer(), Layer::Confirm);
    // Enter on nothing, or on the wrong word, deletes nothing.
    h.keys("enter");
    h.type_text("we");
    h.keys("enter");
    assert!(matches!(h.state.modals.last(), Some(Modal::Confirm(c)) if c.mismatch));
    assert!(h.other.is_empty(), "{:?}", h.other);
    h.keys("esc");
    assert!(h.state.modals.is_empty());
    assert!(h.state.flash.as_ref().unwrap().text.contains("cancelled"));
    assert!(h.other.is_empty());
    // The keys of the view do not leak into the dialog: `x` is typed, not an export.
    h.keys("D x");
    assert!(matches!(h.state.modals.last(), Some(Modal::Confirm(c)) if c.typed == "x"));
    assert!(h.other.is_empty());
    h.keys("backspace");
    h.type_text("web");
    h.keys("enter");
    match h.other.pop() {
        Some(Effect::DeletePlan(r)) => {
            assert_eq!(r.plan.actions.len(), 2);
            assert_eq!(r.registry, 0);
        }
        other => panic!("expected the deletion, got {other:?}"),
    }
    assert!(h.state.plan.run.is_some());
}

#[test]
fn ecr_plans_from_a_repository_policy_go_through_the_same_confirmation() {
    let mut h = ecr_plan();
    let plan = h.state.plan.plan.clone().expect("evaluated");
    assert!(plan
        .policy_source
        .as_deref()
        .unwrap()
        .contains("lifecycle policy of web"));
    assert!(removals(&h) > 0);
    h.keys("D");
    assert_eq!(h.state.layer(), Layer::Confirm);
    h.type_text("web");
    h.keys("enter");
    match h.other.pop() {
        Some(Effect::DeletePlan(r)) => assert_eq!(r.plan.actions.len(), removals(&h)),
        other => panic!("expected the deletion, got {other:?}"),
    }
}

#[test]
fn deletion_progress_and_per_item_results() {
    use crate::app::tasks::delete::DeleteEvent;
    use crate::policy::execute::{ItemResult, Outcome};
    let mut h = marked_plan();
    h.keys("D");
    h.type_text("web");
    h.keys("enter");
    let Some(Effect::DeletePlan(req)) = h.other.pop() else {
        panic!()
    };
    let item = |i: usize, outcome: Outcome| ItemResult {
        repository: "web".into(),
        digest: req.plan.actions[i].digest.clone(),
        action: ActionKind::Delete,
        tags: req.plan.actions[i].tags.clone(),
        outcome,
    };
    let t = req.ticket;
    h.send(Msg::Delete(DeleteEvent::Started {
        ticket: t,
        audit: "/data/audit/run.jsonl".into(),
        total: 3,
    }));
    h.send(Msg::Delete(DeleteEvent::Item {
        ticket: t,
        done: 1,
        result: item(0, Outcome::Deleted),
    }));
    let screen = h.screen(100, 30);
    assert!(screen.contains("deleting 1 of 3"), "{screen}");
    // Another run's events are not this one's.
    h.send(Msg::Delete(DeleteEvent::Item {
        ticket: t + 7,
        done: 2,
        result: item(1, Outcome::Deleted),
    }));
    h.send(Msg::Delete(DeleteEvent::Item {
        ticket: t,
        done: 2,
        result: item(
            1,
            Outcome::Skipped("tag v1.0.1 now points at sha256:0000 (moved since the plan)".into()),
        ),
    }));
    h.send(Msg::Delete(DeleteEvent::Item {
        ticket: t,
        done: 3,
        result: item(
            0,
            Outcome::Failed("HTTP 405 UNSUPPORTED: deletion is disabled".into()),
        ),
    }));
    h.send(Msg::Delete(DeleteEvent::Finished {
        ticket: t,
        error: None,
    }));
    let run = h.state.plan.run.as_ref().unwrap();
    assert!(run.finished);
    assert_eq!(run.results.len(), 3);
    assert_eq!(
        h.state.errors.entries.len(),
        1,
        "the failure is in the error list"
    );
    let buf = h.render(110, 26);
    assert_snapshot!("plan_deletion_results", super::buffer_text(&buf));
    let th = &h.state.theme;
    let (x, y) = find(&buf, "✔ deleted").unwrap();
    assert_eq!(buf[(x, y)].fg, th.color(Role::Ok).unwrap());
    let (x, y) = find(&buf, "↷ skipped").unwrap();
    assert_eq!(buf[(x, y)].fg, th.color(Role::Warning).unwrap());
    h.keys("D");
    assert!(
        h.state.modals.is_empty(),
        "a carried-out plan is not deleted twice"
    );
}

#[test]
fn several_repositories_ask_for_the_image_count() {
    let mut h = web_open();
    h.keys("space");
    h.keys("tab k enter space space tab");
    // Marks in api (2) and web (1): one plan over the registry.
    h.keys("D");
    assert_eq!(h.state.plan.repositories().len(), 2);
    assert_eq!(
        h.state.plan.confirmation().map(|c| c.word).as_deref(),
        Some("3")
    );
}

#[test]
fn read_only_registries_show_no_deletion() {
    let mut h = ecr_harness();
    h.state.fleet.registries[0].settings.read_only = true;
    h.keys("D");
    let Some(Effect::EvaluatePlan(req)) = h.other.pop() else {
        panic!()
    };
    h.send(Msg::Plan(run(&req, Some(EXPIRE_OLDER_THAN_10_DAYS.into()))));
    let screen = h.screen(100, 30);
    assert!(!screen.contains("delete…"), "{screen}");
    assert!(screen.contains("read-only registry"));
    h.keys("D");
    assert!(
        h.state.modals.is_empty(),
        "no confirmation on a read-only registry"
    );
    assert!(h.state.flash.as_ref().unwrap().text.contains("read-only"));
}

#[test]
fn ecr_policy_plan_snapshot_and_colours() {
    let mut h = ecr_plan();
    h.keys("j j");
    let buf = h.render(120, 30);
    assert_snapshot!("plan_ecr_policy", super::buffer_text(&buf));
    let t = &h.state.theme;
    let (x, y) = find(&buf, "▾ EXPIRE").unwrap();
    assert_eq!(buf[(x, y)].fg, t.color(Role::Danger).unwrap());
    // The selected row (cursor 2: header, then rows) is highlighted; the other expire
    // rows carry the danger colour on their marker.
    let sel_y = 3 + h.state.plan.cursor as u16;
    assert_eq!(buf[(2, sel_y)].bg, t.color(Role::Selection).unwrap());
    let (x, y) = find(&buf, "✖ expire").unwrap();
    assert_eq!(y, 4);
    assert_eq!(buf[(x, y)].fg, t.color(Role::Danger).unwrap());
    let (x, y) = find(&buf, "reclaimed ").unwrap();
    assert_eq!(buf[(x + 10, y)].fg, t.color(Role::Ok).unwrap());
}

#[test]
fn marks_plan_and_confirm_dialog_snapshots() {
    let mut h = web_open();
    h.keys("space space");
    h.keys("D");
    assert_snapshot!("plan_marks_80x24", h.screen(80, 24));
    h.keys("D");
    h.type_text("web");
    let buf = h.render(100, 30);
    assert_snapshot!("plan_confirm_dialog", super::buffer_text(&buf));
    let (x, y) = find(&buf, "confirm deletion").unwrap();
    assert_eq!(buf[(x, y)].fg, h.state.theme.color(Role::Danger).unwrap());
}
