//! OCI image-layout directories as a registry (`oci:PATH`): every directory under the
//! root that holds an `oci-layout` file is a repository named by its path relative to the
//! root. Tags are the `org.opencontainers.image.ref.name` annotations of `index.json`.
//! Every manifest and blob read is size-bounded and digest-verified, exactly as on the
//! network path, so a corrupted layout is reported rather than believed.

mod discover;
pub mod ops;
pub mod store;
mod view;
mod writer;

pub use ops::GcReport;
pub use store::{LayoutDir, LayoutIndex, REF_NAME};
pub use writer::LayoutWriter;

use super::{
    BlobReader, Descriptor, FetchedManifest, ManifestHead, ManifestSource, Place, Referrers,
    RegistryError,
};
use crate::model::Digest;
use async_trait::async_trait;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// What can go wrong in a layout, before it is placed in a registry/repository.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum LayoutFault {
    #[error("{}: {detail}", path.display())]
    Io {
        path: PathBuf,
        missing: bool,
        detail: String,
    },
    #[error("{}: {detail}", path.display())]
    Malformed { path: PathBuf, detail: String },
    #[error("{}: content does not match its digest {expected} (hashes to {actual})", path.display())]
    DigestMismatch {
        path: PathBuf,
        expected: String,
        actual: String,
    },
    #[error("{}: larger than the {limit}-byte cap", path.display())]
    TooLarge { path: PathBuf, limit: u64 },
    #[error("{reference} is not in {}", index.display())]
    UnknownReference { reference: String, index: PathBuf },
    #[error("{why}")]
    Refused { why: String },
}

impl LayoutFault {
    pub fn io(path: &Path, e: std::io::Error) -> Self {
        LayoutFault::Io {
            path: path.to_path_buf(),
            missing: e.kind() == std::io::ErrorKind::NotFound,
            detail: if e.kind() == std::io::ErrorKind::NotFound {
                "missing".into()
            } else {
                e.to_string()
            },
        }
    }

    fn into_registry(self, place: Place) -> RegistryError {
        let detail = format!(": {self}");
        match self {
            LayoutFault::Io { missing: true, .. } | LayoutFault::UnknownReference { .. } => {
                RegistryError::NotFound {
                    place,
                    code: Default::default(),
                    detail,
                }
            }
            LayoutFault::Io { .. } => RegistryError::Other {
                place,
                detail: self.to_string(),
            },
            LayoutFault::Malformed { .. } => RegistryError::Malformed {
                place,
                detail: self.to_string(),
            },
            LayoutFault::DigestMismatch {
                expected, actual, ..
            } => RegistryError::DigestMismatch {
                place,
                expected,
                actual,
            },
            LayoutFault::TooLarge { limit, .. } => RegistryError::TooLarge { place, limit },
            LayoutFault::Refused { why } => RegistryError::Refused { place, why },
        }
    }
}

/// Referrers of one layout, keyed by subject digest, valid for one `index.json` content.
type ReferrerMap = HashMap<Digest, Vec<Descriptor>>;
/// Per layout directory: the view of `index.json` the map was built from, and the map.
type ReferrerCache = HashMap<PathBuf, (Arc<view::IndexView>, Arc<ReferrerMap>)>;

/// A directory tree of OCI image layouts served as one registry.
pub struct LayoutSource {
    root: PathBuf,
    name: String,
    /// Serialises this process's writes to a layout (index rewrites are read-modify-write).
    /// Other processes are not locked out; the rename keeps each index whole regardless.
    write_lock: Arc<Mutex<()>>,
    referrers: Arc<Mutex<ReferrerCache>>,
    views: Arc<view::ViewCache>,
    /// Layout operations on the blocking pool at once. A crawl asks for as many as the
    /// network's in-flight ceiling (64 and more); each would get a thread of its own, and
    /// a disk gains nothing past a few readers.
    blocking: Arc<tokio::sync::Semaphore>,
}

/// See [`LayoutSource::blocking`].
const BLOCKING_OPS: usize = 8;

