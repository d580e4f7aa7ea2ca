//! Layer indexes kept by layer digest, so a base layer shared by a hundred images is read
//! once. Content-addressed: an entry never needs invalidation, only validation — a file
//! that does not parse, has another format version or names another digest is ignored
//! (and rewritten by the next read). Writes go to a temporary file renamed into place, so
//! a crash or a concurrent regscope never leaves half an entry.

use super::index::{LayerIndex, INDEX_FORMAT};
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

    /// The cached index of `digest`, if a valid one is stored.
    pub fn get(&self, digest: &Digest) -> Option<LayerIndex> {
        let bytes = std::fs::read(self.path(digest)).ok()?;
        match serde_json::from_slice::<LayerIndex>(&bytes) {
            Ok(idx) if idx.format == INDEX_FORMAT && idx.digest == *digest => Some(idx),
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
        let path = self.path(&index.digest);
        let dir = path.parent().expect("cache path has a parent");
        std::fs::create_dir_all(dir)?;
        let tmp = dir.join(format!(
            ".{}.{}.{}.tmp",
            index.digest.hex(),
            std::process::id(),
            fastrand::u64(..)
        ));
        std::fs::write(&tmp, serde_json::to_vec(index)?)?;
        std::fs::rename(&tmp, &path).inspect_err(|_| {
            let _ = std::fs::remove_file(&tmp);
        })
    }
}
