//! View snapshots on a fixed-size `TestBackend` with the fixed clock, plus colour checks on
//! the cells that carry meaning (selection, danger, marks), at 80×24 and larger.

use super::{find, Harness};
use crate::app::config::theme::{Role, Theme};
use crate::app::inventory_event as ev;
use crate::app::msg::Msg;
use crate::app::tasks::detail::{DetailData, DetailResult, LayerLine, PlatformLine, ReferrerLine};
use crate::app::testing::fleet_images;
use crate::model::Digest;
use insta::assert_snapshot;
use ratatui::style::Modifier;
use std::sync::Arc;

fn explorer() -> Harness {
    let mut h = Harness::loaded();
    h.inventory(ev::progress("prod", 3, 3, 57));
    h.inventory(ev::finished("prod", None));
    h.keys("G enter");
    h
}

#[test]
fn explorer_80x24() {
    let mut h = explorer();
    assert_snapshot!(h.screen(80, 24));
}

#[test]
fn explorer_120x32_with_marks_and_filter() {
    let mut h = explorer();
    h.keys("space space");
    h.keys("/");
    h.type_text("v1.0");
    h.keys("enter");
    let buf = h.render(120, 32);
    assert_snapshot!(super::buffer_text(&buf));
    // The marked row carries a marker and the marked colour.
    let (x, y) = find(&buf, "●").expect("marker drawn");
    assert_eq!(buf[(x, y)].fg, h.state.theme.color(Role::Marked).unwrap());
    // The title shows the filter.
    assert!(find(&buf, "/v1.0").is_some());
}

#[test]
fn selection_is_coloured_and_reversed_without_colour() {
    let mut h = explorer();
    let buf = h.render(100, 30);
    let tags = h.selected_tags();
    let first = tags.split(' ').next().unwrap().to_string();
    let (x, y) = find(&buf, &first).unwrap();
    assert_eq!(
        buf[(x, y)].bg,
        h.state.theme.color(Role::Selection).unwrap()
    );

    let mut t = Theme::dark();
    t.no_color = true;
    h.state.theme = t;
    let buf = h.render(100, 30);
    let (x, y) = find(&buf, &first).unwrap();
    assert!(buf[(x, y)].modifier.contains(Modifier::REVERSED));
    assert_eq!(buf[(x, y)].bg, ratatui::style::Color::Reset);
}

#[test]
fn long_names_are_cut_not_wrapped() {
    let mut h = Harness::new(&["registry-with-a-really-long-host-name.example.internal"]);
    let long = "platform/team-observability/very-long-service-name-that-goes-on-and-on";
    h.inventory(ev::listed(
        "registry-with-a-really-long-host-name.example.internal",
        &[long],
    ));
    let mut imgs = fleet_images(long, 3);
    imgs[0].tags = vec!["a-really-long-tag-name-produced-by-ci-pipeline-1234567890".into()];
    h.inventory(ev::images(
        "registry-with-a-really-long-host-name.example.internal",
        long,
        imgs,
    ));
    h.keys("j enter");
    assert_snapshot!(h.screen(80, 24));
}

#[test]
fn errors_overlay_and_title_badge() {
    let mut h = explorer();
    h.inventory(ev::refused("prod", "secret", 403, "DENIED"));
    let buf = h.render(100, 30);
    let (x, y) = find(&buf, "⚠ 1 error").expect("badge");
    assert_eq!(
        buf[(x + 2, y)].fg,
        h.state.theme.color(Role::Danger).unwrap()
    );
    h.keys("e");
    assert_snapshot!(h.screen(100, 30));
}

#[test]
fn help_overlay_lists_live_keys() {
    let mut h = explorer();
    let mut o = std::collections::BTreeMap::new();
    o.insert("mark".to_string(), vec!["x".to_string()]);
    h.state.keymap = crate::app::keymap::Keymap::with_overrides(&o).0;
    h.keys("?");
    let screen = h.screen(100, 46);
    assert_snapshot!(screen);
    // Descriptions wrap rather than run off the overlay: scroll to find the remapped key.
    let mut seen = screen.contains("mark for the deletion plan");
    for _ in 0..12 {
        h.keys("pagedown");
        seen |= h.screen(100, 46).contains("mark for the deletion plan");
    }
    assert!(seen);
}

