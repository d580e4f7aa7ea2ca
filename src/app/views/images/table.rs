//! Compact, immutable storage for the images of one repository, sized for a million rows.
//!
//! The inventory hands us `Image` records (hundreds of bytes each, many heap strings); the
//! table keeps what the images pane draws, sorts and filters in fixed-size rows plus one
//! ASCII text arena (`"tag1 tag2 sha256:…"` per row, which is also the filter haystack).
//! Rarely present facts (referrers, children, subject) live in a sparse side map. A table
//! never changes once built, so it is shared as `Arc` with the filter worker, and sort
//! permutations are computed once per column and direction and cached.

use super::column::{ImageColumn, SortKey};
use super::records::RecordFacts;
use crate::model::{Digest, Image, ImageKind, Platform, ReferrerRef};
use chrono::{DateTime, TimeZone, Utc};
use std::cmp::Ordering;
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

const NO_SIZE: u64 = u64::MAX;
const NO_TIME: i64 = i64::MIN;

/// One manifest, in 64 bytes. Unknown sizes and times use sentinels that never reach the
/// screen: accessors turn them back into `None`.
#[derive(Clone, Copy, Debug)]
pub struct ImageRow {
    text_start: u32,
    tags_len: u32,
    digest_len: u16,
    tag_count: u16,
    media_type: u16,
    kind: ImageKind,
    platforms: u32,
    size: u64,
    unique: u64,
    created: i64,
    pushed: i64,
    pulled: i64,
}

/// Facts few images have, kept out of the hot rows.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ImageExtra {
    pub children: Vec<Digest>,
    pub referrers: Vec<ReferrerRef>,
    pub subject: Option<Digest>,
    pub artifact_type: Option<String>,
}

pub struct ImageTable {
    pub registry: String,
    pub repository: String,
    rows: Vec<ImageRow>,
    text: String,
    platform_sets: Vec<Box<[Platform]>>,
    media_types: Vec<String>,
    extras: HashMap<u32, ImageExtra>,
    facts: RecordFacts,
    sorted: [OnceLock<Arc<[u32]>>; ImageColumn::ALL.len() * 2],
}

impl std::fmt::Debug for ImageTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "ImageTable({}/{}, {} rows)",
            self.registry,
            self.repository,
            self.len()
        )
    }
}

/// Builds a table row by row; also used by benchmarks to make a million rows cheaply.
pub struct ImageTableBuilder {
    table: ImageTable,
    platform_ids: HashMap<Box<[Platform]>, u32>,
    media_ids: HashMap<String, u16>,
}

impl ImageTableBuilder {
    pub fn new(registry: &str, repository: &str) -> Self {
        ImageTableBuilder {
            table: ImageTable {
                registry: registry.to_string(),
                repository: repository.to_string(),
                rows: Vec::new(),
                text: String::new(),
                platform_sets: Vec::new(),
                media_types: Vec::new(),
                extras: HashMap::new(),
                facts: RecordFacts::default(),
                sorted: std::array::from_fn(|_| OnceLock::new()),
            },
            platform_ids: HashMap::new(),
            media_ids: HashMap::new(),
        }
    }

    pub fn reserve(&mut self, rows: usize, text_bytes: usize) {
        self.table.rows.reserve(rows);
        self.table.text.reserve(text_bytes);
    }

