//! Real layer bytes for the demo: tar archives with fixed modes and times, gzip without a
//! timestamp, and file contents that compress like real ones (part noise, part text), all
//! from a seeded generator so the same inputs give the same bytes.

use crate::model::Digest;
use flate2::{write::GzEncoder, Compression};
use std::io::Write;

pub enum FileEntry {
    File {
        path: String,
        bytes: Vec<u8>,
        mode: u32,
    },
    /// An OCI whiteout: `dir/.wh.name` hides `dir/name` from lower layers.
    Whiteout { path: String },
}

impl FileEntry {
    pub fn file(path: &str, bytes: Vec<u8>) -> Self {
        FileEntry::File {
            path: path.into(),
            bytes,
            mode: 0o644,
        }
    }
    pub fn exec(path: &str, bytes: Vec<u8>) -> Self {
        FileEntry::File {
            path: path.into(),
            bytes,
            mode: 0o755,
        }
    }
    pub fn text(path: &str, s: impl Into<String>) -> Self {
        Self::file(path, s.into().into_bytes())
    }
}

/// A compressed layer with what the config needs about it.
pub struct BuiltLayer {
    pub gzip: Vec<u8>,
    pub diff_id: Digest,
    pub created_by: String,
}

/// Builds a gzip tar layer. Directories for every file's parents are emitted first, as
/// `docker build` does, so layer walkers see a proper tree.
pub fn layer(entries: Vec<FileEntry>, mtime: u64, created_by: &str) -> BuiltLayer {
    let mut b = tar::Builder::new(Vec::new());
    let mut dirs = std::collections::BTreeSet::new();
    for e in &entries {
        let p = match e {
            FileEntry::File { path, .. } | FileEntry::Whiteout { path } => path.as_str(),
        };
        let mut acc = String::new();
        let parts: Vec<&str> = p.split('/').collect();
        for part in &parts[..parts.len() - 1] {
            if !acc.is_empty() {
                acc.push('/');
            }
            acc.push_str(part);
            dirs.insert(acc.clone());
        }
    }
    for d in &dirs {
        let mut h = header(tar::EntryType::Directory, 0o755, 0, mtime);
        b.append_data(&mut h, format!("{d}/"), std::io::empty())
            .expect("tar dir");
    }
    for e in entries {
        match e {
            FileEntry::File { path, bytes, mode } => {
                let mut h = header(tar::EntryType::Regular, mode, bytes.len() as u64, mtime);
                b.append_data(&mut h, path, bytes.as_slice())
                    .expect("tar file");
            }
            FileEntry::Whiteout { path } => {
                let (dir, name) = path.rsplit_once('/').unwrap_or(("", path.as_str()));
                let wh = if dir.is_empty() {
                    format!(".wh.{name}")
                } else {
                    format!("{dir}/.wh.{name}")
                };
                let mut h = header(tar::EntryType::Regular, 0o644, 0, mtime);
                b.append_data(&mut h, wh, std::io::empty())
                    .expect("tar whiteout");
            }
        }
    }
    let tar = b.into_inner().expect("tar finish");
    let diff_id = Digest::sha256_of(&tar);
    // GzBuilder without mtime/filename: the gzip header is then fixed, so bytes repeat.
    let mut gz = GzEncoder::new(Vec::with_capacity(tar.len() / 2), Compression::new(6));
    gz.write_all(&tar).expect("gzip");
    BuiltLayer {
        gzip: gz.finish().expect("gzip finish"),
        diff_id,
        created_by: created_by.to_string(),
    }
}

fn header(kind: tar::EntryType, mode: u32, size: u64, mtime: u64) -> tar::Header {
    let mut h = tar::Header::new_gnu();
    h.set_entry_type(kind);
    h.set_mode(mode);
    h.set_size(size);
    h.set_mtime(mtime);
    h.set_uid(0);
    h.set_gid(0);
    h
}

const WORDS: &[&str] = &[
    "package",
    "version",
    "depends",
    "libc6",
    "section",
    "priority",
    "optional",
    "maintainer",
    "description",
    "architecture",
    "installed-size",
    "homepage",
    "https://",
    "debian.org",
    "static",
    "function",
    "return",
    "config",
    "server",
    "handler",
    "request",
    "response",
];

/// `kb` KiB that compress roughly 2:1, like binaries and package data do.
pub fn blob(rng: &mut fastrand::Rng, kb: usize) -> Vec<u8> {
    let n = kb * 1024;
    let mut out = Vec::with_capacity(n + 32);
    while out.len() < n {
        // One part in three incompressible: gzip lands near 2:1, like binaries do.
        if rng.u8(..3) == 0 {
            let run = rng.usize(16..96);
            out.extend((0..run).map(|_| rng.u8(..)));
        } else {
            let w = WORDS[rng.usize(..WORDS.len())];
            out.extend_from_slice(w.as_bytes());
            out.push(if rng.u8(..8) == 0 { b'\n' } else { b' ' });
        }
    }
    out.truncate(n);
    out
}

/// Text that compresses very well (package lists, indexes).
pub fn text(rng: &mut fastrand::Rng, kb: usize) -> Vec<u8> {
    let n = kb * 1024;
    let mut out = Vec::with_capacity(n + 32);
    while out.len() < n {
        let w = WORDS[rng.usize(..WORDS.len())];
        out.extend_from_slice(w.as_bytes());
        out.extend_from_slice(if rng.u8(..6) == 0 { b":\n" } else { b" " });
    }
    out.truncate(n);
    out
}
