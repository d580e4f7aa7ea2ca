//! What `cat` and `diff` share: a reference opened, its platform resolved and every layer
//! indexed (from the layer cache when it has them), replayed into the final filesystem.

use crate::layers::{
    analyze_image, resolve, Analysis, AnalyzeOptions, ImageLayers, LayerCache, LayerProgress,
};
use crate::model::Platform;
use crate::registry::reference::Reference;
use crate::registry::ManifestSource;
use std::io::IsTerminal;
use std::sync::Arc;

/// One image with its layers read.
pub struct ReadImage {
    pub source: Arc<dyn ManifestSource>,
    pub reference: Reference,
    pub layers: ImageLayers,
    pub analysis: Analysis,
}

/// The cache `--no-cache` leaves out.
pub fn cache(no_cache: bool) -> Option<LayerCache> {
    if no_cache {
        None
    } else {
        LayerCache::default_location()
    }
}

/// Parses a `--platform` value (a usage error when it does not parse).
pub fn platform(arg: Option<&str>) -> anyhow::Result<Option<Platform>> {
    arg.map(Platform::parse)
        .transpose()
        .map_err(|e| super::output::usage(format!("--platform: {e}")))
}

/// Opens `reference` and reads its layers. `Ok(None)` after the failure was printed on
/// stderr as `regscope COMMAND: ...` (the caller exits 1).
pub async fn read(
    command: &str,
    reference: String,
    platform: Option<Platform>,
    cache: Option<LayerCache>,
) -> anyhow::Result<Option<ReadImage>> {
    let (reference, platform) = (reference.as_str(), platform.as_ref());
    // Through the session front door: the registry's kind and settings are its business.
    let (parsed, _session, source) = match super::source::open_for_reading(reference).await {
        Ok(o) => o,
        Err(super::source::OpenError::Usage(e)) => return Err(super::output::usage(e)),
        Err(e) => return Err(anyhow::anyhow!("cannot open {reference}: {e}")),
    };
    let image = match resolve(
        source.as_ref(),
        &parsed.repository,
        &parsed.reference(),
        platform,
    )
    .await
    {
        Ok(i) => i,
        Err(e) => {
            eprintln!("regscope {command}: {e}");
            if let crate::layers::LayerError::Registry(r) = &e {
                eprintln!("  next step: {}", r.next_step());
            }
            return Ok(None);
        }
    };
    let opts = AnalyzeOptions {
        cache,
        ..AnalyzeOptions::default()
    };
    let show = std::io::stderr().is_terminal();
    let progress = move |p: LayerProgress| {
        if let (true, LayerProgress::Started { layer, total }) = (show, p) {
            eprint!(
                "\r\x1b[2Kreading layer {}/{total} of {reference}",
                layer + 1
            );
        }
    };
    let layers = analyze_image(source.as_ref(), image, &opts, &progress).await;
    if show {
        eprint!("\r\x1b[2K");
    }
    let analysis = match layers.analysis() {
        Ok(a) => a,
        Err(failed) => {
            for (i, e) in failed {
                eprintln!("regscope {command}: {reference}: layer {}: {e}", i + 1);
            }
            return Ok(None);
        }
    };
    Ok(Some(ReadImage {
        source,
        reference: parsed,
        layers,
        analysis,
    }))
}
