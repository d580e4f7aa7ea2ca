//! The layers tab's background work: resolve the selected image, index its layers through
//! `layers::analyze_image` (cache first, progress as layers stream), then build the trees
//! the tab shows (each layer's changes, and the filesystem as of each layer) off the UI
//! thread, so moving between layers never replays anything on it; then dive's figures
//! (`layers::dive`), sent on their own so the tab does not wait for them.

use crate::app::msg::Msg;
use crate::layers::{
    analyze_image, dive, hints::hints, resolve, Analysis, AnalyzeOptions, FsTree, LayerIndex,
    LayerProgress, LayerStats, WastedFile,
};
use crate::model::Digest;
use crate::registry::ManifestSource;
use std::sync::Arc;
use tokio::sync::mpsc::UnboundedSender;

#[derive(Clone, Debug)]
pub struct LayersRequest {
    pub ticket: u64,
    pub registry: usize,
    pub repository: String,
    pub digest: Digest,
}

#[derive(Clone, Debug)]
pub struct LayerRowData {
    pub digest: Digest,
    pub size: u64,
    pub created_by: Option<String>,
    pub stats: LayerStats,
}

#[derive(Debug)]
pub struct LayersData {
    pub rows: Vec<LayerRowData>,
    pub total_bytes: u64,
    pub wasted_bytes: u64,
    pub efficiency: f64,
    pub wasted: Vec<WastedFile>,
    pub hints: Vec<String>,
    /// Per layer: what it changed.
    pub changes: Vec<FsTree>,
    /// Per layer: the whole filesystem once it is applied.
    pub as_of: Vec<FsTree>,
}

#[derive(Debug)]
pub struct LayersResult {
    pub ticket: u64,
    pub digest: Digest,
    pub outcome: Result<Arc<LayersData>, String>,
}

/// Builds everything the tab shows from indexed layers.
pub fn build(indexes: &[LayerIndex], created_by: &[Option<String>]) -> LayersData {
    let full = Analysis::replay(indexes);
    let changes = (0..indexes.len())
        .map(|k| FsTree::of_changes(full.changes_of(k)))
        .collect();
    let as_of = (0..indexes.len())
        .map(|k| FsTree::of_filesystem(&Analysis::replay(&indexes[..=k])))
        .collect();
    LayersData {
        rows: indexes
            .iter()
            .zip(&full.stats)
            .enumerate()
            .map(|(i, (idx, st))| LayerRowData {
                digest: idx.digest.clone(),
                size: idx.compressed_size,
                created_by: created_by.get(i).cloned().flatten(),
                stats: st.clone(),
            })
            .collect(),
        total_bytes: full.total_bytes(),
        wasted_bytes: full.wasted_bytes(),
        efficiency: full.efficiency(),
        hints: hints(&full).iter().map(|h| h.message()).collect(),
        wasted: full.wasted.clone(),
        changes,
        as_of,
    }
}

pub async fn run(source: Arc<dyn ManifestSource>, req: LayersRequest, tx: UnboundedSender<Msg>) {
    let done = |outcome| {
        let _ = tx.send(Msg::Layers(LayersResult {
            ticket: req.ticket,
            digest: req.digest.clone(),
            outcome,
        }));
    };
    let image = match resolve(source.as_ref(), &req.repository, req.digest.as_str(), None).await {
        Ok(i) => i,
        Err(e) => return done(Err(e.to_string())),
    };
    let created_by = image.created_by.clone();
    let progress_tx = tx.clone();
    let digest = req.digest.clone();
    let progress = move |p: LayerProgress| {
        let (layer, total) = match p {
            LayerProgress::Started { .. } => return,
            LayerProgress::Done { layer, total, .. }
            | LayerProgress::Failed { layer, total, .. } => (layer, total),
        };
        let _ = progress_tx.send(Msg::LayersProgress {
            digest: digest.to_string(),
            layer,
            total,
        });
    };
    let layers = analyze_image(
        source.as_ref(),
        image,
        &AnalyzeOptions::default(),
        &progress,
    )
    .await;
    let mut indexes = Vec::new();
    for (i, r) in layers.layers.into_iter().enumerate() {
        match r {
            Ok(idx) => indexes.push(idx),
            Err(e) => return done(Err(format!("layer {i}: {e}"))),
        }
    }
    let built = tokio::task::spawn_blocking(move || {
        let data = build(&indexes, &created_by);
        (data, indexes)
    })
    .await;
    let indexes = match built {
        Ok((data, indexes)) => {
            done(Ok(Arc::new(data)));
            indexes
        }
        Err(e) => return done(Err(e.to_string())),
    };
    // dive's figures second: the tab is usable meanwhile and says they are being computed.
    let score = tokio::task::spawn_blocking(move || dive::score(&indexes))
        .await
        .map(Arc::new)
        .map_err(|e| format!("dive's figures were not computed: {e}"));
    let _ = tx.send(Msg::LayersDive {
        digest: req.digest.to_string(),
        score,
    });
}
