//! `regscope history TARGET [--repo PREFIX] [--json]`: how a registry grew, one snapshot
//! per completed crawl, from the local store; `--json` prints `regscope.history/v1`.

use super::output::{print_stdout, size, Table, EXIT_ERROR, EXIT_OK, EXIT_USAGE};
use crate::registry::Target;
use crate::store::{growth, History, HISTORY_SCHEMA};
use clap::Args;

#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// HOST[:PORT], ecr://REGION, or oci:PATH, as it was crawled
    pub target: String,
    /// Only repositories whose name starts with PREFIX.
    #[arg(long, value_name = "PREFIX")]
    pub repo: Option<String>,
    /// Print the regscope.history/v1 JSON document instead of a table.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: HistoryArgs) -> anyhow::Result<i32> {
    let target = match Target::parse(&args.target) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("regscope: invalid target {:?}: {e}", args.target);
            return Ok(EXIT_USAGE);
        }
    };
    let registry = target.display_name();
    // A prefix in the target counts like --repo.
    let prefix = args.repo.as_deref().or(target.prefix());
    let path = crate::store::default_path();
    let history = if crate::store::size_on_disk(&path) == 0 {
        History {
            schema: HISTORY_SCHEMA.into(),
            registry: registry.clone(),
            snapshots: Vec::new(),
        }
    } else {
        match crate::store::Store::open(&path) {
            Ok(s) => s.history(&registry, prefix),
            Err(e) => {
                eprintln!("regscope: {e}");
                return Ok(EXIT_ERROR);
            }
        }
    };
    if args.json {
        print_stdout(&(serde_json::to_string_pretty(&history)? + "\n"));
    } else {
        print_stdout(&table(&history));
    }
    if history.snapshots.is_empty() {
        eprintln!(
            "regscope: no history of {registry} yet: each completed crawl (`regscope images {}`, or the TUI) adds a snapshot",
            args.target
        );
    }
    Ok(EXIT_OK)
}

fn table(h: &History) -> String {
    let points: Vec<_> = h
        .snapshots
        .iter()
        .map(|s| (s.at, s.total_bytes()))
        .collect();
    let g = growth(&points);
    let mut t = Table::new(&[
        "AT",
        "REPOSITORIES",
        "IMAGES",
        "TAGS",
        "TOTAL",
        "UNIQUE",
        "CHANGE",
    ])
    .right_align(&[1, 2, 3, 4, 5]);
    let mut prev: Option<u64> = None;
    // Crawls that found exactly what the one before found (re-running a command records
    // one each) fold into its row, which says how many and until when.
    let mut i = 0;
    for run in h
        .snapshots
        .chunk_by(|a, b| a.repositories == b.repositories)
    {
        let (s, last) = (&run[0], &run[run.len() - 1]);
        let images: u64 = s.repositories.iter().map(|r| r.images).sum();
        let tags: u64 = s.repositories.iter().map(|r| r.tags).sum();
        let total = s.total_bytes();
        let unique = s
            .repositories
            .iter()
            .try_fold(0u64, |acc, r| r.unique_bytes.map(|b| acc + b));
        let change = match (prev, total) {
            (Some(a), Some(b)) if b >= a => format!("+{}", size(Some(b - a))),
            (Some(a), Some(b)) => format!("-{}", size(Some(a - b))),
            _ => String::new(),
        };
        let flag = if g.spikes.contains(&i) { " SPIKE" } else { "" };
        let mut cell = format!("{change}{flag}");
        if run.len() > 1 {
            if !cell.is_empty() {
                cell.push_str(" · ");
            }
            cell.push_str(&format!(
                "the same in {} to {}",
                crate::text::count(run.len() - 1, "later crawl"),
                crate::text::date(last.at)
            ));
        }
        if total.is_some() {
            prev = total;
        }
        t.row(vec![
            // One time style in every command: UTC, said so.
            crate::text::date(s.at),
            s.repositories.len().to_string(),
            images.to_string(),
            tags.to_string(),
            size(total),
            size(unique),
            cell,
        ]);
        i += run.len();
    }
    let mut out = t.render();
    if let Some(per_day) = g.per_day {
        let sign = if per_day < 0.0 { "-" } else { "+" };
        out.push_str(&format!(
            "growth: {sign}{}/day over {} snapshots\n",
            size(Some(per_day.abs() as u64)),
            h.snapshots.len()
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{HistoryRepository, HistorySnapshot};
    use chrono::TimeZone;

    fn snapshot(hour: u32, images: u64, bytes: u64) -> HistorySnapshot {
        HistorySnapshot {
            at: chrono::Utc
                .with_ymd_and_hms(2026, 12, 1, hour, 0, 0)
                .unwrap(),
            repositories: vec![HistoryRepository {
                repository: "web".into(),
                images,
                tags: images,
                total_bytes: Some(bytes),
                unique_bytes: Some(bytes / 2),
            }],
        }
    }

    #[test]
    fn crawls_that_found_the_same_fold_into_one_row() {
        let h = History {
            schema: HISTORY_SCHEMA.into(),
            registry: "r".into(),
            snapshots: vec![
                snapshot(1, 3, 3000),
                snapshot(2, 3, 3000),
                snapshot(3, 3, 3000),
                snapshot(4, 4, 4024),
                snapshot(5, 4, 4024),
            ],
        };
        let out = table(&h);
        let rows: Vec<&str> = out
            .lines()
            .skip(1)
            .filter(|l| l.starts_with("2026"))
            .collect();
        assert_eq!(rows.len(), 2, "{out}");
        assert!(
            rows[0].ends_with("the same in 2 later crawls to 2026-12-01 03:00 UTC"),
            "{out}"
        );
        assert!(rows[1].contains("+1.0 KiB"), "{out}");
        assert!(
            rows[1].ends_with(" · the same in 1 later crawl to 2026-12-01 05:00 UTC"),
            "{out}"
        );
        assert!(out.contains("over 5 snapshots"), "{out}");
    }
}
