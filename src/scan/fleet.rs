//! Fleet-wide questions an on-call engineer asks: which images contain CVE-X, or package P
//! (below version V), and which of them are newest or most recently pulled. Answered from
//! the findings that could be fetched, with how much of the fleet is still unknown (not
//! scanned, scanning, failed, unsupported, unreadable) stated, so a short answer is never
//! mistaken for a complete one. The CLI and the TUI share the query and the tally; how an
//! image's findings are fetched is the caller's (referrer reports, ECR's scan API).

use super::version;
use crate::model::{Digest, Finding, Image, ScanStatus};
use chrono::{DateTime, Utc};
use futures::stream::{self, StreamExt};
use serde::Serialize;
use std::future::Future;

/// What to look for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FleetQuery {
    /// A vulnerability id (CVE-..., GHSA-...), case-insensitive.
    Cve { id: String },
    /// A package by exact name (case-insensitive), optionally only installed versions
    /// strictly below `below` (see `scan::version` for the ordering).
    Package { name: String, below: Option<String> },
}

impl FleetQuery {
    pub fn cve(id: &str) -> Self {
        FleetQuery::Cve {
            id: id.trim().to_string(),
        }
    }

    /// `P` or `P<V`, `P < V`, `P below V` (the TUI's `:pkg` argument).
    pub fn parse_package(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let (name, below) = if let Some((n, v)) = text.split_once('<') {
            (n.trim(), Some(v.trim()))
        } else if let Some((n, v)) = text.split_once(" below ") {
            (n.trim(), Some(v.trim()))
        } else {
            (text, None)
        };
        if name.is_empty() || name.contains(char::is_whitespace) {
            return Err(format!(
                "a package name, optionally `< VERSION`, not {text:?}"
            ));
        }
        if below.is_some_and(str::is_empty) {
            return Err(format!("{name} < needs a version"));
        }
        Ok(FleetQuery::Package {
            name: name.to_string(),
            below: below.map(str::to_string),
        })
    }

    /// Whether one finding answers the query.
    pub fn matches(&self, f: &Finding) -> bool {
        match self {
            FleetQuery::Cve { id } => f.id.eq_ignore_ascii_case(id),
            FleetQuery::Package { name, below } => {
                f.package
                    .as_deref()
                    .is_some_and(|p| p.eq_ignore_ascii_case(name))
                    && match below {
                        None => true,
                        // An unknown installed version cannot be said to be below anything.
                        Some(v) => f
                            .installed_version
                            .as_deref()
                            .is_some_and(|i| version::is_below_in(f.ecosystem, i, v)),
                    }
            }
        }
    }

    /// How the query reads in a status line (`CVE-2024-1`, `openssl < 3.0.7`).
    pub fn label(&self) -> String {
        match self {
            FleetQuery::Cve { id } => id.clone(),
            FleetQuery::Package { name, below: None } => format!("package {name}"),
            FleetQuery::Package {
                name,
                below: Some(v),
            } => format!("{name} < {v}"),
        }
    }
}

/// One image of the fleet as the inventory knows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FleetImage {
    pub repository: String,
    pub digest: Digest,
    pub tags: Vec<String>,
    pub created_at: Option<DateTime<Utc>>,
    pub pushed_at: Option<DateTime<Utc>>,
    pub last_pulled_at: Option<DateTime<Utc>>,
    /// What the inventory already says when it settles the question without a fetch: the
    /// image was not scanned (or is scanning, failed, unsupported), or was scanned and
    /// nothing was found (ECR's listing carries both).
    pub settled: Option<ScanStatus>,
}

/// The settled status of an inventory record, if its scan summary settles it.
pub fn settled(img: &Image) -> Option<ScanStatus> {
    img.scan
        .as_ref()
        .filter(|s| s.status != ScanStatus::Scanned || s.counts.total() == 0)
        .map(|s| s.status.clone())
}

