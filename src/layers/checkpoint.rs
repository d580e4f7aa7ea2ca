//! Checkpoints into compressed layers, so that one file of a layer costs one `Range` request
//! instead of the whole blob (the technique of zlib's `examples/zran.c`, and of the registry
//! explorer at oci.dag.dev).
//!
//! - gzip: while a layer is walked, at deflate block boundaries about every [`SPAN`] bytes of
//!   output, the blob offset, the bits of the byte before it and the 32 KiB of output before
//!   it (the deflate window, zstd-compressed) are recorded. A read starts at the last
//!   checkpoint before the file and stops at the first one after it.
//! - zstd: frames are independent; the start of each frame (blob and output offsets) is a
//!   checkpoint without a window. Most zstd layers are one frame: then there is nothing to
//!   record and a read streams from the start.
//!
//! - stops, for both: block boundaries (gzip) and frame starts (zstd) about every
//!   [`STOP_SPAN`] bytes of output, where a read may end: every output byte before a stop
//!   decodes from the blob bytes before it. They cost 16 bytes each and no window, so a
//!   read from a checkpoint asks for `bytes=S-E` ending at the first stop after the file
//!   rather than for the rest of the blob (the request ends with the file, not by the
//!   client hanging up on a longer response).
//!
//! A checkpoint is placed only when the compressed bytes since the previous one are at least
//! [`RATIO`] times what it costs to store, so the file stays under 2% of the layer however
//! well or badly the layer compresses. Stored in the layer cache by layer digest, beside the
//! index (`<hex>.ckpt`), see [`super::cache`].

use crate::model::Digest;
use std::io;

/// Output between gzip checkpoints, at least.
pub const SPAN: u64 = 1 << 20;
/// A checkpoint costs at most 1/RATIO of the compressed bytes it covers.
pub const RATIO: u64 = 64;
/// Output between stops, at least.
pub const STOP_SPAN: u64 = 64 * 1024;
/// Bytes of a stored stop.
const STOP_BYTES: u64 = 16;
/// The deflate window.
const WINDOW: usize = 32 * 1024;
/// Bytes of a stored point besides its window (offsets, bits, window length).
const POINT_BYTES: u64 = 8 + 1 + 8 + 4;
const MAGIC: &[u8; 4] = b"RSCK";
/// 2 adds the stops; a version 1 file reads as having none.
const VERSION: u32 = 2;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Gzip,
    Zstd,
}

/// One place a decode can start.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Point {
    /// Blob offset of the first whole byte after the boundary (gzip), or of the frame (zstd).
    pub input: u64,
    /// Bits of the byte before `input` that belong to the next block (gzip; 0..=7).
    pub bits: u8,
    /// Offset in the decompressed (tar) stream.
    pub output: u64,
    /// The deflate window before the boundary, zstd-compressed (empty for zstd frames).
    pub window: Vec<u8>,
}

/// A place a read may end: every output byte before `output` decodes from the blob bytes
/// before `input` (a gzip block boundary, the `bits` byte included; a zstd frame start).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stop {
    pub input: u64,
    pub output: u64,
}

