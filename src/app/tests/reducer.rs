//! Keys in, state out: navigation, filter, sort, marks, the modal stack, the error list,
//! commands and lazy detail.

use super::Harness;
use crate::app::inventory_event as ev;
use crate::app::msg::Msg;
use crate::app::state::{Layer, Modal, Pane, View};
use crate::app::tasks::detail::{DetailData, DetailResult};
use crate::app::views::detail::state::{DetailEntry, DetailTab};
use crate::app::views::fleet::state::TreeRow;
use crate::app::views::images::column::ImageColumn;
use crate::registry::{Place, RegistryError};
use std::sync::Arc;

fn in_images() -> Harness {
    let mut h = Harness::loaded();
    // Tree rows: prod, api, empty, web (sorted by name); open web.
    h.keys("G enter");
    assert_eq!(h.state.focus, Pane::Images);
    assert_eq!(h.state.images.table.as_ref().unwrap().repository, "web");
    h
}

#[test]
fn tree_streams_in_and_follows_the_cursor() {
    let mut h = Harness::new(&["prod"]);
    h.inventory(ev::listed("prod", &["web", "api"]));
    assert_eq!(h.state.fleet.rows.len(), 3);
    h.keys("j");
    assert_eq!(h.state.fleet.selected(), Some(TreeRow::Repo(1)));
    assert!(h.state.images.table.is_none(), "api not loaded yet");
    h.inventory(ev::images(
        "prod",
        "api",
        crate::app::testing::fleet_images("api", 3),
    ));
    assert_eq!(
        h.state.images.total(),
        3,
        "the pane picks up the repo when it arrives"
    );
    h.inventory(ev::progress("prod", 1, 2, 40));
    let (done, total, stats) = h.state.fleet.progress();
    assert_eq!((done, total, stats.requests), (1, Some(2), 40));
    assert!(!h.state.fleet.all_finished());
    h.inventory(ev::finished("prod", None));
    assert!(h.state.fleet.all_finished());
    // Enter on a registry collapses it.
    h.keys("g enter");
    assert_eq!(h.state.fleet.rows.len(), 1);
}

#[test]
fn navigation_clamps_and_pages() {
    let mut h = in_images();
    assert_eq!(h.state.images.cursor, 0);
    h.keys("k");
    assert_eq!(h.state.images.cursor, 0);
    h.keys("j j j");
    assert_eq!(h.state.images.cursor, 3);
    h.keys("G");
    assert_eq!(h.state.images.cursor, 39);
    assert!(
        h.state.images.offset > 0,
        "scrolled to keep the cursor visible"
    );
    h.keys("pageup");
    let page = crate::app::layout::image_page(&h.state);
    assert_eq!(h.state.images.cursor, 39 - page);
    h.keys("g");
    assert_eq!((h.state.images.cursor, h.state.images.offset), (0, 0));
    h.keys("ctrl-d");
    assert_eq!(h.state.images.cursor, page / 2);
}

#[test]
fn default_sort_is_newest_first_and_sort_keys_cycle_and_reverse() {
    let mut h = in_images();
    assert_eq!(h.state.images.sort.column, ImageColumn::Created);
    // fleet_images: image n is n days old, so the newest is n = 0 with `latest`.
    assert!(h.selected_tags().contains("latest"));
    h.keys("S");
    assert!(!h.state.images.sort.descending);
    assert!(
        h.selected_tags().contains("latest"),
        "re-sorting keeps the selected image"
    );
    h.keys("g");
    assert!(
        h.selected_tags().contains("v1.0.39"),
        "{}",
        h.selected_tags()
    );
    h.keys("s");
    assert_eq!(h.state.images.sort.column, ImageColumn::Pushed);
    h.keys(": ");
    h.type_text("sort tags asc");
    h.keys("enter g");
    assert_eq!(h.state.images.sort.column, ImageColumn::Tags);
    assert!(
        h.selected_tags().starts_with("latest"),
        "{}",
        h.selected_tags()
    );
}

#[test]
fn filter_is_live_invertible_and_esc_restores() {
    let mut h = in_images();
    h.keys("/");
    assert_eq!(h.state.layer(), Layer::Prompt);
    h.type_text("v1.0.1");
    // Fuzzy within one tag: v1.0.1 and v1.0.10-19, v1.0.21, v1.0.31 ... minus the
    // untagged ones; never letters strung across a tag and the digest.
    let n = h.state.images.view.len();
    assert!(n > 5 && n < 30, "{n}");
    h.keys("enter");
    assert_eq!(h.state.layer(), Layer::Pane(Pane::Images));
    assert_eq!(h.state.images.filter, "v1.0.1");
    // Inverting gives the complement.
    h.keys("/");
    h.press("ctrl-u");
    h.type_text("!v1.0.1");
    h.keys("enter");
    assert_eq!(h.state.images.view.len(), 40 - n);
    // Esc while editing restores what was there before editing.
    h.keys("/ ctrl-u");
    h.type_text("zzz");
    assert_eq!(h.state.images.view.len(), 0);
    h.keys("esc");
    assert_eq!(h.state.images.filter, "!v1.0.1");
    assert_eq!(h.state.images.view.len(), 40 - n);
    // Esc in the pane clears the filter: identity view again.
    h.keys("esc");
    assert_eq!(h.state.images.filter, "");
    assert_eq!(h.state.images.view.len(), 40);
}

