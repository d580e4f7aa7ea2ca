//! Reads one layer blob exactly once: the compressed bytes are hashed as they pass, the
//! compression is detected from the media type and checked against the magic bytes, the
//! tar stream is decompressed on the fly and walked entry by entry without touching disk.
//! Bounds on decompressed bytes and entry count stop a decompression bomb early.
//!
//! The walk is synchronous (flate2, zstd and tar are `Read`-based); [`index_layer`] bridges
//! the registry's async stream into it on a blocking thread, so decompression runs beside
//! the network I/O on another core.

use super::checkpoint::{Checkpoints, Kind, Recorder};
use super::error::LayerError;
use super::index::{Compression, EntryKind, LayerIndex, TarEntry, INDEX_FORMAT};
use super::inflate::{Inflater, Start};
use super::names::{base_name, escape_name, normalize, parent, shown, MAX_PATH_BYTES};
use super::LayerLimits;
use crate::model::Digest;
use crate::registry::{media, Descriptor, ManifestSource};
use sha2::Digest as _;
use std::io::{self, BufRead, BufReader, Read};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

/// Compressed input is read in big chunks (fewer wakeups of the async bridge).
const BUF: usize = 256 * 1024;
/// Decompressed output in chunks that stay in the CPU cache until the tar walk has read
/// them (larger buffers measured slower for zstd: the output went through memory).
const TAR_BUF: usize = 64 * 1024;

/// The compression a layer media type announces; `None` (outer) when the media type is not
/// a filesystem layer at all (an SBOM, a signature, a Helm chart).
pub fn compression_of_media_type(mt: &str) -> Option<Option<Compression>> {
    let mt = mt.split(';').next().unwrap_or("").trim();
    let layerish = mt.starts_with("application/vnd.oci.image.layer.")
        || mt.starts_with("application/vnd.docker.image.rootfs.")
        || mt == media::OCI_LAYER_TAR;
    if !layerish {
        return None;
    }
    Some(if mt.ends_with("gzip") {
        Some(Compression::Gzip)
    } else if mt.ends_with("zstd") {
        Some(Compression::Zstd)
    } else if mt.ends_with(".tar") {
        Some(Compression::None)
    } else {
        None // a layer type we do not know: the magic bytes decide
    })
}

/// The compression the first bytes show (gzip and zstd have magic numbers; tar does not).
pub fn compression_of_magic(head: &[u8]) -> Compression {
    if head.starts_with(&[0x1f, 0x8b]) {
        Compression::Gzip
    } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        Compression::Zstd
    } else {
        Compression::None
    }
}

pub(super) enum Hasher {
    Sha256(sha2::Sha256),
    Sha512(sha2::Sha512),
}

impl Hasher {
    pub(super) fn new(algorithm: &str) -> Self {
        match algorithm {
            "sha512" => Hasher::Sha512(sha2::Sha512::default()),
            _ => Hasher::Sha256(sha2::Sha256::default()),
        }
    }
    pub(super) fn update(&mut self, bytes: &[u8]) {
        match self {
            Hasher::Sha256(h) => h.update(bytes),
            Hasher::Sha512(h) => h.update(bytes),
        }
    }
    pub(super) fn finish(self, algorithm: &str) -> String {
        let hex = match self {
            Hasher::Sha256(h) => hex::encode(h.finalize()),
            Hasher::Sha512(h) => hex::encode(h.finalize()),
        };
        format!("{algorithm}:{hex}")
    }
}

/// Counts (and, when verifying inline, hashes) the compressed bytes the decoder pulls.
struct Verifying<R> {
    inner: R,
    hasher: Option<Hasher>,
    read: u64,
}

impl<R: Read> Read for Verifying<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Some(h) = &mut self.hasher {
            h.update(&buf[..n]);
        }
        self.read += n as u64;
        Ok(n)
    }
}

/// Where the digest of the compressed bytes comes from: hashed here as they pass, or by
/// whoever fed us (the async pump), reported once the stream has ended.
pub(super) type ExternalDigest = Box<dyn FnOnce() -> io::Result<(String, u64)> + Send>;

/// Counts decompressed bytes and refuses to go past the bound. The state is shared so the
/// caller can tell "bound hit" from a decoder or tar error after the walk gives up (tar
/// wraps the I/O errors it sees).
struct Bounded<R> {
    inner: R,
    limit: u64,
    meter: Arc<Meter>,
}

#[derive(Default)]
struct Meter {
    bytes: AtomicU64,
    over_bound: AtomicBool,
}