impl LayoutSource {
    /// Opens a layout tree. The root must be a directory; layouts are discovered per call,
    /// so layouts added later are seen.
    pub fn open(root: &Path) -> Result<Self, RegistryError> {
        let name = format!("oci:{}", root.display());
        match std::fs::metadata(root) {
            Ok(m) if m.is_dir() => {}
            Ok(_) => {
                return Err(RegistryError::Refused {
                    place: Place {
                        registry: name,
                        ..Place::default()
                    },
                    why: format!("{} is not a directory", root.display()),
                })
            }
            Err(e) => {
                return Err(LayoutFault::io(root, e).into_registry(Place {
                    registry: name,
                    ..Place::default()
                }))
            }
        }
        Ok(LayoutSource {
            root: root.to_path_buf(),
            name,
            write_lock: Arc::new(Mutex::new(())),
            referrers: Arc::new(Mutex::new(HashMap::new())),
            views: Arc::new(view::ViewCache::default()),
            blocking: Arc::new(tokio::sync::Semaphore::new(BLOCKING_OPS)),
        })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    fn place(&self, repository: &str, reference: Option<&str>) -> Place {
        Place {
            registry: self.name.clone(),
            repository: Some(repository.to_string()),
            reference: reference.map(str::to_string),
        }
    }

    /// The layout directory for a repository name, refusing names that would leave the root.
    fn layout(&self, repository: &str) -> Result<LayoutDir, RegistryError> {
        let path =
            discover::resolve(&self.root, repository).ok_or_else(|| RegistryError::NotFound {
                place: self.place(repository, None),
                code: Default::default(),
                detail: format!(
                    ": no OCI layout (oci-layout file) for this repository under {}",
                    self.root.display()
                ),
            })?;
        Ok(LayoutDir::new(path))
    }

    /// Runs a layout operation on the blocking pool and places its error.
    async fn run<T, F>(
        &self,
        repository: &str,
        reference: Option<&str>,
        f: F,
    ) -> Result<T, RegistryError>
    where
        T: Send + 'static,
        F: FnOnce(LayoutDir) -> Result<T, LayoutFault> + Send + 'static,
    {
        let dir = self.layout(repository)?;
        let place = self.place(repository, reference);
        let _permit = self.blocking.acquire().await.expect("never closed");
        match tokio::task::spawn_blocking(move || f(dir)).await {
            Ok(r) => r.map_err(|e| e.into_registry(place)),
            Err(e) => Err(RegistryError::Other {
                place,
                detail: format!("layout task failed: {e}"),
            }),
        }
    }

    /// The descriptor of `reference` (a tag, or a digest held by the layout) plus whether
    /// `index.json` lists it.
    fn resolve(
        views: &view::ViewCache,
        dir: &LayoutDir,
        reference: &str,
    ) -> Result<Descriptor, LayoutFault> {
        let view = views.get(dir)?;
        if reference.contains(':') {
            let d = Digest::parse(reference)
                .map_err(|e| LayoutFault::Refused { why: e.to_string() })?;
            if let Some(e) = view.by_digest(&d) {
                return Ok(e.clone());
            }
            // A child of an index is a manifest of the layout too, listed only in its parent.
            let size = dir
                .blob_size(&d)
                .ok_or_else(|| LayoutFault::UnknownReference {
                    reference: reference.to_string(),
                    index: dir.index_path(),
                })?;
            return Ok(Descriptor {
                media_type: String::new(),
                digest: d,
                size,
                platform: None,
                artifact_type: None,
                annotations: None,
                urls: None,
            });
        }
        view.by_tag(reference)
            .cloned()
            .ok_or_else(|| LayoutFault::UnknownReference {
                reference: format!("tag {reference:?}"),
                index: dir.index_path(),
            })
    }

    fn fetch(
        views: &view::ViewCache,
        dir: &LayoutDir,
        reference: &str,
    ) -> Result<FetchedManifest, LayoutFault> {
        let desc = Self::resolve(views, dir, reference)?;
        let (bytes, manifest) = dir.read_manifest(&desc.digest, &desc.media_type)?;
        if !desc.media_type.is_empty() && desc.size != bytes.len() as u64 {
            return Err(LayoutFault::Malformed {
                path: dir.index_path(),
                detail: format!(
                    "entry for {} says {} bytes, the blob has {}",
                    desc.digest,
                    desc.size,
                    bytes.len()
                ),
            });
        }
        Ok(FetchedManifest {
            digest: desc.digest,
            media_type: manifest.media_type(&desc.media_type),
            bytes,
            manifest,
        })
    }

    /// Layouts have no referrers API: we read every manifest `index.json` lists and keep
    /// those whose `subject` names the digest (tools that copy referrers into a layout,
    /// like oras and skopeo, list them there untagged). The scan is cached per layout
    /// until `index.json` changes.
    fn referrer_map(dir: &LayoutDir, view: &view::IndexView) -> ReferrerMap {
        let mut map: ReferrerMap = HashMap::new();
        for e in &view.index.manifests {
            if !super::media::is_manifest(&e.media_type) && !super::media::is_index(&e.media_type) {
                continue;
            }
            let (_, m) = match dir.read_manifest(&e.digest, &e.media_type) {
                Ok(x) => x,
                // One broken entry must not hide every other referrer; fetching it directly
                // reports the problem.
                Err(err) => {
                    tracing::warn!("skipping {} while scanning for referrers: {err}", e.digest);
                    continue;
                }
            };
            let Some(subject) = m.subject() else { continue };
            let annotations = match &m {
                super::Manifest::Image(i) => i.annotations.clone(),
                super::Manifest::Index(i) => i.annotations.clone(),
            };
            let list = map.entry(subject.digest.clone()).or_default();
            if list.iter().any(|d| d.digest == e.digest) {
                continue;
            }
            list.push(Descriptor {
                media_type: m.media_type(&e.media_type),
                digest: e.digest.clone(),
                size: e.size,
                platform: None,
                artifact_type: m.artifact_type(),
                annotations,
                urls: None,
            });
        }
        map
    }
}

#[async_trait]
impl ManifestSource for LayoutSource {
    fn registry_name(&self) -> String {
        self.name.clone()
    }

