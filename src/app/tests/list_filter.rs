//! `/` filters the list that has focus — the registries tree, the plan review, the error
//! list (the fleet query's is in `query.rs`) — and says so where nothing filters, so the
//! letters typed next never run as commands.

use super::Harness;
use crate::app::inventory_event as ev;
use crate::app::state::{Layer, Modal, Pane, View};
use crate::app::testing::fleet_images;
use crate::app::views::fleet::state::TreeRow;
use crate::app::views::plan::state::PlanRow;

fn tree_names(h: &Harness) -> Vec<String> {
    let f = &h.state.fleet;
    f.rows
        .iter()
        .filter_map(|r| match r {
            TreeRow::Repo(i) => Some(f.repos[*i].name.clone()),
            TreeRow::Registry(_) => None,
        })
        .collect()
}

fn many_repositories() -> Harness {
    let mut h = Harness::new(&["prod"]);
    let names = [
        "team-a/api",
        "team-a/web",
        "team-b/api-gateway",
        "hidden/mumble",
        "hidden/murmur",
    ];
    h.inventory(ev::listed("prod", &names));
    for n in names {
        h.inventory(ev::images("prod", n, fleet_images(n, 3)));
    }
    h.inventory(ev::finished("prod", None));
    h
}

#[test]
fn slash_in_the_tree_filters_repository_names_and_letters_do_not_run_commands() {
    let mut h = many_repositories();
    assert_eq!(h.state.focus, Pane::Fleet);
    h.keys("/");
    assert_eq!(h.state.layer(), Layer::Prompt);
    // Letters that are commands in the tree (m: mouse, s: sort, e: errors, q: quit).
    h.type_text("mseq");
    assert!(!h.state.quit && !h.state.mouse);
    assert!(h.state.modals.iter().all(|m| *m != Modal::Errors));
    assert_eq!(h.state.fleet.filter, "mseq");
    assert!(tree_names(&h).is_empty(), "{:?}", tree_names(&h));
    assert!(h.screen(100, 20).contains("no match (esc clears)"));
    // Backspace back to a real query: the same syntax as the images filter.
    for _ in 0..4 {
        h.keys("backspace");
    }
    h.type_text("api");
    assert_eq!(tree_names(&h), ["team-a/api", "team-b/api-gateway"]);
    h.keys("enter");
    assert_eq!(h.state.layer(), Layer::Pane(Pane::Fleet));
    let screen = h.screen(100, 20);
    assert!(screen.contains("/api 2 of 5"), "{screen}");
    // The registry row stays; the cursor is on a shown row and the pane follows it.
    h.keys("j");
    assert_eq!(
        h.state.images.table.as_ref().map(|t| t.repository.as_str()),
        Some("team-a/api")
    );
    // Inverted and prefix terms.
    h.keys("/ ctrl-u");
    h.type_text("!^team");
    assert_eq!(tree_names(&h), ["hidden/mumble", "hidden/murmur"]);
    // esc in the prompt restores what was kept; esc in the tree then clears it.
    h.keys("esc");
    assert_eq!(h.state.fleet.filter, "api");
    h.keys("esc");
    assert_eq!(h.state.fleet.filter, "");
    assert_eq!(tree_names(&h).len(), 5);
}

#[test]
fn the_tree_filter_applies_to_repositories_that_arrive_later() {
    let mut h = Harness::new(&["prod"]);
    h.inventory(ev::listed("prod", &["web"]));
    h.keys("/");
    h.type_text("gate");
    h.keys("enter");
    assert!(tree_names(&h).is_empty());
    h.inventory(ev::listed("prod", &["web", "gateway"]));
    assert_eq!(tree_names(&h), ["gateway"]);
    assert_eq!(h.state.fleet.matching, 1);
}

