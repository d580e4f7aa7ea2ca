//! Images built from real files of this machine, archived by GNU tar itself (its own hard
//! links, modes and owners), with whiteouts, an opaque directory and a hard link across
//! layers, in gzip, zstd and plain layers: the fixtures `cat` and `diff` are checked on.

use super::model::{tar_tv, Listed};
use crate::support::fixtures::{gzip, zstd, ImageFixture, Layer, OCI_LAYER_TAR};
use crate::support::seed::sha256;
use std::path::Path;
use std::process::Command;

/// Real files every Debian machine has (the test fails loudly if one is missing).
pub const OS_RELEASE: &str = "/usr/lib/os-release";
pub const TAR_BINARY: &str = "/usr/bin/tar";
pub const GPL3: &str = "/usr/share/common-licenses/GPL-3";
pub const GZIP_BINARY: &str = "/usr/bin/gzip";

pub fn real(path: &str) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{path}: {e} (a Debian base file)"))
}

/// `dir` archived by GNU tar, names sorted, owners numeric, mtimes fixed.
pub fn gnu_tar(dir: &Path) -> Vec<u8> {
    let out = Command::new("tar")
        .args([
            "--sort=name",
            "--numeric-owner",
            "--mtime=2026-01-01 00:00:00",
            "--format=gnu",
            "-C",
        ])
        .arg(dir)
        .args(["-cf", "-", "."])
        .output()
        .expect("run GNU tar");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Writes `bytes` at `rel` under `dir`, creating parents.
pub fn put(dir: &Path, rel: &str, bytes: &[u8]) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, bytes).unwrap();
}

fn symlink(dir: &Path, rel: &str, target: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::os::unix::fs::symlink(target, p).unwrap();
}

/// Appends a hard link entry `path -> target` to a GNU tar archive (GNU tar only writes a
/// hard link when both names are in the same archive; a layer may link to a lower one).
pub fn with_hard_links(tar_bytes: &[u8], links: &[(&str, &str)]) -> Vec<u8> {
    let end = tar_end(tar_bytes);
    let mut b = tar::Builder::new(tar_bytes[..end].to_vec());
    for (path, target) in links {
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(tar::EntryType::Link);
        h.set_mode(0o755);
        h.set_mtime(1_767_225_600);
        h.set_size(0);
        b.append_link(&mut h, path, target).unwrap();
    }
    b.into_inner().unwrap()
}

/// Where the end-of-archive zero blocks start.
fn tar_end(bytes: &[u8]) -> usize {
    let mut a = tar::Archive::new(bytes);
    let mut end = 0;
    for e in a.entries().unwrap() {
        let e = e.unwrap();
        let data = e.raw_file_position() as usize;
        end = data + (e.size() as usize).div_ceil(512) * 512;
    }
    end
}

/// One layer's uncompressed tar and how it is pushed.
pub struct Built {
    pub tar: Vec<u8>,
    pub layer: Layer,
}

fn layer(tar: Vec<u8>, how: &str, created_by: &str) -> Built {
    let layer = match how {
        "gzip" => Layer::gzip(tar.clone(), created_by),
        "zstd" => Layer::zstd(tar.clone(), created_by),
        _ => Layer::plain(tar.clone(), created_by),
    };
    Built { tar, layer }
}

