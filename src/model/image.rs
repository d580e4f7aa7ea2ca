//! The inventory record: one per manifest (digest) per repository. This is the
//! `regscope.inventory/v1` wire format of design.md; change it only additively.

use super::{Digest, Platform, ScanSummary};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub const INVENTORY_SCHEMA: &str = "regscope.inventory/v1";

/// What a manifest is, as far as a person cleaning up cares.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ImageKind {
    /// A runnable single-platform image.
    Image,
    /// An OCI index or Docker manifest list.
    Index,
    /// A cosign / notation signature.
    Signature,
    /// An in-toto / buildkit attestation or SBOM attached to an image.
    Attestation,
    /// Any other OCI 1.1 artifact.
    Artifact,
}

impl ImageKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ImageKind::Image => "image",
            ImageKind::Index => "index",
            ImageKind::Signature => "signature",
            ImageKind::Attestation => "attestation",
            ImageKind::Artifact => "artifact",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StorageClass {
    Standard,
    Archive,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlobRef {
    pub digest: Digest,
    #[serde(deserialize_with = "super::declared_size")]
    pub size: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReferrerRef {
    pub digest: Digest,
    #[serde(default)]
    pub artifact_type: Option<String>,
}

/// Per-tag facts some registries keep (ACR, Harbor). `None` is unknown.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TagDetail {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pushed_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pulled_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_update: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub write_enabled: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delete_enabled: Option<bool>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lock {
    pub write_enabled: bool,
    pub delete_enabled: bool,
}

/// One manifest in one repository. Unknown values are `None` (JSON `null`), never zero:
/// "no push time" is not "old", "not scanned" is not "clean".
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Image {
    pub repository: String,
    pub digest: Digest,
    pub media_type: String,
    pub kind: ImageKind,
    /// Sorted; every tag of the repository appears on exactly one record.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Sum of the distinct config and layer blobs reachable from this manifest (an index
    /// includes all its children). `None` when the registry did not tell us.
    pub size_bytes: Option<u64>,
    /// Of those, the bytes no other manifest of the same repository reaches.
    pub unique_bytes: Option<u64>,
    /// Runnable platforms; attestation entries are excluded.
    #[serde(default)]
    pub platforms: Vec<Platform>,
    pub created_at: Option<DateTime<Utc>>,
    pub pushed_at: Option<DateTime<Utc>>,
    pub last_pulled_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub updated_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage_class: Option<StorageClass>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archived_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activated_at: Option<DateTime<Utc>>,
    /// An index's manifests.
    #[serde(default)]
    pub children: Vec<Digest>,
    /// A referrer's subject.
    #[serde(default)]
    pub subject: Option<Digest>,
    #[serde(default)]
    pub referrers: Vec<ReferrerRef>,
    /// The artifact type of an OCI 1.1 artifact (or the config media type standing in for it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artifact_type: Option<String>,
    /// Config and layer blobs of this manifest itself (not of its children). Optional;
    /// present, it makes reclaim figures exact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blobs: Option<Vec<BlobRef>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag_details: Option<Vec<TagDetail>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locked: Option<Lock>,
    /// Vulnerability scan rollup where a source reported one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scan: Option<ScanSummary>,
    /// The manifest's own size in bytes, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manifest_size: Option<u64>,
}

impl Image {
    /// A record with only identity filled in; everything else unknown.
    pub fn new(repository: &str, digest: Digest, media_type: &str, kind: ImageKind) -> Self {
        Image {
            repository: repository.to_string(),
            digest,
            media_type: media_type.to_string(),
            kind,
            tags: Vec::new(),
            size_bytes: None,
            unique_bytes: None,
            platforms: Vec::new(),
            created_at: None,
            pushed_at: None,
            last_pulled_at: None,
            updated_at: None,
            storage_class: None,
            archived_at: None,
            activated_at: None,
            children: Vec::new(),
            subject: None,
            referrers: Vec::new(),
            artifact_type: None,
            blobs: None,
            tag_details: None,
            locked: None,
            scan: None,
            manifest_size: None,
        }
    }

    pub fn is_tagged(&self) -> bool {
        !self.tags.is_empty()
    }

    /// `repository@digest`, the reference that survives tag moves.
    pub fn reference(&self, registry: &str) -> String {
        if registry.is_empty() {
            format!("{}@{}", self.repository, self.digest)
        } else {
            format!("{}/{}@{}", registry, self.repository, self.digest)
        }
    }
}

/// Something that went wrong for one item while the rest of the crawl went on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InventoryIssue {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repository: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    pub message: String,
    /// The HTTP status the registry answered with, when the failure was an answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// The registry's own error code (`DENIED`, `MANIFEST_UNKNOWN`, `AccessDeniedException`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// What to do about it, in one sentence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_step: Option<String>,
}

impl InventoryIssue {
    /// An issue that is not a registry answer (no status, no code).
    pub fn new(
        repository: Option<&str>,
        reference: Option<&str>,
        message: impl Into<String>,
    ) -> Self {
        InventoryIssue {
            repository: repository.map(str::to_string),
            reference: reference.map(str::to_string),
            message: message.into(),
            status: None,
            code: None,
            next_step: None,
        }
    }

    pub fn with_next_step(mut self, next_step: impl Into<String>) -> Self {
        self.next_step = Some(next_step.into());
        self
    }
}

/// A whole inventory document.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Inventory {
    pub schema: String,
    pub registry: String,
    pub generated_at: DateTime<Utc>,
    pub images: Vec<Image>,
    /// Per-item failures; the inventory is partial where this is non-empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<InventoryIssue>,
}

impl Inventory {
    /// Parses an inventory document, refusing other schema versions by name.
    pub fn from_json(text: &str) -> Result<Self, String> {
        #[derive(Deserialize)]
        struct Head {
            schema: Option<String>,
        }
        let head: Head =
            serde_json::from_str(text).map_err(|e| format!("not an inventory document: {e}"))?;
        match head.schema.as_deref() {
            Some(INVENTORY_SCHEMA) => {}
            Some(other) => {
                return Err(format!(
                    "inventory schema {other:?} is not supported; this regscope reads {INVENTORY_SCHEMA:?}"
                ))
            }
            None => return Err(format!("missing \"schema\" field; expected {INVENTORY_SCHEMA:?}")),
        }
        serde_json::from_str(text).map_err(|e| format!("invalid inventory document: {e}"))
    }
}

/// What kind of thing a referrer is, from its artifact type.
pub fn referrer_label(artifact_type: Option<&str>) -> &'static str {
    let t = artifact_type.unwrap_or("").to_ascii_lowercase();
    if t.contains("sbom") || t.contains("spdx") || t.contains("cyclonedx") {
        "SBOM"
    } else if t.contains("signature") || t.contains("cosign") || t.contains("notary") {
        "signature"
    } else if t.contains("trivy") || t.contains("grype") || t.contains("sarif") {
        // The scanner formats `scan::formats` reads as findings.
        "scan report"
    } else if t.contains("in-toto") || t.contains("provenance") || t.contains("attestation") {
        "attestation"
    } else {
        "artifact"
    }
}
