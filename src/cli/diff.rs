//! `regscope diff REF_A REF_B`: two images compared straight from the registry — sizes and
//! the delta, layers shared and not, files added/removed/changed rolled up by directory
//! (biggest growth first), config and platform changes, packages by the images' SBOM
//! referrers. `--json` writes `regscope.diff/v1`.
//! B is read after A through the same layer cache, so layers they share are read once.

use crate::layers::compare::{report, sbom_of, DiffReport, ReadSide};
use crate::layers::LayerCache;
use crate::text;
use anyhow::Context;
use std::io::Write;

#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// The older image: [HOST/]REPO[:TAG|@DIGEST], or oci:DIR[:TAG|@DIGEST]. DIGEST may be
    /// short (at least 8 hex) when it names one digest of the repository.
    pub reference_a: String,
    /// The newer image.
    pub reference_b: String,
    /// Platform to compare when a reference names a multi-platform index.
    #[arg(long, value_name = "OS/ARCH[/VARIANT]")]
    pub platform: Option<String>,
    /// Write the stable `regscope.diff/v1` JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Rows per table (files, directories).
    #[arg(long, default_value_t = 20)]
    pub top: usize,
}

pub fn run(args: DiffArgs) -> anyhow::Result<i32> {
    let rt = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    rt.block_on(execute(&args))
}

async fn execute(args: &DiffArgs) -> anyhow::Result<i32> {
    let platform = super::image_files::platform(args.platform.as_deref())?;
    // Without a cache dir (no home), a private one for this run still reads shared layers once.
    let scratch = std::env::temp_dir().join(format!("regscope-diff-{}", std::process::id()));
    let (cache, temporary) = match LayerCache::default_location() {
        Some(c) => (c, false),
        None => (LayerCache::new(&scratch), true),
    };
    let read = |r: &str| {
        super::image_files::read("diff", r.to_string(), platform.clone(), Some(cache.clone()))
    };
    let a = read(&args.reference_a).await;
    let b = match &a {
        Ok(Some(_)) => read(&args.reference_b).await,
        _ => Ok(None),
    };
    if temporary {
        let _ = std::fs::remove_dir_all(&scratch);
    }
    let (Some(a), Some(b)) = (a?, b?) else {
        return Ok(1);
    };
    let config = |img: &super::image_files::ReadImage| {
        let m = &img.layers.image.manifest;
        let (src, repo, digest) = (
            img.source.clone(),
            img.reference.repository.clone(),
            m.config.digest.clone(),
        );
        async move { src.blob(&repo, &digest, 16 << 20).await }
    };
    let (ca, cb) = match (config(&a).await, config(&b).await) {
        (Ok(x), Ok(y)) => (x, y),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("regscope diff: reading a config: {e}");
            return Ok(1);
        }
    };
    let (sa, sb) = (
        sbom_of(a.source.as_ref(), &a.layers.image).await,
        sbom_of(b.source.as_ref(), &b.layers.image).await,
    );
    let side = |img: super::image_files::ReadImage, reference: &str, config, sbom| ReadSide {
        reference: reference.to_string(),
        layers: img.layers,
        analysis: img.analysis,
        config,
        sbom,
    };
    let report = report(
        &side(a, &args.reference_a, ca, sa),
        &side(b, &args.reference_b, cb, sb),
    );
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &report)?;
        writeln!(out)?;
    } else {
        print(&mut out, &report, args.top)?;
    }
    Ok(0)
}

fn size(b: u64) -> String {
    crate::text::size(b)
}

fn signed(d: i64) -> String {
    let s = size(d.unsigned_abs());
    if d < 0 {
        format!("-{s}")
    } else {
        format!("+{s}")
    }
}

