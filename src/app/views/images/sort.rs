//! Sorting a table: one permutation per column and direction, computed once and cached
//! (the table never changes), with unknown values last whichever way the sort runs.

use super::column::{ImageColumn, SortKey};
use super::table::{ImageRow, ImageTable, NO_TIME};
use std::cmp::Ordering;
use std::sync::Arc;

impl ImageTable {
    /// Top-level row ids in the order of `key`, unknown values last in both directions.
    /// Computed once. Rows that hang from another (an index's platforms, referrers) are
    /// not sorted among images: they are shown under their row when it is unfolded.
    pub fn sorted(&self, key: SortKey) -> Arc<[u32]> {
        let slot = key.column.index() * 2 + usize::from(key.descending);
        self.sorted[slot]
            .get_or_init(|| {
                let mut ids: Vec<u32> = self.top_level().to_vec();
                ids.sort_by(|&a, &b| self.compare(key, a, b));
                ids.into()
            })
            .clone()
    }

    /// Whether the permutation for `key` is already computed (the UI can then apply it
    /// without a round trip to the worker).
    pub fn sorted_if_ready(&self, key: SortKey) -> Option<Arc<[u32]>> {
        let slot = key.column.index() * 2 + usize::from(key.descending);
        self.sorted[slot].get().cloned()
    }

    fn compare(&self, key: SortKey, a: u32, b: u32) -> Ordering {
        let (ra, rb) = (self.row(a), self.row(b));
        let dir = |o: Ordering| if key.descending { o.reverse() } else { o };
        // Unknown last whatever the direction: "no push time" is not "oldest".
        let opt = |x: Option<i128>, y: Option<i128>| match (x, y) {
            (Some(x), Some(y)) => dir(x.cmp(&y)),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        };
        let ord = match key.column {
            ImageColumn::Tags => match (ra.first_tag(), rb.first_tag()) {
                (Some(x), Some(y)) => dir(x.cmp(y)),
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (None, None) => Ordering::Equal,
            },
            ImageColumn::Digest => dir(ra.digest_str().cmp(rb.digest_str())),
            ImageColumn::Kind => dir(ra.kind().cmp(&rb.kind())),
            ImageColumn::Platforms => dir(ra
                .platforms()
                .len()
                .cmp(&rb.platforms().len())
                .then_with(|| ra.platforms().cmp(rb.platforms()))),
            ImageColumn::Size => opt(ra.size().map(i128::from), rb.size().map(i128::from)),
            ImageColumn::Unique => opt(ra.unique().map(i128::from), rb.unique().map(i128::from)),
            ImageColumn::Created => opt(ra.row.created_opt(), rb.row.created_opt()),
            ImageColumn::Pushed => opt(ra.row.pushed_opt(), rb.row.pushed_opt()),
            ImageColumn::Pulled => opt(ra.row.pulled_opt(), rb.row.pulled_opt()),
            ImageColumn::Severity(sev) => opt(self.severity_key(a, sev), self.severity_key(b, sev)),
        };
        // Stable, deterministic tie-break so snapshots and tests do not depend on luck.
        ord.then_with(|| a.cmp(&b))
    }
}

impl ImageTable {
    /// Counts from `sev` down to low, as one number: sorting by critical breaks ties by
    /// high, then medium, then low. Unscanned rows have no key (they sort last).
    fn severity_key(&self, id: u32, sev: crate::model::Severity) -> Option<i128> {
        use crate::model::Severity::*;
        let order = [Critical, High, Medium, Low];
        let from = order.iter().position(|s| *s == sev).unwrap_or(0);
        let mut key: i128 = 0;
        for s in &order[from..] {
            key = (key << 32) | i128::from(self.facts.count(id, *s)?);
        }
        Some(key)
    }
}

impl ImageRow {
    fn time(v: i64) -> Option<i128> {
        (v != NO_TIME).then_some(v as i128)
    }
    fn created_opt(&self) -> Option<i128> {
        Self::time(self.created)
    }
    fn pushed_opt(&self) -> Option<i128> {
        Self::time(self.pushed)
    }
    fn pulled_opt(&self) -> Option<i128> {
        Self::time(self.pulled)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::testing::image;
    use crate::model::Image;

    #[test]
    fn unknown_sorts_last_in_both_directions() {
        let mut imgs: Vec<Image> = (1..=3).map(|i| image("r", i, &[])).collect();
        imgs[1].size_bytes = None;
        let t = ImageTable::from_images("", "r", &imgs);
        let asc = t.sorted(SortKey::new(ImageColumn::Size, false));
        let desc = t.sorted(SortKey::new(ImageColumn::Size, true));
        assert_eq!(*asc.last().unwrap(), 1);
        assert_eq!(*desc.last().unwrap(), 1);
        assert_ne!(asc[0], desc[0]);
    }
}
