//! Raw means raw: `y` shows the manifest exactly as the registry served it (key order,
//! spacing, number spelling), says the bytes match the digest, and `p` switches to an
//! indented copy that keeps the served order; bytes that do not match their digest are
//! said not to be the registry's.

use super::Harness;
use crate::app::msg::Msg;
use crate::app::state::Pane;
use crate::app::tasks::detail::{DetailData, DetailResult};
use crate::app::views::detail::state::DetailTab;
use crate::model::Digest;
use insta::assert_snapshot;
use std::sync::Arc;

/// A compact manifest with keys out of alphabetical order and a number spelled `1.50`:
/// anything that re-serialised it would show.
const SERVED: &[u8] = br#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2},"layers":[],"annotations":{"z.weight":"1.50","a.note":"caf\u00e9"}}"#;

fn opened(bytes: &[u8], digest: Option<Digest>) -> Harness {
    let mut h = Harness::loaded();
    h.keys("j enter");
    h.keys("y");
    assert_eq!(h.state.detail.tab, DetailTab::Raw);
    assert_eq!(h.state.focus, Pane::Detail);
    let req = h.fetches.last().unwrap().clone();
    let data = DetailData {
        digest: digest.unwrap_or_else(|| Digest::sha256_of(bytes)),
        media_type: crate::registry::media::OCI_MANIFEST.into(),
        manifest_bytes: bytes.to_vec(),
        config_bytes: Some(b"{}".to_vec()),
        config_digest: Some(Digest::sha256_of(b"{}")),
        layers: vec![],
        platforms: vec![],
        referrers: Ok(vec![]),
        os_arch: None,
    };
    h.send(Msg::Detail(DetailResult {
        ticket: req.ticket,
        digest: req.digest.clone(),
        outcome: Ok(Arc::new(data)),
    }));
    h
}

#[test]
fn y_shows_the_served_bytes_and_p_indents_them_in_served_order() {
    let mut h = opened(SERVED, None);
    let screen = h.screen(120, 40);
    assert!(screen.contains("exactly as served"), "{screen}");
    assert!(screen.contains("digest verified"), "{screen}");
    // The bytes, broken at the pane's width, put back together are the served bytes.
    let start = screen
        .find("{\"schemaVersion\":2,")
        .expect("served bytes shown");
    let shown: String = screen[start..]
        .lines()
        .map(|l| l.trim_end().trim_end_matches('│').trim_end())
        .take_while(|l| !l.starts_with('└') && !l.is_empty())
        .map(|l| l.rsplit('│').next().unwrap_or(l))
        .collect();
    assert!(
        shown.starts_with(std::str::from_utf8(SERVED).unwrap()),
        "{shown}"
    );

    h.keys("p");
    assert!(h.state.detail.raw_pretty);
    let pretty = h.screen(120, 40);
    assert!(pretty.contains("indented copy"), "{pretty}");
    let lines: Vec<&str> = pretty.lines().collect();
    let at = |needle: &str| lines.iter().position(|l| l.contains(needle)).unwrap();
    // Served order, not sorted: schemaVersion before mediaType, z.weight before a.note.
    assert!(at("\"schemaVersion\": 2") < at("\"mediaType\": \"application/vnd.oci.image.manifest"));
    assert!(at("\"z.weight\": \"1.50\"") < at("\"a.note\": \"caf\\u00e9\""));
    h.keys("p");
    assert!(!h.state.detail.raw_pretty, "p again: the exact bytes");

    // y again: the config, exactly as served.
    h.keys("y");
    assert!(h.state.detail.raw_config);
    assert!(h
        .screen(120, 40)
        .contains("the config exactly as served: 2 bytes"));
}

#[test]
fn bytes_that_do_not_match_the_digest_are_not_called_the_registry_s() {
    let other = Digest::sha256_of(b"something else");
    let mut h = opened(SERVED, Some(other));
    let screen = h.screen(120, 40);
    assert!(screen.contains("do not match"), "{screen}");
    assert!(!screen.contains("digest verified"), "{screen}");
}

#[test]
fn p_outside_the_raw_tab_says_where_it_works() {
    let mut h = opened(SERVED, None);
    h.keys("h");
    assert_ne!(h.state.detail.tab, DetailTab::Raw);
    h.keys("p");
    assert!(!h.state.detail.raw_pretty);
    assert!(h.state.flash.as_ref().unwrap().text.contains("raw tab"));
}

#[test]
fn raw_manifest_80x24() {
    let mut h = opened(SERVED, None);
    let exact = h.screen(80, 24);
    h.keys("p");
    let indented = h.screen(80, 24);
    assert_snapshot!("raw_exact_80x24", exact);
    assert_snapshot!("raw_indented_80x24", indented);
}
