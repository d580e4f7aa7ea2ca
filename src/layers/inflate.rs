//! A gzip decoder that can stop at deflate block boundaries and start again in the middle
//! of a stream: zlib's `Z_BLOCK`, `data_type` and `inflatePrime`/`inflateSetDictionary`
//! (the technique of zlib's `examples/zran.c`), through libz-rs-sys, the C API of the same
//! zlib-rs engine flate2 uses here. flate2's safe API exposes none of the three.
//!
//! While a layer is walked, the decoder hands each block boundary to a [`Recorder`] (see
//! [`super::checkpoint`]); a later read starts at a recorded boundary in raw-deflate mode,
//! primed with the bits of the byte before it and the 32 KiB of output before it.
//! Gzip files made of several members (pigz, concatenation) continue member after member.

use super::checkpoint::Recorder;
use libz_rs_sys as z;
use std::io::{self, BufRead, Read};

const WINDOW_BITS: i32 = 15;
/// zlib's "gzip wrapper" window bits (15 + 16).
const GZIP: i32 = WINDOW_BITS + 16;

/// Where a decode starts.
pub enum Start<'a> {
    /// At byte 0 of a gzip file (a header comes first).
    Gzip,
    /// At a block boundary inside a member: `bits` bits (0..=7) of the byte before the
    /// input (`byte`) belong to the first block; `window` is the output before it.
    Boundary {
        bits: u8,
        byte: u8,
        window: &'a [u8],
    },
}

pub struct Inflater<R> {
    input: R,
    strm: Box<z::z_stream>,
    /// Blob offset of the next input byte.
    pos: u64,
    /// Decompressed bytes produced so far, counted from `out_base`.
    out: u64,
    /// The current member is raw deflate (started at a boundary): its trailer is ours to skip.
    raw: bool,
    done: bool,
    recorder: Option<Recorder>,
}

fn check(code: i32, what: &str) -> io::Result<()> {
    if code == z::Z_OK {
        Ok(())
    } else {
        Err(io::Error::other(format!("zlib {what} failed ({code})")))
    }
}

impl<R: BufRead> Inflater<R> {
    /// A decoder of `input`, whose first byte is blob byte `pos` and decompresses to stream
    /// offset `out`.
    pub fn new(
        input: R,
        start: Start<'_>,
        pos: u64,
        out: u64,
        recorder: Option<Recorder>,
    ) -> io::Result<Self> {
        let mut strm = Box::<z::z_stream>::default();
        let raw = matches!(start, Start::Boundary { .. });
        let bits = if raw { -WINDOW_BITS } else { GZIP };
        // SAFETY: `strm` is a default (zeroed) stream, boxed so it never moves while zlib
        // holds a pointer to it; the version and size are this library's own.
        check(
            unsafe {
                z::inflateInit2_(
                    &mut *strm,
                    bits,
                    z::zlibVersion(),
                    std::mem::size_of::<z::z_stream>() as i32,
                )
            },
            "inflateInit2",
        )?;
        let mut me = Inflater {
            input,
            strm,
            pos,
            out,
            raw,
            done: false,
            recorder,
        };
        if let Start::Boundary { bits, byte, window } = start {
            if bits > 0 {
                let value = i32::from(byte >> (8 - bits));
                // SAFETY: the stream was initialised above.
                check(
                    unsafe { z::inflatePrime(&mut *me.strm, i32::from(bits), value) },
                    "inflatePrime",
                )?;
            }
            if !window.is_empty() {
                // SAFETY: initialised stream; the pointer and length come from one slice.
                check(
                    unsafe {
                        z::inflateSetDictionary(&mut *me.strm, window.as_ptr(), window.len() as u32)
                    },
                    "inflateSetDictionary",
                )?;
            }
        }
        Ok(me)
    }

    /// The checkpoints recorded so far (the walk takes them when the stream has ended).
    pub fn take_recorder(&mut self) -> Option<Recorder> {
        self.recorder.take()
    }

    /// The end of a member: skip a raw member's trailer, then go on if another member
    /// follows (its magic number); anything else ends the stream (trailing padding).
    fn member_end(&mut self) -> io::Result<()> {
        if self.raw {
            let mut left = 8usize;
            while left > 0 {
                let avail = self.input.fill_buf()?.len();
                if avail == 0 {
                    self.done = true;
                    return Ok(());
                }
                let n = avail.min(left);
                self.input.consume(n);
                self.pos += n as u64;
                left -= n;
            }
            self.raw = false;
            // SAFETY: initialised stream.
            check(
                unsafe { z::inflateReset2(&mut *self.strm, GZIP) },
                "inflateReset2",
            )?;
        } else {
            // SAFETY: initialised stream.
            check(unsafe { z::inflateReset(&mut *self.strm) }, "inflateReset")?;
        }
        let next = self.input.fill_buf()?;
        if next.first() != Some(&0x1f) {
            self.done = true;
        }
        Ok(())
    }
}

impl<R: BufRead> Read for Inflater<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            if self.done || buf.is_empty() {
                return Ok(0);
            }
            let input = self.input.fill_buf()?;
            let avail = input.len().min(u32::MAX as usize);
            let want = buf.len().min(u32::MAX as usize);
            self.strm.next_in = input.as_ptr();
            self.strm.avail_in = avail as u32;
            self.strm.next_out = buf.as_mut_ptr();
            self.strm.avail_out = want as u32;
            // SAFETY: the stream is initialised; `next_in`/`next_out` point into live
            // slices of the lengths given, and are not used after this call returns.
            let code = unsafe { z::inflate(&mut *self.strm, z::Z_BLOCK) };
            let used = avail - self.strm.avail_in as usize;
            let produced = want - self.strm.avail_out as usize;
            self.strm.next_in = std::ptr::null();
            self.strm.next_out = std::ptr::null_mut();
            self.input.consume(used);
            self.pos += used as u64;
            self.out += produced as u64;
            if let Some(r) = &mut self.recorder {
                r.output(&buf[..produced]);
            }
            match code {
                z::Z_STREAM_END => self.member_end()?,
                z::Z_OK => {
                    let t = self.strm.data_type;
                    // At a block boundary that is not the end of the member.
                    if t & 128 != 0 && t & 64 == 0 {
                        if let Some(r) = &mut self.recorder {
                            r.boundary(self.pos, (t & 7) as u8, self.out);
                        }
                    }
                }
                z::Z_BUF_ERROR if avail == 0 => {
                    return Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "the gzip stream ends early",
                    ))
                }
                z::Z_BUF_ERROR => {}
                _ => {
                    let msg = if self.strm.msg.is_null() {
                        format!("code {code}")
                    } else {
                        // SAFETY: zlib's messages are static NUL-terminated strings.
                        unsafe { std::ffi::CStr::from_ptr(self.strm.msg) }
                            .to_string_lossy()
                            .into_owned()
                    };
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        format!("corrupt deflate stream: {msg}"),
                    ));
                }
            }
            if produced > 0 {
                return Ok(produced);
            }
        }
    }
}

impl<R> Drop for Inflater<R> {
    fn drop(&mut self) {
        // SAFETY: an Inflater exists only with a stream initialised in `new`.
        unsafe {
            z::inflateEnd(&mut *self.strm);
        }
    }
}