    async fn repositories(&self, prefix: Option<&str>) -> Result<Vec<String>, RegistryError> {
        let root = self.root.clone();
        let mut names = tokio::task::spawn_blocking(move || discover::repositories(&root))
            .await
            .map_err(|e| RegistryError::Other {
                place: Place {
                    registry: self.name.clone(),
                    ..Place::default()
                },
                detail: format!("layout scan failed: {e}"),
            })?;
        if let Some(p) = prefix
            .map(|p| p.trim_matches('/'))
            .filter(|p| !p.is_empty())
        {
            names.retain(|n| n == p || n.starts_with(&format!("{p}/")));
        }
        Ok(names)
    }

    async fn tags(&self, repository: &str) -> Result<Vec<String>, RegistryError> {
        let views = self.views.clone();
        self.run(repository, None, move |dir| Ok(views.get(&dir)?.tags()))
            .await
    }

    async fn list_manifests(
        &self,
        repository: &str,
    ) -> Result<Option<Vec<Descriptor>>, RegistryError> {
        self.run(repository, None, |dir| {
            Ok(Some(dir.read_index()?.manifests))
        })
        .await
    }

    async fn head_manifest(
        &self,
        repository: &str,
        reference: &str,
    ) -> Result<ManifestHead, RegistryError> {
        let r = reference.to_string();
        let views = self.views.clone();
        self.run(repository, Some(reference), move |dir| {
            let desc = Self::resolve(&views, &dir, &r)?;
            let on_disk = dir.blob_size(&desc.digest).ok_or_else(|| LayoutFault::Io {
                path: dir.blob_path(&desc.digest),
                missing: true,
                detail: "missing (index.json lists it)".into(),
            })?;
            if desc.media_type.is_empty() {
                // A child manifest: the media type is only in its own bytes.
                let f = Self::fetch(&views, &dir, &r)?;
                return Ok(ManifestHead {
                    digest: f.digest,
                    media_type: f.media_type,
                    size: f.bytes.len() as u64,
                });
            }
            Ok(ManifestHead {
                digest: desc.digest,
                media_type: desc.media_type,
                size: on_disk,
            })
        })
        .await
    }