    pub fn push(&mut self, img: &Image) {
        let t = &mut self.table;
        let text_start = t.text.len() as u32;
        for (i, tag) in img.tags.iter().enumerate() {
            if i > 0 {
                t.text.push(' ');
            }
            // The arena must stay ASCII for the matcher's fast path; tags are ASCII by the
            // distribution spec, so this only guards against hostile registries.
            t.text
                .extend(tag.chars().map(|c| if c.is_ascii() { c } else { '?' }));
        }
        let tags_len = t.text.len() as u32 - text_start;
        if !img.tags.is_empty() {
            t.text.push(' ');
        }
        t.text.push_str(img.digest.as_str());
        let digest_len = img.digest.as_str().len() as u16;

        let plats: Box<[Platform]> = img.platforms.clone().into_boxed_slice();
        let next = self.platform_ids.len() as u32;
        let platforms = *self.platform_ids.entry(plats.clone()).or_insert_with(|| {
            t.platform_sets.push(plats);
            next
        });
        let next = self.media_ids.len() as u16;
        let media_type = *self
            .media_ids
            .entry(img.media_type.clone())
            .or_insert_with(|| {
                t.media_types.push(img.media_type.clone());
                next
            });
        let row_id = t.rows.len() as u32;
        t.facts.push(row_id, img);
        t.rows.push(ImageRow {
            text_start,
            tags_len,
            digest_len,
            tag_count: img.tags.len().min(u16::MAX as usize) as u16,
            media_type,
            kind: img.kind,
            platforms,
            size: img.size_bytes.unwrap_or(NO_SIZE),
            unique: img.unique_bytes.unwrap_or(NO_SIZE),
            created: img.created_at.map_or(NO_TIME, |d| d.timestamp()),
            pushed: img.pushed_at.map_or(NO_TIME, |d| d.timestamp()),
            pulled: img.last_pulled_at.map_or(NO_TIME, |d| d.timestamp()),
        });
        if !img.children.is_empty()
            || !img.referrers.is_empty()
            || img.subject.is_some()
            || img.artifact_type.is_some()
        {
            t.extras.insert(
                row_id,
                ImageExtra {
                    children: img.children.clone(),
                    referrers: img.referrers.clone(),
                    subject: img.subject.clone(),
                    artifact_type: img.artifact_type.clone(),
                },
            );
        }
    }

    pub fn finish(self) -> ImageTable {
        self.table
    }
}

