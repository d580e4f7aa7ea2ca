//! Changes to one layout: adding or moving a tag (`put`), deleting a manifest with garbage
//! collection of the blobs only it reached (`delete`), and the reachability walk both need.

use super::store::{entry_tag, LayoutDir, LayoutIndex, REF_NAME};
use super::LayoutFault;
use crate::model::Digest;
use crate::registry::manifest::{media, Descriptor, Manifest};
use std::collections::{BTreeMap, BTreeSet};

/// What a delete did, for logs and tests.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GcReport {
    /// `index.json` entries removed (one per tag, plus an untagged one).
    pub entries_removed: usize,
    /// Blob files removed because nothing left in the layout reaches them.
    pub blobs_removed: Vec<Digest>,
    pub bytes_freed: u64,
}

/// Every blob reachable from `roots`: the manifests themselves, configs, layers and an
/// index's children, recursively. A blob that is missing is simply not walked (nothing can
/// be reached through it); a manifest that exists but cannot be parsed is an error, since
/// collecting garbage around it could delete what it needs.
pub fn reachable(dir: &LayoutDir, roots: &[Descriptor]) -> Result<BTreeSet<Digest>, LayoutFault> {
    let mut seen = BTreeSet::new();
    let mut stack: Vec<Descriptor> = roots.to_vec();
    while let Some(d) = stack.pop() {
        if !seen.insert(d.digest.clone()) {
            continue;
        }
        let is_manifest = media::is_index(&d.media_type) || media::is_manifest(&d.media_type);
        if !is_manifest || dir.blob_size(&d.digest).is_none() {
            continue;
        }
        match dir.read_manifest(&d.digest, &d.media_type)?.1 {
            Manifest::Image(m) => {
                stack.push(m.config);
                stack.extend(m.layers);
            }
            Manifest::Index(m) => stack.extend(m.manifests),
        }
    }
    Ok(seen)
}

