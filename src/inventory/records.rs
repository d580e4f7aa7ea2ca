//! Turns the manifests found in one repository into `regscope.inventory/v1` records:
//! kind, tags, platforms, children, subject and referrers, creation time, blobs, and the
//! honest sizes of the blob graph.
//!
//! A referrers fallback-tag index (tag `sha256-<hex>`) is bookkeeping, not an image: its
//! record is kind `artifact` with `subject` set to the digest its tag names and no
//! children (its entries are listed as the subject's `referrers` and have records of
//! their own). See docs/decisions.md.

use super::blobgraph::BlobGraph;
use super::config::ImageConfig;
use crate::model::{BlobRef, Digest, Image, ImageKind, InventoryIssue, Platform, ReferrerRef};
use crate::registry::Manifest;
use std::collections::{BTreeMap, HashMap};

/// A manifest found while crawling, before it becomes a record.
pub struct Found {
    pub manifest: Manifest,
    pub media_type: String,
    pub size: u64,
    pub tags: Vec<String>,
    /// Set when every tag of this index is the referrers fallback tag of this subject.
    pub fallback_for: Option<Digest>,
    pub config: Option<ImageConfig>,
}

/// What the manifest that pointed at a digest says about it.
#[derive(Clone, Debug, Default)]
pub struct Hint {
    /// The platform of its index entry.
    pub platform: Option<Platform>,
    /// The image it refers to (buildkit attestation entry, referrers listing).
    pub subject: Option<Digest>,
    /// A buildkit attestation entry of an index.
    pub attestation: bool,
}

pub fn build_records(
    repo: &str,
    found: HashMap<Digest, Found>,
    hints: &HashMap<Digest, Hint>,
    listed: &BTreeMap<Digest, BTreeMap<Digest, Option<String>>>,
    issues: &mut Vec<InventoryIssue>,
) -> Vec<Image> {
    let mut entries: Vec<(Digest, Found)> = found.into_iter().collect();
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    let mut graph = BlobGraph::new();
    let mut images: Vec<Image> = Vec::with_capacity(entries.len());
    for (digest, f) in &entries {
        let node = graph.node(digest);
        debug_assert_eq!(node as usize, images.len());
        let hint = hints.get(digest);
        let kind = if f.fallback_for.is_some() {
            ImageKind::Artifact
        } else if hint.is_some_and(|h| h.attestation) {
            ImageKind::Attestation
        } else {
            f.manifest.kind(&f.tags)
        };
        let mut img = Image::new(repo, digest.clone(), &f.media_type, kind);
        img.tags = f.tags.clone();
        img.manifest_size = Some(f.size);
        img.subject = f
            .manifest
            .subject()
            .map(|s| s.digest.clone())
            .or_else(|| f.fallback_for.clone())
            .or_else(|| f.cosign_subject())
            .or_else(|| hint.and_then(|h| h.subject.clone()));
        if f.fallback_for.is_none() {
            img.artifact_type = f.manifest.artifact_type();
        }
        match &f.manifest {
            Manifest::Image(m) => {
                // Foreign layers are not stored here: they count towards no size, and
                // deleting the image frees none of their bytes.
                let own: Vec<BlobRef> = m
                    .stored_blobs()
                    .map(|d| BlobRef {
                        digest: d.digest.clone(),
                        size: d.size,
                    })
                    .collect();
                graph.set_blobs(node, own.iter().map(|b| (&b.digest, b.size)));
                img.blobs = Some(own);
                if kind == ImageKind::Image {
                    img.platforms = f
                        .config
                        .as_ref()
                        .and_then(ImageConfig::platform)
                        .or_else(|| hint.and_then(|h| h.platform.clone()))
                        .into_iter()
                        .collect();
                }
                img.created_at = f.config.as_ref().and_then(ImageConfig::created_at);
            }
            Manifest::Index(idx) => {
                graph.set_blobs(node, std::iter::empty());
                img.blobs = Some(Vec::new());
                if f.fallback_for.is_none() {
                    for e in &idx.manifests {
                        if !img.children.contains(&e.digest) {
                            img.children.push(e.digest.clone());
                        }
                        if !e.is_attestation_entry() {
                            if let Some(p) = &e.platform {
                                let p = p.to_platform();
                                if !img.platforms.contains(&p) {
                                    img.platforms.push(p);
                                }
                            }
                        }
                    }
                }
            }
        }
        images.push(img);
    }
    let held: std::collections::HashSet<&Digest> = images.iter().map(|i| &i.digest).collect();
    for img in &images {
        let parent = graph.node(&img.digest);
        graph.set_tagged(parent, !img.tags.is_empty());
        for c in &img.children {
            let child = graph.node(c);
            graph.add_child(parent, child);
        }
        // A referrer goes with its subject when a plan deletes it (not a subject the
        // repository does not hold: that would only add a node the crawl never fetched).
        if let Some(s) = img.subject.as_ref().filter(|s| held.contains(s)) {
            let subject = graph.node(s);
            graph.add_referrer(subject, parent);
        }
    }
    let sizes = graph.compute();
    for (blob, _) in graph.conflicts() {
        issues.extend(size_conflict_issues(repo, blob, &images));
    }
    let at: HashMap<Digest, usize> = images
        .iter()
        .enumerate()
        .map(|(i, img)| (img.digest.clone(), i))
        .collect();
    for (i, img) in images.iter_mut().enumerate() {
        img.size_bytes = sizes[i].size_bytes;
        img.unique_bytes = sizes[i].unique_bytes;
    }
    link_referrers(&mut images, &entries, &at, listed);
    date_indexes(&mut images, &at);
    images
}

