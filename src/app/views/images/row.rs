//! A borrowed view of one table row with typed accessors: sentinels become `None`, text
//! comes out of the table's arena without copying.

use super::table::{ImageExtra, ImageRow, ImageTable, NO_SIZE, NO_TIME};
use crate::model::{Digest, ImageKind, Platform};
use chrono::{DateTime, TimeZone, Utc};

/// A borrowed view of one row with typed accessors.
#[derive(Clone, Copy)]
pub struct RowRef<'a> {
    pub(super) table: &'a ImageTable,
    pub id: u32,
    pub(super) row: &'a ImageRow,
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
    /// `tags_text` as bytes, without the `str` boundary checks (the filter's hot loop).
    pub fn tags_bytes(&self) -> &'a [u8] {
        let s = self.row.text_start as usize;
        &self.table.text.as_bytes()[s..s + self.row.tags_len as usize]
    }
    /// `digest_str` as bytes.
    pub fn digest_bytes(&self) -> &'a [u8] {
        let s = self.row.text_start as usize
            + self.row.tags_len as usize
            + usize::from(self.row.tags_len > 0);
        &self.table.text.as_bytes()[s..s + self.row.digest_len as usize]
    }
    /// Which character classes occur in the tags (see `filter::query::char_mask`).
    pub fn tag_mask(&self) -> u64 {
        self.table.tag_masks[self.id as usize]
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