/// The base image A, three layers:
/// 0 (gzip): real `usr/lib/os-release`, `usr/bin/tar`, GPL-3 and `etc/os-release ->
///   ../usr/lib/os-release`, plus `opt/app/{old,keep}` and GNU tar's own hard link
///   `usr/bin/tar-hard` to `usr/bin/tar`;
/// 1 (zstd): whiteout of GPL-3, `usr/bin/gz-link` hard-linked to layer 0's `usr/bin/tar`
///   and `usr/bin/old-link` to layer 0's `opt/app/old`, a new `opt/cache/blob`;
/// 2 (plain): opaque `opt/app` with a new `opt/app/new`, and a whiteout of `usr/bin/tar`.
///   The bytes of `usr/bin/tar` and `opt/app/old` live on through the links: not wasted.
pub fn image_a(work: &Path) -> Vec<Built> {
    let l0 = work.join("a0");
    put(&l0, "usr/lib/os-release", &real(OS_RELEASE));
    put(&l0, "usr/bin/tar", &real(TAR_BINARY));
    std::fs::hard_link(l0.join("usr/bin/tar"), l0.join("usr/bin/tar-hard")).unwrap();
    put(&l0, "usr/share/common-licenses/GPL-3", &real(GPL3));
    symlink(&l0, "etc/os-release", "../usr/lib/os-release");
    put(&l0, "opt/app/old", &vec![b'o'; 3000]);
    put(&l0, "opt/app/keep", b"keep me\n");
    let l1 = work.join("a1");
    put(&l1, "usr/share/common-licenses/.wh.GPL-3", b"");
    put(&l1, "opt/cache/blob", &vec![b'c'; 1000]);
    let t1 = with_hard_links(
        &gnu_tar(&l1),
        &[
            ("usr/bin/gz-link", "usr/bin/tar"),
            ("usr/bin/old-link", "opt/app/old"),
        ],
    );
    let l2 = work.join("a2");
    put(&l2, "opt/app/.wh..wh..opq", b"");
    put(&l2, "opt/app/new", b"new\n");
    put(&l2, "usr/bin/.wh.tar", b"");
    vec![
        layer(gnu_tar(&l0), "gzip", "ADD rootfs /"),
        layer(t1, "zstd", "RUN rm GPL-3 && ln"),
        layer(gnu_tar(&l2), "plain", "COPY app /opt/app"),
    ]
}

/// Image B: A's first two layers shared, its third replaced by one that grows
/// `usr/lib/gzip` (the real gzip binary), changes `usr/lib/os-release` (13 bytes longer),
/// writes `opt/app/keep` (which A's opaque directory hides), and removes `opt/cache`.
pub fn image_b(work: &Path, a: &[Built]) -> Vec<Built> {
    let l2 = work.join("b2");
    put(&l2, "usr/lib/gzip", &real(GZIP_BINARY));
    put(&l2, "opt/app/keep", b"keep me, changed\n");
    let mut release = real(OS_RELEASE);
    release.extend_from_slice(b"VARIANT_ID=b\n");
    put(&l2, "usr/lib/os-release", &release);
    put(&l2, "opt/.wh.cache", b"");
    vec![
        Built {
            tar: a[0].tar.clone(),
            layer: a[0].layer.clone(),
        },
        Built {
            tar: a[1].tar.clone(),
            layer: a[1].layer.clone(),
        },
        layer(gnu_tar(&l2), "gzip", "COPY gzip /usr/lib/"),
    ]
}

pub fn fixture(layers: &[Built]) -> ImageFixture {
    ImageFixture::new(
        "amd64",
        "2026-01-01T00:00:00Z",
        layers.iter().map(|b| b.layer.clone()).collect(),
    )
}

/// The GNU tar listings of the layers, for the independent model.
pub fn listings(layers: &[Built]) -> Vec<Vec<Listed>> {
    layers.iter().map(|b| tar_tv(&b.tar)).collect()
}

/// Keeps the unused helpers honest: every compression builder is exercised somewhere.
#[test]
fn fixtures_are_what_they_say() {
    let work = tempfile::tempdir().unwrap();
    let a = image_a(work.path());
    assert_eq!(a[0].layer.bytes[..2], [0x1f, 0x8b]);
    assert_eq!(a[1].layer.bytes[..4], [0x28, 0xb5, 0x2f, 0xfd]);
    assert_eq!(a[2].layer.media_type, OCI_LAYER_TAR);
    assert_eq!(a[0].layer.bytes, gzip(&a[0].tar));
    assert_eq!(a[1].layer.bytes, zstd(&a[1].tar));
    assert_eq!(a[2].layer.diff_id, sha256(&a[2].tar));
    let l = tar_tv(&a[0].tar);
    assert!(
        l.iter()
            .any(|e| e.kind == 'h' && e.path == "usr/bin/tar-hard"),
        "GNU tar wrote its own hard link: {l:?}"
    );
}
