//! `regscope cat REF PATH`: one file of an image's final filesystem on stdout, read from
//! the registry without pulling the image (symbolic links followed, hard links read as the
//! bytes they name). Exit 1 when the path is not a file, naming the layer that deleted it
//! when one did.

use crate::layers::{read_content, Lookup, ReadPath};
use anyhow::Context;

#[derive(Debug, clap::Args)]
pub struct CatArgs {
    /// Image reference: [HOST/]REPO[:TAG|@DIGEST], or oci:DIR[:TAG|@DIGEST]. DIGEST may be
    /// short (at least 8 hex) when it names one digest of the repository.
    pub reference: String,
    /// Path inside the image (`/etc/os-release`; the leading `/` is optional).
    pub path: String,
    /// Platform to read from a multi-platform index (default: this machine's).
    #[arg(long, value_name = "OS/ARCH[/VARIANT]")]
    pub platform: Option<String>,
    /// Read every layer from the registry even if its index is cached.
    #[arg(long)]
    pub no_cache: bool,
    /// Say on stderr which layer holds the bytes and how they were fetched.
    #[arg(long, short)]
    pub verbose: bool,
}

/// Runs the command; `Ok` carries the exit code.
pub fn run(args: CatArgs) -> anyhow::Result<i32> {
    let rt = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    rt.block_on(execute(&args))
}

async fn execute(args: &CatArgs) -> anyhow::Result<i32> {
    let platform = super::image_files::platform(args.platform.as_deref())?;
    let cache = super::image_files::cache(args.no_cache);
    let Some(img) =
        super::image_files::read("cat", args.reference.clone(), platform, cache.clone()).await?
    else {
        return Ok(1);
    };
    let digests = &img.layers.image.manifest.layers;
    let created_by = |i: usize| {
        img.layers
            .image
            .created_by
            .get(i)
            .cloned()
            .flatten()
            .map(|c| format!(" ({})", c.chars().take(80).collect::<String>()))
            .unwrap_or_default()
    };
    let shown = |p: &str| format!("/{p}");
    let (path, content) = match crate::layers::lookup(&img.analysis, &args.path) {
        Lookup::File { path, content, .. } => (path, content),
        Lookup::Deleted {
            path,
            layer,
            from_layer,
        } => {
            eprintln!(
                "regscope cat: {}: not in the image: removed by layer {} {}{}{}",
                shown(&path),
                layer + 1,
                digests[layer].digest,
                created_by(layer),
                from_layer
                    .map(|f| format!("; it was added by layer {}", f + 1))
                    .unwrap_or_default()
            );
            return Ok(1);
        }
        Lookup::Absent { path } => {
            eprintln!(
                "regscope cat: {}: no such file in {}",
                shown(&path),
                args.reference
            );
            return Ok(1);
        }
        Lookup::NotAFile { path, kind } => {
            eprintln!(
                "regscope cat: {}: not a regular file ({})",
                shown(&path),
                kind.name()
            );
            return Ok(1);
        }
        Lookup::Loop { path } => {
            eprintln!(
                "regscope cat: {}: too many levels of symbolic links",
                shown(&path)
            );
            return Ok(1);
        }
    };
    let Some(Ok(layer)) = img.layers.layers.get(content.layer) else {
        anyhow::bail!("layer {} was not read", content.layer + 1);
    };
    let out = Box::new(std::io::BufWriter::with_capacity(
        256 * 1024,
        std::io::stdout(),
    ));
    let read = read_content(
        img.source.as_ref(),
        &img.reference.repository,
        layer,
        content,
        cache.as_ref(),
        out,
    )
    .await;
    match read {
        Ok((how, _)) => {
            if args.verbose {
                let via = match how {
                    ReadPath::Ranged {
                        start,
                        end,
                        checkpoint,
                    } => format!(
                        "one range request, bytes {start}-{}{}",
                        end.map(|e| (e - 1).to_string()).unwrap_or_default(),
                        if checkpoint { " from a checkpoint" } else { "" }
                    ),
                    ReadPath::Streamed { range_ignored } => format!(
                        "the layer streamed from its start{}",
                        if range_ignored {
                            " (the registry ignores Range)"
                        } else {
                            ""
                        }
                    ),
                };
                eprintln!(
                    "regscope cat: {} ({} bytes) from layer {} {} at /{}: {via}",
                    shown(&path),
                    content.size,
                    content.layer + 1,
                    layer.digest,
                    content.path
                );
            }
            Ok(0)
        }
        Err(e) => {
            eprintln!("regscope cat: {e}");
            Ok(1)
        }
    }
}
