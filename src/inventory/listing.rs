//! The quick repository listing behind `regscope repos --quick` / `--names-only`: the
//! catalog, and optionally each repository's tag list, without reading a single manifest.
//! On a registry with thousands of repositories this costs one request per catalog page
//! (plus one per repository for tag counts) instead of one per tag and config.

use crate::registry::{ManifestSource, RegistryError, TrafficStats};
use futures::stream::{self, StreamExt};

/// One repository of a quick listing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListedRepository {
    pub name: String,
    /// Distinct tags; `None` when not asked for, or when listing them failed (`error`).
    pub tags: Option<usize>,
    /// Why the tag list could not be read, naming registry and repository.
    pub error: Option<RegistryError>,
}

/// What a quick listing found.
#[derive(Debug)]
pub struct Listing {
    pub repositories: Vec<ListedRepository>,
    pub stats: TrafficStats,
}

/// Lists the repositories of `source` under `prefix` (sorted), with their tag counts when
/// `count_tags`, `concurrency` tag lists at a time. A repository whose tags cannot be
/// listed carries its error; only a catalog that cannot be read at all is an `Err`.
pub async fn list_repositories(
    source: &dyn ManifestSource,
    prefix: Option<&str>,
    count_tags: bool,
    concurrency: usize,
) -> Result<Listing, String> {
    let mut names = super::crawl::list_repositories(source, prefix)
        .await
        .map_err(|issue| issue.message)?;
    names.sort();
    names.dedup();
    let repositories = if count_tags {
        stream::iter(names)
            .map(|name| async move {
                match source.tags(&name).await {
                    Ok(t) => ListedRepository {
                        name,
                        tags: Some(t.len()),
                        error: None,
                    },
                    Err(e) => ListedRepository {
                        name,
                        tags: None,
                        error: Some(e),
                    },
                }
            })
            .buffered(concurrency.max(1))
            .collect()
            .await
    } else {
        names
            .into_iter()
            .map(|name| ListedRepository {
                name,
                tags: None,
                error: None,
            })
            .collect()
    };
    Ok(Listing {
        repositories,
        stats: source.stats(),
    })
}
