//! Refresh (ctrl-r): a crawl that completes again replaces what it reports and drops what
//! it no longer reports: deleted repositories leave the tree, deleted images leave the
//! table and lose their marks, and the selection stays on what still exists.

use super::Harness;
use crate::app::effect::Effect;
use crate::app::inventory_event as ev;
use crate::app::msg::{InventoryUpdate, Msg};
use crate::app::state::Pane;
use crate::app::testing::fleet_images;
use crate::app::views::fleet::state::TreeRow;

fn restart(h: &mut Harness) {
    // ctrl-r on the registry's row crawls everything again (on a repository it reads
    // that repository alone); where the user was is put back after.
    let (focus, cursor) = (h.state.focus, h.state.fleet.cursor);
    h.state.focus = Pane::Fleet;
    h.state.fleet.cursor = h
        .state
        .fleet
        .rows
        .iter()
        .position(|r| *r == TreeRow::Registry(0))
        .unwrap();
    h.keys("ctrl-r");
    assert!(h.other.iter().any(|e| matches!(e, Effect::Refresh)));
    h.state.focus = focus;
    h.state.fleet.cursor = cursor;
    // What the runner sends when it starts the crawls again.
    h.send(Msg::Inventory(InventoryUpdate::Restarted {
        registry: "prod".into(),
    }));
}

fn repo_names(h: &Harness) -> Vec<String> {
    let mut v: Vec<String> = h.state.fleet.repos.iter().map(|r| r.name.clone()).collect();
    v.sort();
    v
}

#[test]
fn repositories_and_images_deleted_since_the_last_crawl_are_dropped() {
    let mut h = Harness::loaded();
    h.inventory(ev::finished("prod", None));
    h.keys("G enter");
    assert_eq!(h.state.images.table.as_ref().unwrap().repository, "web");
    // Mark the first two rows (newest first: images 0 and 1), select the third.
    h.keys("space space");
    let selected = h.state.images.selected().unwrap().digest_str().to_string();
    assert_eq!(h.state.images.marks().unwrap().len(), 2);

    restart(&mut h);
    h.inventory(ev::listed("prod", &["web", "api"]));
    // Image 0 was deleted; the other 39 remain.
    let web: Vec<_> = fleet_images("web", 40).into_iter().skip(1).collect();
    h.inventory(ev::images("prod", "web", web));
    h.inventory(ev::images("prod", "api", fleet_images("api", 5)));
    assert_eq!(
        repo_names(&h),
        ["api", "empty", "web"],
        "kept until the crawl completes"
    );
    h.inventory(ev::finished("prod", None));

    assert_eq!(
        repo_names(&h),
        ["api", "web"],
        "the deleted repository is gone"
    );
    assert_eq!(h.state.fleet.rows.len(), 3);
    let im = &h.state.images;
    assert_eq!(im.total(), 39);
    assert_eq!(
        im.selected().unwrap().digest_str(),
        selected,
        "the same image stays selected"
    );
    assert_eq!(
        im.marks().unwrap().len(),
        1,
        "the deleted image's mark is gone"
    );
    let marked = *im.marks().unwrap().iter().next().unwrap();
    assert_eq!(
        im.table.as_ref().unwrap().row(marked).digest(),
        fleet_images("web", 40)[1].digest,
        "the surviving mark points at the same image in the new table"
    );
}

#[test]
fn when_the_selected_repository_vanishes_the_tree_keeps_a_sensible_cursor() {
    let mut h = Harness::loaded();
    h.inventory(ev::finished("prod", None));
    // Tree: prod, api, empty, web. Open empty's neighbour web, then go back to the tree on web.
    h.keys("G enter");
    h.keys("space");
    h.keys("esc");
    assert_eq!(h.state.focus, Pane::Fleet);
    restart(&mut h);
    h.inventory(ev::listed("prod", &["api", "empty"]));
    h.inventory(ev::images("prod", "api", fleet_images("api", 5)));
    h.inventory(ev::images("prod", "empty", vec![]));
    h.inventory(ev::finished("prod", None));

    assert_eq!(repo_names(&h), ["api", "empty"]);
    let f = &h.state.fleet;
    assert!(f.cursor < f.rows.len());
    assert_eq!(
        f.selected(),
        Some(TreeRow::Repo(f.repo_index(0, "empty").unwrap()))
    );
    let im = &h.state.images;
    assert_eq!(
        im.table.as_ref().unwrap().repository,
        "empty",
        "the pane follows the cursor, never a deleted repository"
    );
    assert!(
        im.marks.is_empty(),
        "marks on the deleted repository are gone"
    );
}

#[test]
fn a_failed_refresh_keeps_what_was_known() {
    let mut h = Harness::loaded();
    h.inventory(ev::finished("prod", None));
    restart(&mut h);
    h.inventory(ev::finished("prod", Some("prod: cannot connect: refused")));
    assert_eq!(repo_names(&h), ["api", "empty", "web"]);
    assert_eq!(h.state.errors.entries.len(), 1);
}
