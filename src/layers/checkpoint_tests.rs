//! Checkpoints against real compressors: every recorded point must decode to exactly the
//! bytes the whole stream has at its output offset.

use super::*;
use crate::layers::inflate::{Inflater, Start};
use crate::layers::zframes::ZstdFrames;
use std::io::{BufReader, Read, Write};

/// Text-like bytes (compress ~3x) mixed with runs of noise (barely compress): both kinds of
/// deflate blocks, and windows that cost differently.
fn sample(len: usize, seed: u64) -> Vec<u8> {
    let mut rng = fastrand::Rng::with_seed(seed);
    let words = [
        "layer ",
        "registry ",
        "tar ",
        "gzip ",
        "window ",
        "\n",
        "checkpoint ",
    ];
    let mut v = Vec::with_capacity(len);
    while v.len() < len {
        if rng.u16(..) < 64 {
            for _ in 0..rng.usize(100..4000) {
                v.push(rng.u8(..));
            }
        } else {
            v.extend_from_slice(words[rng.usize(..words.len())].as_bytes());
        }
    }
    v.truncate(len);
    v
}

fn gzip(data: &[u8], level: u32) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(level));
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn walk_gzip(blob: &[u8]) -> (Vec<u8>, Checkpoints) {
    let mut d = Inflater::new(blob, Start::Gzip, 0, 0, Some(Recorder::new())).unwrap();
    let mut out = Vec::new();
    d.read_to_end(&mut out).unwrap();
    let digest = crate::model::Digest::sha256_of(blob);
    let ck = d
        .take_recorder()
        .unwrap()
        .finish(Kind::Gzip, &digest, blob.len() as u64)
        .expect("a multi-megabyte stream has checkpoints");
    (out, ck)
}

/// Decodes `len` bytes from checkpoint `p` of `blob`, reading only `blob[first_byte..end]`.
fn from_point(blob: &[u8], ck: &Checkpoints, p: &Point, end: usize, len: usize) -> Vec<u8> {
    let window = ck.window(p).unwrap();
    let mut part = &blob[p.first_byte() as usize..end];
    let mut byte = 0;
    if p.bits > 0 {
        byte = part[0];
        part = &part[1..];
    }
    let start = Start::Boundary {
        bits: p.bits,
        byte,
        window: &window,
    };
    let d = Inflater::new(BufReader::new(part), start, p.input, p.output, None).unwrap();
    let mut out = Vec::new();
    d.take(len as u64).read_to_end(&mut out).unwrap();
    out
}

#[test]
fn every_gzip_checkpoint_decodes_to_the_same_bytes() {
    // Not level 1: zlib-rs's quick strategy writes one block for the whole stream (no
    // boundary inside it, so nothing to record; a read then streams from the start).
    for (level, seed) in [(6, 1), (9, 3)] {
        let data = sample(12 << 20, seed);
        let blob = gzip(&data, level);
        let (out, ck) = walk_gzip(&blob);
        assert!(out == data, "the walk itself decodes the stream");
        assert!(ck.points.len() >= 3, "{} points", ck.points.len());
        let stored = ck.encode().len() as f64 / blob.len() as f64;
        assert!(
            stored <= 0.02,
            "checkpoints are {:.2}% of the blob",
            stored * 100.0
        );
        for (i, p) in ck.points.iter().enumerate() {
            assert!(p.output - ck.points.get(i.wrapping_sub(1)).map_or(0, |q| q.output) >= SPAN);
            // Read up to the next checkpoint only: the span a ranged read asks for.
            let next = ck.points.get(i + 1);
            let end = next.map_or(blob.len(), |q| q.input as usize);
            let len = next.map_or(data.len(), |q| q.output as usize) - p.output as usize;
            let got = from_point(&blob, &ck, p, end, len);
            assert!(
                got == data[p.output as usize..p.output as usize + len],
                "level {level}, point {i} (bits {}) decodes other bytes",
                p.bits
            );
        }
    }
}

#[test]
fn checkpoints_carry_on_across_gzip_members() {
    let (a, b) = (sample(3 << 20, 7), sample(3 << 20, 8));
    let mut blob = gzip(&a, 6);
    blob.extend(gzip(&b, 6));
    let (out, ck) = walk_gzip(&blob);
    assert!(out == [a.as_slice(), b.as_slice()].concat());
    // From the last checkpoint of the first member through the member boundary.
    let p = ck
        .points
        .iter()
        .rfind(|p| p.output < a.len() as u64)
        .unwrap();
    let len = a.len() + 100_000 - p.output as usize;
    let got = from_point(&blob, &ck, p, blob.len(), len);
    assert!(got == out[p.output as usize..p.output as usize + len]);
}

#[test]
fn checkpoint_files_round_trip_and_reject_damage() {
    let blob = gzip(&sample(4 << 20, 9), 6);
    let (_, ck) = walk_gzip(&blob);
    let bytes = ck.encode();
    assert_eq!(Checkpoints::decode(&bytes).unwrap(), ck);
    assert!(Checkpoints::decode(&bytes[..bytes.len() - 1]).is_err());
    let mut bad = bytes.clone();
    bad[4] = 9; // another format version
    assert!(Checkpoints::decode(&bad).is_err());
}

