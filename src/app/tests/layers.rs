//! The layers tab: analysis requested when the tab shows, progress while layers stream,
//! then layer rows, the changes tree (collapsible) and the whole-filesystem toggle.

use super::Harness;
use crate::app::effect::Effect;
use crate::app::msg::Msg;
use crate::app::tasks::detail::{DetailData, DetailResult, LayerLine};
use crate::app::tasks::layers::{build, LayersResult};
use crate::layers::index::INDEX_FORMAT;
use crate::layers::{Compression, EntryKind, LayerIndex, TarEntry};
use crate::model::Digest;
use std::sync::Arc;

pub(super) fn index(name: &str, entries: &[(&str, EntryKind, u64)]) -> LayerIndex {
    LayerIndex {
        format: INDEX_FORMAT,
        digest: Digest::sha256_of(name.as_bytes()),
        media_type: crate::registry::media::OCI_LAYER_GZIP.into(),
        compression: Compression::Gzip,
        compressed_size: 1000,
        uncompressed_size: 4096,
        entries: entries
            .iter()
            .map(|(p, k, s)| TarEntry {
                path: p.to_string(),
                kind: *k,
                size: *s,
                ..Default::default()
            })
            .collect(),
        warnings: vec![],
    }
}

#[test]
fn layers_tab_streams_then_shows_changes_and_the_filesystem() {
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
            layers: vec![
                layer("l0", "ADD rootfs /"),
                layer("l1", "RUN rm -rf /tmp/big"),
            ],
            platforms: vec![],
            referrers: Ok(vec![]),
            os_arch: Some("linux/amd64".into()),
        })),
    }));
    assert!(h.other.is_empty(), "no layer reads before the tab is shown");
    h.keys("l");
    let Some(Effect::AnalyzeLayers(lreq)) = h.other.pop() else {
        panic!("the layers tab asks for an analysis")
    };
    assert_eq!(lreq.digest, req.digest);
    assert!(h.screen(100, 30).contains("reading layers 0/2"));
    h.send(Msg::LayersProgress {
        digest: req.digest.to_string(),
        layer: 0,
        total: 2,
    });
    assert!(h.screen(100, 30).contains("reading layers 1/2"));

    let l0 = index(
        "l0",
        &[
            ("etc", EntryKind::Dir, 0),
            ("etc/os-release", EntryKind::File, 300),
            ("tmp/big", EntryKind::File, 9000),
        ],
    );
    let l1 = index("l1", &[("tmp/big", EntryKind::Whiteout, 0)]);
    let data = build(
        &[l0, l1],
        &[
            Some("ADD rootfs /".into()),
            Some("RUN rm -rf /tmp/big".into()),
        ],
    );
    h.send(Msg::Layers(LayersResult {
        ticket: lreq.ticket,
        digest: req.digest.clone(),
        outcome: Ok(Arc::new(data)),
    }));
    let s = h.screen(100, 30);
    assert!(s.contains("efficiency 3.2%"), "{s}");
    assert!(s.contains("wasted: 1 file version hidden"), "{s}");
    assert!(s.contains("/tmp/big"), "{s}");
    assert!(s.contains("layer 1: its changes"), "{s}");
    assert!(s.contains("▸ tmp/"), "directories start collapsed: {s}");

    // the second layer's changes: the removal, inside its collapsed parent
    h.keys("j");
    assert_eq!(h.state.layers.layer, 1);
    h.keys("enter enter");
    let s = h.screen(100, 30);
    assert!(s.contains("▾ tmp/"), "{s}");
    assert!(s.contains(" - "), "removal marked: {s}");
    // the whole filesystem as of layer 1 no longer has /tmp/big
    h.keys("f");
    let s = h.screen(100, 30);
    assert!(s.contains("whole filesystem as of it"), "{s}");
    assert!(s.contains("etc/"), "{s}");
    assert!(!s.contains("  big"), "{s}");
    // esc leaves the tree first, then the pane
    h.keys("esc");
    assert!(!h.state.layers.in_tree);
    assert!(h.state.detail.open);
}
