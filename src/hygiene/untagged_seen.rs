//! Untagged manifests of a registry whose API lists tags only (a Distribution registry):
//! the digests the store's tag history saw tags name, which the crawl no longer finds under
//! any tag, are read again by digest. Those still there are untagged manifests the
//! listing cannot show; a lower bound, since the store only knows what it saw.
//! Only where reading a manifest has no side effect (not where it counts as a pull).

use crate::model::{BlobRef, Digest, Image, ImageKind};
use crate::registry::{Manifest, RegistryError};
use crate::session::Session;
use crate::store::TagObservation;
use std::collections::BTreeSet;

/// At most this many old digests are read per repository.
pub const BUDGET: usize = 20;

/// Images (single-platform manifests that refer to no subject) for the old digests of
/// `history` that `images` lack and the registry still holds. Indexes are skipped (their
/// bytes are their children's, which would need reading too) and counted in the second
/// value; errors other than "not there" are returned as lines.
pub async fn read(
    session: &Session,
    repository: &str,
    history: &[TagObservation],
    images: &[Image],
) -> (Vec<Image>, usize, Vec<String>) {
    let have: BTreeSet<&Digest> = images.iter().map(|im| &im.digest).collect();
    let old: BTreeSet<&Digest> = history
        .iter()
        .map(|(_, d, _, _, _)| d)
        .filter(|d| !have.contains(d))
        .collect();
    let (mut out, mut indexes, mut errors) = (Vec::new(), 0, Vec::new());
    if old.is_empty() {
        return (out, indexes, errors);
    }
    let source = match session.source() {
        Ok(s) => s,
        Err(e) => return (out, indexes, vec![e.to_string()]),
    };
    for d in old.into_iter().take(BUDGET) {
        match source.manifest(repository, d.as_str()).await {
            Ok(m) => match m.manifest {
                Manifest::Image(img) if img.subject.is_none() => {
                    let blobs: Vec<BlobRef> = img
                        .stored_blobs()
                        .map(|b| BlobRef {
                            digest: b.digest.clone(),
                            size: b.size,
                        })
                        .collect();
                    let mut im = Image::new(repository, d.clone(), &m.media_type, ImageKind::Image);
                    im.manifest_size = Some(m.bytes.len() as u64);
                    im.size_bytes = Some(blobs.iter().map(|b| b.size).sum());
                    im.blobs = Some(blobs);
                    out.push(im);
                }
                Manifest::Image(_) => {}
                Manifest::Index(_) => indexes += 1,
            },
            Err(RegistryError::NotFound { .. }) => {}
            Err(e) => errors.push(format!("{repository}@{d}: {e}")),
        }
    }
    (out, indexes, errors)
}
