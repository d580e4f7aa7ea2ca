//! The `:` line: `:repo X` focuses the images pane even before X's rows arrive, and tab
//! completes command names, repository names and tags (saying when it is ambiguous).

use super::Harness;
use crate::app::inventory_event as ev;
use crate::app::state::Pane;
use crate::app::testing::fleet_images;

#[test]
fn repo_focuses_the_images_pane_before_its_rows_arrive() {
    let mut h = Harness::new(&["prod"]);
    h.inventory(ev::listed("prod", &["api", "web"]));
    h.inventory(ev::images("prod", "api", fleet_images("api", 3)));
    // Typed right after start: web is listed, its images not read yet.
    h.keys(": ");
    h.type_text("repo web");
    h.keys("enter");
    assert_eq!(h.state.focus, Pane::Images);
    assert!(
        h.state.images.table.is_none(),
        "not api's images under web's name"
    );
    let screen = h.screen(100, 30);
    assert!(screen.contains("web is loading…"), "{screen}");
    // The rows arrive: they are shown where the focus already is.
    h.inventory(ev::images("prod", "web", fleet_images("web", 4)));
    assert_eq!(h.state.focus, Pane::Images);
    assert_eq!(h.state.images.table.as_ref().unwrap().repository, "web");
    assert!(h.state.images.selected().is_some());
    h.keys("j");
    assert_eq!(h.state.images.cursor, 1, "keys act on the images");
}

#[test]
fn a_loading_repository_never_shows_the_previous_one_s_images() {
    let mut h = Harness::new(&["prod"]);
    h.inventory(ev::listed("prod", &["api", "web"]));
    h.inventory(ev::images("prod", "api", fleet_images("api", 3)));
    h.keys(": ");
    h.type_text("repo api");
    h.keys("enter");
    assert_eq!(h.state.images.table.as_ref().unwrap().repository, "api");
    h.keys("space shift-tab j");
    assert!(h.state.images.table.is_none());
    // api's mark is kept for when it is shown again.
    h.keys("k");
    assert_eq!(h.state.images.table.as_ref().unwrap().repository, "api");
    assert_eq!(
        h.state
            .images
            .marks
            .values()
            .map(|m| m.len())
            .sum::<usize>(),
        1
    );
}
