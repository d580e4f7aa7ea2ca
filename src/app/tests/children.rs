//! An index's platforms and an image's referrers are shown under it, folded until asked
//! for, and never offered as `<untagged>` images to mark; a dangling untagged image stays
//! `<untagged>`. Counts use the one definition of an image (`model::Role`).

use super::Harness;
use crate::app::inventory_event as ev;
use crate::app::testing::image;
use crate::model::{Image, ImageKind, Platform};
use insta::assert_snapshot;

/// `shop`: an index `v2` over linux/amd64 and linux/arm64/v8 with a buildkit attestation
/// of amd64 and a cosign signature of the index, a tagged image `v1`, and a dangling
/// untagged image.
pub fn shop() -> Vec<Image> {
    let mut index = image("shop", 1, &["latest", "v2"]);
    index.kind = ImageKind::Index;
    index.media_type = crate::registry::media::OCI_INDEX.into();
    let mut amd = image("shop", 2, &[]);
    amd.platforms = vec![Platform::new("linux", "amd64", None)];
    let mut arm = image("shop", 3, &[]);
    arm.platforms = vec![Platform::new("linux", "arm64", Some("v8"))];
    let mut att = image("shop", 4, &[]);
    att.kind = ImageKind::Attestation;
    att.platforms.clear();
    att.subject = Some(amd.digest.clone());
    let mut sig = image("shop", 5, &[]);
    sig.kind = ImageKind::Signature;
    sig.platforms.clear();
    sig.subject = Some(index.digest.clone());
    index.children = vec![amd.digest.clone(), arm.digest.clone(), att.digest.clone()];
    index.platforms = vec![amd.platforms[0].clone(), arm.platforms[0].clone()];
    let v1 = image("shop", 8, &["v1"]);
    let dangling = image("shop", 12, &[]);
    vec![index, amd, arm, att, sig, v1, dangling]
}

fn opened() -> Harness {
    let mut h = Harness::new(&["prod"]);
    h.inventory(ev::listed("prod", &["shop"]));
    h.inventory(ev::images("prod", "shop", shop()));
    h.inventory(ev::finished("prod", None));
    h.keys("j enter");
    h
}

#[test]
fn an_index_folds_its_platforms_and_referrers() {
    let mut h = opened();
    let t = h.state.images.table.clone().unwrap();
    assert_eq!(t.image_count(), 3, "the index, v1 and the dangling image");
    assert_eq!(h.state.images.view.len(), 3, "folded: three rows");
    let folded = h.screen(120, 40);
    assert!(folded.contains("▸ latest"), "{folded}");
    assert!(folded.contains("3 of 3"), "{folded}");
    assert_eq!(
        folded.matches("<untagged>").count(),
        1,
        "only the dangling image is untagged: {folded}"
    );
    assert!(!folded.contains("↳"), "{folded}");
    assert!(folded.contains("o unfolds"), "{folded}");
    assert_snapshot!("index_folded_120x40", folded);

    // `o` on the index shows its platforms, the attestation under its platform, and the
    // index's signature; the cursor stays on the index.
    h.keys("g o");
    assert_eq!(h.state.images.view.len(), 7);
    assert_eq!(h.selected_tags(), "latest v2");
    let open = h.screen(120, 40);
    for want in [
        "▾ latest",
        "↳ linux/amd64",
        "↳ linux/arm64/v8",
        "  ↳ attestation",
        "↳ signature",
    ] {
        assert!(open.contains(want), "{want}: {open}");
    }
    assert_eq!(open.matches("<untagged>").count(), 1, "{open}");
    assert!(
        open.contains("3 of 3"),
        "rows are counted as images: {open}"
    );
    assert_snapshot!("index_unfolded_120x40", open);
    assert_snapshot!("index_unfolded_80x24", h.screen(80, 24));

    // `o` on a platform folds its index again.
    h.keys("j o");
    assert_eq!(h.state.images.view.len(), 3);
    assert_eq!(h.selected_tags(), "latest v2");
}

#[test]
fn a_platform_or_a_referrer_cannot_be_marked_alone() {
    let mut h = opened();
    h.keys("g o j space");
    assert!(h.state.images.marks().is_none_or(|m| m.is_empty()));
    let flash = h.state.flash.as_ref().map(|f| f.text.clone()).unwrap();
    assert!(flash.contains("mark the index"), "{flash}");
    // A range over the index and its platforms marks the index only.
    h.keys("g V j j j V");
    let marks = h.state.images.marks().cloned().unwrap_or_default();
    assert_eq!(marks.len(), 1, "{marks:?}");
    // The plan of that mark deletes the index with its platforms and referrers, and
    // names only the index as marked.
    h.keys("D");
    let plan = h.state.plan.plan.clone().unwrap();
    assert_eq!(plan.actions.len(), 5, "{:#?}", plan.actions);
    let marked: Vec<_> = plan.actions.iter().filter(|a| a.rule == "marked").collect();
    assert_eq!(marked.len(), 1);
    assert_eq!(marked[0].tags, vec!["latest", "v2"]);
    assert_eq!(
        plan.policy_source.as_deref(),
        Some("1 image marked in the explorer")
    );
}

/// Sorting keeps platforms out of the ordering: they stay under their index.
#[test]
fn sorting_keeps_children_under_their_index() {
    let mut h = opened();
    h.keys("g o Z");
    let view: Vec<u32> = (0..h.state.images.view.len())
        .map(|p| h.state.images.view.get(p))
        .collect();
    let t = h.state.images.table.clone().unwrap();
    let index_pos = view.iter().position(|&id| id == 0).unwrap();
    assert_eq!(&view[index_pos + 1..index_pos + 5], &[1, 3, 2, 4]);
    assert_eq!(t.dependents(0), &[1, 2, 4]);
}
