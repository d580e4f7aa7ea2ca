//! `index.json` parsed once per version, with its tags and digests indexed. Resolving each
//! of 8,000 tags used to parse the whole index (8,000 entries) again, which made a layout
//! with many tags quadratic; the view is reused while the file is unchanged.
//!
//! "Unchanged" is the file's device, inode, length, modification and change times. Our own
//! rewrites rename a new file into place (a new inode); another tool writing in place
//! changes the change time, which no tool can set back. A view is only ever older than the
//! file when the file changed after it was read, and the next call then reads it again.

use super::store::{entry_tag, LayoutDir, LayoutIndex};
use super::LayoutFault;
use crate::model::Digest;
use std::collections::HashMap;
use std::os::unix::fs::MetadataExt;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

pub struct IndexView {
    pub index: LayoutIndex,
    /// Tag -> the last entry carrying it (later entries win, as tools append).
    by_tag: HashMap<String, usize>,
    /// Digest -> the first entry listing it.
    by_digest: HashMap<Digest, usize>,
}

impl IndexView {
    fn new(index: LayoutIndex) -> Self {
        let mut by_tag = HashMap::with_capacity(index.manifests.len());
        let mut by_digest = HashMap::with_capacity(index.manifests.len());
        for (i, e) in index.manifests.iter().enumerate() {
            if let Some(t) = entry_tag(e) {
                by_tag.insert(t, i);
            }
            by_digest.entry(e.digest.clone()).or_insert(i);
        }
        IndexView {
            index,
            by_tag,
            by_digest,
        }
    }

    pub fn by_tag(&self, tag: &str) -> Option<&crate::registry::Descriptor> {
        self.by_tag.get(tag).map(|&i| &self.index.manifests[i])
    }

    pub fn by_digest(&self, d: &Digest) -> Option<&crate::registry::Descriptor> {
        self.by_digest.get(d).map(|&i| &self.index.manifests[i])
    }

    /// Every tag, sorted, once each.
    pub fn tags(&self) -> Vec<String> {
        let mut tags: Vec<String> = self.by_tag.keys().cloned().collect();
        tags.sort();
        tags
    }
}

type Stamp = (u64, u64, u64, i64, i64, i64, i64);

#[derive(Default)]
pub struct ViewCache {
    views: Mutex<HashMap<PathBuf, (Stamp, Arc<IndexView>)>>,
}

impl ViewCache {
    /// The view of `dir`'s `index.json` as it is now.
    pub fn get(&self, dir: &LayoutDir) -> Result<Arc<IndexView>, LayoutFault> {
        let p = dir.index_path();
        let m = std::fs::metadata(&p).map_err(|e| LayoutFault::io(&p, e))?;
        let stamp = (
            m.dev(),
            m.ino(),
            m.len(),
            m.mtime(),
            m.mtime_nsec(),
            m.ctime(),
            m.ctime_nsec(),
        );
        if let Some((s, v)) = self.views.lock().expect("index views").get(&dir.path) {
            if *s == stamp {
                return Ok(v.clone());
            }
        }
        let view = Arc::new(IndexView::new(dir.read_index()?));
        self.views
            .lock()
            .expect("index views")
            .insert(dir.path.clone(), (stamp, view.clone()));
        Ok(view)
    }
}
