//! The registries & repositories tree: a flat vector of visible rows over registries and
//! their repositories, with per-registry crawl progress and per-repository rollups.

use crate::app::views::images::table::{ImageTable, RowRef};
use crate::config::RegistrySettings;
use crate::model::RepositorySummary;
use crate::registry::{Target, TrafficStats};
use crate::session::{Caps, Kind};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Images created and pushed per week (weeks since the Unix epoch).
pub type Weekly = BTreeMap<i64, (u32, u32)>;

#[derive(Debug)]
pub struct RegistryNode {
    pub name: String,
    pub target: Target,
    pub settings: RegistrySettings,
    /// What kind of registry this is: first as the config and address say, then as the
    /// opened session settled it (a probe may tell more).
    pub kind: Kind,
    /// Repositories listed so far (`None` until the listing arrives).
    pub listed: Option<usize>,
    pub done: usize,
    pub stats: TrafficStats,
    pub finished: bool,
    pub fatal: Option<String>,
    pub issues: usize,
    pub expanded: bool,
    /// Counts crawls of this registry (a refresh starts the next one); repositories the
    /// current crawl has not reported carry an older number.
    pub crawl: u32,
    /// While the refresh runs after an instant reopen: when the inventory shown was read.
    pub as_of: Option<chrono::DateTime<chrono::Utc>>,
    /// What the last refresh through the store found changed since the crawl before.
    pub changes: Option<crate::store::Changes>,
    /// Completed crawls from the store, oldest first (the charts' bytes over time).
    pub history: Option<std::sync::Arc<crate::store::History>>,
}

impl RegistryNode {
    pub fn new(target: Target, settings: RegistrySettings) -> Self {
        RegistryNode {
            name: settings.name.clone(),
            kind: crate::session::kind_without_probe(&target, &settings),
            target,
            settings,
            listed: None,
            done: 0,
            stats: TrafficStats::default(),
            finished: false,
            fatal: None,
            issues: 0,
            expanded: true,
            crawl: 0,
            as_of: None,
            changes: None,
            history: None,
        }
    }
    /// Facts about this registry's kind (records pull times? reading counts as a pull?).
    pub fn caps(&self) -> Caps {
        self.kind.caps()
    }
    /// Whether an inventory event's registry name means this node.
    pub fn answers_to(&self, name: &str) -> bool {
        self.name == name || self.settings.address == name || self.target.display_name() == name
    }
}

#[derive(Debug)]
pub struct RepoNode {
    pub registry: usize,
    pub name: String,
    pub summary: Option<RepositorySummary>,
    pub table: Option<Arc<ImageTable>>,
    pub weekly: Weekly,
    /// The crawl of its registry that last listed or loaded it.
    pub crawl: u32,
}