#[test]
fn opening_a_repository_starts_at_the_top_of_the_sorted_view() {
    // The registry lists `old` oldest first, so its first row in registry order is the
    // oldest image; the sorted view (newest first) must open on the newest, not follow it.
    let mut h = Harness::new(&["prod"]);
    h.inventory(ev::listed("prod", &["old"]));
    let mut imgs = crate::app::testing::fleet_images("old", 30);
    imgs.reverse();
    h.inventory(ev::images("prod", "old", imgs));
    h.keys("j enter");
    assert_eq!(h.state.images.table.as_ref().unwrap().repository, "old");
    assert_eq!(h.state.images.cursor, 0);
    assert!(
        h.selected_tags().contains("latest"),
        "{}",
        h.selected_tags()
    );
}

#[test]
fn stale_view_results_are_dropped() {
    let mut h = in_images();
    let gen = h.state.images.generation;
    let before = h.state.images.view.len();
    h.send(Msg::ViewReady {
        generation: gen - 1,
        view: crate::app::views::images::state::RowView::Filtered(Arc::from(vec![1u32])),
    });
    assert_eq!(h.state.images.view.len(), before);
}

#[test]
fn marks_toggle_range_and_clear_per_repository() {
    let mut h = in_images();
    h.keys("space");
    assert_eq!(h.state.images.cursor, 1, "space marks and moves on");
    h.keys("j j V");
    assert_eq!(h.state.images.marks().unwrap().len(), 4);
    h.keys("k space");
    assert_eq!(h.state.images.marks().unwrap().len(), 3);
    // Marks belong to their repository.
    h.keys("esc k enter");
    assert_eq!(h.state.images.table.as_ref().unwrap().repository, "empty");
    assert!(h.state.images.marks().is_none());
    h.keys("esc j enter");
    assert_eq!(h.state.images.marks().unwrap().len(), 3);
    h.keys("u");
    assert!(h.state.images.marks().is_none());
}

#[test]
fn modal_stack_routes_keys_to_the_top_layer() {
    let mut h = in_images();
    h.keys("?");
    assert_eq!(h.state.layer(), Layer::Help);
    h.keys("j");
    assert_eq!(h.state.images.cursor, 0, "j scrolls help, not the table");
    assert_eq!(h.state.modals.last(), Some(&Modal::Help { scroll: 1 }));
    h.keys(":");
    assert_eq!(h.state.layer(), Layer::Prompt);
    h.type_text("errors");
    h.keys("enter");
    assert_eq!(h.state.layer(), Layer::Errors);
    h.keys("esc");
    assert_eq!(h.state.layer(), Layer::Help);
    h.keys("?");
    assert_eq!(h.state.layer(), Layer::Pane(Pane::Images));
    h.keys("2");
    assert_eq!(h.state.view, View::Charts);
    h.keys("esc");
    assert_eq!(h.state.view, View::Explorer);
    h.keys("q");
    assert!(h.state.quit);
}

#[test]
fn errors_stay_until_dismissed() {
    let mut h = Harness::loaded();
    h.inventory(ev::refused("prod", "secret", 403, "DENIED"));
    h.inventory(ev::refused("prod", "gone", 404, "NAME_UNKNOWN"));
    h.inventory(ev::finished("prod", None));
    assert_eq!(h.state.errors.entries.len(), 2);
    let newest = &h.state.errors.entries[0];
    assert_eq!(newest.status, Some(404));
    assert_eq!(newest.code.as_deref(), Some("NAME_UNKNOWN"));
    assert_eq!(newest.repository.as_deref(), Some("gone"));
    assert!(!newest.next_step.is_empty());
    h.send(Msg::Tick(
        crate::app::testing::fixed_now() + chrono::Duration::hours(5),
    ));
    assert_eq!(
        h.state.errors.entries.len(),
        2,
        "time does not dismiss errors"
    );
    h.keys("e");
    assert_eq!(h.state.layer(), Layer::Errors);
    h.keys("x");
    assert_eq!(h.state.errors.entries.len(), 1);
    assert_eq!(h.state.errors.entries[0].status, Some(403));
    h.keys("X");
    assert!(h.state.errors.entries.is_empty());
}

