//! SBOMs attached to images, read as package lists: found as OCI referrers (the referrers
//! API, else the `sha256-<hex>` fallback tag — the discovery `scan` uses — and cosign's
//! `sha256-<hex>.sbom` tag), parsed from SPDX or CycloneDX JSON ([`parse`]), and compared
//! ([`diff`]). An image without one says so; it never reads as "no packages".

pub mod diff;
pub mod parse;

use crate::model::Digest;
use crate::registry::{Descriptor, Manifest, ManifestSource};
use crate::scan::collect::referrer_list;
use parse::Package;
use serde::Serialize;
use std::collections::BTreeSet;

/// SBOM bytes read at most (syft's SPDX of a large image with many language packages
/// stays in the tens of MB).
pub const SBOM_LIMIT: u64 = 64 << 20;
/// Referrers of one subject looked at at most (an image with more is not normal).
const MAX_CANDIDATES: usize = 32;
/// Layers of one SBOM artifact looked at at most.
const MAX_LAYERS: usize = 8;

/// What was found of one image's SBOM, as the diff report shows it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct SbomSide {
    /// The SBOM artifact (the referrer manifest) the packages come from; `null` when none
    /// was found or none could be read.
    pub sbom: Option<String>,
    /// `SPDX-2.3`, `CycloneDX-1.5`.
    pub format: Option<String>,
    /// Packages it lists.
    pub packages: Option<usize>,
    /// SBOMs found but not usable, each naming its digest, and lookups that failed.
    pub problems: Vec<String>,
}

/// One image's SBOM, looked up.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SbomLookup {
    pub side: SbomSide,
    /// `None` when no SBOM was read (none attached, or none usable).
    pub packages: Option<BTreeSet<Package>>,
}

fn is_sbom_type(t: &str) -> bool {
    let t = t.to_ascii_lowercase();
    (t.contains("spdx") || t.contains("cyclonedx")) && t.contains("json")
}

/// Finds and reads the SBOM of an image: referrers of each of `subjects` in turn (the
/// platform manifest first, then the index that holds it), the first usable SBOM wins.
/// Among several on one subject, the newest by `org.opencontainers.image.created`, then
/// by digest, so the choice does not depend on the registry's listing order.
pub async fn find(src: &dyn ManifestSource, repository: &str, subjects: &[Digest]) -> SbomLookup {
    let mut out = SbomLookup::default();
    for subject in subjects {
        let mut candidates: Vec<Descriptor> = match referrer_list(src, repository, subject).await {
            Ok((list, _)) => list,
            Err(e) => {
                out.side
                    .problems
                    .push(format!("referrers of {subject}: {e}"));
                Vec::new()
            }
        };
        // A referrer without an artifact type may still be an SBOM: read its manifest.
        candidates.retain(|d| d.artifact_type.as_deref().is_none_or(is_sbom_type));
        let created = |d: &Descriptor| {
            d.annotations
                .as_ref()
                .and_then(|a| a.get("org.opencontainers.image.created").cloned())
        };
        candidates.sort_by(|x, y| {
            created(y)
                .cmp(&created(x))
                .then_with(|| x.digest.as_str().cmp(y.digest.as_str()))
        });
        let cosign = format!("{}.sbom", subject.fallback_tag());
        let mut digests: Vec<String> = candidates
            .iter()
            .take(MAX_CANDIDATES)
            .map(|d| d.digest.to_string())
            .collect();
        if let Ok(h) = src.head_manifest(repository, &cosign).await {
            digests.push(h.digest.to_string());
        }
        for d in digests {
            match read_one(src, repository, &d).await {
                Ok(Some(sbom)) => {
                    out.side.sbom = Some(d);
                    out.side.format = Some(sbom.format);
                    out.side.packages = Some(sbom.packages.len());
                    out.packages = Some(sbom.packages);
                    return out;
                }
                Ok(None) => {}
                Err(e) => out.side.problems.push(e),
            }
        }
    }
    out
}

/// One referrer: `Ok(None)` when it is not an SBOM after all.
async fn read_one(
    src: &dyn ManifestSource,
    repository: &str,
    digest: &str,
) -> Result<Option<parse::Sbom>, String> {
    let m = src
        .manifest(repository, digest)
        .await
        .map_err(|e| format!("SBOM {digest}: {e}"))?;
    let Manifest::Image(img) = &m.manifest else {
        return Ok(None);
    };
    let typed = m
        .manifest
        .artifact_type()
        .as_deref()
        .is_some_and(is_sbom_type);
    let layer = img
        .layers
        .iter()
        .take(MAX_LAYERS)
        .find(|l| is_sbom_type(&l.media_type))
        .or_else(|| img.layers.first().filter(|_| typed));
    let Some(layer) = layer else {
        return Ok(None);
    };
    let bytes = src
        .blob(repository, &layer.digest, SBOM_LIMIT)
        .await
        .map_err(|e| format!("SBOM {digest} (blob {}): {e}", layer.digest))?;
    parse::parse(&bytes)
        .map(Some)
        .map_err(|e| format!("SBOM {digest} (blob {}): malformed: {e}", layer.digest))
}

#[cfg(test)]
mod tests;
