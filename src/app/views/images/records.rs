//! What an image table keeps beyond what the pane draws: the scan rollup per row (severity
//! columns) and the facts a deletion plan needs (blob lists, manifest sizes, storage class,
//! locks, per-tag facts). With these a plan evaluates the very records the crawl produced
//! ([`image_of`]) without the app keeping a million `Image`s alive: blob digests are
//! interned per table, rare facts live in a sparse map, and a column nobody reported
//! costs nothing.

use super::table::RowRef;
use crate::model::{
    BlobRef, Digest, Image, Lock, ScanStatus, ScanSummary, Severity, SeverityCounts, StorageClass,
    TagDetail,
};
use chrono::{DateTime, TimeZone, Utc};
use std::collections::HashMap;

const NO_SPAN: u32 = u32::MAX;
const NO_SIZE: u64 = u64::MAX;
const NO_TIME: i64 = i64::MIN;

/// A scan rollup in 40 bytes. `status == 0` means the inventory said nothing about
/// scanning (shown as unknown, never as clean).
#[derive(Clone, Copy, Debug, Default)]
struct ScanCell {
    status: u8,
    source: u8,
    counts: [u32; 6],
    scanned_at: i64,
}

fn status_code(s: &ScanStatus) -> u8 {
    match s {
        ScanStatus::NotScanned => 1,
        ScanStatus::Scanning => 2,
        ScanStatus::Failed => 3,
        ScanStatus::Unsupported => 4,
        ScanStatus::Scanned => 5,
    }
}

fn status_of(code: u8) -> Option<ScanStatus> {
    Some(match code {
        1 => ScanStatus::NotScanned,
        2 => ScanStatus::Scanning,
        3 => ScanStatus::Failed,
        4 => ScanStatus::Unsupported,
        5 => ScanStatus::Scanned,
        _ => return None,
    })
}

/// Facts few images have (archive storage class, locks and per-tag facts).
#[derive(Clone, Debug, Default, PartialEq)]
struct RareFacts {
    updated_at: Option<DateTime<Utc>>,
    storage_class: Option<StorageClass>,
    archived_at: Option<DateTime<Utc>>,
    activated_at: Option<DateTime<Utc>>,
    tag_details: Option<Vec<TagDetail>>,
    locked: Option<Lock>,
}

/// A distinct blob: its sha256 as bytes (see `RecordFacts::odd_digests` for others).
#[derive(Clone, Copy, Debug)]
struct PackedBlob {
    sha256: [u8; 32],
    size: u64,
}

/// How a blob is found again while a table is built.
#[derive(Debug, PartialEq, Eq, Hash)]
enum BlobKey {
    Sha256([u8; 32]),
    Other(String),
}

impl BlobKey {
    fn of(d: &Digest) -> BlobKey {
        let mut bytes = [0u8; 32];
        if d.algorithm() == "sha256" && hex::decode_to_slice(d.hex(), &mut bytes).is_ok() {
            BlobKey::Sha256(bytes)
        } else {
            BlobKey::Other(d.as_str().to_string())
        }
    }
}

#[derive(Debug, Default)]
pub struct RecordFacts {
    /// Empty until some row has a scan summary; then one cell per row.
    scans: Vec<ScanCell>,
    sources: Vec<String>,
    /// Empty until some row has a blob list; then `(start, len)` into `blob_refs` per row.
    blob_spans: Vec<(u32, u32)>,
    blob_refs: Vec<u32>,
    /// Each distinct blob once, in 40 bytes (a blob list of a million images holds two
    /// million or more; as `BlobRef`s with their text digests, interned by text, they were
    /// ~240 bytes each, most of a million-image TUI's memory).
    blobs: Vec<PackedBlob>,
    /// Digests that are not sha256 (sha512), by blob id: rare, so kept as text aside.
    odd_digests: HashMap<u32, Digest>,
    /// Blob ids by digest and declared size while rows are pushed (a digest two manifests
    /// declare with different sizes keeps both declarations, so a plan built from the table
    /// still sees the conflict); dropped by [`RecordFacts::finish`].
    blob_ids: HashMap<(BlobKey, u64), u32>,
    /// Empty until some row knows its manifest size.
    manifest_sizes: Vec<u64>,
    rare: HashMap<u32, RareFacts>,
}