/// The images worth asking about: images and indexes, not referrers (signatures, reports,
/// SBOMs) and not an index's platform manifests (an index's findings cover them).
pub fn fleet_images(images: &[Image]) -> Vec<FleetImage> {
    let roles = crate::model::roles(images);
    images
        .iter()
        .zip(&roles)
        .filter(|(_, r)| r.is_image())
        .map(|(i, _)| i)
        .map(|i| FleetImage {
            repository: i.repository.clone(),
            digest: i.digest.clone(),
            tags: i.tags.clone(),
            created_at: i.created_at,
            pushed_at: i.pushed_at,
            last_pulled_at: i.last_pulled_at,
            settled: settled(i),
        })
        .collect()
}

/// One image's findings as a source answered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fetched {
    pub status: ScanStatus,
    pub findings: Vec<Finding>,
    /// Reports that could not be used (the rest still count).
    pub problems: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct FleetHit {
    pub repository: String,
    pub digest: Digest,
    pub tags: Vec<String>,
    pub created_at: Option<DateTime<Utc>>,
    pub pushed_at: Option<DateTime<Utc>>,
    pub last_pulled_at: Option<DateTime<Utc>>,
    /// The first matching finding (worst first).
    pub finding: Finding,
    /// Every matching finding (one per package for a CVE; one per CVE for a package).
    pub findings: Vec<Finding>,
}

/// How hits are ordered; unknown times always last.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum HitOrder {
    /// Built most recently first (created; pushed where the build time is unknown).
    #[default]
    Newest,
    /// Pulled most recently first.
    Pulled,
}

impl HitOrder {
    pub fn name(self) -> &'static str {
        match self {
            HitOrder::Newest => "newest",
            HitOrder::Pulled => "pulled",
        }
    }
}

/// The answer: hits, and how many images could and could not be answered for.
#[derive(Clone, Debug, Serialize)]
pub struct FleetAnswer {
    pub query: FleetQuery,
    /// The CVE id for `--cve` (kept from the first version of this document); else null.
    pub id: Option<String>,
    pub hits: Vec<FleetHit>,
    /// Images asked about.
    pub images: usize,
    /// Images whose findings are known (scanned): the answer is complete for these.
    pub scanned: usize,
    pub not_scanned: usize,
    pub scanning: usize,
    pub failed: usize,
    pub unsupported: usize,
    /// Images whose findings could not be fetched at all.
    pub unreadable: usize,
    /// Images the answer says nothing about: every count above but `scanned`.
    pub unknown: usize,
    pub problems: Vec<String>,
}

impl FleetAnswer {
    pub fn new(query: FleetQuery) -> Self {
        FleetAnswer {
            id: match &query {
                FleetQuery::Cve { id } => Some(id.clone()),
                FleetQuery::Package { .. } => None,
            },
            query,
            hits: Vec::new(),
            images: 0,
            scanned: 0,
            not_scanned: 0,
            scanning: 0,
            failed: 0,
            unsupported: 0,
            unreadable: 0,
            unknown: 0,
            problems: Vec::new(),
        }
    }

    /// Counts one image's outcome and keeps it as a hit when it matches.
    pub fn record(&mut self, img: &FleetImage, outcome: Result<&Fetched, &str>) {
        self.record_parts(
            img,
            outcome.map(|f| (&f.status, f.findings.as_slice(), f.problems.as_slice())),
        );
    }

