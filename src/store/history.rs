//! How a registry grew: one snapshot per completed crawl, as the `regscope.history/v1`
//! document (`regscope history TARGET --json`), and the growth figures drawn from it.

use super::{to_time, Store};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub const HISTORY_SCHEMA: &str = "regscope.history/v1";

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct History {
    pub schema: String,
    pub registry: String,
    pub snapshots: Vec<HistorySnapshot>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HistorySnapshot {
    pub at: DateTime<Utc>,
    pub repositories: Vec<HistoryRepository>,
}

/// One repository in one snapshot. Byte counts the crawl could not tell are `null`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HistoryRepository {
    pub repository: String,
    pub images: u64,
    pub tags: u64,
    pub total_bytes: Option<u64>,
    pub unique_bytes: Option<u64>,
}

impl HistorySnapshot {
    /// The snapshot's total bytes, `None` if any repository's is unknown.
    pub fn total_bytes(&self) -> Option<u64> {
        self.repositories
            .iter()
            .try_fold(0u64, |acc, r| r.total_bytes.map(|b| acc + b))
    }
}

impl Store {
    /// Every completed crawl of `registry` that covered `prefix` (a crawl of the whole
    /// registry covers every prefix; a crawl under `a/` covers `a/b`), oldest first, with
    /// the repositories under `prefix`.
    pub fn history(&self, registry: &str, prefix: Option<&str>) -> History {
        type Row = (
            i64,
            i64,
            Option<String>,
            Option<String>,
            i64,
            i64,
            Option<i64>,
            Option<i64>,
        );
        let rows: Vec<Row> = self
            .with("reading the history", |c| {
                c.prepare_cached(
                    "SELECT c.id, c.started_at, c.prefix, s.repository, s.images, s.tags, s.total_bytes, s.unique_bytes
                     FROM crawls c LEFT JOIN snapshots s ON s.crawl_id = c.id
                     WHERE c.registry = ?1 AND c.complete = 1
                     ORDER BY c.started_at, c.id, s.repository",
                )?
                .query_map([registry], |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get::<_, Option<i64>>(4)?.unwrap_or(0),
                        r.get::<_, Option<i64>>(5)?.unwrap_or(0),
                        r.get(6)?,
                        r.get(7)?,
                    ))
                })?
                .collect()
            })
            .unwrap_or_default();
        let wanted = prefix.unwrap_or("");
        let mut snapshots: Vec<HistorySnapshot> = Vec::new();
        let mut last_crawl = None;
        for (crawl, at, crawl_prefix, repo, images, tags, total, unique) in rows {
            if !wanted.starts_with(crawl_prefix.as_deref().unwrap_or("")) {
                continue;
            }
            if last_crawl != Some(crawl) {
                last_crawl = Some(crawl);
                snapshots.push(HistorySnapshot {
                    at: to_time(at),
                    repositories: Vec::new(),
                });
            }
            let Some(repo) = repo else { continue };
            if !repo.starts_with(wanted) {
                continue;
            }
            if let Some(s) = snapshots.last_mut() {
                s.repositories.push(HistoryRepository {
                    repository: repo,
                    images: images as u64,
                    tags: tags as u64,
                    total_bytes: total.map(|b| b as u64),
                    unique_bytes: unique.map(|b| b as u64),
                });
            }
        }
        History {
            schema: HISTORY_SCHEMA.to_string(),
            registry: registry.to_string(),
            snapshots,
        }
    }
}

/// Growth between consecutive points of a bytes series, and which steps are spikes.
#[derive(Clone, Debug, PartialEq)]
pub struct Growth {
    /// Bytes per day over the whole series (first to last known point), if it spans time.
    pub per_day: Option<f64>,
    /// Indexes `i` of points whose step from `i - 1` is a spike.
    pub spikes: Vec<usize>,
}

/// A step counts as a spike when it grows by more than three times the median absolute
/// step of the series and by at least 10% of the previous total: CI pipelines that push
/// too often show up as one step far above the usual ones ("unexpected spikes may indicate
/// misconfigured CI/CD pipelines"). Unknown points are skipped, never read as zero.
pub fn growth(points: &[(DateTime<Utc>, Option<u64>)]) -> Growth {
    let known: Vec<(usize, DateTime<Utc>, u64)> = points
        .iter()
        .enumerate()
        .filter_map(|(i, (t, b))| b.map(|b| (i, *t, b)))
        .collect();
    let per_day = match (known.first(), known.last()) {
        (Some(a), Some(b)) if b.1 > a.1 => {
            let days = (b.1 - a.1).num_milliseconds() as f64 / 86_400_000.0;
            Some((b.2 as f64 - a.2 as f64) / days)
        }
        _ => None,
    };
    let steps: Vec<(usize, i128, u64)> = known
        .windows(2)
        .map(|w| (w[1].0, w[1].2 as i128 - w[0].2 as i128, w[0].2))
        .collect();
    let mut abs: Vec<i128> = steps.iter().map(|s| s.1.abs()).collect();
    abs.sort_unstable();
    let median = abs.get(abs.len() / 2).copied().unwrap_or(0);
    let spikes = steps
        .iter()
        .filter(|(_, step, prev)| {
            *step > 0 && *step > 3 * median && *step * 10 >= *prev as i128 && steps.len() >= 3
        })
        .map(|(i, _, _)| *i)
        .collect();
    Growth { per_day, spikes }
}
