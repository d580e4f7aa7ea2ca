//! The re-check a `ManifestSource` gets just before each DELETE (not once per repository):
//! the tags as listed now, the planned tags resolved again, every tag name not seen before
//! in this run resolved (a tag pushed onto a planned digest, or a new index over it), the
//! indexes behind those tags read for their children, and the digest's referrers through
//! the API and the `sha256-<hex>` fallback tag; where the registry lists manifests natively
//! (OCI layouts, ACR), untagged indexes are read too. What remains unseen is written down in
//! docs/decisions.md ("Deletion re-check window").

use super::target::{RepoMemo, RepoNow};
use crate::model::Digest;
use crate::registry::{Manifest, ManifestSource, Referrers, RegistryError};
use futures::stream::{self, StreamExt, TryStreamExt};
use std::collections::HashSet;

/// Up to this many tags, every tag is resolved again before every item; above it, the
/// planned tags and the names not seen before (see the decision).
pub const FULL_RECHECK_TAGS: usize = 64;
/// HEAD requests in flight at once while resolving tags.
const PARALLEL: usize = 8;

/// Everything a planned item's DELETE must not surprise, read now.
pub async fn survey(
    src: &dyn ManifestSource,
    repo: &str,
    digest: &Digest,
    planned_tags: &[String],
    planned: &HashSet<(&str, &Digest)>,
    memo: &mut RepoMemo,
) -> Result<RepoNow, RegistryError> {
    let (list, refs, listing) = futures::join!(
        src.tags(repo),
        src.referrers(repo, digest),
        src.list_manifests(repo)
    );
    let list = list?;
    let names: HashSet<&str> = list.iter().map(String::as_str).collect();
    memo.tags.retain(|t, _| names.contains(t.as_str()));
    let fallback = digest.fallback_tag();
    let ask: Vec<String> = list
        .iter()
        .filter(|t| {
            !memo.surveyed
                || list.len() <= FULL_RECHECK_TAGS
                || planned_tags.contains(t)
                || !memo.tags.contains_key(*t)
                || **t == fallback
        })
        .cloned()
        .collect();
    let resolved: Vec<(String, Option<(Digest, String)>)> = stream::iter(ask)
        .map(|t: String| async move {
            match src.head_manifest(repo, &t).await {
                Ok(h) => Ok((t, Some((h.digest, h.media_type)))),
                Err(RegistryError::NotFound { .. }) => Ok((t, None)),
                Err(e) => Err(e),
            }
        })
        .buffer_unordered(PARALLEL)
        .try_collect()
        .await?;
    for (t, r) in resolved {
        match r {
            Some((d, mt)) => {
                memo.media.insert(d.clone(), mt);
                memo.tags.insert(t, d);
            }
            None => {
                memo.tags.remove(&t);
            }
        }
    }
    memo.surveyed = true;
    let mut now = RepoNow {
        tags: memo.tags.clone(),
        ..RepoNow::default()
    };
    let mut tagged: Vec<(String, Digest)> = memo
        .tags
        .iter()
        .map(|(t, d)| (t.clone(), d.clone()))
        .collect();
    // A native listing (OCI layouts, ACR) names untagged manifests too: an untagged index
    // pushed over a planned image protects it as much as a tagged one.
    for d in listing?.into_iter().flatten() {
        if !d.media_type.is_empty() {
            memo.media.entry(d.digest.clone()).or_insert(d.media_type);
        }
        tagged.push(("untagged".into(), d.digest));
    }
    protect_children(src, repo, digest, planned, &tagged, memo, &mut now).await?;
    let mut referrers = match refs? {
        Referrers::Listed(v) => v,
        Referrers::Unsupported => Vec::new(),
    };
    // The fallback tag is checked even where the API answers: clients that cannot know
    // whether it does (cosign, older oras) push the tag anyway.
    if let Some(fd) = memo.tags.get(&fallback).cloned() {
        if let Manifest::Index(ix) = src.manifest(repo, fd.as_str()).await?.manifest {
            referrers.extend(ix.manifests);
        }
    }
    new_referrers(repo, digest, planned, &referrers, &mut now);
    Ok(now)
}

/// `digest` is protected when a surviving index (one the plan does not remove) lists it.
/// Each index is read once per run (a digest names its content for good).
async fn protect_children(
    src: &dyn ManifestSource,
    repo: &str,
    digest: &Digest,
    planned: &HashSet<(&str, &Digest)>,
    present: &[(String, Digest)],
    memo: &mut RepoMemo,
    now: &mut RepoNow,
) -> Result<(), RegistryError> {
    for (t, d) in present {
        if d == digest || planned.contains(&(repo, d)) {
            continue;
        }
        let maybe_index = memo
            .media
            .get(d)
            .is_none_or(|mt| crate::registry::media::is_index(mt));
        if !maybe_index {
            continue;
        }
        if !memo.children.contains_key(d) {
            let children = match src.manifest(repo, d.as_str()).await {
                Ok(m) => match m.manifest {
                    Manifest::Index(ix) => ix.manifests.into_iter().map(|c| c.digest).collect(),
                    _ => Vec::new(),
                },
                // Deleted between the listing and this read: it protects nothing.
                Err(RegistryError::NotFound { .. }) => continue,
                Err(e) => return Err(e),
            };
            memo.children.insert(d.clone(), children);
        }
        if memo.children[d].contains(digest) {
            now.protected.insert(
                digest.clone(),
                format!("now a child of surviving index {} (tag {t})", d.short()),
            );
            return Ok(());
        }
    }
    Ok(())
}

/// A referrer the plan does not remove protects its subject: the reviewed plan never
/// showed it, and deleting the subject would orphan a signature or attestation.
fn new_referrers(
    repo: &str,
    digest: &Digest,
    planned: &HashSet<(&str, &Digest)>,
    referrers: &[crate::registry::Descriptor],
    now: &mut RepoNow,
) {
    if now.protected.contains_key(digest) {
        return;
    }
    if let Some(r) = referrers
        .iter()
        .find(|r| &r.digest != digest && !planned.contains(&(repo, &r.digest)))
    {
        let kind = r.artifact_type.as_deref().unwrap_or(r.media_type.as_str());
        now.protected.insert(
            digest.clone(),
            format!(
                "has referrer {} ({kind}) that the plan does not remove (pushed since the plan?)",
                r.digest.short()
            ),
        );
    }
}