impl<R: Read> Read for Bounded<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let total = self.meter.bytes.fetch_add(n as u64, Ordering::Relaxed) + n as u64;
        if total > self.limit {
            self.meter.over_bound.store(true, Ordering::Relaxed);
            return Err(io::Error::other("decompressed size bound exceeded"));
        }
        Ok(n)
    }
}

/// Walks a layer blob read from `raw` (the compressed bytes exactly as stored) into an
/// index, verifying its digest and size against `desc`.
pub fn index_reader<R: Read>(
    raw: R,
    desc: &Descriptor,
    limits: &LayerLimits,
) -> Result<LayerIndex, LayerError> {
    index_with(raw, desc, limits, None).map(|(i, _)| i)
}

/// [`index_reader`], with the checkpoints recorded on the way (compressed layers large
/// enough to have any; see [`super::checkpoint`]).
pub fn index_reader_checkpointed<R: Read>(
    raw: R,
    desc: &Descriptor,
    limits: &LayerLimits,
) -> Result<(LayerIndex, Option<Checkpoints>), LayerError> {
    index_with(raw, desc, limits, None)
}

pub(super) fn index_with<R: Read>(
    raw: R,
    desc: &Descriptor,
    limits: &LayerLimits,
    external: Option<ExternalDigest>,
) -> Result<(LayerIndex, Option<Checkpoints>), LayerError> {
    let layer = desc.digest.to_string();
    let announced =
        compression_of_media_type(&desc.media_type).ok_or_else(|| LayerError::NotALayer {
            layer: layer.clone(),
            media_type: desc.media_type.clone(),
        })?;
    let hasher = external
        .is_none()
        .then(|| Hasher::new(desc.digest.algorithm()));
    let mut compressed = BufReader::with_capacity(
        BUF,
        Verifying {
            inner: raw,
            hasher,
            read: 0,
        },
    );
    let head = compressed.fill_buf().map_err(|e| interrupted(&layer, e))?;
    let found = compression_of_magic(head);
    let mut warnings = Vec::new();
    if let Some(a) = announced {
        if a != found {
            warnings.push(format!(
                "media type {} announces {} but the bytes are {}; read as {}",
                desc.media_type,
                a.name(),
                found.name(),
                found.name()
            ));
        }
    }
    let meter = Arc::new(Meter::default());
    let bounded = |inner| Bounded {
        inner,
        limit: limits.max_uncompressed_bytes,
        meter: meter.clone(),
    };
    let mut recorded = None;
    let walked = match found {
        Compression::Gzip => {
            match Inflater::new(&mut compressed, Start::Gzip, 0, 0, Some(Recorder::new())) {
                Ok(mut d) => {
                    let w = walk(bounded(Box::new(&mut d) as Box<dyn Read>), limits);
                    recorded = d.take_recorder().map(|r| (Kind::Gzip, r));
                    w
                }
                Err(e) => Err(Walk::Io(e)),
            }
        }
        Compression::Zstd => match super::zframes::ZstdFrames::new(&mut compressed) {
            Ok(mut d) => {
                let w = walk(bounded(Box::new(&mut d)), limits);
                recorded = Some((Kind::Zstd, d.into_recorder()));
                w
            }
            Err(e) => Err(Walk::Io(e)),
        },
        Compression::None => walk(bounded(Box::new(&mut compressed)), limits),
    };
    // Whatever happened, the digest decides first: a corrupt blob is reported as such, not
    // as the gzip or tar error it caused. Drain what the decoder left (trailing bytes), but
    // never more than the descriptor promised, so a hostile stream cannot keep us reading.
    let over_bound = meter.over_bound.load(Ordering::Relaxed);
    let mut verifying = compressed.into_inner();
    let drained = if over_bound {
        Ok(0)
    } else {
        let left = desc.size.saturating_sub(verifying.read).saturating_add(1);
        io::copy(&mut (&mut verifying).take(left), &mut io::sink())
    };
    if over_bound {
        return Err(LayerError::TooLarge {
            layer,
            limit: limits.max_uncompressed_bytes,
        });
    }
    if let Err(e) = drained {
        return Err(interrupted(&layer, e));
    }
    let (actual, size) = match (verifying.hasher.take(), external) {
        (Some(h), _) => (h.finish(desc.digest.algorithm()), verifying.read),
        (None, Some(report)) => report().map_err(|e| interrupted(&layer, e))?,
        (None, None) => unreachable!("a hasher or an external digest is always set"),
    };
    // Past the declared size the read was cut, so the digest of the cut bytes cannot
    // match: say what is known to be wrong (the size) rather than "digest mismatch".
    if size > desc.size {
        return Err(LayerError::LongerThanDeclared {
            layer,
            expected: desc.size,
        });
    }
    if actual != desc.digest.as_str() {
        return Err(LayerError::DigestMismatch { layer, actual });
    }
    if size != desc.size {
        return Err(LayerError::SizeMismatch {
            layer,
            expected: desc.size,
            actual: size,
        });
    }
    let entries = match walked {
        Ok(e) => e,
        Err(Walk::TooManyEntries) => {
            return Err(LayerError::TooManyEntries {
                layer,
                limit: limits.max_entries,
            })
        }
        Err(Walk::ImpliedDirectories {
            entry,
            bytes,
            tar_bytes,
        }) => {
            return Err(LayerError::ImpliedDirectories {
                layer,
                entry,
                bytes,
                tar_bytes,
                slack: super::implied::SLACK,
            })
        }
        Err(Walk::PathTooLong { entry, what, bytes }) => {
            return Err(LayerError::PathTooLong {
                layer,
                entry,
                what,
                bytes,
                limit: MAX_PATH_BYTES,
            })
        }
        Err(Walk::Io(e)) if found == Compression::None => {
            return Err(LayerError::Tar {
                layer,
                detail: e.to_string(),
            })
        }
        Err(Walk::Io(e)) => {
            // With a verified digest the bytes are what the pusher sent: either the
            // compression or the tar inside it is broken.
            let detail = e.to_string();
            return Err(if detail.contains("header") || detail.contains("archive") {
                LayerError::Tar { layer, detail }
            } else {
                LayerError::Decompress {
                    layer,
                    compression: found.name(),
                    detail,
                }
            });
        }
    };
    let checkpoints = recorded.and_then(|(kind, r)| r.finish(kind, &desc.digest, size));
    let index = LayerIndex {
        format: INDEX_FORMAT,
        digest: desc.digest.clone(),
        media_type: desc.media_type.clone(),
        compression: found,
        compressed_size: size,
        uncompressed_size: meter.bytes.load(Ordering::Relaxed),
        entries,
        warnings,
    };
    Ok((index, checkpoints))
}

