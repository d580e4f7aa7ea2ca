//! The layers tab of an index: the layers of the platform chosen with `:platform`, else
//! linux/amd64, else the first runnable one, named above them; the platform's manifest is
//! fetched for it (the index has no layers of its own).

use super::children::shop;
use super::Harness;
use crate::app::effect::Effect;
use crate::app::inventory_event as ev;
use crate::app::msg::Msg;
use crate::app::tasks::detail::{DetailData, DetailRequest, DetailResult, LayerLine, PlatformLine};
use crate::app::views::detail::state::DetailTab;
use crate::model::{Digest, Image};
use insta::assert_snapshot;
use std::sync::Arc;

fn index_detail(imgs: &[Image]) -> DetailData {
    let platform = |i: usize, name: &str| PlatformLine {
        platform: name.into(),
        digest: imgs[i].digest.clone(),
        size: imgs[i].size_bytes,
        attestation: false,
    };
    DetailData {
        digest: imgs[0].digest.clone(),
        media_type: crate::registry::media::OCI_INDEX.into(),
        manifest_bytes: b"{}".to_vec(),
        config_bytes: None,
        config_digest: None,
        layers: vec![],
        platforms: vec![
            platform(2, "linux/arm64/v8"),
            platform(1, "linux/amd64"),
            PlatformLine {
                platform: "attestation".into(),
                digest: imgs[3].digest.clone(),
                size: None,
                attestation: true,
            },
        ],
        referrers: Ok(vec![]),
        os_arch: None,
    }
}

fn platform_detail(digest: &Digest, arch: &str) -> DetailData {
    let d = |s: &str| Digest::sha256_of(s.as_bytes());
    DetailData {
        digest: digest.clone(),
        media_type: crate::registry::media::OCI_MANIFEST.into(),
        manifest_bytes: b"{}".to_vec(),
        config_bytes: None,
        config_digest: Some(d("cfg")),
        layers: vec![
            LayerLine {
                digest: d(&format!("{arch}-base")),
                size: 29_000_000,
                media_type: "gzip".into(),
                created_by: Some(format!("ADD file:debian-bookworm-{arch} in /")),
                foreign_from: None,
            },
            LayerLine {
                digest: d(&format!("{arch}-app")),
                size: 4_000_000,
                media_type: "gzip".into(),
                created_by: Some("COPY shop /usr/local/bin/shop".into()),
                foreign_from: None,
            },
        ],
        platforms: vec![],
        referrers: Ok(vec![]),
        os_arch: Some(format!("linux/{arch}")),
    }
}

fn answer(h: &mut Harness, req: &DetailRequest, data: DetailData) {
    h.send(Msg::Detail(DetailResult {
        ticket: req.ticket,
        digest: req.digest.clone(),
        outcome: Ok(Arc::new(data)),
    }));
}

/// The index `v2` of `shop` selected, its detail open on the layers tab and answered.
fn index_layers() -> (Harness, Vec<Image>) {
    let imgs = shop();
    let mut h = Harness::new(&["prod"]);
    h.inventory(ev::listed("prod", &["shop"]));
    h.inventory(ev::images("prod", "shop", imgs.clone()));
    h.inventory(ev::finished("prod", None));
    h.keys("j enter");
    // Select the index row.
    while h.state.images.selected().unwrap().digest_str() != imgs[0].digest.as_str() {
        h.keys("j");
    }
    h.keys("enter l");
    assert_eq!(h.state.detail.tab, DetailTab::Layers);
    let req = h.fetches.last().unwrap().clone();
    assert_eq!(req.digest, imgs[0].digest);
    answer(&mut h, &req, index_detail(&imgs));
    (h, imgs)
}

#[test]
fn the_layers_of_an_index_are_those_of_linux_amd64_named() {
    let (mut h, imgs) = index_layers();
    // linux/amd64 is fetched, though arm64 is listed first.
    let req = h.fetches.last().unwrap().clone();
    assert_eq!(req.digest, imgs[1].digest, "the amd64 manifest is fetched");
    let loading = h.screen(120, 40);
    assert!(
        loading.contains("fetching the linux/amd64 manifest"),
        "{loading}"
    );
    answer(&mut h, &req, platform_detail(&imgs[1].digest, "amd64"));
    let big = h.screen(120, 40);
    assert!(big.contains("layers of linux/amd64"), "{big}");
    assert!(big.contains("linux/amd64 when present"), "{big}");
    assert!(big.contains("debian-bookworm-amd64"), "{big}");
    assert!(!big.contains("open a platform's manifest"), "{big}");
    assert_snapshot!("index_layers_120x40", big);
    assert_snapshot!("index_layers_80x24", h.screen(80, 24));
}