impl RecordFacts {
    /// Records `img` as row `row` (rows arrive in order, starting at 0).
    pub fn push(&mut self, row: u32, img: &Image) {
        let n = row as usize;
        if let Some(s) = &img.scan {
            if self.scans.len() < n {
                self.scans.resize(n, ScanCell::default());
            }
            let source = s.source.as_ref().map_or(0, |src| {
                match self.sources.iter().position(|x| x == src) {
                    Some(i) => i as u8 + 1,
                    None if self.sources.len() < 254 => {
                        self.sources.push(src.clone());
                        self.sources.len() as u8
                    }
                    None => 0,
                }
            });
            let c = &s.counts;
            self.scans.push(ScanCell {
                status: status_code(&s.status),
                source,
                counts: [c.critical, c.high, c.medium, c.low, c.negligible, c.unknown],
                scanned_at: s.scanned_at.map_or(NO_TIME, |t| t.timestamp()),
            });
        } else if !self.scans.is_empty() {
            self.scans.push(ScanCell::default());
        }
        if let Some(list) = &img.blobs {
            if self.blob_spans.len() < n {
                self.blob_spans.resize(n, (NO_SPAN, 0));
            }
            let start = self.blob_refs.len() as u32;
            for b in list {
                let id = self.intern(b);
                self.blob_refs.push(id);
            }
            self.blob_spans.push((start, list.len() as u32));
        } else if !self.blob_spans.is_empty() {
            self.blob_spans.push((NO_SPAN, 0));
        }
        if let Some(ms) = img.manifest_size {
            if self.manifest_sizes.len() < n {
                self.manifest_sizes.resize(n, NO_SIZE);
            }
            self.manifest_sizes.push(ms);
        } else if !self.manifest_sizes.is_empty() {
            self.manifest_sizes.push(NO_SIZE);
        }
        let rare = RareFacts {
            updated_at: img.updated_at,
            // Standard is what an absent class means to every evaluator.
            storage_class: img.storage_class.filter(|c| *c != StorageClass::Standard),
            archived_at: img.archived_at,
            activated_at: img.activated_at,
            tag_details: img.tag_details.clone(),
            locked: img.locked.clone(),
        };
        if rare != RareFacts::default() {
            self.rare.insert(row, rare);
        }
    }

    fn intern(&mut self, b: &BlobRef) -> u32 {
        let next = self.blobs.len() as u32;
        let key = (BlobKey::of(&b.digest), b.size);
        if let Some(&id) = self.blob_ids.get(&key) {
            return id;
        }
        let sha256 = match &key.0 {
            BlobKey::Sha256(bytes) => *bytes,
            BlobKey::Other(_) => {
                self.odd_digests.insert(next, b.digest.clone());
                [0; 32]
            }
        };
        self.blobs.push(PackedBlob {
            sha256,
            size: b.size,
        });
        self.blob_ids.insert(key, next);
        next
    }

    /// The table is complete: drops what only building needed.
    pub fn finish(&mut self) {
        self.blob_ids = HashMap::new();
        self.blobs.shrink_to_fit();
        self.blob_refs.shrink_to_fit();
    }

    pub fn has_scans(&self) -> bool {
        !self.scans.is_empty()
    }

    /// The scan rollup of a row as the inventory reported it; `None` is unknown.
    pub fn scan(&self, row: u32) -> Option<ScanSummary> {
        let c = self.scans.get(row as usize)?;
        let status = status_of(c.status)?;
        let [critical, high, medium, low, negligible, unknown] = c.counts;
        Some(ScanSummary {
            status,
            scanned_at: (c.scanned_at != NO_TIME)
                .then(|| Utc.timestamp_opt(c.scanned_at, 0).single())
                .flatten(),
            counts: SeverityCounts {
                critical,
                high,
                medium,
                low,
                negligible,
                unknown,
            },
            source: (c.source > 0).then(|| self.sources[c.source as usize - 1].clone()),
        })
    }

    /// Findings of one severity, only where the image was scanned.
    pub fn count(&self, row: u32, sev: Severity) -> Option<u32> {
        let c = self.scans.get(row as usize)?;
        if c.status != status_code(&ScanStatus::Scanned) {
            return None;
        }
        Some(c.counts[severity_slot(sev)])
    }

    /// The scan status alone (cheap; for cells).
    pub fn scan_status(&self, row: u32) -> Option<ScanStatus> {
        status_of(self.scans.get(row as usize)?.status)
    }

    fn blobs_of(&self, row: u32) -> Option<Vec<BlobRef>> {
        let &(start, len) = self.blob_spans.get(row as usize)?;
        if start == NO_SPAN {
            return None;
        }
        let refs = &self.blob_refs[start as usize..(start + len) as usize];
        Some(refs.iter().map(|&i| self.blob(i)).collect())
    }

    fn blob(&self, id: u32) -> BlobRef {
        let b = &self.blobs[id as usize];
        let digest = match self.odd_digests.get(&id) {
            Some(d) => d.clone(),
            None => Digest::parse(&format!("sha256:{}", hex::encode(b.sha256)))
                .expect("32 bytes are a sha256 digest"),
        };
        BlobRef {
            digest,
            size: b.size,
        }
    }

    fn manifest_size(&self, row: u32) -> Option<u64> {
        self.manifest_sizes
            .get(row as usize)
            .copied()
            .filter(|s| *s != NO_SIZE)
    }
}

/// Position of a severity in a cell's counts (critical first).
pub fn severity_slot(sev: Severity) -> usize {
    match sev {
        Severity::Critical => 0,
        Severity::High => 1,
        Severity::Medium => 2,
        Severity::Low => 3,
        Severity::Negligible => 4,
        Severity::Unknown => 5,
    }
}

