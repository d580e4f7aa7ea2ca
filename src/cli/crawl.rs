//! Runs an inventory crawl for a command: parses the target, streams the crawl with a
//! progress line on a terminal, and reports per-item errors and traffic on stderr.

use super::output::{traffic_line, Progress, EXIT_ERROR, EXIT_OK, EXIT_PARTIAL, EXIT_USAGE};
use crate::inventory::{self, CrawlOutcome, InventoryEvent};
use crate::session::Session;

/// A finished crawl, or the exit code of one that could not start (message printed).
pub async fn crawl(target_arg: &str, verbose: bool) -> Result<CrawlOutcome, i32> {
    let session = match super::source::open_target(target_arg).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("regscope: {e}");
            return Err(EXIT_USAGE);
        }
    };
    crawl_session(&session, verbose).await
}

/// Crawls an opened registry, with progress on a terminal and the traffic with `verbose`.
pub async fn crawl_session(session: &Session, verbose: bool) -> Result<CrawlOutcome, i32> {
    if verbose {
        eprintln!("{}", super::source::kind_line(session));
    }
    let registry = session.name();
    let (opts, warning) = session.stored_crawl_options(false);
    if let Some(w) = warning {
        eprintln!("regscope: warning: {w}");
    }
    let (tx, rx) = tokio::sync::mpsc::channel(256);
    let crawler = session.clone();
    let runner = tokio::spawn(async move {
        crawler.crawl(&opts, tx).await;
    });
    let mut progress = Progress::new();
    let mut manifests = 0usize;
    let outcome = inventory::collect_with(&registry, rx, |ev| match ev {
        InventoryEvent::RepositoriesListed { repositories, .. } => progress.update(&format!(
            "{registry}: {} {} listed",
            repositories.len(),
            crate::text::plural(repositories.len(), "repository", "repositories")
        )),
        InventoryEvent::RepositoryImages { images, .. } => manifests += images.len(),
        InventoryEvent::Progress {
            repositories_done,
            repositories_total,
            ..
        } => progress.update(&format!(
            "{registry}: {repositories_done}/{repositories_total} {}, {}",
            crate::text::plural(*repositories_total, "repository", "repositories"),
            crate::text::count(manifests, "manifest")
        )),
        _ => {}
    })
    .await;
    progress.clear();
    if let Err(e) = runner.await {
        eprintln!("regscope: internal error in the crawl: {e}");
        return Err(EXIT_ERROR);
    }
    if verbose {
        eprintln!(
            "{}",
            traffic_line(&outcome.inventory.registry, &outcome.stats)
        );
    }
    if let Some(fatal) = &outcome.fatal {
        eprintln!("regscope: {fatal}");
        return Err(EXIT_ERROR);
    }
    // `HOST/does-not-exist` is a mistake to name, not an empty registry to report.
    if let Some(prefix) = session.target().prefix() {
        if outcome.repositories.is_empty() {
            eprintln!(
                "regscope: {registry}: no repository {prefix} (none is named {prefix} or under {prefix}/)"
            );
            return Err(EXIT_ERROR);
        }
    }
    Ok(outcome)
}

/// Reports per-item errors on stderr and picks the exit code for a crawl's output.
pub fn report_errors(outcome: &CrawlOutcome) -> i32 {
    let errors = &outcome.inventory.errors;
    if errors.is_empty() {
        return EXIT_OK;
    }
    for e in errors {
        eprintln!("regscope: warning: {}", e.message);
    }
    let failed_repos: std::collections::BTreeSet<_> = errors
        .iter()
        .filter(|e| e.reference.is_none())
        .filter_map(|e| e.repository.as_deref())
        .collect();
    eprintln!(
        "regscope: partial inventory: {} ({} of {} {} could not be listed); exit code {EXIT_PARTIAL}",
        crate::text::count(errors.len(), "error"),
        failed_repos.len(),
        outcome.repositories.len(),
        crate::text::plural(outcome.repositories.len(), "repository", "repositories")
    );
    EXIT_PARTIAL
}
