//! Layer indexes kept by layer digest, so a base layer shared by a hundred images is read
//! once. Content-addressed: an entry never needs invalidation, only validation — a file
//! that does not parse, has another format version or names another digest is ignored
//! (and rewritten by the next read). Writes go to a temporary file renamed into place, so
//! a crash or a concurrent regscope never leaves half an entry.

use super::checkpoint::Checkpoints;
use super::implied::Implied;
use super::index::{LayerIndex, INDEX_FORMAT};
use super::names::{MAX_PATH_BYTES, MAX_PATH_DEPTH};
use crate::model::Digest;
use std::path::{Path, PathBuf};

#[derive(Clone, Debug)]
pub struct LayerCache {
    dir: PathBuf,
}

impl LayerCache {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        LayerCache { dir: dir.into() }
    }

    /// `$REGSCOPE_DATA/cache/layers` when set, else the cache directory
    /// (`$XDG_CACHE_HOME/regscope/layers`; see `crate::paths`). `None` when no home is known.
    pub fn default_location() -> Option<Self> {
        let paths = crate::paths::Paths::discover();
        paths.known.then(|| Self::new(paths.layer_cache_dir()))
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path(&self, digest: &Digest) -> PathBuf {
        self.dir
            .join(digest.algorithm())
            .join(format!("{}.json", digest.hex()))
    }

    fn checkpoint_path(&self, digest: &Digest) -> PathBuf {
        self.dir
            .join(digest.algorithm())
            .join(format!("{}.ckpt", digest.hex()))
    }

    /// The checkpoints of layer `digest`, if valid ones are stored.
    pub fn checkpoints(&self, digest: &Digest) -> Option<Checkpoints> {
        let bytes = std::fs::read(self.checkpoint_path(digest)).ok()?;
        match Checkpoints::decode(&bytes) {
            Ok(c) if c.digest == *digest => Some(c),
            Ok(_) => None,
            Err(e) => {
                tracing::warn!(%digest, "ignoring corrupt layer checkpoints: {e}");
                None
            }
        }
    }

    /// Stores a layer's index and its checkpoints (these first: an index in the cache then
    /// means its checkpoints, if the layer has any, are there too).
    pub fn put_with(&self, index: &LayerIndex, checkpoints: Option<&Checkpoints>) {
        if let Some(c) = checkpoints {
            let path = self.checkpoint_path(&c.digest);
            if let Err(e) = write_atomic(&path, &c.encode()) {
                tracing::warn!(digest = %c.digest, "cannot write layer checkpoints: {e}");
            }
        }
        self.put(index);
    }

    /// The cached index of `digest`, if a valid one is stored.
    pub fn get(&self, digest: &Digest) -> Option<LayerIndex> {
        let bytes = std::fs::read(self.path(digest)).ok()?;
        match serde_json::from_slice::<LayerIndex>(&bytes) {
            Ok(idx) if idx.format == INDEX_FORMAT && idx.digest == *digest => {
                paths_within_limits(&idx).then_some(idx)
            }
            Ok(_) => None,
            Err(e) => {
                tracing::warn!(%digest, "ignoring corrupt layer cache entry: {e}");
                None
            }
        }
    }

    /// Stores `index`; failures are logged, never fatal (the cache is an optimisation).
    pub fn put(&self, index: &LayerIndex) {
        if let Err(e) = self.try_put(index) {
            tracing::warn!(digest = %index.digest, "cannot write layer cache entry: {e}");
        }
    }

    fn try_put(&self, index: &LayerIndex) -> std::io::Result<()> {
        write_atomic(&self.path(&index.digest), &serde_json::to_vec(index)?)
    }
}

/// An index written before names were bounded (or edited by hand) can hold a name (or
/// names implying more directories than `implied` allows) no walk accepts now: it is ignored, so the layer is read again and refused with a clear error
/// instead of reaching the replay.
fn paths_within_limits(idx: &LayerIndex) -> bool {
    // Escaping turns one raw byte into at most 4 (`\xNN`) and adds no `/`; a normalized
    // name has no empty components, so its depth is that of the raw name.
    let short = |p: &str| p.len() <= 4 * MAX_PATH_BYTES;
    // The walk's budget on implied directories, with the whole layer's bytes as the tar
    // read so far (the walk checks as it goes, so it refuses no later than this).
    let mut implied = Implied::default();
    idx.entries.iter().all(|e| {
        short(&e.path)
            && e.path.split('/').count() <= MAX_PATH_DEPTH
            && e.link.as_deref().is_none_or(short)
            && implied.note_entry(e, idx.uncompressed_size).is_ok()
    })
}

/// Writes through a temporary file renamed into place.
fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().expect("cache path has a parent");
    std::fs::create_dir_all(dir)?;
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let tmp = dir.join(format!(
        ".{name}.{}.{}.tmp",
        std::process::id(),
        fastrand::u64(..)
    ));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layers::{Compression, EntryKind, TarEntry};

    fn index(path: String) -> LayerIndex {
        LayerIndex {
            format: INDEX_FORMAT,
            digest: Digest::sha256_of(path.as_bytes()),
            media_type: crate::registry::media::OCI_LAYER_GZIP.into(),
            compression: Compression::Gzip,
            compressed_size: 10,
            uncompressed_size: 10,
            entries: vec![TarEntry {
                path,
                kind: EntryKind::File,
                ..Default::default()
            }],
            warnings: vec![],
        }
    }

    /// An entry cached before names were bounded is not served: the layer is read again
    /// (and refused by the walk) instead of reaching the replay.
    #[test]
    fn a_cached_index_with_a_name_past_the_limits_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let cache = LayerCache::new(dir.path());
        let deepest = vec!["d"; MAX_PATH_DEPTH].join("/");
        let escaped = "\\x01".repeat(MAX_PATH_BYTES);
        for ok in [deepest.clone(), escaped] {
            let idx = index(ok);
            cache.put(&idx);
            assert_eq!(cache.get(&idx.digest).as_ref(), Some(&idx));
        }
        for bad in [format!("{deepest}/d"), "x".repeat(4 * MAX_PATH_BYTES + 1)] {
            let idx = index(bad);
            cache.put(&idx);
            assert_eq!(cache.get(&idx.digest), None);
        }
        // Ten names of 2048 levels in new directories imply ≈40 MiB of paths in a layer
        // of 10 bytes: past the budget.
        let mut idx = index(String::new());
        let deep = vec!["d"; MAX_PATH_DEPTH - 2].join("/");
        idx.entries = (0..10)
            .map(|n| TarEntry {
                path: format!("x{n}/{deep}/f"),
                kind: EntryKind::File,
                ..Default::default()
            })
            .collect();
        cache.put(&idx);
        assert_eq!(cache.get(&idx.digest), None);
        idx.entries.truncate(2);
        idx.digest = Digest::sha256_of(b"two");
        cache.put(&idx);
        assert_eq!(
            cache.get(&idx.digest).as_ref(),
            Some(&idx),
            "8 MiB is within"
        );
    }
}
