//! A zstd decoder that tells where each frame starts (blob offset and output offset), so a
//! layer written as several frames (zstd:chunked, seekable zstd, concatenations) can be
//! read later from the frame that holds a file: frames decode independently.

use super::checkpoint::Recorder;
use std::io::{self, BufRead, Read};
use zstd::stream::raw::{Decoder, InBuffer, Operation, OutBuffer};

pub struct ZstdFrames<R> {
    input: R,
    dec: Decoder<'static>,
    pos: u64,
    out: u64,
    /// The last frame was fully decoded and flushed: the next byte starts a frame.
    at_frame_start: bool,
    recorder: Recorder,
}

impl<R: BufRead> ZstdFrames<R> {
    pub fn new(input: R) -> io::Result<Self> {
        Ok(ZstdFrames {
            input,
            dec: Decoder::new()?,
            pos: 0,
            out: 0,
            at_frame_start: true,
            recorder: Recorder::new(),
        })
    }

    pub fn into_recorder(self) -> Recorder {
        self.recorder
    }
}

impl<R: BufRead> Read for ZstdFrames<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            let input = self.input.fill_buf()?;
            if input.is_empty() {
                return if self.at_frame_start {
                    Ok(0)
                } else {
                    Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "the zstd stream ends inside a frame",
                    ))
                };
            }
            if self.at_frame_start {
                self.recorder.frame(self.pos, self.out);
                self.at_frame_start = false;
            }
            let mut inb = InBuffer::around(input);
            let mut outb = OutBuffer::around(&mut *buf);
            let hint = self.dec.run(&mut inb, &mut outb)?;
            let (used, produced) = (inb.pos(), outb.pos());
            self.input.consume(used);
            self.pos += used as u64;
            self.out += produced as u64;
            // 0: the frame is complete and everything it holds has been handed out.
            if hint == 0 {
                self.at_frame_start = true;
            }
            if produced > 0 {
                return Ok(produced);
            }
        }
    }
}
