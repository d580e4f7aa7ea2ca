//! Reading one file's bytes out of a layer blob, with as few bytes from the registry as
//! the layer allows:
//! - a plain tar layer: one `Range` request for exactly the tar header and the content;
//! - a gzip or zstd layer with checkpoints in the cache (see [`super::checkpoint`]): one
//!   `Range` request from the nearest checkpoint before the file to the next one after it;
//! - otherwise, or when the registry ignores `Range`: the blob streamed from its start and
//!   decompressed up to the file (nothing after it is read).
//!
//! A part of a blob cannot be checked against the blob's digest (that was done when the
//! index was built), so the 512-byte tar header in front of the content is checked instead:
//! its checksum must hold and it must announce the size the index recorded.

use super::checkpoint::Point;
use super::error::LayerError;
use super::index::{Compression, LayerIndex};
use super::inflate::{Inflater, Start};
use super::merge::Content;
use super::pump::ChannelReader;
use super::LayerCache;
use crate::registry::{BlobRange, ManifestSource};
use std::io::{self, Read, Write};

/// How the bytes were fetched (shown by `cat --verbose`, checked by tests and benchmarks).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReadPath {
    /// One ranged request for blob bytes `start..end` (`end` `None`: to the blob's end).
    Ranged {
        start: u64,
        end: Option<u64>,
        checkpoint: bool,
    },
    /// The blob from byte 0 (no checkpoint near enough, or the registry ignores `Range`).
    Streamed { range_ignored: bool },
}

/// The sink the file's bytes go to; handed back when the read is done.
pub type Sink = Box<dyn Write + Send>;

/// Writes the content of `content` (an entry of `layer`) to `out`.
pub async fn read_content(
    source: &dyn ManifestSource,
    repository: &str,
    layer: &LayerIndex,
    content: &Content,
    cache: Option<&LayerCache>,
    out: Sink,
) -> Result<(ReadPath, Sink), LayerError> {
    read_part(source, repository, layer, content, cache, out, content.size).await
}

/// The first `max` bytes of `content` (a viewer's page): nothing past them is asked for.
pub async fn read_prefix(
    source: &dyn ManifestSource,
    repository: &str,
    layer: &LayerIndex,
    content: &Content,
    cache: Option<&LayerCache>,
    max: u64,
) -> Result<(ReadPath, Vec<u8>), LayerError> {
    let buf = SharedBuf::default();
    let take = content.size.min(max);
    let sink = Box::new(buf.clone());
    let (how, _) = read_part(source, repository, layer, content, cache, sink, take).await?;
    let bytes = std::mem::take(&mut *buf.0.lock().unwrap_or_else(|e| e.into_inner()));
    Ok((how, bytes))
}

