//! One OCI image layout on disk (`oci-layout`, `index.json`, `blobs/<alg>/<hex>`): verified
//! reads, the tag view of `index.json`, and atomic rewrites of it. Synchronous on purpose:
//! the async [`super::LayoutSource`] runs these on the blocking pool, and the demo generator
//! and tests call them directly.

use super::LayoutFault;
use crate::model::Digest;
use crate::registry::manifest::{media, Descriptor, Manifest};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The annotation that carries a tag in `index.json` (image-layout spec).
pub const REF_NAME: &str = "org.opencontainers.image.ref.name";
/// Manifests above this are refused, as on the network path (4 MiB plus slack).
pub const MANIFEST_LIMIT: u64 = 4 * 1024 * 1024 + 64 * 1024;
/// `index.json` can list every manifest of a big repository; refuse absurd sizes anyway.
pub const INDEX_LIMIT: u64 = 64 * 1024 * 1024;

/// The layout's top-level `index.json`, kept whole so that fields we do not know survive
/// a rewrite.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LayoutIndex {
    pub schema_version: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    #[serde(default)]
    pub manifests: Vec<Descriptor>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<BTreeMap<String, String>>,
    #[serde(flatten)]
    pub other: BTreeMap<String, serde_json::Value>,
}

impl Default for LayoutIndex {
    fn default() -> Self {
        LayoutIndex {
            schema_version: 2,
            media_type: Some(media::OCI_INDEX.to_string()),
            manifests: Vec::new(),
            annotations: None,
            other: BTreeMap::new(),
        }
    }
}

/// The tag an index entry carries. Most tools write a bare tag; some (containerd, older
/// buildah) write a full reference, whose tag is after the last `:` past the last `/`.
pub fn entry_tag(d: &Descriptor) -> Option<String> {
    let name = d.annotation(REF_NAME)?.trim();
    let after_slash = name.rsplit('/').next().unwrap_or(name);
    let tag = match after_slash.rsplit_once(':') {
        Some((_, t)) if name.contains('/') || name.contains(':') => t,
        _ => name,
    };
    is_valid_tag(tag).then(|| tag.to_string())
}

/// The Distribution spec's tag grammar: `[A-Za-z0-9_][A-Za-z0-9._-]{0,127}`.
pub fn is_valid_tag(t: &str) -> bool {
    let b = t.as_bytes();
    !b.is_empty()
        && b.len() <= 128
        && (b[0].is_ascii_alphanumeric() || b[0] == b'_')
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-'))
}

/// One layout directory.
#[derive(Clone, Debug)]
pub struct LayoutDir {
    pub path: PathBuf,
}