impl Point {
    /// The first blob byte a decode from here needs.
    pub fn first_byte(&self) -> u64 {
        self.input - u64::from(self.bits > 0)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checkpoints {
    pub kind: Kind,
    pub digest: Digest,
    pub compressed_size: u64,
    /// Ordered by `input` and `output`.
    pub points: Vec<Point>,
    /// Ordered by `input` and `output`.
    pub stops: Vec<Stop>,
}

impl Checkpoints {
    /// Where to read the decompressed bytes `from..to`: the checkpoint to start at (`None`:
    /// the blob's start) and the blob offset to stop before: the first checkpoint or stop at
    /// or after `to`; else, from a checkpoint, the blob's end (a bounded request either way);
    /// `None` from the blob's start with nothing to stop at (a plain streamed read).
    pub fn span(&self, from: u64, to: u64) -> (Option<&Point>, Option<u64>) {
        let i = self.points.partition_point(|p| p.output <= from);
        let start = i.checked_sub(1).map(|i| &self.points[i]);
        let j = self.points.partition_point(|p| p.output < to);
        let k = self.stops.partition_point(|s| s.output < to);
        let end = [
            self.points.get(j).map(|p| p.input),
            self.stops.get(k).map(|s| s.input),
        ]
        .into_iter()
        .flatten()
        .min()
        .or(start.map(|_| self.compressed_size));
        (start, end)
    }

    /// The deflate window of `p`, decompressed.
    pub fn window(&self, p: &Point) -> io::Result<Vec<u8>> {
        if p.window.is_empty() {
            return Ok(Vec::new());
        }
        zstd::bulk::decompress(&p.window, WINDOW)
    }

    pub fn encode(&self) -> Vec<u8> {
        let digest = self.digest.as_str().as_bytes();
        let mut b = Vec::with_capacity(64 + self.points.len() * 64);
        b.extend_from_slice(MAGIC);
        b.extend_from_slice(&VERSION.to_le_bytes());
        b.push(match self.kind {
            Kind::Gzip => 1,
            Kind::Zstd => 2,
        });
        b.extend_from_slice(&self.compressed_size.to_le_bytes());
        b.extend_from_slice(&(digest.len() as u16).to_le_bytes());
        b.extend_from_slice(digest);
        b.extend_from_slice(&(self.points.len() as u32).to_le_bytes());
        for p in &self.points {
            b.extend_from_slice(&p.input.to_le_bytes());
            b.push(p.bits);
            b.extend_from_slice(&p.output.to_le_bytes());
            b.extend_from_slice(&(p.window.len() as u32).to_le_bytes());
            b.extend_from_slice(&p.window);
        }
        b.extend_from_slice(&(self.stops.len() as u32).to_le_bytes());
        for s in &self.stops {
            b.extend_from_slice(&s.input.to_le_bytes());
            b.extend_from_slice(&s.output.to_le_bytes());
        }
        b
    }

    /// Parses [`Self::encode`]'s bytes; any inconsistency is an error (the file is ignored).
    pub fn decode(bytes: &[u8]) -> Result<Self, String> {
        let mut r = Cursor { b: bytes, at: 0 };
        if r.take(4)? != MAGIC {
            return Err("not a checkpoint file".into());
        }
        let version = u32::from_le_bytes(r.array()?);
        if version != VERSION && version != 1 {
            return Err(format!("checkpoint format {version}, expected {VERSION}"));
        }
        let kind = match r.take(1)?[0] {
            1 => Kind::Gzip,
            2 => Kind::Zstd,
            k => return Err(format!("unknown compression {k}")),
        };
        let compressed_size = u64::from_le_bytes(r.array()?);
        let len = u16::from_le_bytes(r.array()?) as usize;
        let digest = std::str::from_utf8(r.take(len)?)
            .ok()
            .and_then(|d| Digest::parse(d).ok())
            .ok_or("bad digest")?;
        let count = u32::from_le_bytes(r.array()?) as usize;
        let mut points = Vec::with_capacity(count.min(1 << 16));
        for _ in 0..count {
            let input = u64::from_le_bytes(r.array()?);
            let bits = r.take(1)?[0];
            let output = u64::from_le_bytes(r.array()?);
            let wlen = u32::from_le_bytes(r.array()?) as usize;
            let window = r.take(wlen)?.to_vec();
            let ordered = points
                .last()
                .is_none_or(|q: &Point| q.input < input && q.output < output);
            if bits > 7 || input == 0 || input > compressed_size || !ordered {
                return Err("inconsistent checkpoint".into());
            }
            points.push(Point {
                input,
                bits,
                output,
                window,
            });
        }
        let mut stops: Vec<Stop> = Vec::new();
        if version >= 2 {
            let count = u32::from_le_bytes(r.array()?) as usize;
            stops.reserve(count.min(1 << 16));
            for _ in 0..count {
                let input = u64::from_le_bytes(r.array()?);
                let output = u64::from_le_bytes(r.array()?);
                let ordered = stops
                    .last()
                    .is_none_or(|q| q.input < input && q.output < output);
                if input == 0 || input > compressed_size || !ordered {
                    return Err("inconsistent stop".into());
                }
                stops.push(Stop { input, output });
            }
        }
        if r.at != bytes.len() {
            return Err("trailing bytes".into());
        }
        Ok(Checkpoints {
            kind,
            digest,
            compressed_size,
            points,
            stops,
        })
    }
}

struct Cursor<'a> {
    b: &'a [u8],
    at: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let end = self.at.checked_add(n).filter(|&e| e <= self.b.len());
        let end = end.ok_or("truncated checkpoint file")?;
        let s = &self.b[self.at..end];
        self.at = end;
        Ok(s)
    }
    fn array<const N: usize>(&mut self) -> Result<[u8; N], String> {
        Ok(self.take(N)?.try_into().expect("N bytes taken"))
    }
}

