//! From a reference to layer indexes: resolve the manifest (picking the platform from an
//! index), read the config's history for each layer's `created_by`, then index every layer
//! — from the cache when it has it, else streamed from the source a few at a time.

use super::cache::LayerCache;
use super::error::LayerError;
use super::index::LayerIndex;
use super::merge::Analysis;
use super::stream::index_layer_checkpointed;
use super::LayerLimits;
use crate::model::{Digest, Platform};
use crate::registry::{ImageManifest, Manifest, ManifestSource};
use futures::StreamExt;
use serde::Deserialize;

/// Configs are small JSON documents; anything bigger is not a config.
const CONFIG_LIMIT: u64 = 16 << 20;

/// The single-platform image whose layers we read.
#[derive(Clone, Debug)]
pub struct ResolvedImage {
    pub repository: String,
    /// The tag or digest the user named.
    pub reference: String,
    /// The image manifest's digest (the platform's, when `reference` names an index).
    pub digest: Digest,
    /// The index `reference` named, when it named one.
    pub index_digest: Option<Digest>,
    /// The image's platform, from the index entry or else the config; `None` if neither says.
    pub platform: Option<Platform>,
    /// Runnable platforms of the index (empty for a single manifest).
    pub available: Vec<Platform>,
    pub manifest: ImageManifest,
    /// The history `created_by` of each layer, aligned with `manifest.layers`.
    pub created_by: Vec<Option<String>>,
}

#[derive(Deserialize)]
struct ConfigDoc {
    #[serde(default)]
    os: Option<String>,
    #[serde(default)]
    architecture: Option<String>,
    #[serde(default)]
    variant: Option<String>,
    #[serde(default)]
    history: Vec<HistoryEntry>,
}

#[derive(Deserialize)]
struct HistoryEntry {
    #[serde(default)]
    created_by: Option<String>,
    #[serde(default)]
    empty_layer: bool,
}

/// Pairs history entries that made a layer (not `empty_layer`) with layers, in order. A
/// history shorter than the layer list leaves the rest unknown rather than guessing.
pub fn align_history(config: &[u8], layers: usize) -> Vec<Option<String>> {
    let history = serde_json::from_slice::<ConfigDoc>(config)
        .map(|c| c.history)
        .unwrap_or_default();
    let mut made: Vec<Option<String>> = history
        .into_iter()
        .filter(|h| !h.empty_layer)
        .map(|h| {
            h.created_by
                .map(|c| super::names::escape_name(c.as_bytes()))
        })
        .collect();
    made.resize(layers, None);
    made.truncate(layers);
    made
}

/// Resolves `reference` in `repository` to one image manifest. From an index it takes the
/// first runnable entry satisfying `wanted` (the host platform when `None`); attestation
/// entries never count. A single manifest is taken as is unless `wanted` was given and its
/// config names another platform.
pub async fn resolve(
    source: &dyn ManifestSource,
    repository: &str,
    reference: &str,
    wanted: Option<&Platform>,
) -> Result<ResolvedImage, LayerError> {
    let place = format!("{}/{repository}:{reference}", source.registry_name());
    let fail = |detail: String| LayerError::Image {
        reference: place.clone(),
        detail,
    };
    let top = source.manifest(repository, reference).await?;
    let (digest, index_digest, manifest, mut platform, available) = match top.manifest {
        Manifest::Image(m) => (top.digest, None, m, None, vec![]),
        Manifest::Index(idx) => {
            let want = wanted.cloned().unwrap_or_else(Platform::host);
            let runnable: Vec<_> = idx
                .manifests
                .iter()
                .filter(|d| !d.is_attestation_entry())
                .filter_map(|d| Some((d, d.platform.as_ref()?.to_platform())))
                .collect();
            let available: Vec<Platform> = runnable.iter().map(|(_, p)| p.clone()).collect();
            let Some((entry, plat)) = runnable.iter().find(|(_, p)| p.satisfies(&want)) else {
                let list: Vec<String> = available.iter().map(|p| p.to_string()).collect();
                return Err(LayerError::NoPlatform {
                    reference: place,
                    wanted: want.to_string(),
                    available: if list.is_empty() {
                        "none".into()
                    } else {
                        list.join(", ")
                    },
                });
            };
            let child = source.manifest(repository, entry.digest.as_str()).await?;
            let Manifest::Image(m) = child.manifest else {
                return Err(fail(format!(
                    "index entry {} is itself an index",
                    entry.digest
                )));
            };
            (
                child.digest,
                Some(top.digest),
                m,
                Some(plat.clone()),
                available,
            )
        }
    };
    let config = source
        .blob(repository, &manifest.config.digest, CONFIG_LIMIT)
        .await?;
    let doc = serde_json::from_slice::<ConfigDoc>(&config).ok();
    if platform.is_none() {
        platform = doc.as_ref().and_then(|c| {
            let (os, arch) = (c.os.as_deref()?, c.architecture.as_deref()?);
            (!os.is_empty() && !arch.is_empty())
                .then(|| Platform::new(os, arch, c.variant.as_deref()))
        });
        if let (Some(w), Some(p)) = (wanted, &platform) {
            if !p.satisfies(w) {
                return Err(LayerError::NoPlatform {
                    reference: place,
                    wanted: w.to_string(),
                    available: p.to_string(),
                });
            }
        }
    }
    let created_by = align_history(&config, manifest.layers.len());
    Ok(ResolvedImage {
        repository: repository.to_string(),
        reference: reference.to_string(),
        digest,
        index_digest,
        platform,
        available,
        manifest,
        created_by,
    })
}