/// The inventory record of one row, rebuilt from the table: what the policy evaluators and
/// the deletion plan read.
pub fn image_of(r: RowRef<'_>) -> Image {
    let t = r.table();
    let mut img = Image::new(&t.repository, r.digest(), r.media_type(), r.kind());
    img.tags = r.tags().map(str::to_string).collect();
    img.size_bytes = r.size();
    img.unique_bytes = r.unique();
    img.platforms = r.platforms().to_vec();
    img.created_at = r.created();
    img.pushed_at = r.pushed();
    img.last_pulled_at = r.pulled();
    if let Some(x) = r.extra() {
        img.children = x.children.clone();
        img.referrers = x.referrers.clone();
        img.subject = x.subject.clone();
        img.artifact_type = x.artifact_type.clone();
    }
    let f = t.facts();
    img.scan = f.scan(r.id);
    img.blobs = f.blobs_of(r.id);
    img.manifest_size = f.manifest_size(r.id);
    if let Some(rare) = f.rare.get(&r.id) {
        img.updated_at = rare.updated_at;
        img.storage_class = rare.storage_class;
        img.archived_at = rare.archived_at;
        img.activated_at = rare.activated_at;
        img.tag_details = rare.tag_details.clone();
        img.locked = rare.locked.clone();
    }
    img
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::testing::image;
    use crate::app::views::images::table::ImageTable;
    use crate::model::Digest;

    #[test]
    fn records_round_trip_through_the_table() {
        let mut a = image("web", 1, &["v1", "latest"]);
        a.blobs = Some(vec![
            BlobRef {
                digest: Digest::sha256_of(b"config"),
                size: 1_000,
            },
            BlobRef {
                digest: Digest::sha256_of(b"base"),
                size: 30_000_000,
            },
        ]);
        a.manifest_size = Some(812);
        a.storage_class = Some(StorageClass::Archive);
        a.archived_at = a.created_at;
        a.pushed_at = a.created_at;
        a.scan = Some(ScanSummary {
            status: ScanStatus::Scanned,
            scanned_at: a.created_at,
            counts: SeverityCounts {
                critical: 2,
                high: 7,
                ..Default::default()
            },
            source: Some("ecr-basic".into()),
        });
        let mut b = image("web", 2, &[]);
        b.blobs = Some(vec![BlobRef {
            digest: Digest::sha256_of(b"base"),
            size: 30_000_000,
        }]);
        b.locked = Some(Lock {
            write_enabled: true,
            delete_enabled: false,
        });
        // No scan, no blob list, no manifest size: all unknown.
        let c = image("web", 3, &["old"]);
        let t = ImageTable::from_images("reg", "web", &[a.clone(), b.clone(), c.clone()]);
        assert_eq!(image_of(t.row(0)), a);
        assert_eq!(image_of(t.row(1)), b);
        assert_eq!(image_of(t.row(2)), c);
        assert_eq!(t.facts().count(0, Severity::Critical), Some(2));
        assert_eq!(t.facts().count(1, Severity::Critical), None, "not scanned");
        assert_eq!(t.facts().blobs.len(), 2, "shared blobs are interned once");
    }

    #[test]
    fn a_blob_declared_with_two_sizes_keeps_each_declaration() {
        let blob = |size| BlobRef {
            digest: Digest::sha256_of(b"base"),
            size,
        };
        let mut a = image("web", 1, &["v1"]);
        a.blobs = Some(vec![blob(11)]);
        let mut b = image("web", 2, &["v2"]);
        b.blobs = Some(vec![blob(4000)]);
        let t = ImageTable::from_images("reg", "web", &[a.clone(), b.clone()]);
        assert_eq!(image_of(t.row(0)), a);
        assert_eq!(image_of(t.row(1)), b, "not the first declaration's size");
    }

    #[test]
    fn sha512_and_sha256_blobs_round_trip_and_are_interned_once() {
        let sha512 = Digest::parse(&format!("sha512:{}", "ab".repeat(64))).unwrap();
        let odd = BlobRef {
            digest: sha512,
            size: 7,
        };
        let shared = BlobRef {
            digest: Digest::sha256_of(b"base"),
            size: 30,
        };
        let mut a = image("r", 1, &["a"]);
        a.blobs = Some(vec![odd.clone(), shared.clone()]);
        let mut b = image("r", 2, &["b"]);
        b.blobs = Some(vec![shared.clone(), odd.clone()]);
        let t = ImageTable::from_images("", "r", &[a.clone(), b.clone()]);
        assert_eq!(image_of(t.row(0)).blobs, a.blobs);
        assert_eq!(image_of(t.row(1)).blobs, b.blobs, "order kept per image");
        assert_eq!(t.facts().blobs.len(), 2);
        assert!(
            t.facts().blob_ids.is_empty(),
            "the build-time index is dropped"
        );
    }

    #[test]
    fn standard_storage_class_reads_back_as_absent() {
        let mut a = image("r", 1, &[]);
        a.storage_class = Some(StorageClass::Standard);
        let t = ImageTable::from_images("", "r", &[a]);
        assert_eq!(image_of(t.row(0)).storage_class, None);
    }
}
