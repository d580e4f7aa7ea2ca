//! The stable JSON of `regscope layers REF --json`, built from an analysis. Field names are
//! the wire names; `layer` is a 0-based index into `layers`; unknown values are `null`.

use super::dive::DiveScore;
use super::image::ImageLayers;
use super::merge::Analysis;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LayersReport {
    /// The reference as the user wrote it.
    pub reference: String,
    /// The image manifest the layers belong to (the platform's manifest for an index).
    pub digest: String,
    pub platform: Option<String>,
    /// File content bytes over all layers (tar headers excluded).
    pub total_bytes: u64,
    /// Content bytes of file versions not visible in the final filesystem.
    pub wasted_bytes: u64,
    /// 1 − wasted_bytes / total_bytes (1 when there are no file bytes).
    pub efficiency: f64,
    pub layers: Vec<LayerRow>,
    /// Hidden file versions, largest first.
    pub wasted: Vec<WastedRow>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub files: Option<Vec<FileRow>>,
    /// dive's figures for the same layers, computed by dive's rules (`layers::dive`); the
    /// fields above keep regscope's own.
    pub dive: DiveScore,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LayerRow {
    pub digest: String,
    pub media_type: String,
    /// Compressed bytes, as stored.
    pub size: u64,
    /// The decompressed tar stream (headers and padding included).
    pub uncompressed_size: u64,
    pub created_by: Option<String>,
    pub files_added: u64,
    pub files_modified: u64,
    pub files_removed: u64,
    /// Content bytes of the regular files this layer carries.
    pub bytes_added: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct WastedRow {
    pub path: String,
    pub size: u64,
    pub layer: usize,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FileRow {
    pub path: String,
    pub size: u64,
    pub kind: &'static str,
    pub layer: usize,
    pub state: &'static str,
}

impl LayersReport {
    /// The report of a fully read image; `reference` is what the user typed.
    pub fn new(reference: &str, image: &ImageLayers, analysis: &Analysis, files: bool) -> Self {
        let layers = image
            .layers
            .iter()
            .flatten()
            .zip(&analysis.stats)
            .zip(&image.image.created_by)
            .map(|((idx, st), created_by)| LayerRow {
                digest: idx.digest.to_string(),
                media_type: idx.media_type.clone(),
                size: idx.compressed_size,
                uncompressed_size: idx.uncompressed_size,
                created_by: created_by.clone(),
                files_added: st.files_added,
                files_modified: st.files_modified,
                files_removed: st.files_removed,
                bytes_added: st.bytes_added,
            })
            .collect();
        let files = files.then(|| {
            analysis
                .changes
                .iter()
                .map(|c| FileRow {
                    path: format!("/{}", c.path),
                    size: c.size,
                    kind: c.kind.name(),
                    layer: c.layer,
                    state: c.state.name(),
                })
                .collect()
        });
        LayersReport {
            reference: reference.to_string(),
            digest: image.image.digest.to_string(),
            platform: image.image.platform.as_ref().map(|p| p.to_string()),
            total_bytes: analysis.total_bytes(),
            wasted_bytes: analysis.wasted_bytes(),
            efficiency: analysis.efficiency(),
            layers,
            wasted: analysis
                .wasted
                .iter()
                .map(|w| WastedRow {
                    path: format!("/{}", w.path),
                    size: w.size,
                    layer: w.layer,
                })
                .collect(),
            files,
            dive: super::dive::score(image.layers.iter().flatten()),
        }
    }
}