fn interrupted(layer: &str, e: io::Error) -> LayerError {
    LayerError::Interrupted {
        layer: layer.to_string(),
        detail: e.to_string(),
    }
}

enum Walk {
    Io(io::Error),
    TooManyEntries,
    /// A name or link target past [`MAX_PATH_BYTES`]: `entry` is the name cut for display.
    PathTooLong {
        entry: String,
        what: &'static str,
        bytes: usize,
    },
    /// Directories implied by names past the budget of [`super::implied`].
    ImpliedDirectories {
        entry: String,
        bytes: u64,
        tar_bytes: u64,
    },
}

/// Walks the tar stream, then reads it to its end so every compressed byte is hashed.
fn walk<R: Read>(tar_stream: R, limits: &LayerLimits) -> Result<Vec<TarEntry>, Walk> {
    let mut archive = tar::Archive::new(BufReader::with_capacity(
        TAR_BUF,
        super::targuard::TarGuard::new(tar_stream),
    ));
    let mut out = Vec::new();
    let mut implied = super::implied::Implied::default();
    {
        let entries = archive.entries().map_err(Walk::Io)?;
        let mut chunk = vec![0u8; TAR_BUF];
        for entry in entries {
            let mut entry = entry.map_err(Walk::Io)?;
            if out.len() as u64 >= limits.max_entries {
                return Err(Walk::TooManyEntries);
            }
            if let Some(mut e) = describe(&entry)? {
                // Every entry makes its parents exist, a marker too (the replay makes the
                // directory it sits in).
                let tar_bytes = entry.raw_file_position();
                implied
                    .note_entry(&e, tar_bytes)
                    .map_err(|bytes| Walk::ImpliedDirectories {
                        entry: shown(&entry.path_bytes()),
                        bytes,
                        tar_bytes,
                    })?;
                if e.kind == EntryKind::File {
                    // Sparse entries store their data in pieces: no single offset names it.
                    if entry.header().entry_type() != tar::EntryType::GNUSparse {
                        e.offset = Some(entry.raw_file_position());
                    }
                    // tar reads past the content anyway; hashing it on the way costs
                    // little and lets `diff` tell changed bytes apart from equal sizes.
                    let mut crc = flate2::Crc::new();
                    loop {
                        let n = entry.read(&mut chunk).map_err(Walk::Io)?;
                        if n == 0 {
                            break;
                        }
                        crc.update(&chunk[..n]);
                    }
                    e.crc = Some(crc.sum());
                }
                out.push(e);
            }
        }
    }
    // tar stops at the end-of-archive blocks; the stream may hold padding after them.
    io::copy(&mut archive.into_inner(), &mut io::sink()).map_err(Walk::Io)?;
    Ok(out)
}

