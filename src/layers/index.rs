//! The index of one layer: every tar entry reduced to what the analysis needs (path, kind,
//! size, link target), plus the layer's sizes. It depends only on the layer's bytes, so it
//! is cached by layer digest and shared by every image that uses the layer.

use crate::model::Digest;
use serde::{Deserialize, Serialize};

/// Bumped whenever the index format or its meaning changes; older cache entries are rebuilt.
/// 2: entries carry their content offset, mode, owner and a CRC-32 of their bytes (for
/// `cat`, `diff` and ranged reads).
/// 3: written together with the layer's checkpoints (`<hex>.ckpt`, see `layers::checkpoint`):
/// a format-2 index was built before checkpoints existed, so its layer is walked once more.
pub const INDEX_FORMAT: u32 = 3;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Compression {
    Gzip,
    Zstd,
    None,
}

impl Compression {
    pub fn name(self) -> &'static str {
        match self {
            Compression::Gzip => "gzip",
            Compression::Zstd => "zstd",
            Compression::None => "none",
        }
    }
}

/// What a tar entry is, after whiteouts are recognised.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EntryKind {
    #[default]
    File,
    Dir,
    Symlink,
    /// A hard link: no bytes of its own; `link` names the entry that carries them.
    Hardlink,
    /// Devices, FIFOs and anything else that is not content.
    Other,
    /// `DIR/.wh.NAME`: `path` is the removed `DIR/NAME`.
    Whiteout,
    /// `DIR/.wh..wh..opq`: `path` is `DIR`, whose lower-layer contents are hidden.
    Opaque,
}

impl EntryKind {
    /// The stable name in JSON output (`file`, `dir`, `symlink`, `hardlink`, `other`).
    pub fn name(self) -> &'static str {
        match self {
            EntryKind::File => "file",
            EntryKind::Dir => "dir",
            EntryKind::Symlink => "symlink",
            EntryKind::Hardlink => "hardlink",
            EntryKind::Other => "other",
            EntryKind::Whiteout => "whiteout",
            EntryKind::Opaque => "opaque",
        }
    }
    pub fn is_marker(self) -> bool {
        matches!(self, EntryKind::Whiteout | EntryKind::Opaque)
    }
}

/// One tar entry. `path` is normalized and escaped (see [`crate::layers::names`]); `size`
/// is the content bytes the entry carries (0 for everything but regular files).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TarEntry {
    pub path: String,
    pub kind: EntryKind,
    pub size: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    /// Where a regular file's content starts in the decompressed tar stream: with it, one
    /// file is read without walking the layer (a ranged read, see `layers::access`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset: Option<u64>,
    /// Permission bits (and set-id/sticky), as the tar header says.
    #[serde(default)]
    pub mode: u32,
    #[serde(default)]
    pub uid: u64,
    #[serde(default)]
    pub gid: u64,
    /// CRC-32 of a regular file's content: tells changed bytes apart when sizes agree.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crc: Option<u32>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LayerIndex {
    pub format: u32,
    pub digest: Digest,
    pub media_type: String,
    /// The compression found in the bytes (magic numbers win over the media type).
    pub compression: Compression,
    /// The blob's size as served (verified against the manifest descriptor).
    pub compressed_size: u64,
    /// The decompressed tar stream, headers and padding included.
    pub uncompressed_size: u64,
    pub entries: Vec<TarEntry>,
    /// Oddities worth telling (media type says gzip but the bytes are zstd, ...).
    #[serde(default)]
    pub warnings: Vec<String>,
}

impl LayerIndex {
    /// Content bytes of the regular files in this layer (what it adds to the image).
    pub fn file_bytes(&self) -> u64 {
        self.entries
            .iter()
            .filter(|e| e.kind == EntryKind::File)
            .map(|e| e.size)
            .fold(0, u64::saturating_add)
    }
}
