//! dive's whole-image vector: `dive/image/docker/image_archive_analysis_test.go`,
//! Test_Analysis, over dive's test image (`.data/test-docker-image.tar`, built from
//! `.data/Dockerfile.test-image`: busybox plus 13 layers that copy, chmod, move and delete
//! one 6,405-byte file). `testdata/dive-test-image.tsv` lists that archive's layers, one
//! tar header a line (`typeflag<TAB>size<TAB>name[<TAB>link]`, `layer` starting the next
//! layer; the old `\0` typeflag of its whiteouts written as `0`), so the tars are rebuilt
//! here with zero-filled content and indexed by regscope's own walk.

use super::*;
use crate::layers::stream::{descriptor_for, index_reader};
use crate::layers::LayerLimits;

fn layers() -> Vec<LayerIndex> {
    let text = include_str!("testdata/dive-test-image.tsv");
    let mut tars: Vec<tar::Builder<Vec<u8>>> = vec![];
    for line in text.lines() {
        if line == "layer" {
            tars.push(tar::Builder::new(Vec::new()));
            continue;
        }
        let f: Vec<&str> = line.split('\t').collect();
        let size: u64 = f[1].parse().expect("size");
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(tar::EntryType::new(f[0].as_bytes()[0]));
        h.set_size(size);
        h.set_mode(0o644);
        if let Some(l) = f.get(3) {
            h.set_link_name(l).expect("link");
        }
        let body = vec![0u8; size as usize];
        let b = tars.last_mut().expect("a layer line first");
        b.append_data(&mut h, f[2], body.as_slice()).expect("entry");
    }
    tars.into_iter()
        .map(|b| {
            let tar = b.into_inner().expect("tar");
            let desc = descriptor_for(&tar, "application/vnd.oci.image.layer.v1.tar");
            index_reader(tar.as_slice(), &desc, &LayerLimits::default()).expect("walk")
        })
        .collect()
}

/// Test_Analysis "docker-image" (and export_test.go's snapshot): efficiency 0.9844212134184309, sizeBytes 1220598,
/// userSizeBytes 66237, wastedBytes 32025, wastedPercent 0.4834911001404049 (dive compares
/// the floats exactly).
#[test]
fn dive_test_image_figures() {
    let l = layers();
    assert_eq!(l.len(), 14);
    let d = score(&l);
    assert_eq!(d.size_bytes, 1_220_598);
    assert_eq!(d.user_size_bytes, 66_237);
    assert_eq!(d.wasted_bytes, 32_025);
    assert_eq!(d.wasted_user_percent, Some(0.4834911001404049));
    assert_eq!(d.efficiency, 0.9844212134184309);
    // cmd/dive/cli/internal/command/export/testdata/snapshots/export_test.snap,
    // "fileReference": count 2 each; dive's order for the two 12,810-byte paths is its
    // unstable sort's, ours is by path (decisions.md "dive's figures").
    let refs: Vec<(&str, usize, u64)> = d
        .inefficient
        .iter()
        .map(|i| (i.path.as_str(), i.layers.len(), i.cumulative_size))
        .collect();
    assert_eq!(
        refs,
        [
            ("/root/example/somefile1.txt", 2, 12810),
            ("/root/saved.txt", 2, 12810),
            ("/root/example/somefile3.txt", 2, 6405),
        ]
    );
    assert_eq!(d.inefficient[2].layers, [6, 7], "copied, then its whiteout");
}

/// regscope's own figures on the same image, derived by hand from the Dockerfile: five
/// hidden versions of the 6,405-byte file (somefile1 before its chmod, somefile1 and
/// somefile2 under `rm -rf`, somefile3 moved away, saved.txt before its chmod); the
/// busybox hard links name the one binary and hide nothing.
#[test]
fn regscope_figures_on_the_dive_test_image() {
    let r = crate::layers::merge::Analysis::replay(&layers());
    assert_eq!(r.total_bytes(), 1_220_598);
    assert_eq!(r.wasted_bytes(), 5 * 6405);
    let counts = |i: usize| {
        let s = &r.stats[i];
        (s.files_added, s.files_modified, s.files_removed)
    };
    assert_eq!(counts(4), (0, 1, 0), "chmod 444 somefile1.txt");
    assert_eq!(counts(7), (1, 0, 1), "mv somefile3.txt saved.txt");
    assert_eq!(counts(9), (0, 0, 2), "rm -rf /root/example/");
    assert_eq!(counts(13), (0, 1, 0), "chmod +x saved.txt");
    assert!(!r.fs.contains_key("root/example"));
}

/// TestFileTreeSelectLayer (cmd/dive/cli/internal/ui/v1/viewmodel, testdata
/// TestFileTreeSelectLayer.txt): the image as of its second layer shows /bin at 1.2 MB
/// (busybox, its hard links weighing nothing), /etc at 1.0 kB (307 + 127 + 340 + 243 B),
/// /somefile.txt at 6.4 kB and the empty directories at 0 B (dive prints SI units).
#[test]
fn directory_sizes_as_of_the_second_layer() {
    let l = layers();
    let r = crate::layers::merge::Analysis::replay(&l[..2]);
    let t = crate::layers::tree::FsTree::of_filesystem(&r);
    let size = |p: &str| t.find(p).map(|n| n.size);
    assert_eq!(size("bin"), Some(1_075_464 + 77_880));
    assert_eq!(size("etc"), Some(1017));
    assert_eq!(size("etc/network"), Some(0));
    assert_eq!(size("somefile.txt"), Some(6405));
    assert_eq!(size("var"), Some(0));
    assert_eq!(t.root().size, 1_075_464 + 77_880 + 1017 + 6405);
}
