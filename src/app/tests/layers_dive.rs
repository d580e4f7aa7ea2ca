//! dive's line in the layers tab: "computing…" from the moment the analysis shows until the
//! figures arrive (never a 0% or 100% stand-in), then the words `regscope layers` prints;
//! "unknown" with the reason when they cannot come; an analysis abandoned before its figures
//! came is asked for again when the tab shows it.

use super::layers::index;
use super::Harness;
use crate::app::effect::Effect;
use crate::app::msg::Msg;
use crate::app::tasks::detail::{DetailData, DetailResult, LayerLine};
use crate::app::tasks::layers::{build, LayersRequest, LayersResult};
use crate::app::views::layers::state::{DiveEntry, LayersEntry};
use crate::layers::{dive, EntryKind, LayerIndex};
use crate::model::Digest;
use insta::assert_snapshot;
use std::sync::Arc;

/// Three layers where dive's figures differ from regscope's own: dive counts every copy of
/// /app/bin and /tmp/big as wasted (11,200 bytes) of 2,200 user bytes, regscope the hidden
/// versions only (10,000).
fn layers() -> Vec<LayerIndex> {
    use EntryKind::*;
    vec![
        index(
            "l0",
            &[("etc/os-release", File, 300), ("tmp/big", File, 9000)],
        ),
        index("l1", &[("tmp/big", Whiteout, 0), ("app/bin", File, 1000)]),
        index("l2", &[("app/bin", File, 1200)]),
    ]
}

const CREATED: [&str; 3] = ["ADD rootfs /", "RUN rm /tmp/big && make", "COPY bin /app/"];

/// The first image of `web` open on its layers tab, the analysis asked for (not answered).
fn asked() -> (Harness, LayersRequest) {
    let mut h = Harness::loaded();
    h.keys("G enter enter");
    let req = h.fetches.last().unwrap().clone();
    let layer = |n: &str, cmd: &str| LayerLine {
        digest: Digest::sha256_of(n.as_bytes()),
        size: 1000,
        media_type: "gzip".into(),
        created_by: Some(cmd.into()),
        foreign_from: None,
    };
    h.send(Msg::Detail(DetailResult {
        ticket: req.ticket,
        digest: req.digest.clone(),
        outcome: Ok(Arc::new(DetailData {
            digest: req.digest.clone(),
            media_type: crate::registry::media::OCI_MANIFEST.into(),
            manifest_bytes: b"{}".to_vec(),
            config_bytes: None,
            config_digest: None,
            layers: ["l0", "l1", "l2"]
                .iter()
                .zip(CREATED)
                .map(|(n, c)| layer(n, c))
                .collect(),
            platforms: vec![],
            referrers: Ok(vec![]),
            os_arch: Some("linux/amd64".into()),
        })),
    }));
    h.keys("l");
    let Some(Effect::AnalyzeLayers(lreq)) = h.other.pop() else {
        panic!("the layers tab asks for an analysis")
    };
    (h, lreq)
}

/// [`asked`], answered with the analysis of [`layers`] (dive's figures not yet).
fn analysed() -> (Harness, LayersRequest) {
    let (mut h, lreq) = asked();
    let created: Vec<Option<String>> = CREATED.iter().map(|c| Some(c.to_string())).collect();
    h.send(Msg::Layers(LayersResult {
        ticket: lreq.ticket,
        digest: lreq.digest.clone(),
        outcome: Ok(Arc::new(build(&layers(), &created))),
    }));
    (h, lreq)
}

fn dive_result(digest: &Digest) -> Msg {
    Msg::LayersDive {
        digest: digest.to_string(),
        score: Ok(Arc::new(dive::score(&layers()))),
    }
}

#[test]
fn dive_line_says_computing_then_shows_the_figures_in_the_cli_words() {
    let (mut h, lreq) = analysed();
    let s = h.screen(120, 40);
    assert!(s.contains("dive's score: computing…"), "{s}");
    assert!(
        !s.contains("dive's score: efficiency"),
        "no stand-in figure: {s}"
    );
    assert!(
        s.contains("efficiency 13.0%"),
        "regscope's own figure is there: {s}"
    );
    assert_snapshot!("layers_dive_computing_80x24", h.screen(80, 24));

    h.send(dive_result(&lreq.digest));
    let want = "dive's score: efficiency 11.3%, wasted 11 KiB (user 509.1%)";
    // The CLI prints `dive's score: ` and the same summary (src/cli/layers.rs).
    assert_eq!(
        format!("dive's score: {}", dive::score(&layers()).summary()),
        want
    );
    let big = h.screen(120, 40);
    assert!(big.contains(want), "{big}");
    assert!(!big.contains("computing"), "{big}");
    assert_snapshot!("layers_dive_120x40", big);
    let small = h.screen(80, 24);
    assert!(small.contains(want), "{small}");
    assert_snapshot!("layers_dive_80x24", small);
}

#[test]
fn dive_figures_that_cannot_come_are_unknown_with_the_reason() {
    let (mut h, lreq) = analysed();
    h.send(Msg::LayersDive {
        digest: lreq.digest.to_string(),
        score: Err("dive's figures were not computed: task panicked".into()),
    });
    let s = h.screen(120, 40);
    assert!(
        s.contains("dive's score: unknown (dive's figures were not computed: task panicked)"),
        "{s}"
    );
    assert!(!s.contains("dive's score: efficiency"), "{s}");
}

/// Reducer: figures are kept by digest; an analysis abandoned while its figures were being
/// computed is dropped (asked again when shown), one whose figures came is kept.
#[test]
fn dive_figures_are_kept_by_digest_and_an_unfinished_analysis_is_asked_again() {
    let (mut h, lreq) = analysed();
    let key = lreq.digest.to_string();
    assert!(!h.state.layers.dive.contains_key(&key));
    h.send(Msg::LayersAbandoned(key.clone()));
    assert!(
        !h.state.layers.cache.contains_key(&key),
        "without its figures the analysis is not finished"
    );
    h.keys("h l");
    let Some(Effect::AnalyzeLayers(again)) = h.other.pop() else {
        panic!("shown again, the analysis is asked for again")
    };
    assert_eq!(again.digest, lreq.digest);
    assert!(again.ticket > lreq.ticket);

    let (mut h, lreq) = analysed();
    h.send(dive_result(&lreq.digest));
    assert!(matches!(
        h.state.layers.dive.get(&key),
        Some(DiveEntry::Ready(s)) if s.wasted_bytes == 11_200 && s.user_size_bytes == 2_200
    ));
    h.send(Msg::LayersAbandoned(key.clone()));
    assert!(
        matches!(h.state.layers.cache.get(&key), Some(LayersEntry::Ready(_))),
        "a finished analysis stays"
    );
    h.keys("h l");
    assert!(
        !h.other
            .iter()
            .any(|e| matches!(e, Effect::AnalyzeLayers(_))),
        "nothing to ask again"
    );
}
