//! Two images compared, as one report (`regscope.diff/v1`): sizes and the delta, layers
//! shared and not, files of the final filesystems, config and platform changes. The CLI
//! (`regscope diff`) and the TUI (`=`, `:diff REF`) both ask [`compare`] or [`report`].
//! Packages are compared by the images' SBOM referrers (`crate::sbom`) when both have one.
//!
//! B is read after A through the same layer cache, so layers they share are read once, and
//! layers read before (by `layers`, `cat` or the TUI) are not read again.

use super::config_diff::{self, ConfigDiff};
use super::diff::{files, layer_sets, FilesDiff, LayerSets};
use super::image::{analyze_image, resolve, AnalyzeOptions, ImageLayers, ResolvedImage};
use super::merge::Analysis;
use super::tree::FsTree;
use crate::model::Platform;
use crate::registry::ManifestSource;
use crate::sbom::diff::PackagesDiff;
use crate::sbom::SbomLookup;
use serde::Serialize;
use std::sync::Arc;

pub const SCHEMA: &str = "regscope.diff/v1";

#[derive(Clone, Debug, Serialize)]
pub struct Side {
    pub reference: String,
    pub digest: String,
    pub platform: Option<String>,
    /// Config and distinct layer blobs, compressed.
    pub size_bytes: u64,
    /// Of those, the layer bytes the other image does not share.
    pub unique_bytes: u64,
    /// Content bytes of the final filesystem.
    pub files_bytes: u64,
}

#[derive(Clone, Debug, Serialize)]
pub struct Platforms {
    pub a: Vec<String>,
    pub b: Vec<String>,
    pub added: Vec<String>,
    pub removed: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct DiffReport {
    pub schema: &'static str,
    pub a: Side,
    pub b: Side,
    pub delta_bytes: i64,
    pub layers: LayerSets,
    pub files: FilesDiff,
    pub config: ConfigDiff,
    pub platforms: Platforms,
    /// Packages added, removed and changed, by the images' SBOM referrers.
    pub packages: PackagesDiff,
}

/// One image, read: its layers indexed and replayed, its config bytes.
pub struct ReadSide {
    /// As the person wrote it (shown and written back in the report).
    pub reference: String,
    pub layers: ImageLayers,
    pub analysis: Analysis,
    pub config: Vec<u8>,
    /// Its SBOM referrer, looked up ([`sbom_of`]).
    pub sbom: SbomLookup,
}

/// The SBOM attached to the image: to its platform manifest, else to the index it was
/// picked from.
pub async fn sbom_of(source: &dyn ManifestSource, image: &ResolvedImage) -> SbomLookup {
    let mut subjects = vec![image.digest.clone()];
    subjects.extend(image.index_digest.clone());
    crate::sbom::find(source, &image.repository, &subjects).await
}

fn side(img: &ReadSide, only: &[String]) -> Side {
    let m = &img.layers.image.manifest;
    let mut seen = std::collections::HashSet::new();
    let distinct: u64 = m
        .layers
        .iter()
        .filter(|l| seen.insert(l.digest.clone()))
        .map(|l| l.size)
        .fold(0, u64::saturating_add);
    let unique: u64 = m
        .layers
        .iter()
        .filter(|l| only.contains(&l.digest.to_string()))
        .map(|l| l.size)
        .fold(0, u64::saturating_add);
    Side {
        reference: img.reference.clone(),
        digest: img.layers.image.digest.to_string(),
        platform: img.layers.image.platform.as_ref().map(|p| p.to_string()),
        size_bytes: m.config.size.saturating_add(distinct),
        unique_bytes: unique,
        files_bytes: FsTree::of_filesystem(&img.analysis).root().size,
    }
}

fn platforms(img: &ReadSide) -> Vec<String> {
    let i = &img.layers.image;
    if i.available.is_empty() {
        i.platform.iter().map(|p| p.to_string()).collect()
    } else {
        i.available.iter().map(|p| p.to_string()).collect()
    }
}

/// The report of two images already read.
pub fn report(a: &ReadSide, b: &ReadSide) -> DiffReport {
    let (ma, mb) = (&a.layers.image.manifest, &b.layers.image.manifest);
    let layers = layer_sets(&ma.layers, &mb.layers);
    let (sa, sb) = (side(a, &layers.only_a), side(b, &layers.only_b));
    let (pa, pb) = (platforms(a), platforms(b));
    DiffReport {
        schema: SCHEMA,
        delta_bytes: sb.size_bytes as i64 - sa.size_bytes as i64,
        a: sa,
        b: sb,
        files: files(&a.analysis, &b.analysis),
        config: config_diff::compare(&a.config, &b.config),
        platforms: Platforms {
            added: pb.iter().filter(|p| !pa.contains(p)).cloned().collect(),
            removed: pa.iter().filter(|p| !pb.contains(p)).cloned().collect(),
            a: pa,
            b: pb,
        },
        layers,
        packages: crate::sbom::diff::compare(&a.sbom, &b.sbom),
    }
}

/// Where one image of a comparison lives.
#[derive(Clone)]
pub struct Target {
    pub source: Arc<dyn ManifestSource>,
    pub repository: String,
    /// Tag or digest.
    pub reference: String,
    /// As shown in the report.
    pub shown: String,
}

/// Resolves `t` (picking `platform` from an index), indexes every layer through the cache
/// in `opts`, replays them and reads the config. Errors name the image.
pub async fn read_side(
    t: &Target,
    platform: Option<&Platform>,
    opts: &AnalyzeOptions,
) -> Result<ReadSide, String> {
    let fail = |e: String| format!("{}: {e}", t.shown);
    let image = resolve(t.source.as_ref(), &t.repository, &t.reference, platform)
        .await
        .map_err(|e| fail(e.to_string()))?;
    let config_digest = image.manifest.config.digest.clone();
    let layers = analyze_image(t.source.as_ref(), image, opts, &|_| {}).await;
    let analysis = match layers.analysis() {
        Ok(a) => a,
        Err(failed) => {
            let (i, e) = &failed[0];
            return Err(fail(format!("layer {i}: {e}")));
        }
    };
    let config = t
        .source
        .blob(&t.repository, &config_digest, 16 << 20)
        .await
        .map_err(|e| fail(format!("reading its config: {e}")))?;
    let sbom = sbom_of(t.source.as_ref(), &layers.image).await;
    Ok(ReadSide {
        reference: t.shown.clone(),
        layers,
        analysis,
        config,
        sbom,
    })
}

/// Reads A, then B (through the same cache), and compares them.
pub async fn compare(
    a: &Target,
    b: &Target,
    platform: Option<&Platform>,
    opts: &AnalyzeOptions,
) -> Result<DiffReport, String> {
    let ra = read_side(a, platform, opts).await?;
    let rb = read_side(b, platform, opts).await?;
    Ok(report(&ra, &rb))
}
