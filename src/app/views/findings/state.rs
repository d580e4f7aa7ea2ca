//! What the findings tab remembers: fetched findings by digest, the sort, the filter, the
//! fixable-only switch and the cursor.

use crate::app::tasks::findings::FindingsReport;
use crate::model::Finding;
use std::collections::HashMap;
use std::sync::Arc;

#[derive(Clone, Debug)]
pub enum FindingsEntry {
    Loading,
    Ready(Arc<FindingsReport>),
    Failed(String),
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum FindingSort {
    /// Worst first, then id.
    #[default]
    Severity,
    Id,
    Package,
}

impl FindingSort {
    pub fn next(self) -> Self {
        match self {
            FindingSort::Severity => FindingSort::Id,
            FindingSort::Id => FindingSort::Package,
            FindingSort::Package => FindingSort::Severity,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            FindingSort::Severity => "severity",
            FindingSort::Id => "id",
            FindingSort::Package => "package",
        }
    }
}

#[derive(Debug, Default)]
pub struct FindingsState {
    pub cache: HashMap<String, FindingsEntry>,
    pub ticket: u64,
    pub sort: FindingSort,
    pub reversed: bool,
    /// Case-insensitive substring of the id or the package.
    pub filter: String,
    pub fixable_only: bool,
    pub cursor: usize,
    /// Repositories (`registry/repository`) where a fetched report shows a scanned image:
    /// their severity columns show even when the inventory had no scans.
    pub scanned_in: std::collections::HashSet<String>,
}

impl FindingsState {
    /// The findings to show for `report`, in order.
    pub fn visible<'a>(&self, report: &'a FindingsReport) -> Vec<&'a Finding> {
        let needle = self.filter.trim().to_ascii_lowercase();
        let mut v: Vec<&Finding> = report
            .findings
            .iter()
            .filter(|f| !self.fixable_only || f.fixed_version.is_some())
            .filter(|f| {
                needle.is_empty()
                    || f.id.to_ascii_lowercase().contains(&needle)
                    || f.package
                        .as_deref()
                        .is_some_and(|p| p.to_ascii_lowercase().contains(&needle))
            })
            .collect();
        v.sort_by(|a, b| {
            let o = match self.sort {
                FindingSort::Severity => b.severity.cmp(&a.severity).then(a.id.cmp(&b.id)),
                FindingSort::Id => a.id.cmp(&b.id),
                FindingSort::Package => a.package.cmp(&b.package).then(a.id.cmp(&b.id)),
            };
            if self.reversed {
                o.reverse()
            } else {
                o
            }
        });
        v
    }
}
