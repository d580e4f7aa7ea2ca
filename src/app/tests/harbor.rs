//! A Harbor in the TUI, from records built the way the Harbor crawl builds them (an
//! artifact as Harbor's API lists it): the tree row names the kind, the severity columns
//! come from `scan_overview` with no report fetched, and the detail lists the artifact's
//! signature and SBOM from the listing without opening the image (a manifest read there
//! counts as a pull).

use super::{buffer_text, find, Harness};
use crate::app::config::theme::Role;
use crate::app::inventory_event as ev;
use crate::config::RegistrySettings;
use crate::inventory::harbor_records::image_from_artifact;
use crate::registry::harbor::Artifact;
use crate::registry::Target;
use crate::session::Kind;

const D1: &str = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
const D2: &str = "sha256:2222222222222222222222222222222222222222222222222222222222222222";
const SIG: &str = "sha256:5151515151515151515151515151515151515151515151515151515151515151";
const SBOM: &str = "sha256:5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b";

fn artifact(json: serde_json::Value) -> Artifact {
    serde_json::from_value(json).unwrap()
}

fn harbor() -> Harness {
    let mut s = RegistrySettings::for_address("harbor.example");
    s.name = "hb".into();
    // The config's kind (a probe would settle the same).
    s.kind = Some(Kind::Harbor);
    let mut h = Harness::with_targets(vec![(Target::parse("harbor.example").unwrap(), s)]);
    let scanned = artifact(serde_json::json!({
        "digest": D1, "size": 10_000_000,
        "manifest_media_type": "application/vnd.oci.image.manifest.v1+json",
        "media_type": "application/vnd.oci.image.config.v1+json",
        "push_time": "2025-12-20T00:00:00.000Z", "pull_time": "0001-01-01T00:00:00.000Z",
        "tags": [{"name": "v1", "push_time": "2025-12-20T00:00:00.000Z", "immutable": false}],
        "scan_overview": {"application/vnd.security.vulnerability.report; version=1.1": {
            "scan_status": "Success", "end_time": "2025-12-21T00:00:00.000Z",
            "summary": {"total": 9, "summary": {"Critical": 7, "High": 2}},
            "scanner": {"name": "Trivy"}}},
        "accessories": [
            {"digest": SIG, "type": "signature.cosign", "subject_artifact_digest": D1},
            {"digest": SBOM, "type": "sbom.harbor", "subject_artifact_digest": D1}]
    }));
    let unscanned = artifact(serde_json::json!({
        "digest": D2, "size": 5_000_000,
        "manifest_media_type": "application/vnd.oci.image.manifest.v1+json",
        "push_time": "2025-12-22T00:00:00.000Z",
        "tags": [{"name": "v2", "push_time": "2025-12-22T00:00:00.000Z", "immutable": false}]
    }));
    let images = vec![
        image_from_artifact("lib/app", &scanned).unwrap(),
        image_from_artifact("lib/app", &unscanned).unwrap(),
    ];
    h.inventory(ev::listed("hb", &["lib/app"]));
    h.inventory(ev::images("hb", "lib/app", images));
    h.inventory(ev::finished("hb", None));
    h
}

#[test]
fn the_tree_row_names_the_kind_muted() {
    let mut h = harbor();
    let buf = h.render(100, 20);
    let (x, y) = find(&buf, "hb harbor").expect("kind after the name");
    let kx = x + 3;
    assert_eq!(buf[(kx, y)].symbol(), "h");
    assert_eq!(buf[(kx, y)].fg, h.state.theme.color(Role::Muted).unwrap());
    // A plain registry says oci, from the same engine word.
    let mut plain = Harness::new(&["prod"]);
    assert!(buffer_text(&plain.render(100, 20)).contains("prod oci"));
}

#[test]
fn severity_columns_come_from_scan_overview_with_no_report_fetched() {
    let mut h = harbor();
    h.keys("j enter");
    let buf = h.render(140, 16);
    let text = buffer_text(&buf);
    assert!(text.contains("CRIT"), "{text}");
    let (_, y) = find(&buf, "v1").expect("row v1");
    let crit_x = find(&buf, "CRIT").unwrap().0 + 3;
    assert_eq!(buf[(crit_x, y)].symbol(), "7");
    // The unscanned artifact is unknown, not clean: and still nothing is fetched for it,
    // since Harbor's listing is the whole story (a report read is for the findings tab).
    let (_, y2) = find(&buf, "v2").expect("row v2");
    assert_ne!(buf[(crit_x, y2)].symbol(), "0");
    assert!(
        h.sweeps.is_empty(),
        "no report fetched: {:?}",
        h.sweeps.len()
    );
    assert!(h.findings.is_empty());
    assert!(h.fetches.is_empty(), "browsing reads no manifest on Harbor");
}

#[test]
fn the_detail_lists_signature_and_sbom_from_the_listing_without_opening() {
    let mut h = harbor();
    h.keys("j enter");
    // Select v1 (the newest first: v2, then v1).
    let pos = (0..2)
        .find(|&i| {
            h.state.images.cursor = i;
            h.selected_tags() == "v1"
        })
        .expect("v1 listed");
    h.state.images.cursor = pos;
    h.state.detail.open = true;
    let text = buffer_text(&h.render(160, 40));
    assert!(
        h.fetches.is_empty(),
        "the manifest is not read: it would count as a pull"
    );
    assert!(
        text.contains("signature   515151515151  signature.cosign"),
        "{text}"
    );
    assert!(
        text.contains("SBOM        5b5b5b5b5b5b  sbom.harbor"),
        "{text}"
    );
    assert!(
        !text.contains("fetching…"),
        "nothing is being fetched: {text}"
    );
}
