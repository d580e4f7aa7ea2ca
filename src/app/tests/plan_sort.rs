//! The plan review at work sizes: `s`/`S` order rows within each group (▲/▼ on the
//! header, the selection kept and on screen), the as-of date stays visible however long
//! the policy's name, the date and its keys only show for a plan that depends on the
//! date, and the summary box ends cut lines with `…` at 80×24.

use super::Harness;
use crate::app::inventory_event as ev;
use crate::app::msg::Msg;
use crate::app::state::View;
use crate::app::tasks::plan::{run, PlanSpec};
use crate::app::testing::fleet_images;
use crate::app::views::plan::sort::PlanSort;
use crate::app::views::plan::state::PlanRow;
use crate::model::Image;
use insta::assert_snapshot;

/// Pushed when built, with sizes that do not follow age (so sorting by size shows).
fn pushed(repo: &str, n: u64) -> Vec<Image> {
    fleet_images(repo, n)
        .into_iter()
        .enumerate()
        .map(|(i, mut img)| {
            img.pushed_at = img.created_at;
            img.size_bytes = Some(((i as u64 * 7) % 11 + 1) * 10 * 1024 * 1024);
            img
        })
        .collect()
}

/// Expire what is older than 10 days; keep only the 3 newest `v*` tags.
const POLICY: &str = r#"{"rules":[
 {"rulePriority":1,"description":"release tags: keep the three newest",
  "selection":{"tagStatus":"tagged","tagPatternList":["v*"],"countType":"imageCountMoreThan","countNumber":3},
  "action":{"type":"expire"}},
 {"rulePriority":10,"description":"old builds",
  "selection":{"tagStatus":"any","countType":"sinceImagePushed","countUnit":"days","countNumber":10},
  "action":{"type":"expire"}}]}"#;

/// A registry with `api` and `web`, the tree on the registry, and a policy plan over both
/// whose source is long (as a policy file's path often is).
pub(super) fn policy_plan() -> Harness {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("lifecycle.json");
    std::fs::write(&file, POLICY).unwrap();
    let mut h = Harness::new(&["prod"]);
    h.inventory(ev::listed("prod", &["api", "web"]));
    h.inventory(ev::images("prod", "api", pushed("api", 6)));
    h.inventory(ev::images("prod", "web", pushed("web", 14)));
    h.inventory(ev::finished("prod", None));
    h.keys(": ");
    h.type_text(&format!("plan {}", file.display()));
    h.keys("enter");
    assert_eq!(h.state.view, View::Plan);
    // The same plan under a fixed, long name (the temporary path would change the
    // snapshot): the request evaluated again with the text and that name.
    let mut req = h.state.plan.request.clone().unwrap();
    req.spec = PlanSpec::PolicyText {
        text: POLICY.into(),
        source:
            "policies/platform-team/production/lifecycle-policy-for-every-service-repository.json"
                .into(),
    };
    req.prepared = None;
    h.send(Msg::Plan(run(&req, None)));
    assert!(h.state.plan.plan.is_some(), "{:?}", h.state.plan.error);
    h
}

/// The action rows in screen order, as (repository, bytes, rule).
fn actions(h: &Harness) -> Vec<(String, Option<u64>, String)> {
    let plan = h.state.plan.plan.clone().unwrap();
    h.state
        .plan
        .rows
        .iter()
        .filter_map(|r| match *r {
            PlanRow::Action(i) => {
                let a = &plan.actions[i];
                Some((a.repository.clone(), a.bytes, a.rule.clone()))
            }
            _ => None,
        })
        .collect()
}