/// Collects checkpoints while a layer is decompressed.
pub struct Recorder {
    ring: Vec<u8>,
    /// Output bytes seen in all.
    seen: u64,
    points: Vec<Point>,
    stops: Vec<Stop>,
    last_in: u64,
    last_out: u64,
    /// Compressed bytes the next point must cover (its window turned out expensive).
    need_in: u64,
}

impl Default for Recorder {
    fn default() -> Self {
        Self::new()
    }
}

impl Recorder {
    pub fn new() -> Self {
        Recorder {
            ring: vec![0; WINDOW],
            seen: 0,
            points: Vec::new(),
            stops: Vec::new(),
            last_in: 0,
            last_out: 0,
            need_in: 0,
        }
    }

    /// Decompressed bytes as they are produced (the last 32 KiB are kept).
    pub fn output(&mut self, bytes: &[u8]) {
        let tail = &bytes[bytes.len().saturating_sub(WINDOW)..];
        let mut at = ((self.seen + (bytes.len() - tail.len()) as u64) % WINDOW as u64) as usize;
        let mut rest = tail;
        while !rest.is_empty() {
            let n = rest.len().min(WINDOW - at);
            self.ring[at..at + n].copy_from_slice(&rest[..n]);
            rest = &rest[n..];
            at = (at + n) % WINDOW;
        }
        self.seen += bytes.len() as u64;
    }

    fn window(&self) -> Vec<u8> {
        let n = self.seen.min(WINDOW as u64) as usize;
        let start = ((self.seen - n as u64) % WINDOW as u64) as usize;
        let mut w = Vec::with_capacity(n);
        let first = n.min(WINDOW - start);
        w.extend_from_slice(&self.ring[start..start + first]);
        w.extend_from_slice(&self.ring[..n - first]);
        w
    }

    /// A deflate block boundary at blob offset `input` (with `bits` of the byte before),
    /// after `output` decompressed bytes.
    pub fn boundary(&mut self, input: u64, bits: u8, output: u64) {
        self.stop(input, output);
        let covered = input - self.last_in;
        if output - self.last_out < SPAN || covered < self.need_in {
            return;
        }
        let window = zstd::bulk::compress(&self.window(), 3).unwrap_or_default();
        let cost = POINT_BYTES + window.len() as u64;
        if covered < cost * RATIO {
            self.need_in = cost * RATIO;
            return;
        }
        self.push(input, bits, output, window);
    }

    /// The start of a zstd frame at blob offset `input`, after `output` decompressed bytes.
    pub fn frame(&mut self, input: u64, output: u64) {
        self.stop(input, output);
        if input > 0 && input - self.last_in >= POINT_BYTES * RATIO {
            self.push(input, 0, output, Vec::new());
        }
    }

    /// A place a read may end, kept when it is far enough from the last one: at least
    /// [`STOP_SPAN`] of output, and compressed bytes worth [`RATIO`] times its cost.
    fn stop(&mut self, input: u64, output: u64) {
        let last = self.stops.last().copied().unwrap_or(Stop {
            input: 0,
            output: 0,
        });
        if input > 0
            && output - last.output >= STOP_SPAN
            && input - last.input >= STOP_BYTES * RATIO
        {
            self.stops.push(Stop { input, output });
        }
    }

    fn push(&mut self, input: u64, bits: u8, output: u64, window: Vec<u8>) {
        self.points.push(Point {
            input,
            bits,
            output,
            window,
        });
        self.last_in = input;
        self.last_out = output;
        self.need_in = 0;
    }

    /// The checkpoints and stops of the layer `digest` (`None` when none was worth
    /// recording).
    pub fn finish(self, kind: Kind, digest: &Digest, compressed_size: u64) -> Option<Checkpoints> {
        (!self.points.is_empty() || !self.stops.is_empty()).then(|| Checkpoints {
            kind,
            digest: digest.clone(),
            compressed_size,
            points: self.points,
            stops: self.stops,
        })
    }
}

#[cfg(test)]
#[path = "checkpoint_tests.rs"]
mod tests;