#[test]
fn commands_jump_and_filter_by_platform() {
    let mut h = Harness::new(&["prod", "staging"]);
    h.inventory(ev::listed("prod", &["web"]));
    h.inventory(ev::listed("staging", &["api", "apps/web"]));
    h.inventory(ev::images(
        "staging",
        "apps/web",
        crate::app::testing::fleet_images("apps/web", 22),
    ));
    h.keys(":");
    h.type_text("registry staging");
    h.keys("enter");
    assert_eq!(h.state.fleet.selected(), Some(TreeRow::Registry(1)));
    h.keys(":");
    h.type_text("repo apps");
    h.keys("enter");
    assert_eq!(h.state.focus, Pane::Images);
    assert_eq!(h.state.images.total(), 22);
    h.keys(":");
    h.type_text("platform linux/arm64");
    h.keys("enter");
    // fleet_images: every n % 11 == 5 is a multi-arch index (n = 5, 16).
    assert_eq!(h.state.images.view.len(), 2);
    h.keys(":");
    h.type_text("platform");
    h.keys("enter");
    assert_eq!(h.state.images.view.len(), 22);
    h.keys(":");
    h.type_text("registry nope");
    h.keys("enter");
    assert!(h
        .state
        .flash
        .as_ref()
        .is_some_and(|f| f.error && f.text.contains("nope")));
    h.keys(":");
    h.type_text("quit");
    h.keys("enter");
    assert!(h.state.quit);
}

#[test]
fn detail_is_fetched_lazily_once_per_digest() {
    let mut h = in_images();
    assert!(h.fetches.is_empty(), "browsing the list fetches nothing");
    h.keys("enter");
    assert_eq!(h.state.focus, Pane::Detail);
    assert_eq!(h.fetches.len(), 1);
    let first = h.fetches[0].clone();
    // Moving in the list with the detail open fetches the new selection (latest wins).
    h.keys("shift-tab j");
    assert_eq!(h.fetches.len(), 2);
    assert!(h.fetches[1].ticket > first.ticket);
    let data = DetailData {
        digest: first.digest.clone(),
        media_type: "m".into(),
        manifest_bytes: b"{}".to_vec(),
        config_bytes: None,
        config_digest: None,
        layers: vec![],
        platforms: vec![],
        referrers: Ok(vec![]),
        os_arch: None,
    };
    h.send(Msg::Detail(DetailResult {
        ticket: first.ticket,
        digest: first.digest.clone(),
        outcome: Ok(Arc::new(data)),
    }));
    h.keys("k");
    assert_eq!(h.fetches.len(), 2, "cached by digest: no second fetch");
    assert!(matches!(
        h.state.detail.cache.get(first.digest.as_str()),
        Some(DetailEntry::Ready(_))
    ));
    // A failure lands in the error list with its status.
    let second = h.fetches[1].clone();
    h.send(Msg::Detail(DetailResult {
        ticket: second.ticket,
        digest: second.digest.clone(),
        outcome: Err(RegistryError::Forbidden {
            place: Place {
                registry: "prod".into(),
                repository: Some("web".into()),
                reference: None,
            },
            code: crate::registry::CodeSuffix(Some("DENIED".into())),
            detail: String::new(),
        }),
    }));
    assert_eq!(h.state.errors.entries[0].status, Some(403));
    h.keys("tab y");
    assert_eq!(h.state.detail.tab, DetailTab::Raw);
    h.keys("y");
    assert!(h.state.detail.raw_config, "y again shows the config");
    h.keys("esc");
    assert!(!h.state.detail.open);
    assert_eq!(h.state.focus, Pane::Images);
}

#[test]
fn copy_wide_and_mouse() {
    let mut h = in_images();
    h.keys("c");
    assert_eq!(h.copies.len(), 1);
    assert!(
        h.copies[0].starts_with("prod/web@sha256:"),
        "{}",
        h.copies[0]
    );
    h.keys("w");
    assert!(h.state.wide);
    assert!(!h.state.mouse, "mouse is off by default");
    h.keys("m");
    assert!(h.state.mouse);
    assert!(matches!(
        h.other.last(),
        Some(crate::app::effect::Effect::SetMouse(true))
    ));
}

#[test]
fn remapped_keys_drive_the_same_actions() {
    let mut h = in_images();
    let mut o = std::collections::BTreeMap::new();
    o.insert("mark".to_string(), vec!["x".to_string()]);
    h.state.keymap = crate::app::keymap::Keymap::with_overrides(&o).0;
    h.keys("x");
    assert_eq!(h.state.images.marks().unwrap().len(), 1);
    h.keys("space");
    assert_eq!(
        h.state.images.marks().unwrap().len(),
        1,
        "space is no longer mark"
    );
}

#[test]
fn an_archived_image_says_so_in_the_detail_overview() {
    let mut h = Harness::new(&["prod"]);
    h.inventory(ev::listed("prod", &["cold"]));
    let mut imgs = crate::app::testing::fleet_images("cold", 3);
    imgs[0].storage_class = Some(crate::model::StorageClass::Archive);
    h.inventory(ev::images("prod", "cold", imgs));
    h.keys("j enter enter");
    let screen = h.screen(100, 40);
    assert!(
        screen.contains("archive: listed but not pullable until restored"),
        "{screen}"
    );
    h.keys("esc j enter");
    assert!(
        !h.screen(100, 40).contains("archive:"),
        "standard images say nothing"
    );
}
