//! `:goto REF` selects one image by tag or (short) digest, in the open repository or
//! another, loaded or still loading; an index's platform is unfolded to; a filter that
//! hides the image is cleared and said so; what cannot be found is an error that names it.

use super::Harness;
use crate::app::inventory_event as ev;
use crate::app::state::Pane;
use crate::app::testing::{fleet_images, image};

/// prod with `web` (40 images, open), `shop` (an index with platforms and referrers) and
/// `later` (listed, no rows yet).
fn harness() -> Harness {
    let mut h = Harness::new(&["prod"]);
    h.inventory(ev::listed("prod", &["web", "shop", "later"]));
    h.inventory(ev::images("prod", "web", fleet_images("web", 40)));
    h.inventory(ev::images("prod", "shop", super::children::shop()));
    // The tree is sorted by name: later, shop, web.
    h.keys("G enter");
    assert_eq!(repo(&h), "web");
    h
}

fn repo(h: &Harness) -> String {
    h.state
        .images
        .table
        .as_ref()
        .map_or(String::new(), |t| t.repository.clone())
}

fn selected_digest(h: &Harness) -> String {
    h.state
        .images
        .selected()
        .map_or(String::new(), |r| r.digest_str().to_string())
}

fn goto(h: &mut Harness, line: &str) {
    // No `esc` first: on a filtered list it would clear the filter.
    h.keys(":");
    h.type_text(&format!("goto {line}"));
    h.keys("enter");
}

fn flash(h: &Harness) -> (String, bool) {
    let f = h.state.flash.clone().expect("a message on the status line");
    (f.text, f.error)
}

#[test]
fn a_tag_or_a_digest_of_the_open_repository_is_selected() {
    let mut h = harness();
    h.keys("g");
    goto(&mut h, "v1.0.18");
    assert_eq!(h.selected_tags(), tags(18), "{:?}", h.state.flash);
    assert_eq!(h.state.focus, Pane::Images);

    let d = image("web", 29, &[]).digest;
    goto(&mut h, &format!("@{}", &d.hex()[..8]));
    assert_eq!(selected_digest(&h), d.as_str(), "{:?}", h.state.flash);
    goto(&mut h, d.as_str());
    assert_eq!(selected_digest(&h), d.as_str());
    // The cursor's row is on screen.
    let cur = h.state.images.cursor;
    let off = h.state.images.offset;
    let page = crate::app::layout::image_page(&h.state);
    assert!(
        cur >= off && cur < off + page,
        "cursor {cur} offset {off} page {page}"
    );
}

#[test]
fn another_repository_opens_at_the_image_and_a_platform_is_unfolded_to() {
    let mut h = harness();
    let shop = super::children::shop();
    goto(&mut h, "shop:v1");
    assert_eq!(repo(&h), "shop");
    assert_eq!(h.selected_tags(), "v1");
    assert_eq!(h.state.focus, Pane::Images);

    // arm64's manifest hangs from the index: `:goto` unfolds the index and selects it.
    let arm = &shop[2].digest;
    goto(&mut h, &format!("shop@{}", &arm.hex()[..10]));
    assert_eq!(selected_digest(&h), arm.as_str(), "{:?}", h.state.flash);
    assert!(h.state.images.unfolded.contains(shop[0].digest.as_str()));
}

#[test]
fn a_repository_still_loading_is_settled_when_its_rows_arrive() {
    let mut h = harness();
    let rows = fleet_images("later", 12);
    let want = rows[9].digest.clone();
    goto(&mut h, &format!("later@{}", want.as_str()));
    assert_eq!(h.state.focus, Pane::Images);
    assert!(h.state.images.goto.is_some(), "waiting for later's rows");
    h.inventory(ev::images("prod", "later", rows));
    assert_eq!(repo(&h), "later");
    assert_eq!(selected_digest(&h), want.as_str(), "{:?}", h.state.flash);
    assert!(h.state.images.goto.is_none());
}

#[test]
fn moving_away_before_the_rows_arrive_forgets_the_goto() {
    let mut h = harness();
    goto(&mut h, "later:v1.0.9");
    assert!(h.state.images.goto.is_some());
    h.keys("tab j");
    h.inventory(ev::images("prod", "later", fleet_images("later", 12)));
    assert!(h.state.images.goto.is_none());
    assert_eq!(repo(&h), "shop", "the cursor stays where the user put it");
}

#[test]
fn a_filter_or_platform_that_hides_the_image_is_cleared_and_said_so() {
    let mut h = harness();
    h.keys("/");
    h.type_text("latest");
    h.keys("enter");
    assert_eq!(h.state.images.view.len(), 1);
    goto(&mut h, "v1.0.22");
    assert_eq!(h.selected_tags(), tags(22), "{:?}", h.state.flash);
    assert!(h.state.images.filter.is_empty());
    let (text, error) = flash(&h);
    assert_eq!(
        (text.as_str(), error),
        (":goto v1.0.22: cleared the filter, which hid it", false)
    );

    h.keys(":");
    h.type_text("platform linux/arm64");
    h.keys("enter");
    goto(&mut h, "v1.0.2");
    assert_eq!(h.selected_tags(), tags(2), "{:?}", h.state.flash);
    assert!(h.state.images.platform.is_none());
    assert!(flash(&h).0.contains("cleared :platform"), "{:?}", flash(&h));
}

/// The tags `fleet_images` gives image `n` (not 0, not n % 7 == 3).
fn tags(n: u64) -> String {
    let sha = format!("{:07x}", (n * 2_654_435_761) & 0xfff_ffff);
    format!("v1.{}.{} sha-{sha}", n / 100, n % 100)
}

#[test]
fn what_cannot_be_found_is_an_error_naming_it() {
    let mut h = harness();
    let before = selected_digest(&h);
    for (typed, want) in [
        ("v9.9.9", ":goto v9.9.9: web has no tag \"v9.9.9\""),
        (
            "nope:v1",
            ":goto nope:v1: no repository \"nope\" in prod (tab completes names)",
        ),
        ("@0123", "at least 8 hex characters, this has 4"),
        (
            "@deadbeefdeadbeef",
            "no digest of web starts with deadbeefdeadbeef",
        ),
        ("", ":goto needs one REF"),
    ] {
        goto(&mut h, typed);
        let (text, error) = flash(&h);
        assert!(error, "{typed}: {text}");
        assert!(text.contains(want), "{typed}: {text}");
        assert_eq!(repo(&h), "web", "{typed}");
        assert_eq!(selected_digest(&h), before, "{typed}");
    }
}

#[test]
fn tab_completes_tags_and_repositories_after_goto() {
    let mut h = harness();
    h.keys("esc :");
    h.type_text("goto sho");
    h.keys("tab");
    assert_eq!(h.state.prompt().unwrap().text, "goto shop");
    h.type_text(":v");
    h.keys("tab");
    assert_eq!(h.state.prompt().unwrap().text, "goto shop:v");
    h.type_text("1");
    h.keys("tab");
    assert_eq!(h.state.prompt().unwrap().text, "goto shop:v1 ");
}
