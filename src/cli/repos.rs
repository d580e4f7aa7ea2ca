//! `regscope repos TARGET`: repositories with image and tag counts, total size (shared
//! blobs counted once), unique bytes and the newest creation time. `--quick` (catalog and
//! tag counts) and `--names-only` (catalog alone) skip the manifest crawl; see `repo_list`.

use super::crawl::{crawl_session, report_errors};
use super::output::{print_stdout, relative, size, Table, EXIT_ERROR};
use crate::model::{Image, RepositorySummary};
use clap::Args;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Args)]
pub struct ReposArgs {
    /// HOST[:PORT][/REPO-PREFIX], ecr://REGION, or oci:PATH
    pub target: String,
    /// Print JSON (one object per repository) instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Show request counts, retries, 429s and rate limits on stderr.
    #[arg(long, short)]
    pub verbose: bool,
    /// Catalog and tag counts only: no manifest is read, so images and sizes are not
    /// shown (null in JSON). One request per repository instead of one per tag.
    #[arg(long, conflicts_with = "names_only")]
    pub quick: bool,
    /// Repository names only, one per line: the catalog alone.
    #[arg(long)]
    pub names_only: bool,
}

#[derive(Serialize)]
pub(super) struct RepoJson<'a> {
    pub(super) registry: &'a str,
    pub(super) repository: &'a str,
    /// Null when not measured (`--quick`, `--names-only`) or not listed.
    pub(super) images: Option<usize>,
    pub(super) tags: Option<usize>,
    pub(super) total_bytes: Option<u64>,
    pub(super) unique_bytes: Option<u64>,
    pub(super) newest_created: Option<chrono::DateTime<chrono::Utc>>,
    /// Where the registry records them (caps: records push/pull time); absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) newest_push: Option<chrono::DateTime<chrono::Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) oldest_pull: Option<chrono::DateTime<chrono::Utc>>,
    /// False when the repository's tags could not be listed (see stderr).
    pub(super) complete: bool,
}

pub async fn run(args: ReposArgs) -> i32 {
    if args.quick || args.names_only {
        return super::repo_list::run(&args).await;
    }
    let session = match super::source::open_target(&args.target).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("regscope: {e}");
            return super::output::EXIT_USAGE;
        }
    };
    let outcome = match crawl_session(&session, args.verbose).await {
        Ok(o) => o,
        Err(code) => return code,
    };
    if args.verbose {
        // What the registry keeps beside the images (project settings, quotas, rules).
        match session.facts(&outcome.repositories).await {
            Ok(lines) => lines.iter().for_each(|l| eprintln!("{l}")),
            Err(e) => eprintln!("regscope: {e}"),
        }
    }
    let registry = outcome.inventory.registry.as_str();
    let mut by_repo: BTreeMap<&str, Vec<&Image>> = outcome
        .repositories
        .iter()
        .map(|r| (r.as_str(), Vec::new()))
        .collect();
    for i in &outcome.inventory.images {
        by_repo.entry(i.repository.as_str()).or_default().push(i);
    }
    let failed: std::collections::HashSet<&str> = outcome
        .inventory
        .errors
        .iter()
        .filter(|e| e.reference.is_none())
        .filter_map(|e| e.repository.as_deref())
        .collect();
    let summaries: Vec<(RepositorySummary, bool)> = by_repo
        .iter()
        .map(|(name, imgs)| {
            (
                RepositorySummary::from_images(registry, name, imgs.iter().copied()),
                !failed.contains(name),
            )
        })
        .collect();
    if args.json {
        let rows: Vec<RepoJson> = summaries
            .iter()
            .map(|(s, complete)| RepoJson {
                registry,
                repository: &s.name,
                images: Some(s.images),
                tags: Some(s.tags),
                total_bytes: s.total_bytes.filter(|_| *complete),
                unique_bytes: s.unique_bytes.filter(|_| *complete),
                newest_created: s.newest_created,
                newest_push: s.newest_push,
                oldest_pull: s.oldest_pull,
                complete: *complete,
            })
            .collect();
        match serde_json::to_string_pretty(&rows) {
            Ok(s) => print_stdout(&(s + "\n")),
            Err(e) => {
                eprintln!("regscope: cannot write JSON: {e}");
                return EXIT_ERROR;
            }
        }
    } else {
        let now = chrono::Utc::now();
        // Registries with their own API record push and pull times.
        let cloud = summaries
            .iter()
            .any(|(s, _)| s.newest_push.is_some() || s.oldest_pull.is_some());
        let mut headers = vec!["REPOSITORY", "IMAGES", "TAGS", "SIZE", "UNIQUE", "NEWEST"];
        if cloud {
            headers.extend(["PUSHED", "OLDEST PULL"]);
        }
        let mut t = Table::new(&headers).right_align(&[1, 2, 3, 4]);
        for (s, complete) in &summaries {
            let n = |v: usize| {
                if *complete {
                    v.to_string()
                } else {
                    "—".into()
                }
            };
            let mut cells = vec![
                s.name.clone(),
                n(s.images),
                n(s.tags),
                size(s.total_bytes.filter(|_| *complete)),
                size(s.unique_bytes.filter(|_| *complete)),
                relative(s.newest_created, now),
            ];
            if cloud {
                cells.push(relative(s.newest_push, now));
                cells.push(relative(s.oldest_pull, now));
            }
            t.row(cells);
        }
        print_stdout(&if t.is_empty() {
            "no repositories\n".to_string()
        } else {
            t.render()
        });
    }
    report_errors(&outcome)
}
