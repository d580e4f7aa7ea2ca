//! Instant reopen (issue 18): the last known inventory from the store is drawn at once with
//! its age ("as of HH:MM · refreshing"); the refresh that follows replaces rows in place,
//! the selection and the marks stay on the same images, and the tree says what changed
//! since the last open.

use super::Harness;
use crate::app::inventory_event as ev;
use crate::app::testing::{fixed_now, fleet_images};
use crate::inventory::InventoryEvent;
use crate::store::Changes;

#[test]
fn the_stored_inventory_is_drawn_at_once_and_the_refresh_keeps_selection_and_marks() {
    let mut h = Harness::new(&["prod"]);
    // What the store sends first: the listing, each repository's images, then `Cached`.
    h.inventory(ev::listed("prod", &["web", "api"]));
    h.inventory(ev::images("prod", "web", fleet_images("web", 40)));
    h.inventory(ev::images("prod", "api", fleet_images("api", 5)));
    let as_of = fixed_now() - chrono::Duration::hours(2);
    h.inventory(InventoryEvent::Cached {
        registry: "prod".into(),
        as_of: Some(as_of),
    });
    let local = as_of.with_timezone(&chrono::Local).format("%H:%M");
    let screen = h.screen(200, 30);
    assert!(
        screen.contains(&format!("as of {local} · refreshing")),
        "{screen}"
    );
    assert!(screen.contains("web") && screen.contains("api"), "{screen}");

    // The user works on the stored rows while the refresh runs.
    h.keys("G enter");
    assert_eq!(h.state.images.table.as_ref().unwrap().repository, "web");
    h.keys("space space");
    let selected = h.state.images.selected().unwrap().digest_str().to_string();
    let marked: Vec<String> = marks(&h);
    assert_eq!(marked.len(), 2);

    // The refresh: the same listing, web with one image more (pushed since), then what
    // changed, then the end.
    h.inventory(ev::listed("prod", &["web", "api"]));
    let mut web = fleet_images("web", 40);
    let mut pushed = fleet_images("web-new", 1).remove(0);
    pushed.repository = "web".into();
    web.push(pushed.clone());
    h.inventory(ev::images("prod", "web", web));
    h.inventory(ev::images("prod", "api", fleet_images("api", 5)));
    h.inventory(InventoryEvent::Changes {
        registry: "prod".into(),
        changes: Changes {
            new_images: vec![("web".into(), pushed.digest.clone())],
            ..Changes::default()
        },
    });
    h.inventory(ev::finished("prod", None));

    let im = &h.state.images;
    assert_eq!(im.total(), 41, "the rows were replaced in place");
    assert_eq!(im.selected().unwrap().digest_str(), selected);
    assert_eq!(marks(&h), marked, "the marks stay on the same images");
    let screen = h.screen(200, 30);
    assert!(!screen.contains("refreshing"), "{screen}");
    assert!(screen.contains("+1 -0 ↻0"), "since last open: {screen}");
}

/// The digests of the marked rows, sorted.
fn marks(h: &Harness) -> Vec<String> {
    let im = &h.state.images;
    let table = im.table.as_ref().unwrap();
    let mut v: Vec<String> = im
        .marks()
        .unwrap()
        .iter()
        .map(|&r| table.row(r).digest().to_string())
        .collect();
    v.sort();
    v
}

#[test]
fn stored_summaries_draw_the_whole_tree_before_any_image_arrives() {
    let mut h = Harness::new(&["prod"]);
    h.inventory(ev::listed("prod", &["web", "api"]));
    let web = crate::model::RepositorySummary::from_images("prod", "web", &fleet_images("web", 40));
    let api = crate::model::RepositorySummary::from_images("prod", "api", &fleet_images("api", 5));
    let as_of = fixed_now() - chrono::Duration::hours(3);
    h.inventory(InventoryEvent::CachedSummaries {
        registry: "prod".into(),
        summaries: vec![web.clone(), api.clone()],
        as_of: Some(as_of),
    });
    let f = &h.state.fleet;
    let node = |name: &str| f.repos.iter().find(|r| r.name == name).unwrap();
    assert_eq!(node("web").summary.as_ref().unwrap().images, 40);
    assert_eq!(node("api").summary.as_ref().unwrap().images, 5);
    assert!(node("web").table.is_none(), "no rows yet, only the tree");
    assert_eq!(f.done_of(0), 2, "the whole tree is there");
    let screen = h.screen(200, 30);
    assert!(screen.contains("web") && screen.contains("api"), "{screen}");
    let local = as_of.with_timezone(&chrono::Local).format("%H:%M");
    assert!(
        screen.contains(&format!("as of {local} · refreshing")),
        "the tree's age at once: {screen}"
    );

    // Opening a repository before its rows arrive says so; its images then replace the
    // summary with their own (dates included).
    h.keys("G enter");
    assert!(h.state.images.table.is_none());
    h.inventory(ev::images("prod", "web", fleet_images("web", 40)));
    let f = &h.state.fleet;
    let web_node = f.repos.iter().find(|r| r.name == "web").unwrap();
    assert!(web_node.table.is_some());
    assert_eq!(
        web_node.summary.as_ref().unwrap(),
        &crate::model::RepositorySummary::from_images("prod", "web", &fleet_images("web", 40))
    );
}