#[test]
fn slash_where_nothing_filters_says_so() {
    let mut h = many_repositories();
    for view in ["2", "?"] {
        h.keys(view);
        h.keys("/");
        assert!(
            !matches!(h.state.modals.last(), Some(Modal::Prompt(_))),
            "no prompt in {view}"
        );
        let flash = h.state.flash.clone().expect("the status line says why");
        assert!(flash.text.contains("nothing to filter"), "{}", flash.text);
        h.state.flash = None;
        h.keys("esc");
    }
    assert_eq!(h.state.view, View::Explorer);
}

#[test]
fn slash_in_the_plan_narrows_rows_never_the_plan() {
    let mut h = Harness::new(&["prod"]);
    h.inventory(ev::listed("prod", &["web"]));
    h.inventory(ev::images("prod", "web", fleet_images("web", 12)));
    h.keys("j enter");
    h.keys("space space space space");
    h.keys("D");
    assert_eq!(h.state.view, View::Plan);
    let all = h.state.plan.rows.len();
    let removals = h.state.plan.removals();
    assert_eq!(removals, 4);
    h.keys("/");
    h.type_text("v1.0.1");
    let actions: Vec<_> = h
        .state
        .plan
        .rows
        .iter()
        .filter(|r| matches!(r, PlanRow::Action(_)))
        .collect();
    assert_eq!(actions.len(), 1, "{:?}", h.state.plan.rows);
    // The group header keeps the plan's own count; the plan itself is unchanged.
    assert!(h
        .state
        .plan
        .rows
        .contains(&PlanRow::Group(crate::policy::ActionKind::Delete, 4)));
    assert_eq!(h.state.plan.removals(), removals);
    h.keys("enter");
    let screen = h.screen(120, 30);
    assert!(screen.contains("/v1.0.1 1 of 4 rows"), "{screen}");
    // Filtering by rule or reason words works too.
    h.keys("/ ctrl-u");
    h.type_text("marked");
    assert!(h.state.plan.rows.len() > 1);
    h.keys("enter esc");
    assert_eq!(h.state.plan.filter, "");
    assert_eq!(h.state.plan.rows.len(), all);
    assert_eq!(
        h.state.view,
        View::Plan,
        "the first esc only clears the filter"
    );
    h.keys("esc");
    assert_eq!(h.state.view, View::Explorer);
}

#[test]
fn slash_in_the_error_list_filters_and_dismisses_only_what_it_shows() {
    let mut h = many_repositories();
    h.inventory(ev::refused("prod", "team-a/api", 403, "DENIED"));
    h.inventory(ev::refused(
        "prod",
        "team-b/api-gateway",
        404,
        "NAME_UNKNOWN",
    ));
    h.inventory(ev::refused("prod", "hidden/mumble", 401, "UNAUTHORIZED"));
    h.keys("e");
    assert_eq!(h.state.layer(), Layer::Errors);
    h.keys("/");
    h.type_text("team");
    assert_eq!(h.state.errors.visible().len(), 2);
    h.keys("enter");
    assert_eq!(
        h.state.errors.selected().unwrap().repository.as_deref(),
        Some("team-b/api-gateway"),
        "newest shown first"
    );
    h.keys("j");
    assert_eq!(
        h.state.errors.selected().unwrap().repository.as_deref(),
        Some("team-a/api")
    );
    h.keys("j");
    assert_eq!(
        h.state.errors.selected().unwrap().repository.as_deref(),
        Some("team-a/api"),
        "the cursor stops at the last shown entry"
    );
    // A status or code matches too.
    h.keys("/ ctrl-u");
    h.type_text("404");
    assert_eq!(h.state.errors.visible().len(), 1);
    h.keys("enter");
    let screen = h.screen(100, 30);
    assert!(screen.contains("/404 1 shown"), "{screen}");
    h.keys("X");
    assert_eq!(h.state.errors.entries.len(), 2, "only the shown one went");
    assert!(h.screen(100, 30).contains("no error matches the filter"));
    h.keys("esc");
    assert_eq!(h.state.errors.visible().len(), 2);
    assert_eq!(
        h.state.layer(),
        Layer::Errors,
        "the first esc clears the filter"
    );
    h.keys("esc");
    assert_eq!(h.state.layer(), Layer::Pane(Pane::Fleet));
}