fn print(out: &mut impl Write, r: &DiffReport, top: usize) -> std::io::Result<()> {
    for (name, s) in [("A", &r.a), ("B", &r.b)] {
        writeln!(
            out,
            "{name}  {}  {}  {}  {} (unique {}), files {}",
            s.reference,
            s.digest,
            s.platform.as_deref().unwrap_or("platform unknown"),
            size(s.size_bytes),
            size(s.unique_bytes),
            size(s.files_bytes)
        )?;
    }
    writeln!(
        out,
        "delta {} compressed, {} of files",
        signed(r.delta_bytes),
        signed(r.b.files_bytes as i64 - r.a.files_bytes as i64)
    )?;
    writeln!(
        out,
        "layers: {} shared, {} only in A, {} only in B",
        r.layers.shared.len(),
        r.layers.only_a.len(),
        r.layers.only_b.len()
    )?;
    if !r.platforms.added.is_empty() || !r.platforms.removed.is_empty() {
        writeln!(
            out,
            "platforms: added {:?}, removed {:?}",
            r.platforms.added, r.platforms.removed
        )?;
    }
    let f = &r.files;
    writeln!(
        out,
        "\nfiles: {} added, {} removed, {} changed",
        f.added.len(),
        f.removed.len(),
        f.changed.len()
    )?;
    if !f.directories.is_empty() {
        writeln!(out, "\nby directory (biggest growth first):")?;
        for d in f.directories.iter().take(top) {
            writeln!(
                out,
                "  {:>11}  +{} -{} ~{}  /{}",
                signed(d.delta),
                d.added,
                d.removed,
                d.changed,
                d.path
            )?;
        }
    }
    let mut rows: Vec<(i64, String)> = Vec::new();
    rows.extend(
        f.added
            .iter()
            .map(|e| (e.size as i64, format!("+ /{}", e.path))),
    );
    rows.extend(
        f.removed
            .iter()
            .map(|e| (-(e.size as i64), format!("- /{}", e.path))),
    );
    rows.extend(f.changed.iter().map(|c| {
        (
            c.size_b as i64 - c.size_a as i64,
            format!("~ /{} ({})", c.path, c.what.join(", ")),
        )
    }));
    rows.sort_by(|x, y| y.0.abs().cmp(&x.0.abs()).then_with(|| x.1.cmp(&y.1)));
    if !rows.is_empty() {
        writeln!(out, "\nbiggest file changes:")?;
        for (d, line) in rows.iter().take(top) {
            writeln!(out, "  {:>11}  {line}", signed(*d))?;
        }
    }
    let c = &r.config;
    writeln!(out, "\nconfig:")?;
    for (what, d) in [("env", &c.env), ("label", &c.labels)] {
        for a in &d.added {
            writeln!(out, "  + {what} {a}")?;
        }
        for a in &d.removed {
            writeln!(out, "  - {what} {a}")?;
        }
        for n in &d.changed {
            writeln!(out, "  ~ {what} {}: {} -> {}", n.name, n.a, n.b)?;
        }
    }
    for (what, p) in [
        ("entrypoint", &c.entrypoint),
        ("cmd", &c.cmd),
        ("user", &c.user),
        ("workdir", &c.workdir),
    ] {
        if p.a != p.b {
            writeln!(out, "  ~ {what}: {} -> {}", p.a, p.b)?;
        }
    }
    for p in &c.exposed_ports.added {
        writeln!(out, "  + port {p}")?;
    }
    for p in &c.exposed_ports.removed {
        writeln!(out, "  - port {p}")?;
    }
    for h in &c.history.added {
        writeln!(out, "  + history {h}")?;
    }
    for h in &c.history.removed {
        writeln!(out, "  - history {h}")?;
    }
    packages(out, &r.packages, top)
}

/// The SBOM comparison: what each side's SBOM is, then packages added, removed, changed
/// (each list cut at `top` with a count of the rest), or why there is no comparison.
fn packages(
    out: &mut impl Write,
    p: &crate::sbom::diff::PackagesDiff,
    top: usize,
) -> std::io::Result<()> {
    writeln!(out, "\npackages:")?;
    for (name, s) in [("A", &p.a), ("B", &p.b)] {
        if let (Some(d), Some(f), Some(n)) = (&s.sbom, &s.format, s.packages) {
            writeln!(
                out,
                "  SBOM of {name}: {f} {d}, {}",
                text::count(n as u64, "package")
            )?;
        }
        for e in &s.problems {
            writeln!(out, "  ! {name}: {e}")?;
        }
    }
    if let Some(note) = &p.note {
        return writeln!(out, "  {note}: packages not compared");
    }
    let v = |v: &Option<String>| v.clone().unwrap_or_else(|| "(version unknown)".into());
    let mut lines: Vec<Vec<String>> = vec![Vec::new(), Vec::new(), Vec::new()];
    for e in p.added.iter().flatten() {
        lines[0].push(format!("+ {} {}", e.name, v(&e.version)));
    }
    for e in p.removed.iter().flatten() {
        lines[1].push(format!("- {} {}", e.name, v(&e.version)));
    }
    for c in p.changed.iter().flatten() {
        lines[2].push(format!(
            "~ {} {} -> {}",
            c.name,
            v(&c.version_a),
            v(&c.version_b)
        ));
    }
    writeln!(
        out,
        "  {} added, {} removed, {} changed",
        lines[0].len(),
        lines[1].len(),
        lines[2].len()
    )?;
    for list in &lines {
        for l in list.iter().take(top) {
            writeln!(out, "  {l}")?;
        }
        if list.len() > top {
            writeln!(out, "  … {} more", list.len() - top)?;
        }
    }
    Ok(())
}