#[test]
fn help_wraps_at_80x24_and_120x40() {
    let mut h = explorer();
    h.keys("?");
    assert_snapshot!("help_80x24", h.screen(80, 24));
    assert_snapshot!("help_120x40", h.screen(120, 40));
    // Every line fits the overlay and every description is there in full, wrapped.
    for width in [62usize, 94] {
        let lines = crate::app::views::help::view::lines(&h.state, width);
        for l in &lines {
            assert!(l.width() <= width, "{l:?}");
        }
        let text: String = lines
            .iter()
            .map(|l| {
                l.spans
                    .iter()
                    .map(|s| s.content.trim())
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect::<Vec<_>>()
            .join(" ");
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        let about = crate::app::action::Action::Enter.info().about;
        assert!(flat.contains(about), "{flat}");
    }
}

fn sample_detail(digest: Digest) -> DetailData {
    let d = |s: &str| Digest::sha256_of(s.as_bytes());
    DetailData {
        digest,
        media_type: crate::registry::media::OCI_INDEX.into(),
        manifest_bytes: b"{\n  \"schemaVersion\": 2\n}".to_vec(),
        config_bytes: None,
        config_digest: None,
        layers: vec![
            LayerLine {
                digest: d("l1"),
                size: 29_000_000,
                media_type: "gzip".into(),
                created_by: Some("ADD file:debian-bookworm in /".into()),
                foreign_from: None,
            },
            LayerLine {
                digest: d("l2"),
                size: 3_000_000,
                media_type: "gzip".into(),
                created_by: Some("RUN apt-get install -y ca-certificates".into()),
                foreign_from: None,
            },
        ],
        platforms: vec![
            PlatformLine {
                platform: "linux/amd64".into(),
                digest: d("amd"),
                size: Some(31_000_000),
                attestation: false,
            },
            PlatformLine {
                platform: "attestation".into(),
                digest: d("att"),
                size: None,
                attestation: true,
            },
        ],
        referrers: Ok(vec![ReferrerLine {
            digest: d("sig"),
            artifact_type: Some("application/vnd.dev.cosign.artifact.sig.v1+json".into()),
            label: "signature",
        }]),
        os_arch: None,
    }
}

#[test]
fn detail_tabs() {
    let mut h = explorer();
    h.keys("enter");
    let req = h.fetches.last().unwrap().clone();
    assert_snapshot!("detail_loading", h.screen(100, 30));
    h.send(Msg::Detail(DetailResult {
        ticket: req.ticket,
        digest: req.digest.clone(),
        outcome: Ok(Arc::new(sample_detail(req.digest.clone()))),
    }));
    assert_snapshot!("detail_overview", h.screen(100, 30));
    h.keys("l");
    assert_snapshot!("detail_layers", h.screen(100, 30));
    h.keys("y");
    assert_snapshot!("detail_raw", h.screen(80, 24));
}

#[test]
fn charts_view() {
    let mut h = explorer();
    h.keys("2");
    assert_snapshot!(h.screen(100, 30));
}

#[test]
fn streaming_progress_and_tiny_terminal() {
    let mut h = Harness::new(&["prod"]);
    h.inventory(ev::listed("prod", &["web", "api"]));
    h.inventory(ev::progress("prod", 0, 2, 3));
    assert_snapshot!("streaming", h.screen(80, 24));
    // Absurdly small sizes must not panic.
    for (w, hh) in [(1, 1), (10, 3), (30, 5)] {
        h.render(w, hh);
    }
}

#[test]
fn a_layout_shows_its_name_never_its_directory() {
    let dir = "oci:/srv/cache/regscope/demo";
    let mut s = crate::config::RegistrySettings::for_address(dir);
    s.name = "demo".into();
    let t = crate::registry::Target::parse(dir).unwrap();
    let mut h = super::Harness::with_targets(vec![(t, s)]);
    // The engine names a layout registry by its `oci:PATH`.
    h.inventory(ev::listed(dir, &["team/api"]));
    h.inventory(ev::images(dir, "team/api", fleet_images("team/api", 3)));
    h.inventory(ev::refused(dir, "team/api", 404, "MANIFEST_UNKNOWN"));
    h.inventory(ev::finished(dir, None));
    h.keys("j enter enter");
    let screen = h.screen(120, 32);
    assert!(!screen.contains("/srv/"), "{screen}");
    assert!(screen.contains("demo ▸ team/api"), "{screen}");
    assert!(screen.contains("demo/team/api@sha256:"), "{screen}");
    h.keys("e");
    let screen = h.screen(120, 32);
    assert!(!screen.contains("/srv/"), "{screen}");
    assert!(screen.contains("demo/team/api"), "{screen}");
}