/// Removes every `index.json` entry for `digest`, then the blobs that only it reached.
/// The index is rewritten first (atomically), so an interruption leaves at worst stray
/// blobs, never an index pointing at deleted ones.
pub fn delete(dir: &LayoutDir, digest: &Digest) -> Result<GcReport, LayoutFault> {
    let mut index = dir.read_index()?;
    let (removed, kept): (Vec<Descriptor>, Vec<Descriptor>) = index
        .manifests
        .iter()
        .cloned()
        .partition(|d| d.digest == *digest);
    let kept_reach = reachable(dir, &kept)?;
    if removed.is_empty() {
        if kept_reach.contains(digest) {
            return Err(LayoutFault::Refused {
                why: format!(
                    "{digest} is a child of an index that stays; delete the index instead"
                ),
            });
        }
        return Err(LayoutFault::UnknownReference {
            reference: digest.to_string(),
            index: dir.index_path(),
        });
    }
    let gone: Vec<Digest> = reachable(dir, &removed)?
        .into_iter()
        .filter(|d| !kept_reach.contains(d))
        .collect();
    index.manifests = kept;
    dir.write_index(&index)?;
    let mut report = GcReport {
        entries_removed: removed.len(),
        ..GcReport::default()
    };
    for d in gone {
        let p = dir.blob_path(&d);
        let size = dir.blob_size(&d);
        match std::fs::remove_file(&p) {
            Ok(()) => {
                report.bytes_freed += size.unwrap_or(0);
                report.blobs_removed.push(d);
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(LayoutFault::io(&p, e)),
        }
    }
    Ok(report)
}

/// Stores manifest bytes and points `reference` at them: a tag is added or moved (the
/// manifest it leaves stays, untagged, as in a registry); a digest reference adds an
/// untagged entry. Refuses manifests whose blobs are not in the layout.
pub fn put(
    dir: &LayoutDir,
    reference: &str,
    media_type: &str,
    bytes: &[u8],
) -> Result<Digest, LayoutFault> {
    let manifest = Manifest::parse(bytes, media_type).map_err(|e| LayoutFault::Malformed {
        path: dir.path.join(format!("(manifest for {reference})")),
        detail: e.to_string(),
    })?;
    let digest = Digest::sha256_of(bytes);
    let tag = if reference.contains(':') {
        let asked =
            Digest::parse(reference).map_err(|e| LayoutFault::Refused { why: e.to_string() })?;
        if asked != digest {
            return Err(LayoutFault::Refused {
                why: format!("manifest bytes hash to {digest}, not {asked}"),
            });
        }
        None
    } else if super::store::is_valid_tag(reference) {
        Some(reference.to_string())
    } else {
        return Err(LayoutFault::Refused {
            why: format!("{reference:?} is not a valid tag"),
        });
    };
    check_blobs(dir, &manifest)?;
    dir.write_blob(bytes)?;
    let mut index = dir.read_index()?;
    let entry = index_entry(&manifest, media_type, bytes, tag.as_deref());
    apply_entry(&mut index, entry, tag.as_deref());
    dir.write_index(&index)?;
    Ok(digest)
}

/// Adds `entry` to the index, keeping one entry per (digest, tag) and at least one entry
/// per digest: a moved tag leaves its old manifest listed untagged.
pub fn apply_entry(index: &mut LayoutIndex, entry: Descriptor, tag: Option<&str>) {
    if let Some(tag) = tag {
        for d in index.manifests.iter_mut() {
            if entry_tag(d).as_deref() == Some(tag) {
                if let Some(a) = d.annotations.as_mut() {
                    a.remove(REF_NAME);
                }
            }
        }
        // Drop untagged duplicates: one untagged entry per digest is enough, and none
        // when the digest is still tagged elsewhere or is the one being tagged now.
        let mut untagged_seen = BTreeSet::new();
        let tagged: BTreeSet<Digest> = index
            .manifests
            .iter()
            .filter(|d| entry_tag(d).is_some())
            .map(|d| d.digest.clone())
            .chain(std::iter::once(entry.digest.clone()))
            .collect();
        index.manifests.retain(|d| {
            entry_tag(d).is_some()
                || (!tagged.contains(&d.digest) && untagged_seen.insert(d.digest.clone()))
        });
        for d in index.manifests.iter_mut() {
            if d.annotations.as_ref().is_some_and(|a| a.is_empty()) {
                d.annotations = None;
            }
        }
        index.manifests.push(entry);
    } else if !index.manifests.iter().any(|d| d.digest == entry.digest) {
        index.manifests.push(entry);
    }
}

/// Refuses a manifest whose config, layers or children are not in the layout.
pub fn check_blobs(dir: &LayoutDir, manifest: &Manifest) -> Result<(), LayoutFault> {
    let needed: Vec<&Descriptor> = match manifest {
        // Foreign layers (Windows base layers) are legitimately absent.
        Manifest::Image(m) => m.stored_blobs().collect(),
        Manifest::Index(m) => m.manifests.iter().collect(),
    };
    match needed.iter().find(|d| dir.blob_size(&d.digest).is_none()) {
        Some(missing) => Err(LayoutFault::Refused {
            why: format!(
                "manifest refers to blob {} which is not in the layout",
                missing.digest
            ),
        }),
        None => Ok(()),
    }
}

/// The `index.json` entry for a manifest, tagged or not.
pub fn index_entry(
    manifest: &Manifest,
    media_type: &str,
    bytes: &[u8],
    tag: Option<&str>,
) -> Descriptor {
    Descriptor {
        media_type: manifest.media_type(media_type),
        digest: Digest::sha256_of(bytes),
        size: bytes.len() as u64,
        platform: None,
        artifact_type: match manifest {
            Manifest::Image(m) => m.artifact_type.clone(),
            Manifest::Index(m) => m.artifact_type.clone(),
        },
        annotations: tag.map(|t| BTreeMap::from([(REF_NAME.to_string(), t.to_string())])),
        urls: None,
    }
}