impl ImageTable {
    pub fn from_images(registry: &str, repository: &str, images: &[Image]) -> Self {
        let mut b = ImageTableBuilder::new(registry, repository);
        b.reserve(images.len(), images.len() * 90);
        for img in images {
            b.push(img);
        }
        b.finish()
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
    pub fn row(&self, id: u32) -> RowRef<'_> {
        RowRef {
            table: self,
            id,
            row: &self.rows[id as usize],
        }
    }
    pub fn rows(&self) -> impl Iterator<Item = RowRef<'_>> {
        (0..self.rows.len() as u32).map(|i| self.row(i))
    }
    /// The filter haystack of one row: its tags and digest.
    pub fn haystack(&self, id: u32) -> &str {
        let r = &self.rows[id as usize];
        let start = r.text_start as usize;
        let sep = usize::from(r.tags_len > 0);
        &self.text[start..start + r.tags_len as usize + sep + r.digest_len as usize]
    }
    pub fn find_digest(&self, digest: &str) -> Option<u32> {
        (0..self.rows.len() as u32).find(|&i| self.row(i).digest_str() == digest)
    }
    /// Whether any row carries a scan rollup (the severity columns show then).
    pub fn has_scans(&self) -> bool {
        self.facts.has_scans()
    }
    /// Scan rollups and the facts a deletion plan needs (see `records`).
    pub fn facts(&self) -> &RecordFacts {
        &self.facts
    }
    /// Bytes held by the table's own storage (benchmarks report it).
    pub fn heap_bytes(&self) -> usize {
        self.rows.capacity() * std::mem::size_of::<ImageRow>() + self.text.capacity()
    }

    /// Row ids in the order of `key`, unknown values last in both directions. Computed once.
    pub fn sorted(&self, key: SortKey) -> Arc<[u32]> {
        let slot = key.column.index() * 2 + usize::from(key.descending);
        self.sorted[slot]
            .get_or_init(|| {
                let mut ids: Vec<u32> = (0..self.rows.len() as u32).collect();
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

/// A borrowed view of one row with typed accessors.
#[derive(Clone, Copy)]
pub struct RowRef<'a> {
    table: &'a ImageTable,
    pub id: u32,
    row: &'a ImageRow,
}

fn to_time(v: i64) -> Option<DateTime<Utc>> {
    (v != NO_TIME)
        .then(|| Utc.timestamp_opt(v, 0).single())
        .flatten()
}

impl<'a> RowRef<'a> {
    /// Tags joined by single spaces ("" when untagged).
    pub fn tags_text(&self) -> &'a str {
        let s = self.row.text_start as usize;
        &self.table.text[s..s + self.row.tags_len as usize]
    }
    pub fn tags(&self) -> impl Iterator<Item = &'a str> {
        self.tags_text().split(' ').filter(|t| !t.is_empty())
    }
    pub fn first_tag(&self) -> Option<&'a str> {
        self.tags().next()
    }
    pub fn tag_count(&self) -> usize {
        self.row.tag_count as usize
    }
    pub fn digest_str(&self) -> &'a str {
        let s = self.row.text_start as usize
            + self.row.tags_len as usize
            + usize::from(self.row.tags_len > 0);
        &self.table.text[s..s + self.row.digest_len as usize]
    }
    pub fn digest(&self) -> Digest {
        Digest::parse(self.digest_str()).expect("table digests come from validated Digests")
    }
    /// The first 12 hex characters.
    pub fn short_digest(&self) -> &'a str {
        let d = self.digest_str();
        let hex = d.split_once(':').map_or(d, |(_, h)| h);
        &hex[..hex.len().min(12)]
    }
    pub fn kind(&self) -> ImageKind {
        self.row.kind
    }
    pub fn media_type(&self) -> &'a str {
        &self.table.media_types[self.row.media_type as usize]
    }
    pub fn platforms(&self) -> &'a [Platform] {
        &self.table.platform_sets[self.row.platforms as usize]
    }
    pub fn size(&self) -> Option<u64> {
        (self.row.size != NO_SIZE).then_some(self.row.size)
    }
    pub fn unique(&self) -> Option<u64> {
        (self.row.unique != NO_SIZE).then_some(self.row.unique)
    }
    pub fn created(&self) -> Option<DateTime<Utc>> {
        to_time(self.row.created)
    }
    pub fn pushed(&self) -> Option<DateTime<Utc>> {
        to_time(self.row.pushed)
    }
    pub fn pulled(&self) -> Option<DateTime<Utc>> {
        to_time(self.row.pulled)
    }
    pub fn table(&self) -> &'a ImageTable {
        self.table
    }
    pub fn extra(&self) -> Option<&'a ImageExtra> {
        self.table.extras.get(&self.id)
    }
    /// `registry/repository@digest`.
    pub fn reference(&self) -> String {
        if self.table.registry.is_empty() {
            format!("{}@{}", self.table.repository, self.digest_str())
        } else {
            format!(
                "{}/{}@{}",
                self.table.registry,
                self.table.repository,
                self.digest_str()
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::testing::image;

    #[test]
    fn rows_round_trip_and_unknown_stays_unknown() {
        let mut a = image("web", 1, &["v1", "latest"]);
        a.size_bytes = None;
        let b = image("web", 2, &[]);
        let t = ImageTable::from_images("reg", "web", &[a.clone(), b.clone()]);
        let r = t.row(0);
        assert_eq!(r.tags_text(), "v1 latest");
        assert_eq!(r.digest_str(), a.digest.as_str());
        assert_eq!(r.size(), None);
        assert_eq!(r.created(), a.created_at);
        assert_eq!(t.row(1).tags_text(), "");
        assert_eq!(t.row(1).digest_str(), b.digest.as_str());
        assert_eq!(t.haystack(1), b.digest.as_str());
        assert_eq!(t.haystack(0), format!("v1 latest {}", a.digest));
        assert_eq!(r.reference(), format!("reg/web@{}", a.digest));
        assert!(std::mem::size_of::<ImageRow>() <= 64);
    }

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
