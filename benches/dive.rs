//! What dive's score costs beside regscope's own analysis, on the same layer indexes (no
//! I/O): a synthetic image of 5 layers, the first with `REGSCOPE_BENCH_FILES` files (default
//! 200,000) in 2,000 directories, each later one overwriting 5% of them, whiting out 1,000
//! files and 10 whole directories. Times `Analysis::replay` (regscope) and `dive::score`,
//! best of `REGSCOPE_BENCH_RUNS` (default 5). Run: `cargo bench --bench dive`.
//! Figures go to docs/performance.md.

use regscope::layers::index::{Compression, TarEntry, INDEX_FORMAT};
use regscope::layers::{dive, Analysis, EntryKind, LayerIndex};
use regscope::model::Digest;
use std::time::{Duration, Instant};

fn entry(path: String, kind: EntryKind, size: u64) -> TarEntry {
    TarEntry {
        path,
        kind,
        size,
        ..Default::default()
    }
}

fn layer(i: usize, entries: Vec<TarEntry>) -> LayerIndex {
    LayerIndex {
        format: INDEX_FORMAT,
        digest: Digest::sha256_of(format!("layer {i}").as_bytes()),
        media_type: "application/vnd.oci.image.layer.v1.tar+gzip".into(),
        compression: Compression::Gzip,
        compressed_size: 0,
        uncompressed_size: 0,
        entries,
        warnings: vec![],
    }
}

fn image(files: usize) -> Vec<LayerIndex> {
    let dirs = 2_000;
    let path = |f: usize| format!("usr/lib/d{:04}/file{f:07}.so", f % dirs);
    let mut base: Vec<TarEntry> = (0..dirs)
        .map(|d| entry(format!("usr/lib/d{d:04}"), EntryKind::Dir, 0))
        .collect();
    base.extend((0..files).map(|f| entry(path(f), EntryKind::File, 1_000 + (f as u64 % 9_000))));
    let mut layers = vec![layer(0, base)];
    for l in 1..5 {
        let mut e = vec![];
        for f in (l..files).step_by(20) {
            e.push(entry(path(f), EntryKind::File, 2_000));
        }
        for f in (l * 7..files).step_by(files / 1_000).take(1_000) {
            e.push(entry(path(f), EntryKind::Whiteout, 0));
        }
        for d in 0..10 {
            e.push(entry(
                format!("usr/lib/d{:04}", l * 100 + d),
                EntryKind::Whiteout,
                0,
            ));
        }
        layers.push(layer(l, e));
    }
    layers
}

fn best(runs: usize, mut f: impl FnMut()) -> Duration {
    (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .min()
        .unwrap()
}

fn main() {
    let files: usize = std::env::var("REGSCOPE_BENCH_FILES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200_000);
    let runs: usize = std::env::var("REGSCOPE_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5);
    let layers = image(files);
    let entries: usize = layers.iter().map(|l| l.entries.len()).sum();
    let a = Analysis::replay(&layers);
    let d = dive::score(&layers);
    println!(
        "image: {} layers, {entries} entries; regscope wasted {} eff {:.4}; dive wasted {} eff {:.4}, {} inefficient paths",
        layers.len(),
        a.wasted_bytes(),
        a.efficiency(),
        d.wasted_bytes,
        d.efficiency,
        d.inefficient.len()
    );
    let replay = best(runs, || {
        std::hint::black_box(Analysis::replay(&layers));
    });
    let score = best(runs, || {
        std::hint::black_box(dive::score(&layers));
    });
    println!("Analysis::replay {replay:.1?}  dive::score {score:.1?}  (best of {runs})");
}