    async fn manifest(
        &self,
        repository: &str,
        reference: &str,
    ) -> Result<FetchedManifest, RegistryError> {
        let r = reference.to_string();
        let views = self.views.clone();
        self.run(repository, Some(reference), move |dir| {
            Self::fetch(&views, &dir, &r)
        })
        .await
    }

    async fn blob(
        &self,
        repository: &str,
        digest: &Digest,
        limit: u64,
    ) -> Result<Vec<u8>, RegistryError> {
        let d = digest.clone();
        self.run(repository, Some(digest.as_str()), move |dir| {
            dir.read_blob(&d, limit)
        })
        .await
    }

    async fn blob_reader(
        &self,
        repository: &str,
        digest: &Digest,
    ) -> Result<BlobReader, RegistryError> {
        let dir = self.layout(repository)?;
        let path = dir.blob_path(digest);
        // A FIFO or device under blobs/ would block the open or never end: regular files only.
        if let Ok(meta) = tokio::fs::metadata(&path).await {
            if !meta.is_file() {
                return Err(LayoutFault::Malformed {
                    path,
                    detail: "not a regular file".into(),
                }
                .into_registry(self.place(repository, Some(digest.as_str()))));
            }
        }
        match tokio::fs::File::open(&path).await {
            Ok(f) => Ok(Box::pin(f)),
            Err(e) => Err(LayoutFault::io(&path, e)
                .into_registry(self.place(repository, Some(digest.as_str())))),
        }
    }

    async fn head_blob(
        &self,
        repository: &str,
        digest: &Digest,
    ) -> Result<Option<u64>, RegistryError> {
        let d = digest.clone();
        self.run(repository, Some(digest.as_str()), move |dir| {
            Ok(dir.blob_size(&d))
        })
        .await
    }

    async fn referrers(
        &self,
        repository: &str,
        digest: &Digest,
    ) -> Result<Referrers, RegistryError> {
        let cache = self.referrers.clone();
        let views = self.views.clone();
        let d = digest.clone();
        self.run(repository, Some(digest.as_str()), move |dir| {
            let view = views.get(&dir)?;
            let cached = cache
                .lock()
                .expect("referrer cache")
                .get(&dir.path)
                .filter(|(v, _)| Arc::ptr_eq(v, &view))
                .map(|(_, m)| m.clone());
            let map = match cached {
                Some(m) => m,
                None => {
                    let m = Arc::new(Self::referrer_map(&dir, &view));
                    cache
                        .lock()
                        .expect("referrer cache")
                        .insert(dir.path.clone(), (view, m.clone()));
                    m
                }
            };
            Ok(Referrers::Listed(map.get(&d).cloned().unwrap_or_default()))
        })
        .await
    }

    async fn delete_manifest(
        &self,
        repository: &str,
        digest: &Digest,
    ) -> Result<(), RegistryError> {
        let d = digest.clone();
        let lock = self.write_lock.clone();
        self.run(repository, Some(digest.as_str()), move |dir| {
            let _guard = lock.lock().expect("layout write lock");
            let report = ops::delete(&dir, &d)?;
            tracing::info!(
                "deleted {d} from {}: {} {}, {}, {}",
                dir.path.display(),
                report.entries_removed,
                crate::text::plural(report.entries_removed, "index entry", "index entries"),
                crate::text::count(report.blobs_removed.len(), "blob"),
                crate::text::size(report.bytes_freed)
            );
            Ok(())
        })
        .await
    }

    async fn put_manifest(
        &self,
        repository: &str,
        reference: &str,
        media_type: &str,
        bytes: &[u8],
    ) -> Result<Digest, RegistryError> {
        let (r, mt, b) = (
            reference.to_string(),
            media_type.to_string(),
            bytes.to_vec(),
        );
        let lock = self.write_lock.clone();
        self.run(repository, Some(reference), move |dir| {
            let _guard = lock.lock().expect("layout write lock");
            ops::put(&dir, &r, &mt, &b)
        })
        .await
    }
}

#[cfg(test)]
mod tests;
