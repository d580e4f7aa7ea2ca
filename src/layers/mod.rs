//! Streaming layer walk: file trees, wasted bytes, efficiency — dive's view straight from a
//! registry or an OCI layout, with nothing pulled into a daemon and nothing extracted.
//!
//! The pipeline: [`image::resolve`] picks the platform manifest and its config history;
//! [`stream`] reads each layer blob once (digest-verified, decompressed on the fly, bounded)
//! into a [`LayerIndex`]; [`cache`] keeps those indexes by layer digest; [`merge`] replays
//! the indexes as an overlay filesystem to find changes and wasted bytes; [`tree`] and
//! [`hints`] turn the result into what people read; [`report`] is the stable JSON.

pub mod access;
pub mod cache;
pub mod checkpoint;
pub mod compare;
pub mod config_diff;
pub mod diff;
pub mod dive;
pub mod dive_ci;
pub mod dive_ci_file;
pub mod error;
pub mod fileread;
pub mod hints;
pub mod image;
mod implied;
pub mod index;
mod inflate;
pub mod lookup;
pub mod merge;
pub mod names;
mod pump;
pub mod report;
mod rollup;
pub mod stream;
mod targuard;
pub mod tree;
mod zframes;

pub use access::{read_content, read_prefix, ReadPath};
pub use cache::LayerCache;
pub use error::LayerError;
pub use hints::Hint;
pub use image::{
    analyze_image, resolve, AnalyzeOptions, ImageLayers, LayerProgress, ResolvedImage,
};
pub use index::{Compression, EntryKind, LayerIndex, TarEntry};
pub use lookup::{lookup, Lookup};
pub use merge::{Analysis, ChangeState, Content, FsNode, LayerStats, PathChange, WastedFile};
pub use report::LayersReport;
pub use stream::{index_layer, index_layer_checkpointed, index_reader, index_reader_checkpointed};
pub use tree::FsTree;

/// Per-layer safety bounds: a layer that decompresses to more, or holds more entries, fails
/// clearly instead of eating memory and time (a decompression bomb stops at the bound).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LayerLimits {
    /// Decompressed tar bytes read from one layer.
    pub max_uncompressed_bytes: u64,
    /// Tar entries (files, directories, links, whiteouts) in one layer.
    pub max_entries: u64,
}

impl Default for LayerLimits {
    fn default() -> Self {
        LayerLimits {
            // Real layers top out around a few GiB (CUDA, ML models); 16 GiB leaves room
            // while still stopping a bomb.
            max_uncompressed_bytes: 16 << 30,
            max_entries: 2_000_000,
        }
    }
}
