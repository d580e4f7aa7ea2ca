//! Shift-letter sorts (ux.md key grammar): one key per column, pressed again it reverses,
//! the header shows ▲/▼ on that column; in the tree the same letters sort repositories.

use super::Harness;
use crate::app::state::Pane;
use crate::app::views::fleet::state::{RepoSortColumn, TreeRow};
use crate::app::views::images::column::{ImageColumn, SortKey};
use insta::assert_snapshot;

fn in_images() -> Harness {
    let mut h = Harness::loaded();
    h.keys("G enter");
    assert_eq!(h.state.focus, Pane::Images);
    h
}

/// Sizes of the visible rows, in view order.
fn sizes(h: &Harness) -> Vec<u64> {
    let im = &h.state.images;
    let t = im.table.as_ref().unwrap();
    (0..im.view.len())
        .map(|p| t.row(im.view.get(p)).size().unwrap())
        .collect()
}

#[test]
fn a_column_letter_sorts_by_it_and_again_reverses() {
    let mut h = in_images();
    h.keys("Z");
    assert_eq!(h.state.images.sort, SortKey::new(ImageColumn::Size, true));
    let s = sizes(&h);
    assert!(s.windows(2).all(|w| w[0] >= w[1]), "largest first: {s:?}");
    assert!(h.screen(100, 30).contains("SIZE▼"));

    h.keys("Z");
    assert_eq!(h.state.images.sort, SortKey::new(ImageColumn::Size, false));
    let s = sizes(&h);
    assert!(s.windows(2).all(|w| w[0] <= w[1]), "smallest first: {s:?}");
    assert!(h.screen(100, 30).contains("SIZE▲"));

    // Another letter takes that column in its natural direction.
    h.keys("N");
    assert_eq!(h.state.images.sort, SortKey::new(ImageColumn::Tags, false));
    h.keys("I");
    assert_eq!(h.state.images.sort.column, ImageColumn::Digest);
    h.keys("C");
    assert_eq!(
        h.state.images.sort,
        SortKey::new(ImageColumn::Created, true)
    );
    // `S` still reverses whatever is sorted.
    h.keys("S");
    assert_eq!(
        h.state.images.sort,
        SortKey::new(ImageColumn::Created, false)
    );
}

#[test]
fn the_selected_image_stays_selected_across_a_sort() {
    let mut h = in_images();
    h.keys("j j j");
    let before = h.state.images.selected_id();
    h.keys("Z");
    assert_eq!(h.state.images.selected_id(), before);
}

#[test]
fn sorting_by_findings_needs_scan_results() {
    let mut h = in_images();
    let before = h.state.images.sort;
    h.keys("R");
    assert_eq!(h.state.images.sort, before, "no scans: nothing to sort by");
    let flash = h.state.flash.as_ref().expect("says why");
    assert!(flash.error && flash.text.contains("scan"), "{flash:?}");
}

#[test]
fn tree_letters_sort_repositories() {
    let mut h = Harness::loaded();
    let order = |h: &Harness| -> Vec<String> {
        let f = &h.state.fleet;
        f.rows
            .iter()
            .filter_map(|r| match r {
                TreeRow::Repo(i) => Some(f.repos[*i].name.clone()),
                TreeRow::Registry(_) => None,
            })
            .collect()
    };
    assert_eq!(order(&h), ["api", "empty", "web"]);
    h.keys("O");
    assert_eq!(h.state.fleet.sort, RepoSortColumn::Images);
    assert!(h.state.fleet.descending);
    assert_eq!(order(&h), ["web", "api", "empty"], "most images first");
    h.keys("O");
    assert_eq!(order(&h), ["empty", "api", "web"]);
    h.keys("N");
    assert_eq!(order(&h), ["api", "empty", "web"]);
    h.keys("N");
    assert_eq!(order(&h), ["web", "empty", "api"]);
    // Letters that name no repository column do nothing in the tree.
    h.keys("K");
    assert_eq!(h.state.fleet.sort, RepoSortColumn::Name);
}

#[test]
fn sorted_header_80x24() {
    let mut h = in_images();
    h.keys("U U");
    assert_snapshot!(h.screen(80, 24));
}
