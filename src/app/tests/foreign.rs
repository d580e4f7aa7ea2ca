//! An image with a foreign base layer (Windows): the detail's layer list counts what this
//! registry stores and names the foreign layer with where it comes from, instead of
//! adding 1.4 GB the registry never held to the image's compressed size.

use super::Harness;
use crate::app::inventory_event as ev;
use crate::app::msg::Msg;
use crate::app::tasks::detail::{DetailData, DetailResult, LayerLine};
use crate::model::Digest;
use std::sync::Arc;

#[test]
fn the_layer_list_keeps_foreign_layers_out_of_the_stored_total() {
    let mut h = Harness::loaded();
    h.inventory(ev::finished("prod", None));
    h.keys("G enter enter");
    let req = h.fetches.last().unwrap().clone();
    let d = |s: &str| Digest::sha256_of(s.as_bytes());
    let layer = |name: &str, size: u64, by: &str, foreign: Option<&str>| LayerLine {
        digest: d(name),
        size,
        media_type: "gzip".into(),
        created_by: Some(by.into()),
        foreign_from: foreign.map(str::to_string),
    };
    let data = DetailData {
        digest: req.digest.clone(),
        media_type: crate::registry::media::DOCKER_MANIFEST.into(),
        manifest_bytes: b"{}".to_vec(),
        config_bytes: None,
        config_digest: None,
        layers: vec![
            layer(
                "base",
                1_432_547_811,
                "Apply image 10.0.20348",
                Some("mcr.microsoft.com"),
            ),
            layer("app", 3_000_000, "COPY app/ /app/", None),
        ],
        platforms: vec![],
        referrers: Ok(vec![]),
        os_arch: Some("windows/amd64".into()),
    };
    h.send(Msg::Detail(DetailResult {
        ticket: req.ticket,
        digest: req.digest.clone(),
        outcome: Ok(Arc::new(data)),
    }));
    h.keys("l");
    let screen = h.screen(120, 30);
    assert!(
        screen
            .contains("1 layer, 2.9 MiB compressed · + 1.3 GiB in 1 foreign layer not stored here"),
        "{screen}"
    );
    assert!(
        screen.contains("foreign, from mcr.microsoft.com · Apply image 10.0.20348"),
        "{screen}"
    );
}