/// At most this many images are named per conflicting blob (a lie about a base layer
/// shared by thousands of images is one problem, not thousands of lines).
const CONFLICT_IMAGES_NAMED: usize = 10;

/// One issue per image that declares `blob` itself, naming the blob, the size this
/// image's manifest declares and another size declared for it elsewhere.
fn size_conflict_issues(repo: &str, blob: &Digest, images: &[Image]) -> Vec<InventoryIssue> {
    let declarers: Vec<(&Digest, u64)> = images
        .iter()
        .filter_map(|img| {
            let own = img.blobs.as_deref()?.iter().filter(|b| &b.digest == blob);
            // A manifest may itself list the blob twice with two sizes.
            let sizes: Vec<u64> = own.map(|b| b.size).collect();
            Some(sizes.into_iter().map(move |s| (&img.digest, s)))
        })
        .flatten()
        .collect();
    let next = "one digest is one blob: ask the registry for its size (HEAD of the blob) and fix or delete the manifest that declares another";
    let mut out = Vec::new();
    let mut named: Vec<&Digest> = Vec::new();
    for &(image, size) in &declarers {
        if named.contains(&image) {
            continue;
        }
        if named.len() == CONFLICT_IMAGES_NAMED {
            let rest = declarers
                .iter()
                .map(|(d, _)| *d)
                .filter(|d| !named.contains(d))
                .collect::<std::collections::BTreeSet<_>>()
                .len();
            out.push(
                InventoryIssue::new(
                    Some(repo),
                    Some(blob.as_str()),
                    format!(
                        "blob {blob} is declared with different sizes by {rest} more {}; their sizes are unknown too ({next})",
                        crate::text::plural(rest, "manifest", "manifests")
                    ),
                )
                .with_next_step(next),
            );
            break;
        }
        named.push(image);
        let Some(&(other, other_size)) = declarers.iter().find(|(_, s)| *s != size) else {
            continue;
        };
        let by = if other == image {
            "by the same manifest".to_string()
        } else {
            format!("by {other}")
        };
        out.push(
            InventoryIssue::new(
                Some(repo),
                Some(image.as_str()),
                format!(
                    "blob {blob} is declared as {size} bytes by this manifest and as {other_size} bytes {by}; its size is unknown, so this image's size and what deleting it frees are not counted ({next})"
                ),
            )
            .with_next_step(next),
        );
    }
    out
}

/// Fills each subject's `referrers` from referrers listings and from every record that
/// names it as its subject (cosign tags, buildkit attestations, `subject` fields).
fn link_referrers(
    images: &mut [Image],
    entries: &[(Digest, Found)],
    at: &HashMap<Digest, usize>,
    listed: &BTreeMap<Digest, BTreeMap<Digest, Option<String>>>,
) {
    let mut by_subject: BTreeMap<usize, BTreeMap<Digest, Option<String>>> = BTreeMap::new();
    for (subject, refs) in listed {
        if let Some(&s) = at.get(subject) {
            by_subject.entry(s).or_default().extend(refs.clone());
        }
    }
    for (i, img) in images.iter().enumerate() {
        let (Some(subject), None) = (&img.subject, &entries[i].1.fallback_for) else {
            continue;
        };
        let Some(&s) = at.get(subject) else { continue };
        let ty = img
            .artifact_type
            .clone()
            .or_else(|| match &entries[i].1.manifest {
                Manifest::Image(m) => m.layers.first().map(|l| l.media_type.clone()),
                Manifest::Index(_) => None,
            });
        let slot = by_subject
            .entry(s)
            .or_default()
            .entry(img.digest.clone())
            .or_default();
        if slot.is_none() {
            *slot = ty;
        }
    }
    for (s, refs) in by_subject {
        images[s].referrers = refs
            .into_iter()
            .map(|(digest, artifact_type)| ReferrerRef {
                digest,
                artifact_type,
            })
            .collect();
    }
}

/// An index was created when its newest runnable child was.
fn date_indexes(images: &mut [Image], at: &HashMap<Digest, usize>) {
    for i in 0..images.len() {
        if images[i].kind != ImageKind::Index {
            continue;
        }
        let newest = images[i]
            .children
            .iter()
            .filter_map(|c| at.get(c))
            .filter(|&&c| images[c].kind == ImageKind::Image)
            .filter_map(|&c| images[c].created_at)
            .max();
        images[i].created_at = newest;
    }
}
