//! Harbor artifacts as `regscope.inventory/v1` records, from the API alone: push and pull
//! times (artifact and per tag), immutability, sizes as Harbor reports them, platforms
//! and creation time from `extra_attrs`, index children from `references`, signatures and
//! SBOMs from `accessories`, severity counts from `scan_overview`.

use crate::model::{Digest, Image, ImageKind, Lock, Platform, ReferrerRef, TagDetail};
use crate::registry::harbor::{harbor_time, Accessory, Artifact};
use crate::registry::media;

/// One artifact as a record of `repository`. `Err` names what Harbor sent that is unusable.
pub fn image_from_artifact(repository: &str, a: &Artifact) -> Result<Image, String> {
    let digest =
        Digest::parse(&a.digest).map_err(|e| format!("artifact digest {:?}: {e}", a.digest))?;
    let mut tags: Vec<String> = a.tags.iter().flatten().map(|t| t.name.clone()).collect();
    tags.sort();
    tags.dedup();
    let manifest_type = a.manifest_media_type.clone().unwrap_or_default();
    // Harbor's `media_type` is the config's; an artifact type wins where the manifest has one.
    let artifact_type = a
        .artifact_type
        .as_deref()
        .filter(|t| !t.is_empty())
        .or(a.media_type.as_deref());
    let (kind, at) =
        crate::registry::ecr::classify_media_types(&manifest_type, artifact_type, &tags);
    let mut img = Image::new(repository, digest, &manifest_type, kind);
    img.artifact_type = at;
    img.tags = tags;
    img.size_bytes = a.size;
    img.pushed_at = harbor_time(a.push_time.as_deref());
    img.last_pulled_at = harbor_time(a.pull_time.as_deref());
    let attr = |k: &str| {
        a.extra_attrs
            .as_ref()
            .and_then(|x| x.get(k))
            .and_then(|v| v.as_str())
            .filter(|s| !s.is_empty())
    };
    img.created_at = harbor_time(attr("created"));
    if media::is_index(&manifest_type) {
        for r in a.references.iter().flatten() {
            let Some(d) = r
                .child_digest
                .as_deref()
                .and_then(|d| Digest::parse(d).ok())
            else {
                continue;
            };
            img.children.push(d);
            if let Some(p) = &r.platform {
                if let (Some(os), Some(arch)) = (p.os.as_deref(), p.architecture.as_deref()) {
                    if os != "unknown" && arch != "unknown" {
                        img.platforms
                            .push(Platform::new(os, arch, p.variant.as_deref()));
                    }
                }
            }
        }
    } else if kind == ImageKind::Image {
        if let (Some(os), Some(arch)) = (attr("os"), attr("architecture")) {
            img.platforms.push(Platform::new(os, arch, attr("variant")));
        }
    }
    img.platforms.sort();
    img.platforms.dedup();
    img.tag_details = a.tags.as_ref().map(|ts| {
        let mut d: Vec<TagDetail> = ts
            .iter()
            .map(|t| TagDetail {
                name: t.name.clone(),
                pushed_at: harbor_time(t.push_time.as_deref()),
                pulled_at: harbor_time(t.pull_time.as_deref()),
                // An immutable tag can be neither moved nor deleted.
                write_enabled: t.immutable.map(|i| !i),
                delete_enabled: t.immutable.map(|i| !i),
                ..TagDetail::default()
            })
            .collect();
        d.sort_by(|x, y| x.name.cmp(&y.name));
        d
    });
    if a.tags.iter().flatten().any(|t| t.immutable == Some(true)) {
        // Harbor refuses to delete an artifact holding an immutable tag, and its retention
        // reports such an artifact IMMUTABLE instead of deleting it.
        img.locked = Some(Lock {
            write_enabled: false,
            delete_enabled: false,
        });
    }
    img.referrers = a
        .accessories
        .iter()
        .flatten()
        .filter_map(|x| {
            Some(ReferrerRef {
                digest: Digest::parse(&x.digest).ok()?,
                artifact_type: x.kind.clone(),
            })
        })
        .collect();
    img.scan = crate::scan::harbor::summary(a);
    Ok(img)
}

/// An accessory's own record: its artifact (read by digest) with its subject and the kind
/// Harbor's accessory type says.
pub fn image_from_accessory(
    repository: &str,
    acc: &Accessory,
    artifact: &Artifact,
) -> Result<Image, String> {
    let mut img = image_from_artifact(repository, artifact)?;
    img.subject = acc
        .subject_artifact_digest
        .as_deref()
        .and_then(|d| Digest::parse(d).ok());
    img.kind = match acc.kind.as_deref().unwrap_or("") {
        k if k.starts_with("signature.") => ImageKind::Signature,
        k if k.starts_with("sbom.") => ImageKind::Attestation,
        _ => img.kind,
    };
    if img.pushed_at.is_none() {
        img.pushed_at = harbor_time(acc.creation_time.as_deref());
    }
    // An accessory is not runnable, whatever its config says.
    img.platforms.clear();
    img.scan = None;
    Ok(img)
}

#[cfg(test)]
#[path = "harbor_records_tests.rs"]
mod tests;
