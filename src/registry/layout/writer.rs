//! Building layouts: blobs and manifests in, `index.json` written once at the end. Used by
//! the demo fleet generator and by tests; refuses manifests whose blobs it does not hold,
//! so what it writes always reads back.

use super::ops;
use super::store::{is_valid_tag, LayoutDir, LayoutIndex};
use super::LayoutFault;
use crate::registry::manifest::{Descriptor, Manifest};
use std::path::Path;

pub struct LayoutWriter {
    dir: LayoutDir,
    index: LayoutIndex,
    durable: bool,
}

impl LayoutWriter {
    /// Creates the layout at `path` (and its parents), or opens it to add more when it
    /// already exists.
    pub fn create(path: &Path) -> Result<Self, LayoutFault> {
        let dir = LayoutDir::new(path);
        std::fs::create_dir_all(dir.path.join("blobs/sha256"))
            .map_err(|e| LayoutFault::io(path, e))?;
        let marker = path.join("oci-layout");
        if !marker.is_file() {
            super::store::write_atomic(&marker, br#"{"imageLayoutVersion":"1.0.0"}"#)?;
        }
        let index = if dir.index_path().is_file() {
            dir.read_index()?
        } else {
            LayoutIndex::default()
        };
        Ok(LayoutWriter {
            dir,
            index,
            durable: true,
        })
    }

    /// Skips fsync of each blob: for layouts built in a scratch directory that is renamed
    /// into place when complete (thousands of fsyncs would dominate the demo's build time).
    pub fn without_fsync(mut self) -> Self {
        self.durable = false;
        self
    }

    pub fn dir(&self) -> &LayoutDir {
        &self.dir
    }

    /// Stores a blob; returns its descriptor under `media_type`.
    pub fn add_blob(&mut self, media_type: &str, bytes: &[u8]) -> Result<Descriptor, LayoutFault> {
        let digest = self.dir.write_blob_with(bytes, self.durable)?;
        Ok(Descriptor {
            media_type: media_type.to_string(),
            digest,
            size: bytes.len() as u64,
            platform: None,
            artifact_type: None,
            annotations: None,
            urls: None,
        })
    }

    /// Stores a manifest that is only a child of an index (not listed in `index.json`).
    pub fn add_child_manifest(
        &mut self,
        media_type: &str,
        bytes: &[u8],
    ) -> Result<Descriptor, LayoutFault> {
        let m = self.parse(media_type, bytes)?;
        ops::check_blobs(&self.dir, &m)?;
        let mut d = self.add_blob(&m.media_type(media_type), bytes)?;
        d.artifact_type = match &m {
            Manifest::Image(i) => i.artifact_type.clone(),
            Manifest::Index(i) => i.artifact_type.clone(),
        };
        Ok(d)
    }

    /// Stores a manifest and lists it in `index.json` under each tag (moving a tag that
    /// already exists), or untagged when `tags` is empty.
    pub fn add_manifest(
        &mut self,
        media_type: &str,
        bytes: &[u8],
        tags: &[&str],
    ) -> Result<Descriptor, LayoutFault> {
        let m = self.parse(media_type, bytes)?;
        if let Some(bad) = tags.iter().find(|t| !is_valid_tag(t)) {
            return Err(LayoutFault::Refused {
                why: format!("{bad:?} is not a valid tag"),
            });
        }
        let desc = self.add_child_manifest(media_type, bytes)?;
        if tags.is_empty() {
            ops::apply_entry(
                &mut self.index,
                ops::index_entry(&m, media_type, bytes, None),
                None,
            );
        }
        for t in tags {
            ops::apply_entry(
                &mut self.index,
                ops::index_entry(&m, media_type, bytes, Some(t)),
                Some(t),
            );
        }
        Ok(desc)
    }

    /// Writes `index.json` (atomically); the layout is complete after this.
    pub fn finish(self) -> Result<LayoutDir, LayoutFault> {
        self.dir.write_index(&self.index)?;
        Ok(self.dir)
    }

    fn parse(&self, media_type: &str, bytes: &[u8]) -> Result<Manifest, LayoutFault> {
        Manifest::parse(bytes, media_type).map_err(|e| LayoutFault::Malformed {
            path: self.dir.path.join("(manifest being added)"),
            detail: e.to_string(),
        })
    }
}
