//! Nothing is cut without a way to read it: `enter` opens an error (a config error keeps
//! its file, line, column and reason) and a plan row in full, wrapped, at 80×24 and
//! 120×40; cut cells end in `…`; charts say what they leave out.

use super::Harness;
use crate::app::inventory_event as ev;
use crate::app::state::Layer;
use crate::app::testing::fleet_images;
use crate::app::views::errors::state::ErrorEntry;
use insta::assert_snapshot;

const CONFIG_ERROR: &str = "config error in /etc/regscope/config.toml line 4, column 9: \
     invalid type: string \"yes\", expected a boolean for key `registries.prod.read_only`; \
     using defaults";

fn with_errors() -> Harness {
    let mut h = Harness::loaded();
    h.inventory(ev::finished("prod", None));
    h.inventory(ev::refused("prod", "team-a/payments/api", 403, "DENIED"));
    let now = h.state.now;
    h.state.errors.push(ErrorEntry::plain(
        now,
        "config",
        CONFIG_ERROR,
        "fix the file; defaults apply meanwhile",
    ));
    h
}

/// The text of the innermost box on screen (per line, the widest stretch between two
/// borders) with line breaks folded away, to find a sentence however it wrapped.
fn flat(screen: &str) -> String {
    let text: String = screen
        .lines()
        .map(|l| {
            l.split('│')
                .max_by_key(|s| s.chars().count())
                .unwrap_or("")
                .to_string()
        })
        .collect::<Vec<_>>()
        .join(" ");
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn enter_opens_an_error_in_full_at_80x24_and_120x40() {
    let mut h = with_errors();
    h.keys("e");
    // The list row cuts the config error, and says so with `…`.
    let list = h.screen(80, 24);
    assert!(list.contains('…'), "{list}");
    h.keys("enter");
    assert!(h.state.errors.open);
    let small = h.screen(80, 24);
    assert_snapshot!("error_open_80x24", small);
    let big = h.screen(120, 40);
    assert_snapshot!("error_open_120x40", big);
    for s in [&small, &big] {
        let f = flat(s);
        // File, line, column and reason survive, wrapped, with the next step.
        assert!(f.contains(&flat(CONFIG_ERROR)), "{f}");
        assert!(f.contains("fix the file; defaults apply meanwhile"), "{f}");
    }
    // esc goes back to the list, the next esc closes it.
    h.keys("esc");
    assert!(!h.state.errors.open);
    assert_eq!(h.state.layer(), Layer::Errors);
    // The registry's refusal: registry, repository, status, code, message, next step.
    h.keys("j enter");
    let s = flat(&h.screen(80, 24));
    for want in [
        "registry prod",
        "repository team-a/payments/api",
        "status 403",
        "code DENIED",
        "next step ask for pull (or delete) permission on this repository",
    ] {
        assert!(s.contains(want), "{want} in {s}");
    }
    // x dismisses the open error and returns to the list.
    h.keys("x");
    assert!(!h.state.errors.open);
    assert_eq!(h.state.errors.entries.len(), 1);
}

#[test]
fn a_long_error_scrolls_in_a_small_terminal() {
    let mut h = with_errors();
    let long = "the registry answered 500 ".repeat(60) + "END-OF-MESSAGE";
    let now = h.state.now;
    h.state
        .errors
        .push(ErrorEntry::plain(now, "prod", &long, "retry later"));
    h.keys("e enter");
    assert!(!h.screen(80, 24).contains("END-OF-MESSAGE"));
    for _ in 0..20 {
        h.keys("j");
    }
    assert!(h.screen(80, 24).contains("END-OF-MESSAGE"));
}

#[test]
fn a_plan_row_with_a_long_reason_opens_in_full() {
    let mut h = super::plan::ecr_plan();
    h.keys("j");
    let reason = {
        let p = &h.state.plan;
        let plan = p.plan.as_ref().unwrap();
        match p.rows[p.cursor] {
            crate::app::views::plan::state::PlanRow::Action(i) => plan.actions[i].reason.clone(),
            other => panic!("expected an action row, got {other:?}"),
        }
    };
    let small = h.screen(80, 24);
    assert!(
        !flat(&small).contains(&reason),
        "cut at 80 columns: {small}"
    );
    assert!(small.contains("(enter: in full)"), "{small}");
    h.keys("enter");
    let small = h.screen(80, 24);
    assert_snapshot!("plan_row_open_80x24", small);
    assert!(flat(&small).contains(&reason), "{small}");
    let big = h.screen(120, 40);
    assert_snapshot!("plan_row_open_120x40", big);
    h.keys("esc");
    assert!(!h.state.plan.open);
    assert_eq!(h.state.view, crate::app::state::View::Plan);
}

#[test]
fn charts_say_what_they_leave_out_and_scroll() {
    let mut h = Harness::new(&["prod"]);
    let names: Vec<String> = (0..13).map(|i| format!("repo-{i:02}")).collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    h.inventory(ev::listed("prod", &refs));
    for (i, n) in names.iter().enumerate() {
        h.inventory(ev::images("prod", n, fleet_images(n, 2 + i as u64)));
    }
    h.keys("2");
    let s = h.screen(80, 24);
    assert!(
        s.contains("more · j/↓/k/↑ scroll") || s.contains("more"),
        "{s}"
    );
    let shown = |s: &str| names.iter().filter(|n| s.contains(n.as_str())).count();
    assert!(shown(&s) < 13);
    // The largest repository is drawn first; scrolling reaches the smallest.
    assert!(s.contains("repo-12"));
    for _ in 0..12 {
        h.keys("j");
    }
    let s = h.screen(80, 24);
    assert!(s.contains("repo-00"), "{s}");
    assert!(s.contains("above"), "{s}");
}

#[test]
fn the_plan_summary_opens_in_full_with_its_key() {
    let mut h = super::plan_sort::policy_plan();
    let method = h.state.plan.plan.as_ref().unwrap().reclaim_method.clone();
    // At 120 columns the method line is cut, and the box names the key that opens it.
    let big = h.screen(120, 40);
    assert!(!flat(&big).contains(&method), "{big}");
    assert!(big.contains("i: in full"), "{big}");
    h.keys("j");
    let cursor = h.state.plan.cursor;
    h.keys("i");
    assert!(h.state.plan.summary_open);
    // Nothing acts behind it.
    h.keys("j");
    assert_eq!(h.state.plan.cursor, cursor);
    let big = h.screen(120, 40);
    assert_snapshot!("plan_summary_open_120x40", big);
    let small = h.screen(80, 24);
    assert_snapshot!("plan_summary_open_80x24", small);
    for s in [&big, &small] {
        let f = flat(s);
        assert!(f.contains(&method), "{s}");
        assert!(
            f.contains(
                "space returns after the registry's garbage collection (registry garbage-collect)"
            ),
            "{s}"
        );
    }
    h.keys("esc");
    assert!(!h.state.plan.summary_open);
    assert_eq!(h.state.view, crate::app::state::View::Plan);
    h.keys("i i");
    assert!(!h.state.plan.summary_open, "its key closes it too");
}