#[test]
fn span_starts_at_the_last_point_before_and_stops_at_the_first_after() {
    let p = |input, output| Point {
        input,
        bits: 0,
        output,
        window: Vec::new(),
    };
    let ck = Checkpoints {
        kind: Kind::Zstd,
        digest: crate::model::Digest::sha256_of(b"x"),
        compressed_size: 1000,
        points: vec![p(100, 1000), p(200, 2000), p(300, 3000)],
        stops: Vec::new(),
    };
    assert_eq!(ck.span(10, 500), (None, Some(100)));
    assert_eq!(ck.span(1000, 1500), (Some(&ck.points[0]), Some(200)));
    assert_eq!(ck.span(1500, 2000), (Some(&ck.points[0]), Some(200)));
    assert_eq!(ck.span(1500, 2001), (Some(&ck.points[0]), Some(300)));
    // After the last checkpoint: to the blob's end, said (bytes=S-E), not left open.
    assert_eq!(ck.span(3500, 4000), (Some(&ck.points[2]), Some(1000)));
    // Stops end a read sooner than the next checkpoint; none after `to`: as before.
    let s = |input, output| Stop { input, output };
    let ck = Checkpoints {
        stops: vec![
            s(50, 600),
            s(150, 1600),
            s(250, 2500),
            s(320, 3200),
            s(400, 3900),
        ],
        ..ck
    };
    assert_eq!(ck.span(10, 500), (None, Some(50)));
    assert_eq!(ck.span(10, 700), (None, Some(100)));
    assert_eq!(ck.span(1000, 1500), (Some(&ck.points[0]), Some(150)));
    assert_eq!(ck.span(1000, 1600), (Some(&ck.points[0]), Some(150)));
    assert_eq!(ck.span(2000, 2400), (Some(&ck.points[1]), Some(250)));
    assert_eq!(ck.span(3000, 3300), (Some(&ck.points[2]), Some(400)));
    assert_eq!(ck.span(3000, 3950), (Some(&ck.points[2]), Some(1000)));
    let only_stops = Checkpoints {
        points: Vec::new(),
        ..ck.clone()
    };
    assert_eq!(only_stops.span(0, 2000), (None, Some(250)));
    assert_eq!(
        only_stops.span(0, 3950),
        (None, None),
        "from byte 0: streamed"
    );
}

/// A read from a checkpoint that asks only for the blob bytes before the first stop after
/// the wanted bytes gets all of them: the decoder needs nothing past a block boundary.
#[test]
fn a_read_cut_at_a_stop_decodes_every_byte_before_it() {
    for (level, seed) in [(6, 11), (9, 12)] {
        let data = sample(6 << 20, seed);
        let blob = gzip(&data, level);
        let (_, ck) = walk_gzip(&blob);
        assert!(
            ck.stops.len() as u64 >= (data.len() as u64 / STOP_SPAN) / 4,
            "level {level}: {} stops for {} bytes",
            ck.stops.len(),
            data.len()
        );
        for w in ck.stops.windows(2) {
            assert!(w[1].output - w[0].output >= STOP_SPAN);
        }
        for (i, stop) in ck.stops.iter().enumerate().step_by(5) {
            // From the last checkpoint before the stop (or the blob's start).
            let got = match ck.points.iter().rfind(|p| p.output < stop.output) {
                Some(p) => {
                    let len = (stop.output - p.output) as usize;
                    let got = from_point(&blob, &ck, p, stop.input as usize, len);
                    assert!(
                        got == data[p.output as usize..stop.output as usize],
                        "level {level}, stop {i} from a checkpoint"
                    );
                    got.len()
                }
                None => {
                    let part = &blob[..stop.input as usize];
                    let d = Inflater::new(BufReader::new(part), Start::Gzip, 0, 0, None).unwrap();
                    let mut out = Vec::new();
                    d.take(stop.output).read_to_end(&mut out).unwrap();
                    assert!(
                        out == data[..stop.output as usize],
                        "level {level}, stop {i}"
                    );
                    out.len()
                }
            };
            assert!(got > 0);
        }
    }
}

#[test]
fn zstd_frames_are_checkpoints_and_decode_on_their_own() {
    let parts: Vec<Vec<u8>> = (0..5).map(|i| sample(300_000, 20 + i)).collect();
    let blob: Vec<u8> = parts
        .iter()
        .flat_map(|p| zstd::bulk::compress(p, 3).unwrap())
        .collect();
    let mut d = ZstdFrames::new(blob.as_slice()).unwrap();
    let mut out = Vec::new();
    d.read_to_end(&mut out).unwrap();
    assert!(out == parts.concat());
    let digest = crate::model::Digest::sha256_of(&blob);
    let ck = d
        .into_recorder()
        .finish(Kind::Zstd, &digest, blob.len() as u64)
        .unwrap();
    assert_eq!(ck.points.len(), 4, "one per frame after the first");
    for p in &ck.points {
        let mut dec = zstd::stream::read::Decoder::new(&blob[p.input as usize..]).unwrap();
        let mut got = Vec::new();
        dec.read_to_end(&mut got).unwrap();
        assert!(got == out[p.output as usize..]);
    }
    // One frame: nothing worth recording.
    let one = zstd::bulk::compress(&parts[0], 3).unwrap();
    let mut d = ZstdFrames::new(one.as_slice()).unwrap();
    std::io::copy(&mut d, &mut std::io::sink()).unwrap();
    assert!(d.into_recorder().finish(Kind::Zstd, &digest, 1).is_none());
}