impl RepoNode {
    pub fn new(registry: usize, name: String, crawl: u32) -> Self {
        RepoNode {
            registry,
            name,
            summary: None,
            table: None,
            weekly: Weekly::new(),
            crawl,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TreeRow {
    Registry(usize),
    Repo(usize),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RepoSortColumn {
    Name,
    Images,
    Total,
    Unique,
    Pushed,
}

impl RepoSortColumn {
    pub const ALL: [RepoSortColumn; 5] = [
        RepoSortColumn::Name,
        RepoSortColumn::Images,
        RepoSortColumn::Total,
        RepoSortColumn::Unique,
        RepoSortColumn::Pushed,
    ];
    pub fn next(self) -> Self {
        let i = Self::ALL.iter().position(|c| *c == self).unwrap_or(0);
        Self::ALL[(i + 1) % Self::ALL.len()]
    }
    pub fn name(self) -> &'static str {
        match self {
            RepoSortColumn::Name => "name",
            RepoSortColumn::Images => "images",
            RepoSortColumn::Total => "total",
            RepoSortColumn::Unique => "unique",
            RepoSortColumn::Pushed => "pushed",
        }
    }
}

#[derive(Debug)]
pub struct FleetState {
    pub registries: Vec<RegistryNode>,
    pub repos: Vec<RepoNode>,
    pub rows: Vec<TreeRow>,
    pub cursor: usize,
    pub offset: usize,
    pub sort: RepoSortColumn,
    pub descending: bool,
    /// `/` on the tree: repository names (the images filter's syntax). Registry rows stay.
    pub filter: String,
    /// Repositories passing the filter (collapsed registries included).
    pub matching: usize,
}

impl FleetState {
    pub fn new(targets: Vec<(Target, RegistrySettings)>) -> Self {
        let mut f = FleetState {
            registries: targets
                .into_iter()
                .map(|(t, s)| RegistryNode::new(t, s))
                .collect(),
            repos: Vec::new(),
            rows: Vec::new(),
            cursor: 0,
            offset: 0,
            sort: RepoSortColumn::Name,
            descending: false,
            filter: String::new(),
            matching: 0,
        };
        f.rebuild_rows();
        f
    }

    pub fn registry_index(&self, name: &str) -> Option<usize> {
        self.registries.iter().position(|r| r.answers_to(name))
    }

    pub fn repo_index(&self, registry: usize, name: &str) -> Option<usize> {
        self.repos
            .iter()
            .position(|r| r.registry == registry && r.name == name)
    }

    /// The name a registry goes by on screen: its node's name (configured, given on the
    /// command line, or `demo`), so a layout never shows the directory it lives in.
    pub fn shown_name(&self, registry: &str) -> String {
        self.registry_index(registry)
            .map_or_else(|| registry.to_string(), |i| self.registries[i].name.clone())
    }

    /// `text` (an error message) as the screen shows it: a layout's `oci:PATH` replaced by
    /// its name, so no machine path reaches the screen.
    pub fn screen_text(&self, registry: &str, text: &str) -> String {
        match self.registry_index(registry) {
            Some(i) if matches!(self.registries[i].target, Target::Layout { .. }) => {
                let r = &self.registries[i];
                text.replace(&r.target.display_name(), &r.name)
                    .replace(&r.settings.address, &r.name)
            }
            _ => text.to_string(),
        }
    }

    /// A reference by digest as the screen shows it: for a layout, its name instead of its
    /// `oci:PATH`; other registries keep their real host (what `docker pull` needs).
    pub fn shown_reference(&self, row: RowRef<'_>) -> String {
        let t = row.table();
        match self.registry_index(&t.registry) {
            Some(i) if matches!(self.registries[i].target, Target::Layout { .. }) => {
                format!(
                    "{}/{}@{}",
                    self.registries[i].name,
                    t.repository,
                    row.digest_str()
                )
            }
            _ => row.reference(),
        }
    }

    /// The repository's node, added if the crawl reports one not seen yet; either way it
    /// is marked as seen by the registry's current crawl.
    pub fn touch_repo(&mut self, registry: usize, name: &str) -> usize {
        let crawl = self.registries[registry].crawl;
        let i = match self.repo_index(registry, name) {
            Some(i) => i,
            None => {
                self.repos
                    .push(RepoNode::new(registry, name.to_string(), crawl));
                self.repos.len() - 1
            }
        };
        self.repos[i].crawl = crawl;
        i
    }

    /// After a complete crawl of `registry`: drops the repositories it no longer reported
    /// (deleted since the last crawl). The cursor stays on the same node, or where the
    /// dropped one was. Returns how many were dropped.
    pub fn drop_vanished(&mut self, registry: usize) -> usize {
        let crawl = self.registries[registry].crawl;
        let keep = self.selected().map(|r| match r {
            TreeRow::Repo(i) => (self.repos[i].registry, Some(self.repos[i].name.clone())),
            TreeRow::Registry(ri) => (ri, None),
        });
        let before = self.repos.len();
        self.repos
            .retain(|r| r.registry != registry || r.crawl == crawl);
        let dropped = before - self.repos.len();
        if dropped == 0 {
            return 0;
        }
        // Node indices moved: find the selected node again by name.
        let cursor = self.cursor;
        self.rows.clear();
        self.rebuild_rows();
        self.cursor = match keep {
            Some((ri, Some(name))) => self
                .repo_index(ri, &name)
                .and_then(|i| self.rows.iter().position(|r| *r == TreeRow::Repo(i)))
                .unwrap_or(cursor),
            Some((ri, None)) => self
                .rows
                .iter()
                .position(|r| *r == TreeRow::Registry(ri))
                .unwrap_or(cursor),
            None => cursor,
        }
        .min(self.rows.len().saturating_sub(1));
        self.offset = self.offset.min(self.cursor);
        dropped
    }

    pub fn selected(&self) -> Option<TreeRow> {
        self.rows.get(self.cursor).copied()
    }

    pub fn selected_repo(&self) -> Option<&RepoNode> {
        match self.selected()? {
            TreeRow::Repo(i) => self.repos.get(i),
            TreeRow::Registry(_) => None,
        }
    }

    /// Recomputes the visible rows (after listing, expanding or sorting), keeping the cursor
    /// on the same node.
    pub fn rebuild_rows(&mut self) {
        let keep = self.selected();
        let mut rows = Vec::with_capacity(self.registries.len() + self.repos.len());
        let mut filter = crate::app::views::list_filter::ListFilter::new(&self.filter);
        let passing: Vec<bool> = self
            .repos
            .iter()
            .map(|r| filter.as_mut().is_none_or(|f| f.matches(&[&r.name])))
            .collect();
        self.matching = passing.iter().filter(|p| **p).count();
        for (ri, reg) in self.registries.iter().enumerate() {
            rows.push(TreeRow::Registry(ri));
            if !reg.expanded {
                continue;
            }
            let mut repos: Vec<usize> = (0..self.repos.len())
                .filter(|&i| self.repos[i].registry == ri && passing[i])
                .collect();
            repos.sort_by(|&a, &b| self.compare(a, b));
            rows.extend(repos.into_iter().map(TreeRow::Repo));
        }
        self.rows = rows;
        if let Some(k) = keep {
            if let Some(p) = self.rows.iter().position(|r| *r == k) {
                self.cursor = p;
            }
        }
        self.cursor = self.cursor.min(self.rows.len().saturating_sub(1));
    }

    fn compare(&self, a: usize, b: usize) -> std::cmp::Ordering {
        use std::cmp::Ordering;
        let (ra, rb) = (&self.repos[a], &self.repos[b]);
        let key = |r: &RepoNode| -> Option<i128> {
            let s = r.summary.as_ref()?;
            match self.sort {
                RepoSortColumn::Name => None,
                RepoSortColumn::Images => Some(s.images as i128),
                RepoSortColumn::Total => s.total_bytes.map(i128::from),
                RepoSortColumn::Unique => s.unique_bytes.map(i128::from),
                RepoSortColumn::Pushed => s
                    .newest_push
                    .or(s.newest_created)
                    .map(|d| d.timestamp() as i128),
            }
        };
        let dir = |o: Ordering| if self.descending { o.reverse() } else { o };
        let ord = if self.sort == RepoSortColumn::Name {
            dir(ra.name.cmp(&rb.name))
        } else {
            match (key(ra), key(rb)) {
                (Some(x), Some(y)) => dir(x.cmp(&y)),
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (None, None) => Ordering::Equal,
            }
        };
        ord.then_with(|| ra.name.cmp(&rb.name))
    }

    pub fn move_by(&mut self, delta: isize, page: usize) {
        if self.rows.is_empty() {
            return;
        }
        let c = (self.cursor as isize + delta).clamp(0, self.rows.len() as isize - 1);
        self.cursor = c as usize;
        let page = page.max(1);
        if self.cursor < self.offset {
            self.offset = self.cursor;
        } else if self.cursor >= self.offset + page {
            self.offset = self.cursor + 1 - page;
        }
    }

    /// "212 of 415 repositories" across every registry, plus summed traffic.
    pub fn progress(&self) -> (usize, Option<usize>, TrafficStats) {
        let mut stats = TrafficStats::default();
        let mut total = Some(0usize);
        let mut done = 0;
        for (ri, r) in self.registries.iter().enumerate() {
            done += self.done_of(ri);
            total = match (total, r.listed) {
                (Some(t), Some(l)) => Some(t + l),
                _ => None,
            };
            stats.requests += r.stats.requests;
            stats.retries += r.stats.retries;
            stats.throttled += r.stats.throttled;
            stats.errors += r.stats.errors;
            stats.challenges += r.stats.challenges;
            stats.fallbacks += r.stats.fallbacks;
            stats.bytes += r.stats.bytes;
            if r.stats.rate_limit.is_some() {
                stats.rate_limit = r.stats.rate_limit.clone();
            }
        }
        (done, total, stats)
    }

    /// Repositories of a registry that are done: the crawl's count, or the loaded ones if
    /// they arrived before its next progress report.
    pub fn done_of(&self, registry: usize) -> usize {
        let loaded = self
            .repos
            .iter()
            .filter(|x| x.registry == registry && x.summary.is_some())
            .count();
        self.registries[registry].done.max(loaded)
    }

    pub fn all_finished(&self) -> bool {
        self.registries.iter().all(|r| r.finished)
    }
}