impl LayoutDir {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        LayoutDir { path: path.into() }
    }

    pub fn is_layout(path: &Path) -> bool {
        path.join("oci-layout").is_file()
    }

    pub fn index_path(&self) -> PathBuf {
        self.path.join("index.json")
    }

    pub fn blob_path(&self, d: &Digest) -> PathBuf {
        self.path.join("blobs").join(d.algorithm()).join(d.hex())
    }

    /// Reads and parses `index.json`; a layout without one is malformed (the spec requires it).
    pub fn read_index(&self) -> Result<LayoutIndex, LayoutFault> {
        let p = self.index_path();
        let bytes = read_capped(&p, INDEX_LIMIT)?;
        serde_json::from_slice(&bytes).map_err(|e| LayoutFault::Malformed {
            path: p,
            detail: format!("not an OCI index: {e}"),
        })
    }

    /// Replaces `index.json` atomically: a temp file in the same directory, fsync, rename.
    /// Readers see the old or the new index, never half of one.
    pub fn write_index(&self, index: &LayoutIndex) -> Result<(), LayoutFault> {
        let bytes = serde_json::to_vec_pretty(index).expect("index serialises");
        write_atomic(&self.index_path(), &bytes)
    }

    /// The blob's size on disk, `None` if absent.
    pub fn blob_size(&self, d: &Digest) -> Option<u64> {
        std::fs::metadata(self.blob_path(d))
            .ok()
            .filter(|m| m.is_file())
            .map(|m| m.len())
    }

    /// Reads a blob whole, refusing it above `limit` and verifying it hashes to `d`.
    pub fn read_blob(&self, d: &Digest, limit: u64) -> Result<Vec<u8>, LayoutFault> {
        let p = self.blob_path(d);
        let bytes = read_capped(&p, limit)?;
        if !d.verifies(&bytes) {
            let actual = match d.algorithm() {
                "sha256" => Digest::sha256_of(&bytes).to_string(),
                alg => format!("(another {alg} digest)"),
            };
            return Err(LayoutFault::DigestMismatch {
                path: p,
                expected: d.to_string(),
                actual,
            });
        }
        Ok(bytes)
    }

    /// Reads, verifies and parses a manifest blob.
    pub fn read_manifest(
        &self,
        d: &Digest,
        hinted_media_type: &str,
    ) -> Result<(Vec<u8>, Manifest), LayoutFault> {
        let bytes = self.read_blob(d, MANIFEST_LIMIT)?;
        let m = Manifest::parse(&bytes, hinted_media_type).map_err(|e| LayoutFault::Malformed {
            path: self.blob_path(d),
            detail: e.to_string(),
        })?;
        Ok((bytes, m))
    }

    /// Writes a blob under its digest unless it is already there; returns the digest.
    pub fn write_blob(&self, bytes: &[u8]) -> Result<Digest, LayoutFault> {
        self.write_blob_with(bytes, true)
    }

    /// As [`Self::write_blob`]; `durable = false` skips the fsync, for layouts built in a
    /// scratch directory that is renamed into place once complete (the demo).
    pub fn write_blob_with(&self, bytes: &[u8], durable: bool) -> Result<Digest, LayoutFault> {
        let d = Digest::sha256_of(bytes);
        let p = self.blob_path(&d);
        if self.blob_size(&d) == Some(bytes.len() as u64) {
            return Ok(d);
        }
        write_file(&p, bytes, durable)?;
        Ok(d)
    }
}

/// Reads a file whole, refusing it above `limit`: by its reported length before reading
/// a byte, and by the bytes actually read (a device or FIFO reports no length). Anything
/// but a regular file is refused: opening a FIFO without a writer would block forever.
pub fn read_capped(p: &Path, limit: u64) -> Result<Vec<u8>, LayoutFault> {
    let meta = std::fs::metadata(p).map_err(|e| LayoutFault::io(p, e))?;
    if !meta.is_file() {
        return Err(LayoutFault::Malformed {
            path: p.to_path_buf(),
            detail: "not a regular file".into(),
        });
    }
    if meta.len() > limit {
        return Err(LayoutFault::TooLarge {
            path: p.to_path_buf(),
            limit,
        });
    }
    match crate::files::read_capped(p, limit) {
        Ok(bytes) => Ok(bytes),
        Err(crate::files::CappedError::Io(e)) => Err(LayoutFault::io(p, e)),
        // The file grew between stat and read.
        Err(crate::files::CappedError::TooLarge(_)) => Err(LayoutFault::TooLarge {
            path: p.to_path_buf(),
            limit,
        }),
    }
}

/// Writes `bytes` to `p` through a uniquely named temp file in the same directory, so a
/// crash never leaves a truncated file under the final name.
pub fn write_atomic(p: &Path, bytes: &[u8]) -> Result<(), LayoutFault> {
    write_file(p, bytes, true)
}

fn write_file(p: &Path, bytes: &[u8], durable: bool) -> Result<(), LayoutFault> {
    let dir = p.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| LayoutFault::io(dir, e))?;
    let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let tmp = dir.join(format!(
        ".{name}.tmp-{}-{}",
        std::process::id(),
        fastrand::u64(..)
    ));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        if durable {
            f.sync_all()?;
        }
        std::fs::rename(&tmp, p)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(LayoutFault::io(p, e));
    }
    Ok(())
}
