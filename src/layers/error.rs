//! What can go wrong reading one layer, or resolving the image whose layers we read.

use crate::registry::RegistryError;

#[derive(Debug, thiserror::Error)]
pub enum LayerError {
    /// Boxed: a registry error is large and layer results are kept per layer.
    #[error(transparent)]
    Registry(Box<RegistryError>),
    #[error("layer {layer}: digest mismatch: the registry served bytes hashing to {actual}")]
    DigestMismatch { layer: String, actual: String },
    #[error("layer {layer}: size mismatch: the manifest says {expected} bytes, the registry served {actual}")]
    SizeMismatch {
        layer: String,
        expected: u64,
        actual: u64,
    },
    /// More bytes than the descriptor declares: reading stopped one byte past its size,
    /// so the digest of what was read says nothing (the blob may be fine, the manifest not).
    #[error("layer {layer}: size mismatch: the manifest says {expected} bytes, the registry served more (reading stopped there)")]
    LongerThanDeclared { layer: String, expected: u64 },
    #[error("layer {layer}: decompressed size exceeds the bound of {limit} bytes (raise it with --max-layer-bytes)")]
    TooLarge { layer: String, limit: u64 },
    #[error(
        // plural: never one (a bound of one entry is not a layer anyone reads)
        "layer {layer}: more than {limit} tar entries (raise the bound with --max-layer-entries)"
    )]
    TooManyEntries { layer: String, limit: u64 },
    /// An entry name or link target longer than Linux's `PATH_MAX`: no runtime can extract
    /// it, and the layer is not analysed (skipping the entry would make its totals wrong).
    #[error("layer {layer}: tar entry {entry}: {what} of {bytes} bytes exceeds the limit of {limit} bytes (Linux PATH_MAX: no runtime can extract it)")]
    PathTooLong {
        layer: String,
        /// The entry's name cut for display (see `names::shown`).
        entry: String,
        /// `name` or `link target`.
        what: &'static str,
        bytes: usize,
        limit: usize,
    },
    /// Names that imply more directory paths (directories no entry lists) than the tar's
    /// own bytes plus a slack: each would cost memory in the replay and the trees.
    #[error("layer {layer}: tar entry {entry}: the directories this layer's names imply without listing them add up to {bytes} bytes of paths, more than the {tar_bytes} bytes of tar read so far plus {slack} bytes (deep names in new directories: refused before they cost that memory)")]
    ImpliedDirectories {
        layer: String,
        entry: String,
        bytes: u64,
        tar_bytes: u64,
        slack: u64,
    },
    #[error("layer {layer}: cannot decompress ({compression}): {detail}")]
    Decompress {
        layer: String,
        compression: &'static str,
        detail: String,
    },
    #[error("layer {layer}: not a valid tar stream: {detail}")]
    Tar { layer: String, detail: String },
    #[error("layer {layer}: media type {media_type:?} is not a filesystem layer")]
    NotALayer { layer: String, media_type: String },
    #[error("{reference}: {detail}")]
    Image { reference: String, detail: String },
    #[error("{reference}: no manifest for platform {wanted}; available: {available}")]
    NoPlatform {
        reference: String,
        wanted: String,
        available: String,
    },
    #[error("layer {layer}: {path}: {detail}")]
    Content {
        layer: String,
        path: String,
        detail: String,
    },
    #[error("layer {layer}: reading stopped: {detail}")]
    Interrupted { layer: String, detail: String },
    /// A foreign layer (Windows base layers): its bytes are at its URLs, not in the
    /// registry, and regscope reads only from the registry (a manifest's URLs are written
    /// by whoever pushed it; following them would send requests wherever they point).
    #[error(
        "layer {layer}: foreign layer, pulled from {hosts}, not stored in this registry: not read"
    )]
    Foreign { layer: String, hosts: String },
}

impl LayerError {
    /// Whether this is the registry serving bytes that do not match their digest.
    pub fn is_digest_error(&self) -> bool {
        matches!(
            self,
            LayerError::DigestMismatch { .. }
                | LayerError::SizeMismatch { .. }
                | LayerError::LongerThanDeclared { .. }
        ) || matches!(self, LayerError::Registry(e) if matches!(**e, RegistryError::DigestMismatch { .. }))
    }
}

impl From<RegistryError> for LayerError {
    fn from(e: RegistryError) -> Self {
        LayerError::Registry(Box::new(e))
    }
}