#[test]
fn platform_chooses_which_layers_an_index_shows() {
    let (mut h, imgs) = index_layers();
    let amd = h.fetches.last().unwrap().clone();
    answer(&mut h, &amd, platform_detail(&imgs[1].digest, "amd64"));
    h.keys(": ");
    h.type_text("platform linux/arm64/v8");
    h.keys("enter");
    let screen = h.screen(120, 40);
    assert!(screen.contains("layers of linux/arm64/v8"), "{screen}");
    assert!(screen.contains("chosen with :platform"), "{screen}");
    let arm = h.fetches.last().unwrap().clone();
    assert_eq!(arm.digest, imgs[2].digest, "the arm64 manifest is fetched");
    answer(&mut h, &arm, platform_detail(&imgs[2].digest, "arm64"));
    assert!(h.screen(120, 40).contains("debian-bookworm-arm64"));
    assert!(!h.other.iter().any(|e| matches!(e, Effect::Refresh)));
}

#[test]
fn enter_on_a_platform_line_opens_that_manifest() {
    let (mut h, imgs) = index_layers();
    h.keys("h");
    assert_eq!(h.state.detail.tab, DetailTab::Overview);
    let screen = h.screen(120, 40);
    assert!(
        screen.contains("▸ linux/arm64/v8"),
        "the first line is chosen: {screen}"
    );
    // The second line: linux/amd64.
    h.keys("j enter");
    assert_eq!(
        h.state.images.selected().unwrap().digest_str(),
        imgs[1].digest.as_str(),
        "the amd64 manifest's row is selected, unfolded under its index"
    );
    assert!(h.state.images.is_unfolded(
        h.state
            .images
            .table
            .as_ref()
            .unwrap()
            .find_digest(imgs[0].digest.as_str())
            .unwrap()
    ));
    assert!(h.state.detail.open);
    // Its detail is what the pane now shows (cached from the layers tab here).
    let screen = h.screen(120, 40);
    assert!(screen.contains(&imgs[1].digest.hex()[..12]), "{screen}");
}

/// `:platform` while an index's overview is open: the index stays selected with its
/// overview, the chosen platform's line becomes the one `enter` opens, and the layers tab
/// follows the choice (without a variant too, as the images filter matches).
#[test]
fn platform_on_an_index_overview_chooses_its_line_and_layers() {
    let (mut h, imgs) = index_layers();
    let amd = h.fetches.last().unwrap().clone();
    answer(&mut h, &amd, platform_detail(&imgs[1].digest, "amd64"));
    h.keys("h");
    assert!(h.screen(120, 40).contains("▸ linux/arm64/v8"));
    h.keys(": ");
    h.type_text("platform linux/amd64");
    h.keys("enter");
    assert_eq!(
        h.state.images.selected().unwrap().digest_str(),
        imgs[0].digest.as_str(),
        "the index is still selected"
    );
    assert!(h.state.detail.open);
    assert_eq!(h.state.detail.tab, DetailTab::Overview);
    let screen = h.screen(120, 40);
    assert!(screen.contains("▸ linux/amd64"), "{screen}");
    assert!(
        screen.contains("[linux/amd64]"),
        "the table says its platform: {screen}"
    );
    // enter opens the chosen platform's manifest.
    h.keys("enter");
    assert_eq!(
        h.state.images.selected().unwrap().digest_str(),
        imgs[1].digest.as_str()
    );

    // Back on the index: `linux/arm64` (no variant) is arm64/v8, in the overview and in
    // the layers tab, which fetches arm64's manifest (it was amd64's before the fix).
    let (mut h, imgs) = index_layers();
    let amd = h.fetches.last().unwrap().clone();
    answer(&mut h, &amd, platform_detail(&imgs[1].digest, "amd64"));
    h.keys("h j");
    assert!(h.screen(120, 40).contains("▸ linux/amd64"));
    h.keys(": ");
    h.type_text("platform linux/arm64");
    h.keys("enter");
    assert!(h.screen(120, 40).contains("▸ linux/arm64/v8"));
    h.keys("l");
    let arm = h.fetches.last().unwrap().clone();
    assert_eq!(arm.digest, imgs[2].digest, "arm64's manifest is fetched");
    answer(&mut h, &arm, platform_detail(&imgs[2].digest, "arm64"));
    let screen = h.screen(120, 40);
    assert!(screen.contains("layers of linux/arm64/v8"), "{screen}");
    assert!(screen.contains("chosen with :platform"), "{screen}");
}

/// A platform no row has: the detail says why it is empty and how to get rows back,
/// rather than a blank pane; clearing the platform brings the index and its detail back.
#[test]
fn platform_that_hides_every_row_says_so_in_the_detail() {
    let (mut h, imgs) = index_layers();
    let amd = h.fetches.last().unwrap().clone();
    answer(&mut h, &amd, platform_detail(&imgs[1].digest, "amd64"));
    h.keys("h : ");
    h.type_text("platform linux/s390x");
    h.keys("enter");
    assert!(h.state.images.selected().is_none());
    let screen = h.screen(120, 40);
    assert!(
        screen.contains("no image selected: no row matches the platform linux/s390x"),
        "{screen}"
    );
    h.keys(": ");
    h.type_text("platform");
    h.keys("enter");
    assert_eq!(
        h.state.images.selected().unwrap().digest_str(),
        imgs[0].digest.as_str()
    );
    assert!(h.screen(120, 40).contains("▸ linux/arm64/v8"));
}