#[test]
fn s_sorts_rows_within_groups_and_keeps_the_selection() {
    let mut h = policy_plan();
    let unsorted = actions(&h);
    assert!(unsorted.len() > 6, "{unsorted:?}");
    // Select an action row well down the list.
    h.keys("j j j j j");
    let chosen = h.state.plan.rows[h.state.plan.cursor];
    assert!(matches!(chosen, PlanRow::Action(_)));

    h.keys("s");
    assert_eq!(h.state.plan.sort, PlanSort::Repository);
    let by_repo = actions(&h);
    assert!(by_repo.windows(2).all(|w| w[0].0 <= w[1].0), "{by_repo:?}");
    assert_eq!(h.state.plan.rows[h.state.plan.cursor], chosen);

    h.keys("s");
    assert_eq!(h.state.plan.sort, PlanSort::Size);
    assert!(h.state.plan.descending, "biggest first");
    let by_size = actions(&h);
    assert!(by_size.windows(2).all(|w| w[0].1 >= w[1].1), "{by_size:?}");
    assert_ne!(by_size, unsorted);
    h.keys("S");
    let rev = actions(&h);
    assert!(rev.windows(2).all(|w| w[0].1 <= w[1].1), "{rev:?}");

    h.keys("s");
    assert_eq!(h.state.plan.sort, PlanSort::Rule);
    let by_rule = actions(&h);
    let n = |r: &str| r.parse::<u32>().unwrap();
    assert!(
        by_rule.windows(2).all(|w| n(&w[0].2) <= n(&w[1].2)),
        "rule 10 after rule 1: {by_rule:?}"
    );

    // The group header stays first with its full count; every row is still there.
    assert!(matches!(h.state.plan.rows[0], PlanRow::Group(_, k) if k == unsorted.len()));
    assert_eq!(by_rule.len(), unsorted.len());
    // The selection is still the same row, and on screen.
    let p = &h.state.plan;
    assert_eq!(p.rows[p.cursor], chosen);
    let page = crate::app::views::plan::update::page(&h.state);
    assert!(p.cursor >= p.offset && p.cursor < p.offset + page);

    h.keys("s s");
    assert_eq!(
        h.state.plan.sort,
        PlanSort::Plan,
        "the cycle comes back to plan order"
    );
    assert_eq!(actions(&h), unsorted);
}

#[test]
fn the_sorted_column_carries_its_arrow() {
    let mut h = policy_plan();
    h.keys("s s");
    let screen = h.screen(120, 40);
    assert!(screen.contains("SIZE▼"), "{screen}");
    h.keys("S");
    assert!(h.screen(120, 40).contains("SIZE▲"));
    h.keys("s");
    assert!(h.screen(120, 40).contains("RULE▲"));
}

#[test]
fn the_date_stays_visible_however_long_the_source() {
    let mut h = policy_plan();
    for w in [80u16, 100, 120] {
        let screen = h.screen(w, 30);
        let title = screen.lines().nth(1).unwrap();
        assert!(title.contains("as of 2026-06-01 (today)"), "{w}: {title}");
        assert!(
            title.contains('…'),
            "the source is cut with a sign: {title}"
        );
    }
    h.keys("}");
    let screen = h.screen(120, 30);
    assert!(screen
        .lines()
        .nth(1)
        .unwrap()
        .contains("as of 2026-06-08 (+7d)"));
    // The date keys are in the hint bar of a dated plan.
    assert!(screen.lines().last().unwrap().contains("day"), "{screen}");
}

#[test]
fn a_plan_of_marks_shows_no_date_and_no_date_keys() {
    let mut h = Harness::new(&["prod"]);
    h.inventory(ev::listed("prod", &["web"]));
    h.inventory(ev::images("prod", "web", pushed("web", 5)));
    h.inventory(ev::finished("prod", None));
    h.keys("G enter space D");
    assert_eq!(h.state.view, View::Plan);
    let screen = h.screen(120, 30);
    assert!(!screen.contains("as of"), "{screen}");
    let hints = screen.lines().last().unwrap();
    assert!(!hints.contains("day") && !hints.contains("week"), "{hints}");
    assert!(hints.contains("sort"), "{hints}");
}

#[test]
fn plan_with_long_reasons_120x40() {
    let mut h = policy_plan();
    assert_snapshot!(h.screen(120, 40));
}

#[test]
fn plan_with_long_reasons_80x24() {
    let mut h = policy_plan();
    // A row selected: the status line reads it, cut, and says enter opens it in full.
    h.keys("j");
    let screen = h.screen(80, 24);
    assert!(screen.contains("(enter: in full)"), "{screen}");
    // Every summary line that does not fit ends in `…`.
    let summary: Vec<&str> = screen
        .lines()
        .skip_while(|l| !l.contains("what it frees"))
        .skip(1)
        .take_while(|l| !l.starts_with('└'))
        .collect();
    assert!(!summary.is_empty(), "{screen}");
    for l in &summary {
        let inner = l.trim_start_matches('│').trim_end_matches('│');
        if inner.trim_end().chars().count() == 78 {
            assert!(inner.ends_with('…'), "cut without a sign: {l}");
        }
    }
    assert!(summary.iter().any(|l| l.contains('…')), "{screen}");
    assert_snapshot!(screen);
}
