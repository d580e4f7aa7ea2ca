//! `regscope layers REF`: what each layer of an image adds, modifies and removes, the
//! wasted bytes and the efficiency score, straight from the registry (or an OCI layout).
//! `--json` writes the stable report of `layers::report`; the default is a table.

use crate::layers::{
    analyze_image, hints::hints, resolve, Analysis, AnalyzeOptions, ImageLayers, LayerCache,
    LayerLimits, LayerProgress, LayersReport,
};
use crate::model::Platform;
use anyhow::Context;
use std::io::{IsTerminal, Write};

#[derive(Debug, clap::Args)]
pub struct LayersArgs {
    /// Image reference: [HOST/]REPO[:TAG|@DIGEST], or oci:DIR[:TAG|@DIGEST]. DIGEST may be
    /// short (at least 8 hex) when it names one digest of the repository.
    pub reference: String,
    /// Platform to read from a multi-platform index (default: this machine's).
    #[arg(long, value_name = "OS/ARCH[/VARIANT]")]
    pub platform: Option<String>,
    /// Write the stable JSON report instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Also list every changed path with its layer, size and state.
    #[arg(long)]
    pub files: bool,
    /// Stop reading a layer past this many decompressed bytes.
    #[arg(long, value_name = "BYTES", default_value_t = LayerLimits::default().max_uncompressed_bytes)]
    pub max_layer_bytes: u64,
    /// Stop reading a layer past this many tar entries.
    #[arg(long, value_name = "N", default_value_t = LayerLimits::default().max_entries)]
    pub max_layer_entries: u64,
    /// Read every layer from the registry even if its index is cached.
    #[arg(long)]
    pub no_cache: bool,
    /// Rows in the wasted and biggest-files tables.
    #[arg(long, default_value_t = 15)]
    pub top: usize,
    /// Gate as `dive --ci` does: evaluate dive's rules on dive's figures, print PASS/FAIL/SKIP
    /// per rule, exit 1 when one fails.
    #[arg(long)]
    pub ci: bool,
    /// dive's rules file for --ci (default: .dive-ci in the current directory when there is
    /// one, else dive's defaults).
    #[arg(long, value_name = "FILE", requires = "ci")]
    pub ci_config: Option<std::path::PathBuf>,
}

/// Runs the command; `Ok` carries the exit code (1: the image or a layer could not be read).
pub fn run(args: LayersArgs) -> anyhow::Result<i32> {
    let rt = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    rt.block_on(execute(&args))
}

async fn execute(args: &LayersArgs) -> anyhow::Result<i32> {
    let platform = args
        .platform
        .as_deref()
        .map(Platform::parse)
        .transpose()
        .map_err(|e| super::output::usage(format!("--platform: {e}")))?;
    let gate = match args.ci {
        true => Some(super::layers_ci::load(args.ci_config.as_deref())?),
        false => None,
    };
    let (reference, _session, source) = match super::source::open_for_reading(&args.reference).await
    {
        Ok(o) => o,
        Err(super::source::OpenError::Usage(e)) => return Err(super::output::usage(e)),
        Err(e) => return Err(anyhow::anyhow!("cannot open {}: {e}", args.reference)),
    };
    let image = match resolve(
        source.as_ref(),
        &reference.repository,
        &reference.reference(),
        platform.as_ref(),
    )
    .await
    {
        Ok(i) => i,
        Err(e) => {
            eprintln!("regscope layers: {e}");
            if let crate::layers::LayerError::Registry(r) = &e {
                eprintln!("  next step: {}", r.next_step());
            }
            return Ok(1);
        }
    };
    let opts = AnalyzeOptions {
        limits: LayerLimits {
            max_uncompressed_bytes: args.max_layer_bytes,
            max_entries: args.max_layer_entries,
        },
        cache: if args.no_cache {
            None
        } else {
            LayerCache::default_location()
        },
        concurrency: 3,
    };
    let show_progress = std::io::stderr().is_terminal();
    let progress = move |p: LayerProgress| {
        if !show_progress {
            return;
        }
        let line = match p {
            LayerProgress::Started { layer, total } => {
                format!("reading layer {}/{total}", layer + 1)
            }
            LayerProgress::Done {
                layer,
                total,
                cached,
            } => {
                format!(
                    "layer {}/{total} {}",
                    layer + 1,
                    if cached { "cached" } else { "read" }
                )
            }
            LayerProgress::Failed { layer, total, .. } => {
                format!("layer {}/{total} failed", layer + 1)
            }
        };
        eprint!("\r\x1b[2K{line}");
    };
    let layers = analyze_image(source.as_ref(), image, &opts, &progress).await;
    if show_progress {
        eprint!("\r\x1b[2K");
    }
    let analysis = match layers.analysis() {
        Ok(a) => a,
        Err(failed) => {
            let total = layers.layers.len();
            let failures = failed.len();
            for (i, e) in failed {
                // The error names the layer by digest; say which of the image's it is once.
                let msg = e.to_string();
                let what = msg.strip_prefix("layer ").unwrap_or(&msg);
                eprintln!("regscope layers: layer {} of {total}, {what}", i + 1);
            }
            let read = total - failures;
            if read > 0 {
                eprintln!(
                    "  {} read; the analysis needs every layer",
                    match read {
                        1 => "the other layer was".to_string(),
                        // plural: never one (one is the arm above)
                        n => format!("the other {n} layers were"),
                    }
                );
            }
            return Ok(1);
        }
    };
    let report = LayersReport::new(&args.reference, &layers, &analysis, args.files);
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &report)?;
        writeln!(out)?;
        if let Some(gate) = &gate {
            // stdout stays one JSON document; the verdict goes beside it
            return Ok(super::layers_ci::report(
                &mut std::io::stderr().lock(),
                gate,
                &report.dive,
            )?);
        }
    } else if let Some(gate) = &gate {
        return Ok(super::layers_ci::report(&mut out, gate, &report.dive)?);
    } else {
        print_table(&mut out, args, &layers, &analysis, &report)?;
    }
    Ok(0)
}

