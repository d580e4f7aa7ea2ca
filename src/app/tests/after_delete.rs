//! The explorer after a deletion: the deleted images leave the table, marks on them clear,
//! counts update, their repository is read again, and `D` does not plan again what is gone.

use super::Harness;
use crate::app::effect::Effect;
use crate::app::inventory_event as ev;
use crate::app::msg::Msg;
use crate::app::tasks::delete::DeleteEvent;
use crate::model::Image;
use crate::policy::execute::{ItemResult, Outcome};

fn shop_open() -> Harness {
    let mut h = Harness::new(&["prod"]);
    h.inventory(ev::listed("prod", &["shop"]));
    h.inventory(ev::images("prod", "shop", super::children::shop()));
    h.inventory(ev::finished("prod", None));
    h.keys("j enter");
    h
}

fn digests(h: &Harness) -> Vec<String> {
    let t = h.state.images.table.as_ref().unwrap();
    t.rows().map(|r| r.digest_str().to_string()).collect()
}

#[test]
fn deleted_images_leave_the_table_and_are_not_planned_again() {
    let mut h = shop_open();
    let shop = super::children::shop();
    // Newest first: the index (`latest`, `v2`), then `v1`, then the dangling image.
    h.keys("g space space");
    assert_eq!(h.state.images.marks().map(|m| m.len()), Some(2));
    h.keys("D");
    let plan = h.state.plan.plan.clone().unwrap();
    // The index, its two platforms, the attestation, the signature, and v1.
    assert_eq!(plan.actions.len(), 6, "{:#?}", plan.actions);
    h.keys("D");
    h.type_text("shop");
    h.keys("enter");
    let Some(Effect::DeletePlan(req)) = h.other.pop() else {
        panic!("no deletion: {:?}", h.other)
    };
    let t = req.ticket;
    h.send(Msg::Delete(DeleteEvent::Started {
        ticket: t,
        audit: "/data/audit/run.jsonl".into(),
        total: req.plan.actions.len(),
    }));
    let v1 = &shop[5].digest;
    for (i, a) in req.plan.actions.iter().enumerate() {
        // v1 moved since the plan: skipped, so it stays (and stays marked).
        let outcome = if a.digest == *v1 {
            Outcome::Skipped("tag v1 now points at another image".into())
        } else {
            Outcome::Deleted
        };
        h.send(Msg::Delete(DeleteEvent::Item {
            ticket: t,
            done: i + 1,
            result: ItemResult {
                repository: a.repository.clone(),
                digest: a.digest.clone(),
                action: a.action,
                tags: a.tags.clone(),
                outcome,
            },
        }));
    }
    h.send(Msg::Delete(DeleteEvent::Finished {
        ticket: t,
        error: None,
    }));

    // The deleted rows are gone at once; v1 and the dangling image stay.
    let left = digests(&h);
    assert_eq!(
        left,
        vec![v1.to_string(), shop[6].digest.to_string()],
        "only what was not deleted"
    );
    let node = &h.state.fleet.repos[0];
    assert_eq!(node.summary.as_ref().map(|s| s.images), Some(2), "count");
    // The mark on the deleted index is gone; v1's (skipped) stays.
    let marks = h.state.images.marks().cloned().unwrap_or_default();
    let t = h.state.images.table.clone().unwrap();
    let marked: Vec<String> = marks
        .iter()
        .map(|&id| t.row(id).digest_str().into())
        .collect();
    assert_eq!(marked, vec![v1.to_string()]);
    // The repository is read again from the registry.
    assert!(
        h.other.iter().any(|e| matches!(e,
            Effect::RefreshRepositories { registry: 0, repositories } if repositories == &["shop"])),
        "{:?}",
        h.other
    );
    let screen = h.screen(120, 40);
    assert!(!screen.contains("▸ latest"), "{screen}");

    // `D` from the explorer plans what is still marked, never what is gone.
    h.keys("1 D");
    let again = h.state.plan.plan.clone().unwrap();
    let planned: Vec<String> = again.actions.iter().map(|a| a.digest.to_string()).collect();
    assert_eq!(planned, vec![v1.to_string()]);

    // The registry's answer replaces the table; the mark on v1 follows it by digest even
    // though the rows moved.
    let mut reread: Vec<Image> = vec![shop[6].clone(), shop[5].clone()];
    reread[0].unique_bytes = Some(1);
    h.inventory(ev::images("prod", "shop", reread));
    let t = h.state.images.table.clone().unwrap();
    let marks = h.state.images.marks().cloned().unwrap_or_default();
    let marked: Vec<String> = marks
        .iter()
        .map(|&id| t.row(id).digest_str().into())
        .collect();
    assert_eq!(marked, vec![v1.to_string()]);
}

/// A table replaced while another repository is on screen keeps its marks by digest.
#[test]
fn marks_of_a_repository_not_on_screen_follow_their_images_by_digest() {
    let mut h = Harness::new(&["prod"]);
    h.inventory(ev::listed("prod", &["a", "b"]));
    let a: Vec<Image> = (1..=3)
        .map(|n| crate::app::testing::image("a", n, &[]))
        .collect();
    h.inventory(ev::images("prod", "a", a.clone()));
    h.inventory(ev::images(
        "prod",
        "b",
        vec![crate::app::testing::image("b", 1, &["x"])],
    ));
    // Open `a`, mark its newest (n = 1), go to `b`.
    h.keys("j enter g space");
    let before = h.state.images.marks().cloned().unwrap();
    assert_eq!(before.len(), 1);
    h.keys("tab j");
    assert_eq!(h.state.images.table.as_ref().unwrap().repository, "b");
    // `a` comes back with image 1 now last and image 2 gone.
    h.inventory(ev::images("prod", "a", vec![a[2].clone(), a[0].clone()]));
    h.keys("k");
    let t = h.state.images.table.clone().unwrap();
    assert_eq!(t.repository, "a");
    let marks = h.state.images.marks().cloned().unwrap();
    let marked: Vec<String> = marks
        .iter()
        .map(|&id| t.row(id).digest_str().into())
        .collect();
    assert_eq!(marked, vec![a[0].digest.to_string()]);
}
