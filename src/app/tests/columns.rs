//! The selection stays on screen after any sort; columns give way for width only (never
//! for a sort, never for `w`); at 80×24 the tree keeps 18 characters of a name (cut in
//! the middle) and the images pane keeps TAGS, DIGEST, SIZE, UNIQUE and CREATED.

use super::{buffer_text, Harness};
use crate::app::inventory_event as ev;
use crate::app::state::Pane;
use crate::app::testing::fleet_images;
use insta::assert_snapshot;

fn header(screen: &str) -> String {
    screen
        .lines()
        .find(|l| l.contains("TAGS"))
        .unwrap_or("")
        .to_string()
}

fn columns(screen: &str) -> Vec<String> {
    let h = header(screen);
    let images = h.rsplit("││").next().unwrap_or(&h);
    images
        .split([' ', '│'])
        .filter(|w| !w.is_empty())
        .map(|w| w.trim_end_matches(['▲', '▼']).to_string())
        .collect()
}

fn big_repository() -> Harness {
    let mut h = Harness::new(&["prod"]);
    h.inventory(ev::listed("prod", &["api", "web"]));
    h.inventory(ev::images("prod", "api", fleet_images("api", 3)));
    h.inventory(ev::images("prod", "web", fleet_images("web", 300)));
    h.inventory(ev::finished("prod", None));
    h
}

#[test]
fn the_selection_stays_on_screen_after_every_sort() {
    for (w, ht) in [(80, 24), (120, 40)] {
        let mut h = big_repository();
        h.render(w, ht);
        h.keys("j j tab");
        assert_eq!(h.state.focus, Pane::Images);
        h.keys("j j j j j j j j j j");
        for k in [
            "s", "s", "s", "S", "Z", "U", "C", "H", "N", "I", "K", "A", "L", "O",
        ] {
            h.keys(k);
            let page = crate::app::layout::image_page(&h.state);
            let im = &h.state.images;
            assert!(
                im.cursor >= im.offset && im.cursor < im.offset + page,
                "after {k} at {w}x{ht}: cursor {} offset {} page {page}",
                im.cursor,
                im.offset
            );
            // And it is drawn highlighted.
            let buf = h.render(w, ht);
            let sel = h
                .state
                .theme
                .color(crate::app::config::theme::Role::Selection);
            let highlighted = (0..buf.area.height)
                .any(|y| (0..buf.area.width).any(|x| Some(buf[(x, y)].bg) == sel));
            assert!(highlighted, "after {k} at {w}x{ht}");
        }
    }
    // The tree too: sorting moves the selected repository, the view follows it.
    let mut h = Harness::new(&["prod"]);
    let names: Vec<String> = (0..40).map(|i| format!("repo-{i:02}")).collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    h.inventory(ev::listed("prod", &refs));
    for (i, n) in names.iter().enumerate() {
        h.inventory(ev::images("prod", n, fleet_images(n, 1 + i as u64)));
    }
    h.render(80, 24);
    h.keys("j j");
    for k in ["s", "s", "S", "O", "Z", "U", "H", "N"] {
        h.keys(k);
        let page = crate::app::layout::fleet_page(&h.state);
        let f = &h.state.fleet;
        assert!(
            f.cursor >= f.offset && f.cursor < f.offset + page,
            "tree after {k}"
        );
    }
}

#[test]
fn columns_give_way_for_width_only() {
    for (w, ht) in [(80, 24), (120, 40)] {
        let mut h = big_repository();
        h.keys("j j tab");
        let base = columns(&h.screen(w, ht));
        for k in ["K", "A", "L", "Z", "C", "s", "s", "s", "s", "s", "s"] {
            h.keys(k);
            assert_eq!(columns(&h.screen(w, ht)), base, "after {k} at {w}x{ht}");
        }
        // A sorted column that gave way is still named.
        h.keys("K");
        let screen = h.screen(w, ht);
        if !base.iter().any(|c| c == "KIND") {
            assert!(screen.contains("sort: kind"), "{screen}");
        }
        // `w` widens, it never removes a column.
        h.keys("w");
        assert_eq!(columns(&h.screen(w, ht)), base, "w at {w}x{ht}");
        h.keys("w");
    }
}

#[test]
fn wide_at_120_widens_tags_and_digest() {
    let mut h = big_repository();
    h.keys("j j tab");
    let narrow = h.screen(120, 40);
    h.keys("w");
    let wide = h.screen(120, 40);
    assert_eq!(columns(&narrow), columns(&wide));
    assert!(columns(&wide).contains(&"DIGEST".to_string()));
    // More of the digest shows, cut with `…` where room ends.
    let digest = h.state.images.selected().unwrap().digest_str().to_string();
    let hex = digest.split_once(':').unwrap().1;
    assert!(!narrow.contains(&hex[..13]));
    assert!(wide.contains(&hex[..13]), "{wide}");
}

#[test]
fn tree_and_images_at_80x24_and_120x40() {
    let mut h = Harness::new(&["prod"]);
    let names = [
        "team-a/payments/api",
        "team-a/web",
        "platform/observability/collector-gateway",
        "tools",
    ];
    h.inventory(ev::listed("prod", &names));
    for (i, n) in names.iter().enumerate() {
        h.inventory(ev::images("prod", n, fleet_images(n, 3 + 4 * i as u64)));
    }
    h.inventory(ev::finished("prod", None));
    h.keys("j enter");
    let small = h.screen(80, 24);
    assert_snapshot!("tree_images_80x24", small);
    // The count column is as wide as two-digit counts need, so a 19-character path fits
    // whole at 80 columns; a longer one is cut in the middle.
    assert!(small.contains("team-a/payments/api "), "{small}");
    assert!(small.contains("platform/…r-gateway"), "{small}");
    assert!(small.contains("REPOSITORY") && small.contains("IMGS"));
    for c in ["TAGS", "DIGEST", "SIZE", "UNIQUE", "CREATED"] {
        assert!(
            columns(&small).iter().any(|x| x == c),
            "{c} at 80x24: {small}"
        );
    }
    let buf = h.render(120, 40);
    let big = buffer_text(&buf);
    assert_snapshot!("tree_images_120x40", big);
    for c in ["IMGS", "TOTAL", "UNIQUE"] {
        assert!(big.lines().nth(2).unwrap_or("").contains(c), "{c}: {big}");
    }
}
