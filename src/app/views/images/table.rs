//! Compact, immutable storage for the images of one repository, sized for a million rows.
//!
//! The inventory hands us `Image` records (hundreds of bytes each, many heap strings); the
//! table keeps what the images pane draws, sorts and filters in fixed-size rows plus one
//! ASCII text arena (`"tag1 tag2 sha256:…"` per row, which is also the filter haystack).
//! Rarely present facts (referrers, children, subject) live in a sparse side map. A table
//! never changes once built, so it is shared as `Arc` with the filter worker, and sort
//! permutations are computed once per column and direction and cached.

use super::column::ImageColumn;
use super::records::RecordFacts;
pub use super::row::RowRef;
use crate::app::tasks::filter::query::char_mask;
use crate::model::{Digest, Image, ImageKind, Links, Platform, ReferrerRef, Role};
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

pub(super) const NO_SIZE: u64 = u64::MAX;
pub(super) const NO_TIME: i64 = i64::MIN;

/// One manifest, in 64 bytes. Unknown sizes and times use sentinels that never reach the
/// screen: accessors turn them back into `None`.
#[derive(Clone, Copy, Debug)]
pub struct ImageRow {
    pub(super) text_start: u32,
    pub(super) tags_len: u32,
    pub(super) digest_len: u16,
    pub(super) tag_count: u16,
    pub(super) media_type: u16,
    pub(super) kind: ImageKind,
    pub(super) platforms: u32,
    pub(super) size: u64,
    pub(super) unique: u64,
    pub(super) created: i64,
    pub(super) pushed: i64,
    pub(super) pulled: i64,
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
    pub(super) rows: Vec<ImageRow>,
    pub(super) text: String,
    /// Per row, `char_mask` of its tags: the filter rejects most rows with one AND.
    pub(super) tag_masks: Vec<u64>,
    pub(super) platform_sets: Vec<Box<[Platform]>>,
    pub(super) media_types: Vec<String>,
    pub(super) extras: HashMap<u32, ImageExtra>,
    pub(super) facts: RecordFacts,
    /// What each row is (`model::Role`); empty when no row lists or refers to another
    /// (then every row is top-level and its kind decides).
    pub(super) roles: Vec<Role>,
    /// Rows hanging from a row (its platforms, its referrers), in table order.
    pub(super) dependents: HashMap<u32, Vec<u32>>,
    /// Top-level rows in table order (the view before the first sort).
    pub(super) top_level: OnceLock<Arc<[u32]>>,
    pub(super) sorted: [OnceLock<Arc<[u32]>>; ImageColumn::ALL.len() * 2],
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
                tag_masks: Vec::new(),
                platform_sets: Vec::new(),
                media_types: Vec::new(),
                extras: HashMap::new(),
                facts: RecordFacts::default(),
                roles: Vec::new(),
                dependents: HashMap::new(),
                top_level: OnceLock::new(),
                sorted: std::array::from_fn(|_| OnceLock::new()),
            },
            platform_ids: HashMap::new(),
            media_ids: HashMap::new(),
        }
    }

    pub fn reserve(&mut self, rows: usize, text_bytes: usize) {
        self.table.rows.reserve(rows);
        self.table.tag_masks.reserve(rows);
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
        t.tag_masks
            .push(char_mask(&t.text.as_bytes()[text_start as usize..]));
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

    /// Settles what each row is (children under their index, referrers under their
    /// subject) by the engine's one definition.
    pub fn finish(mut self) -> ImageTable {
        let t = &mut self.table;
        t.facts.finish();
        if !t.extras.is_empty() {
            let links: Vec<Links<'_>> = (0..t.rows.len() as u32)
                .map(|id| {
                    let x = t.extras.get(&id);
                    Links {
                        digest: t.row(id).digest_str(),
                        kind: t.rows[id as usize].kind,
                        children: x.map_or(&[], |x| x.children.as_slice()),
                        subject: x.and_then(|x| x.subject.as_ref()),
                    }
                })
                .collect();
            let roles = crate::model::roles_in_repository(&links);
            let mut dependents: HashMap<u32, Vec<u32>> = HashMap::new();
            for (id, r) in roles.iter().enumerate() {
                if let Some(up) = r.up() {
                    dependents.entry(up).or_default().push(id as u32);
                }
            }
            t.roles = roles;
            t.dependents = dependents;
        }
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
    /// What row `id` is: an image, a platform of an index, a referrer of a subject.
    pub fn role(&self, id: u32) -> Role {
        match self.roles.get(id as usize) {
            Some(r) => *r,
            None => Role::decide(self.rows[id as usize].kind, None, None),
        }
    }
    /// How many rows are images (`Role::Image`): what the repository's count says.
    pub fn image_count(&self) -> usize {
        (0..self.rows.len() as u32)
            .filter(|&id| self.role(id).is_image())
            .count()
    }
    /// The rows hanging from row `id`, in table order.
    pub fn dependents(&self, id: u32) -> &[u32] {
        self.dependents.get(&id).map_or(&[], Vec::as_slice)
    }
    /// Whether any row hangs from another (the table then folds them).
    pub fn has_dependents(&self) -> bool {
        !self.dependents.is_empty()
    }
    /// Every row below row `id` (depth first, each with its depth from 1), for unfolding.
    pub fn descendants(&self, id: u32) -> Vec<(u32, u8)> {
        let mut out = Vec::new();
        let mut stack: Vec<(u32, u8)> = self.dependents(id).iter().rev().map(|&c| (c, 1)).collect();
        while let Some((c, depth)) = stack.pop() {
            out.push((c, depth));
            // Roles have no cycles, so this ends; the bound only guards the depth byte.
            if depth < u8::MAX {
                stack.extend(self.dependents(c).iter().rev().map(|&g| (g, depth + 1)));
            }
        }
        out
    }
    /// Top-level rows in table order: the view before the first sort.
    pub fn top_level(&self) -> Arc<[u32]> {
        self.top_level
            .get_or_init(|| {
                (0..self.rows.len() as u32)
                    .filter(|&id| self.role(id).is_top_level())
                    .collect()
            })
            .clone()
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
        self.rows.capacity() * std::mem::size_of::<ImageRow>()
            + self.text.capacity()
            + self.tag_masks.capacity() * 8
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
}