fn size(b: u64) -> String {
    crate::text::size(b)
}

fn print_table(
    out: &mut impl Write,
    args: &LayersArgs,
    layers: &ImageLayers,
    analysis: &Analysis,
    r: &LayersReport,
) -> std::io::Result<()> {
    let img = &layers.image;
    writeln!(
        out,
        "{}  {}  {}",
        r.reference,
        r.digest,
        r.platform.as_deref().unwrap_or("platform unknown")
    )?;
    if !img.available.is_empty() {
        let list: Vec<String> = img.available.iter().map(|p| p.to_string()).collect();
        writeln!(
            out,
            "index {} offers: {}",
            img.index_digest
                .as_ref()
                .map(|d| d.to_string())
                .unwrap_or_default(),
            list.join(", ")
        )?;
    }
    let compressed = crate::model::saturating_sum(r.layers.iter().map(|l| l.size));
    writeln!(
        out,
        "{}, {} compressed, {} of files; wasted {}; efficiency {:.1}%",
        crate::text::count(r.layers.len(), "layer"),
        size(compressed),
        size(r.total_bytes),
        size(r.wasted_bytes),
        r.efficiency * 100.0
    )?;
    writeln!(out, "dive's score: {}\n", r.dive.summary())?;
    writeln!(
        out,
        "{:>3}  {:>10}  {:>10}  {:>6} {:>6} {:>6}  {:>10}  CREATED BY",
        "#", "SIZE", "FILES", "ADDED", "MOD", "DEL", "UNTARRED"
    )?;
    for (i, l) in r.layers.iter().enumerate() {
        let created = l.created_by.as_deref().unwrap_or("—");
        let created: String = created.chars().take(100).collect();
        writeln!(
            out,
            "{:>3}  {:>10}  {:>10}  {:>6} {:>6} {:>6}  {:>10}  {created}",
            i + 1,
            size(l.size),
            size(l.bytes_added),
            l.files_added,
            l.files_modified,
            l.files_removed,
            size(l.uncompressed_size),
        )?;
    }
    if !r.wasted.is_empty() {
        writeln!(
            out,
            "\nwasted ({} hidden by later layers; largest {}):",
            crate::text::count(r.wasted.len(), "file version"),
            args.top.min(r.wasted.len())
        )?;
        for w in r.wasted.iter().take(args.top) {
            writeln!(
                out,
                "  {:>10}  layer {:>2}  {}",
                size(w.size),
                w.layer + 1,
                w.path
            )?;
        }
    }
    let biggest = analysis.biggest_files(args.top);
    if !biggest.is_empty() {
        writeln!(out, "\nbiggest files:")?;
        for (p, n) in biggest {
            writeln!(
                out,
                "  {:>10}  layer {:>2}  /{p}",
                size(n.size),
                n.layer + 1
            )?;
        }
    }
    let h = hints(analysis);
    if !h.is_empty() {
        writeln!(out, "\nhints:")?;
        for h in h {
            writeln!(out, "  - {}", h.message())?;
        }
    }
    for (i, l) in layers.layers.iter().enumerate() {
        for w in l
            .as_ref()
            .map(|l| l.warnings.as_slice())
            .unwrap_or_default()
        {
            writeln!(out, "note: layer {}: {w}", i + 1)?;
        }
    }
    if let Some(files) = &r.files {
        writeln!(out, "\nchanges:")?;
        for f in files {
            let mark = match f.state {
                "added" => '+',
                "modified" => '~',
                _ => '-',
            };
            writeln!(
                out,
                "  {mark} layer {:>2}  {:>10}  {:<8} {}",
                f.layer,
                size(f.size),
                f.kind,
                f.path
            )?;
        }
    }
    Ok(())
}