#[derive(Clone, Default)]
struct SharedBuf(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl Write for SharedBuf {
    fn write(&mut self, b: &[u8]) -> io::Result<usize> {
        let mut v = self.0.lock().unwrap_or_else(|e| e.into_inner());
        v.extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// [`read_content`] of the first `take` bytes only.
async fn read_part(
    source: &dyn ManifestSource,
    repository: &str,
    layer: &LayerIndex,
    content: &Content,
    cache: Option<&LayerCache>,
    out: Sink,
    take: u64,
) -> Result<(ReadPath, Sink), LayerError> {
    let name = layer.digest.to_string();
    let fail = |detail: String| LayerError::Content {
        layer: name.clone(),
        path: format!("/{}", content.path),
        detail,
    };
    let Some(offset) = content.offset else {
        return Err(fail(
            "the index records no offset for it (a sparse file?)".into(),
        ));
    };
    let header_at = offset
        .checked_sub(512)
        .ok_or_else(|| fail("the index records an offset inside the first tar block".into()))?;
    let want = Want {
        header_at,
        size: content.size,
        take,
    };
    let checkpoints = match layer.compression {
        Compression::None => None,
        _ => cache
            .and_then(|c| c.checkpoints(&layer.digest))
            .filter(|c| c.compressed_size == layer.compressed_size),
    };
    // The blob bytes to ask for, and the checkpoint a decode starts at.
    let (start, end, point) = match (&checkpoints, layer.compression) {
        (_, Compression::None) => (header_at, Some(offset + take), None),
        (Some(c), _) => {
            let (point, end) = c.span(header_at, offset + take);
            (point.map_or(0, |p| p.first_byte()), end, point.cloned())
        }
        (None, _) => (0, None, None),
    };
    let window = match (&checkpoints, &point) {
        (Some(c), Some(p)) => c
            .window(p)
            .map_err(|e| fail(format!("checkpoint window: {e}")))?,
        _ => Vec::new(),
    };
    let ranged = start > 0 || end.is_some();
    let (reader, path) = if ranged {
        match source
            .blob_range(repository, &layer.digest, start, end)
            .await?
        {
            BlobRange::Partial(r) => (
                r,
                ReadPath::Ranged {
                    start,
                    end,
                    checkpoint: point.is_some(),
                },
            ),
            BlobRange::Whole(r) => (
                r,
                ReadPath::Streamed {
                    range_ignored: true,
                },
            ),
        }
    } else {
        (
            source.blob_reader(repository, &layer.digest).await?,
            ReadPath::Streamed {
                range_ignored: false,
            },
        )
    };
    let limit = match (&path, end) {
        (ReadPath::Ranged { .. }, Some(e)) => e.saturating_sub(start).saturating_add(1),
        _ => layer.compressed_size.saturating_add(1),
    };
    let (chunks, _pump) = super::pump::start(reader, layer.digest.algorithm(), limit);
    let compression = layer.compression;
    // A checkpoint applies only to the bytes asked for; a registry that ignored the range
    // sent the blob from its start.
    let from = match &path {
        ReadPath::Ranged { .. } => Some(point),
        ReadPath::Streamed { .. } => None,
    };
    let layer_name = name.clone();
    let shown = format!("/{}", content.path);
    let out = tokio::task::spawn_blocking(move || {
        let mut out = out;
        let r = decode(compression, from, &window, start, chunks)
            .and_then(|(d, pos)| want.copy(d, pos, &mut out));
        r.map(|()| out).map_err(|e| LayerError::Content {
            layer: layer_name,
            path: shown,
            detail: e.to_string(),
        })
    })
    .await
    .map_err(|e| fail(e.to_string()))??;
    Ok((path, out))
}

/// The decompressed stream of `chunks`, and its offset in the layer's tar stream.
/// `from`: `None` when the chunks are the blob from byte 0; `Some(point)` when they are the
/// range from `start` (at the checkpoint `point`, or at byte 0 of a plain or compressed blob
/// when `point` is `None` and `start` is 0).
fn decode(
    compression: Compression,
    from: Option<Option<Point>>,
    window: &[u8],
    start: u64,
    chunks: ChannelReader,
) -> io::Result<(Box<dyn Read + '_>, u64)> {
    let mut input = io::BufReader::with_capacity(256 * 1024, chunks);
    Ok(match (compression, from) {
        (Compression::None, Some(_)) => (Box::new(input), start),
        (Compression::None, None) => (Box::new(input), 0),
        (Compression::Gzip, Some(Some(p))) => {
            let mut byte = [0u8; 1];
            if p.bits > 0 {
                input.read_exact(&mut byte)?;
            }
            let start = Start::Boundary {
                bits: p.bits,
                byte: byte[0],
                window,
            };
            (
                Box::new(Inflater::new(input, start, p.input, p.output, None)?),
                p.output,
            )
        }
        (Compression::Gzip, _) => (Box::new(Inflater::new(input, Start::Gzip, 0, 0, None)?), 0),
        (Compression::Zstd, Some(Some(p))) => (
            Box::new(zstd::stream::read::Decoder::with_buffer(input)?),
            p.output,
        ),
        (Compression::Zstd, _) => (
            Box::new(zstd::stream::read::Decoder::with_buffer(input)?),
            0,
        ),
    })
}

/// The bytes one file needs from the decompressed tar stream.
#[derive(Clone, Copy)]
struct Want {
    header_at: u64,
    size: u64,
    /// Content bytes to copy (all of them, or a prefix).
    take: u64,
}

impl Want {
    /// Reads `from` (decompressed bytes starting at stream offset `pos`) up to the header,
    /// checks it, and copies the content to `out`. Nothing past the content is read.
    fn copy(self, mut from: impl Read, pos: u64, out: &mut dyn Write) -> io::Result<()> {
        let skip = self.header_at.checked_sub(pos).ok_or_else(|| {
            io::Error::other("the stream starts after the entry (index and checkpoints disagree)")
        })?;
        let skipped = io::copy(&mut (&mut from).take(skip), &mut io::sink())?;
        if skipped < skip {
            return Err(io::Error::other(
                "the layer ends before the entry's tar header",
            ));
        }
        let mut header = [0u8; 512];
        from.read_exact(&mut header)
            .map_err(|e| io::Error::other(format!("reading the tar header: {e}")))?;
        check_header(&header, self.size)?;
        let copied = io::copy(&mut from.take(self.take), out)?;
        if copied < self.take {
            return Err(io::Error::other(format!(
                "the layer ends after {copied} of {} content bytes",
                self.size
            )));
        }
        out.flush()
    }
}

/// The tar header in front of the content must be intact and announce `size` bytes: the
/// index and the bytes served now describe the same entry.
fn check_header(block: &[u8; 512], size: u64) -> io::Result<()> {
    let stored = std::str::from_utf8(&block[148..156])
        .ok()
        .map(|s| s.trim_matches(|c: char| c == '\0' || c == ' '))
        .and_then(|s| u32::from_str_radix(s, 8).ok());
    let actual: u32 = block
        .iter()
        .enumerate()
        .map(|(i, &b)| {
            if (148..156).contains(&i) {
                32
            } else {
                b as u32
            }
        })
        .sum();
    if stored != Some(actual) {
        return Err(io::Error::other(
            "the bytes at the recorded offset are not a tar header (bad checksum)",
        ));
    }
    let header = tar::Header::from_byte_slice(block);
    match header.entry_size() {
        Ok(s) if s == size => Ok(()),
        Ok(s) => Err(io::Error::other(format!(
            "the tar header at the recorded offset announces {s} bytes, the index {size}"
        ))),
        Err(e) => Err(io::Error::other(format!("unreadable tar header size: {e}"))),
    }
}