    /// As [`FleetAnswer::record`], from borrowed parts (the TUI's cached reports); returns
    /// the hit when the image matched.
    pub fn record_parts(
        &mut self,
        img: &FleetImage,
        outcome: Result<(&ScanStatus, &[Finding], &[String]), &str>,
    ) -> Option<&FleetHit> {
        self.images += 1;
        let shown = format!("{}@{}", img.repository, img.digest);
        let (status, findings, problems) = match outcome {
            Ok(parts) => parts,
            Err(e) => {
                self.unreadable += 1;
                self.unknown += 1;
                self.problems.push(format!("{shown}: {e}"));
                return None;
            }
        };
        match status {
            ScanStatus::Scanned => self.scanned += 1,
            ScanStatus::NotScanned => self.not_scanned += 1,
            ScanStatus::Scanning => self.scanning += 1,
            ScanStatus::Failed => self.failed += 1,
            ScanStatus::Unsupported => self.unsupported += 1,
        }
        if *status != ScanStatus::Scanned {
            self.unknown += 1;
        }
        self.problems
            .extend(problems.iter().map(|p| format!("{shown}: {p}")));
        let mut matched: Vec<Finding> = findings
            .iter()
            .filter(|f| self.query.matches(f))
            .cloned()
            .collect();
        if matched.is_empty() {
            return None;
        }
        matched.sort_by(|a, b| b.severity.cmp(&a.severity).then(a.id.cmp(&b.id)));
        let mut tags = img.tags.clone();
        tags.sort();
        self.hits.push(FleetHit {
            repository: img.repository.clone(),
            digest: img.digest.clone(),
            tags,
            created_at: img.created_at,
            pushed_at: img.pushed_at,
            last_pulled_at: img.last_pulled_at,
            finding: matched[0].clone(),
            findings: matched,
        });
        self.hits.last()
    }

    /// Orders the hits; ties by repository then digest, so output is deterministic.
    pub fn sort(&mut self, order: HitOrder) {
        self.hits.sort_by(|a, b| {
            cmp_key(order, key(a), key(b))
                .then_with(|| a.repository.cmp(&b.repository))
                .then_with(|| a.digest.cmp(&b.digest))
        });
    }
}

type Times = (
    Option<DateTime<Utc>>,
    Option<DateTime<Utc>>,
    Option<DateTime<Utc>>,
);

fn key(h: &FleetHit) -> Times {
    (h.created_at, h.pushed_at, h.last_pulled_at)
}

/// The time an order sorts by: newest is the build time, else the push time.
fn order_time(order: HitOrder, (created, pushed, pulled): Times) -> Option<DateTime<Utc>> {
    match order {
        HitOrder::Newest => created.or(pushed),
        HitOrder::Pulled => pulled,
    }
}

/// Most recent first, unknown last.
pub fn cmp_key(order: HitOrder, a: Times, b: Times) -> std::cmp::Ordering {
    match (order_time(order, a), order_time(order, b)) {
        (Some(x), Some(y)) => y.cmp(&x),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => std::cmp::Ordering::Equal,
    }
}

/// Sorts any rows carrying the three times (the TUI's rows too), most recent first,
/// unknown last; stable, so ties keep their order.
pub fn sort_hits<T>(rows: &mut [T], order: HitOrder, times: impl Fn(&T) -> Times) {
    rows.sort_by(|a, b| cmp_key(order, times(a), times(b)));
}

/// Asks `fetch` for every image's findings, `concurrency` at a time, and tallies the
/// answer (hits newest first).
pub async fn search<F, Fut>(
    images: Vec<FleetImage>,
    query: FleetQuery,
    concurrency: usize,
    fetch: F,
) -> FleetAnswer
where
    F: Fn(FleetImage) -> Fut,
    Fut: Future<Output = (FleetImage, Result<Fetched, String>)>,
{
    let mut ans = FleetAnswer::new(query);
    let (settled, images): (Vec<FleetImage>, Vec<FleetImage>) =
        images.into_iter().partition(|i| i.settled.is_some());
    for img in &settled {
        let status = img.settled.clone().unwrap_or(ScanStatus::NotScanned);
        ans.record_parts(img, Ok((&status, &[], &[])));
    }
    let mut results = stream::iter(images)
        .map(&fetch)
        .buffer_unordered(concurrency.max(1));
    while let Some((img, outcome)) = results.next().await {
        ans.record(&img, outcome.as_ref().map_err(String::as_str));
    }
    ans.problems.sort();
    ans.sort(HitOrder::Newest);
    ans
}

impl From<&super::ImageFindings> for Fetched {
    fn from(f: &super::ImageFindings) -> Self {
        Fetched {
            status: f.status.clone(),
            findings: f.findings.clone(),
            problems: f.problems.clone(),
        }
    }
}