#[derive(Clone, Debug)]
pub struct AnalyzeOptions {
    pub limits: LayerLimits,
    pub cache: Option<LayerCache>,
    /// Layers read at once (each on its own blocking thread).
    pub concurrency: usize,
}

impl Default for AnalyzeOptions {
    fn default() -> Self {
        AnalyzeOptions {
            limits: LayerLimits::default(),
            cache: LayerCache::default_location(),
            concurrency: 3,
        }
    }
}

/// Progress while layers stream, for a status line or the TUI's progress bar.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LayerProgress {
    Started {
        layer: usize,
        total: usize,
    },
    Done {
        layer: usize,
        total: usize,
        cached: bool,
    },
    Failed {
        layer: usize,
        total: usize,
        error: String,
    },
}

/// Every layer of a resolved image, each indexed or failed on its own.
#[derive(Debug)]
pub struct ImageLayers {
    pub image: ResolvedImage,
    pub layers: Vec<Result<LayerIndex, LayerError>>,
}

impl ImageLayers {
    /// The analysis of the whole image, when every layer was read.
    pub fn analysis(&self) -> Result<Analysis, Vec<(usize, &LayerError)>> {
        let failed: Vec<(usize, &LayerError)> = self
            .layers
            .iter()
            .enumerate()
            .filter_map(|(i, r)| r.as_ref().err().map(|e| (i, e)))
            .collect();
        if !failed.is_empty() {
            return Err(failed);
        }
        Ok(Analysis::replay(
            self.layers.iter().filter_map(|r| r.as_ref().ok()),
        ))
    }
}

/// Indexes every layer of `image` (cache first), calling `progress` as layers start and end.
pub async fn analyze_image(
    source: &dyn ManifestSource,
    image: ResolvedImage,
    opts: &AnalyzeOptions,
    progress: &(dyn Fn(LayerProgress) + Send + Sync),
) -> ImageLayers {
    let total = image.manifest.layers.len();
    let repo = image.repository.as_str();
    // Owned descriptors: a stream over borrowed ones trips the compiler's higher-ranked
    // lifetime check when this future is spawned (the TUI runs it in a task).
    let descriptors: Vec<_> = image
        .manifest
        .layers
        .clone()
        .into_iter()
        .enumerate()
        .collect();
    let layers = futures::stream::iter(descriptors)
        .map(|(i, desc)| async move {
            if desc.is_foreign() {
                let e = LayerError::Foreign {
                    layer: desc.digest.to_string(),
                    hosts: crate::registry::net_error::url_hosts(desc.urls.iter().flatten()),
                };
                progress(LayerProgress::Failed {
                    layer: i,
                    total,
                    error: e.to_string(),
                });
                return Err(e);
            }
            if let Some(mut hit) = opts.cache.as_ref().and_then(|c| c.get(&desc.digest)) {
                // The index was built from verified bytes of this digest; the descriptor
                // must still agree on the size, or the manifest is lying (then re-read,
                // which reports the mismatch). Another image may name the same bytes with
                // the Docker media type instead of the OCI one: report what this one says.
                if hit.compressed_size == desc.size {
                    hit.media_type = desc.media_type.clone();
                    progress(LayerProgress::Done {
                        layer: i,
                        total,
                        cached: true,
                    });
                    return Ok(hit);
                }
            }
            progress(LayerProgress::Started { layer: i, total });
            let r = index_layer_checkpointed(source, repo, &desc, opts.limits).await;
            let r = r.map(|(idx, checkpoints)| {
                if let Some(c) = &opts.cache {
                    c.put_with(&idx, checkpoints.as_ref());
                }
                idx
            });
            match &r {
                Ok(_) => {
                    progress(LayerProgress::Done {
                        layer: i,
                        total,
                        cached: false,
                    });
                }
                Err(e) => progress(LayerProgress::Failed {
                    layer: i,
                    total,
                    error: e.to_string(),
                }),
            }
            r
        })
        .buffered(opts.concurrency.max(1))
        .collect::<Vec<_>>()
        .await;
    ImageLayers { image, layers }
}
