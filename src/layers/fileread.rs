//! One file of an image for a viewer: the image's layers indexed (cache first), the path
//! looked up as of a layer (the whole image by default), and the first bytes read with as
//! few registry bytes as the layer allows (see [`super::access`]).

use super::access::{read_prefix, ReadPath};
use super::image::{analyze_image, resolve, AnalyzeOptions};
use super::lookup::{lookup, Lookup};
use super::merge::Analysis;
use crate::registry::ManifestSource;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FilePrefix {
    /// The path read (links followed), without a leading `/`.
    pub path: String,
    /// The file's whole size.
    pub size: u64,
    /// Its first bytes (all of them when `size` is within the cap).
    pub bytes: Vec<u8>,
    /// The layer whose bytes these are.
    pub layer: usize,
    pub how: ReadPath,
}

/// Reads up to `max` bytes of `path` in image `reference` of `repository`, as the
/// filesystem is once layer `as_of` is applied (`None`: every layer). Errors are sentences
/// for people (a missing path names the layer that removed it).
pub async fn read_file(
    source: &dyn ManifestSource,
    repository: &str,
    reference: &str,
    path: &str,
    as_of: Option<usize>,
    max: u64,
    opts: &AnalyzeOptions,
) -> Result<FilePrefix, String> {
    let image = resolve(source, repository, reference, None)
        .await
        .map_err(|e| e.to_string())?;
    let layers = analyze_image(source, image, opts, &|_| {}).await;
    let mut indexes = Vec::new();
    for (i, r) in layers.layers.iter().enumerate() {
        if as_of.is_some_and(|k| i > k) {
            break;
        }
        indexes.push(r.as_ref().map_err(|e| format!("layer {i}: {e}"))?);
    }
    let analysis = Analysis::replay(indexes.iter().copied());
    let shown = |p: &str| format!("/{p}");
    let (path, content) = match lookup(&analysis, path) {
        Lookup::File { path, content, .. } => (path, content.clone()),
        Lookup::Deleted { path, layer, .. } => {
            return Err(format!("{}: removed by layer {layer}", shown(&path)))
        }
        Lookup::Absent { path } => return Err(format!("{}: no such file", shown(&path))),
        Lookup::NotAFile { path, kind } => {
            return Err(format!(
                "{}: not a regular file ({})",
                shown(&path),
                kind.name()
            ))
        }
        Lookup::Loop { path } => {
            return Err(format!(
                "{}: too many levels of symbolic links",
                shown(&path)
            ))
        }
    };
    let layer = indexes[content.layer];
    let (how, bytes) = read_prefix(
        source,
        repository,
        layer,
        &content,
        opts.cache.as_ref(),
        max,
    )
    .await
    .map_err(|e| e.to_string())?;
    Ok(FilePrefix {
        path,
        size: content.size,
        bytes,
        layer: content.layer,
        how,
    })
}