/// The entry as the index keeps it; `None` for the root directory. A name or link target
/// past [`MAX_PATH_BYTES`] fails the walk before anything is built from it.
fn describe<R: Read>(entry: &tar::Entry<'_, R>) -> Result<Option<TarEntry>, Walk> {
    let raw = entry.path_bytes();
    let too_long = |what, bytes| Walk::PathTooLong {
        entry: shown(&raw),
        what,
        bytes,
    };
    if raw.len() > MAX_PATH_BYTES {
        return Err(too_long("name", raw.len()));
    }
    if let Some(l) = entry.link_name_bytes().filter(|l| l.len() > MAX_PATH_BYTES) {
        return Err(too_long("link target", l.len()));
    }
    let path = normalize(&escape_name(&raw));
    let name = base_name(&path);
    if let Some(hidden) = name.strip_prefix(".wh.") {
        let dir = parent(&path);
        let (path, kind) = if hidden == ".wh..opq" {
            (dir.to_string(), EntryKind::Opaque)
        } else if dir.is_empty() {
            (hidden.to_string(), EntryKind::Whiteout)
        } else {
            (format!("{dir}/{hidden}"), EntryKind::Whiteout)
        };
        return Ok(Some(TarEntry {
            path,
            kind,
            ..Default::default()
        }));
    }
    if path.is_empty() {
        return Ok(None); // the root directory entry (`./`) says nothing about contents
    }
    let link = || entry.link_name_bytes().map(|l| escape_name(&l).to_string());
    use tar::EntryType as T;
    let (kind, size, link) = match entry.header().entry_type() {
        T::Regular | T::Continuous | T::GNUSparse => (EntryKind::File, entry.size(), None),
        T::Directory => (EntryKind::Dir, 0, None),
        T::Symlink => (EntryKind::Symlink, 0, link()),
        // Hard-link targets are archive paths, like entry paths: normalize them alike.
        T::Link => (EntryKind::Hardlink, 0, link().map(|l| normalize(&l))),
        _ => (EntryKind::Other, 0, None),
    };
    let h = entry.header();
    Ok(Some(TarEntry {
        path,
        kind,
        size,
        link,
        mode: h.mode().unwrap_or(0) & 0o7777,
        uid: h.uid().unwrap_or(0),
        gid: h.gid().unwrap_or(0),
        ..Default::default()
    }))
}

/// Streams one layer of `repository` from `source` and indexes it (see [`index_reader`]).
pub async fn index_layer(
    source: &dyn ManifestSource,
    repository: &str,
    desc: &Descriptor,
    limits: LayerLimits,
) -> Result<LayerIndex, LayerError> {
    index_layer_checkpointed(source, repository, desc, limits)
        .await
        .map(|(i, _)| i)
}

/// [`index_layer`], with the checkpoints recorded on the way.
pub async fn index_layer_checkpointed(
    source: &dyn ManifestSource,
    repository: &str,
    desc: &Descriptor,
    limits: LayerLimits,
) -> Result<(LayerIndex, Option<Checkpoints>), LayerError> {
    if compression_of_media_type(&desc.media_type).is_none() {
        return Err(LayerError::NotALayer {
            layer: desc.digest.to_string(),
            media_type: desc.media_type.clone(),
        });
    }
    let reader = source.blob_reader(repository, &desc.digest).await?;
    let desc = desc.clone();
    // Never pump more than the descriptor promises (+1 to notice a longer blob).
    let (chunks, pump) =
        super::pump::start(reader, desc.digest.algorithm(), desc.size.saturating_add(1));
    let runtime = tokio::runtime::Handle::current();
    let report: ExternalDigest = Box::new(move || {
        runtime
            .block_on(pump)
            .map_err(|e| io::Error::other(e.to_string()))?
    });
    tokio::task::spawn_blocking(move || index_with(chunks, &desc, &limits, Some(report)))
        .await
        .map_err(|e| LayerError::Interrupted {
            layer: String::new(),
            detail: e.to_string(),
        })?
}

/// The descriptor of a blob held in memory (tests, benchmarks, layouts read whole).
pub fn descriptor_for(bytes: &[u8], media_type: &str) -> Descriptor {
    Descriptor {
        media_type: media_type.to_string(),
        digest: Digest::sha256_of(bytes),
        size: bytes.len() as u64,
        platform: None,
        artifact_type: None,
        annotations: None,
        urls: None,
    }
}
