//! Crawls, snapshots, the last known inventory of each repository and the tag → digest
//! observations. One repository is recorded in one transaction, as the crawl completes it.

use super::{now_ms, to_time, Store};
use crate::model::{Digest, Image, RepositorySummary};
use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

/// A crawl's row id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CrawlId(pub i64);

/// One tag observation: (tag, digest, first seen, last seen, still current).
pub type TagObservation = (String, Digest, DateTime<Utc>, DateTime<Utc>, bool);

/// What a refresh found changed against the last known inventory.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Changes {
    /// (repository, digest) of images that were not there before.
    pub new_images: Vec<(String, Digest)>,
    /// (repository, digest) of images that are gone (a deleted repository's too).
    pub deleted_images: Vec<(String, Digest)>,
    /// (repository, tag, from, to): tags that now point at another digest.
    pub moved_tags: Vec<(String, String, Digest, Digest)>,
}

impl Changes {
    pub fn is_empty(&self) -> bool {
        self.new_images.is_empty() && self.deleted_images.is_empty() && self.moved_tags.is_empty()
    }

    pub fn extend(&mut self, other: Changes) {
        self.new_images.extend(other.new_images);
        self.deleted_images.extend(other.deleted_images);
        self.moved_tags.extend(other.moved_tags);
    }
}

fn encode(images: &[Image]) -> rusqlite::Result<Vec<u8>> {
    let json = serde_json::to_vec(images)
        .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
    zstd::bulk::compress(&json, 3).map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))
}

pub(super) fn decode(blob: &[u8]) -> Option<Vec<Image>> {
    let json = zstd::stream::decode_all(blob).ok()?;
    serde_json::from_slice(&json).ok()
}

fn stored_images(c: &Connection, registry: &str, repository: &str) -> rusqlite::Result<Vec<Image>> {
    let blob: Option<Vec<u8>> = c
        .prepare_cached("SELECT images FROM inventories WHERE registry = ?1 AND repository = ?2")?
        .query_row([registry, repository], |r| r.get(0))
        .optional()?;
    Ok(blob.and_then(|b| decode(&b)).unwrap_or_default())
}

impl Store {
    /// Starts a crawl of `registry` (under `prefix`).
    pub fn begin_crawl(&self, registry: &str, prefix: Option<&str>) -> Option<CrawlId> {
        self.with("starting a crawl", |c| {
            c.execute(
                "INSERT INTO crawls (registry, prefix, started_at) VALUES (?1, ?2, ?3)",
                params![registry, prefix, now_ms()],
            )?;
            Ok(CrawlId(c.last_insert_rowid()))
        })
    }

    /// Ends a crawl; `complete` when every listed repository was read, which is what makes
    /// its snapshot part of the history.
    pub fn finish_crawl(&self, crawl: CrawlId, complete: bool) {
        self.with("finishing a crawl", |c| {
            c.execute(
                "UPDATE crawls SET finished_at = ?2, complete = ?3 WHERE id = ?1",
                params![crawl.0, now_ms(), complete],
            )
        });
    }

    /// Records one repository's images from `crawl`: its snapshot, its last known
    /// inventory and its tag observations. Returns what changed since the last record.
    pub fn record_repository(
        &self,
        crawl: CrawlId,
        registry: &str,
        repository: &str,
        images: &[Image],
    ) -> Option<Changes> {
        let now = now_ms();
        self.with("recording a repository", |c| {
            let tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let before = stored_images(&tx, registry, repository)?;
            let summary = RepositorySummary::from_images(registry, repository, images);
            tx.prepare_cached(
                "INSERT OR REPLACE INTO snapshots (crawl_id, repository, images, tags, total_bytes, unique_bytes) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![
                crawl.0,
                repository,
                summary.images as i64,
                summary.tags as i64,
                summary.total_bytes.map(|b| b as i64),
                summary.unique_bytes.map(|b| b as i64),
            ])?;
            tx.prepare_cached(
                "INSERT OR REPLACE INTO inventories (registry, repository, crawl_id, seen_at, image_count, images) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![registry, repository, crawl.0, now, images.len() as i64, encode(images)?])?;
            let moved = observe_tags(&tx, registry, repository, images, now)?;
            tx.commit()?;
            let had: HashSet<&Digest> = before.iter().map(|i| &i.digest).collect();
            let has: HashSet<&Digest> = images.iter().map(|i| &i.digest).collect();
            Ok(Changes {
                new_images: has
                    .difference(&had)
                    .map(|d| (repository.to_string(), (*d).clone()))
                    .collect(),
                deleted_images: had
                    .difference(&has)
                    .map(|d| (repository.to_string(), (*d).clone()))
                    .collect(),
                moved_tags: moved,
            })
        })
    }

    /// Forgets repositories under `prefix` that the registry no longer lists (deleted):
    /// their last known inventory goes, their tags stop being current. Their snapshots
    /// stay, as history. Returns their images as deleted.
    pub fn forget_unlisted(
        &self,
        registry: &str,
        prefix: Option<&str>,
        listed: &[String],
    ) -> Option<Changes> {
        let listed: HashSet<&str> = listed.iter().map(String::as_str).collect();
        self.with("forgetting deleted repositories", |c| {
            let tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let known: Vec<String> = tx
                .prepare_cached("SELECT repository FROM inventories WHERE registry = ?1")?
                .query_map([registry], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            let mut changes = Changes::default();
            for repo in known {
                let in_scope = prefix.is_none_or(|p| repo.starts_with(p));
                if !in_scope || listed.contains(repo.as_str()) {
                    continue;
                }
                for i in stored_images(&tx, registry, &repo)? {
                    changes.deleted_images.push((repo.clone(), i.digest));
                }
                tx.execute(
                    "DELETE FROM inventories WHERE registry = ?1 AND repository = ?2",
                    [registry, repo.as_str()],
                )?;
                tx.execute(
                    "UPDATE tag_observations SET current = 0 WHERE registry = ?1 AND repository = ?2 AND current = 1",
                    params![registry, repo],
                )?;
            }
            tx.commit()?;
            Ok(changes)
        })
    }

    /// Repositories of `registry` whose tags the store has seen (a refresh resolves their
    /// tags by HEAD; a repository never seen is read with plain GETs).
    pub fn known_repositories(&self, registry: &str) -> HashSet<String> {
        self.with("listing known repositories", |c| {
            c.prepare_cached("SELECT repository FROM inventories WHERE registry = ?1")?
                .query_map([registry], |r| r.get(0))?
                .collect()
        })
        .unwrap_or_default()
    }

    /// The repositories of `registry` (under `prefix`) that have a last known inventory, in
    /// order, and when the oldest of them was read: what an instant reopen lists before it
    /// decodes any images. `None` when there is none.
    pub fn cached_listing(
        &self,
        registry: &str,
        prefix: Option<&str>,
    ) -> Option<(Option<DateTime<Utc>>, Vec<String>)> {
        let rows: Vec<(String, i64)> = self.with("listing the last inventory", |c| {
            c.prepare_cached(
                "SELECT repository, seen_at FROM inventories WHERE registry = ?1 ORDER BY repository",
            )?
            .query_map([registry], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect()
        })?;
        let rows: Vec<(String, i64)> = rows
            .into_iter()
            .filter(|(repo, _)| prefix.is_none_or(|p| repo.starts_with(p)))
            .collect();
        let oldest = rows.iter().map(|r| r.1).min()?;
        Some((
            Some(to_time(oldest)),
            rows.into_iter().map(|r| r.0).collect(),
        ))
    }

    /// Each repository of `registry` (under `prefix`) with a last known inventory, in
    /// order, with the counts and bytes its last recorded crawl found (dates unknown: they
    /// come with the images). Read from the snapshot rows alone, without decoding any
    /// image, so a million-image store lists its whole tree at once. A repository whose
    /// snapshot is gone (its crawl pruned as unfinished) is left out, not guessed: it
    /// shows as loading until its images arrive.
    pub fn cached_summaries(&self, registry: &str, prefix: Option<&str>) -> Vec<RepositorySummary> {
        let rows: Vec<RepositorySummary> = self
            .with("reading the last summaries", |c| {
                c.prepare_cached(
                    "SELECT i.repository, s.images, s.tags, s.total_bytes, s.unique_bytes FROM inventories i JOIN snapshots s ON s.crawl_id = i.crawl_id AND s.repository = i.repository WHERE i.registry = ?1 ORDER BY i.repository",
                )?
                .query_map([registry], |r| {
                    Ok(RepositorySummary {
                        registry: registry.to_string(),
                        name: r.get(0)?,
                        images: r.get::<_, i64>(1)? as usize,
                        tags: r.get::<_, i64>(2)? as usize,
                        total_bytes: r.get::<_, Option<i64>>(3)?.map(|b| b as u64),
                        unique_bytes: r.get::<_, Option<i64>>(4)?.map(|b| b as u64),
                        newest_created: None,
                        newest_push: None,
                        oldest_pull: None,
                    })
                })?
                .collect()
            })
            .unwrap_or_default();
        rows.into_iter()
            .filter(|s| prefix.is_none_or(|p| s.name.starts_with(p)))
            .collect()
    }

    /// One repository's last known inventory, decoded; `None` when there is none or it
    /// does not decode (then the refresh reads it again). One repository at a time keeps
    /// a reopen of a million images from holding every decoded record at once.
    pub fn cached_images(&self, registry: &str, repository: &str) -> Option<Vec<Image>> {
        let blob: Option<Vec<u8>> = self.with("reading the last inventory", |c| {
            c.prepare_cached(
                "SELECT images FROM inventories WHERE registry = ?1 AND repository = ?2",
            )?
            .query_row([registry, repository], |r| r.get(0))
            .optional()
        })?;
        let images = decode(&blob?);
        if images.is_none() {
            tracing::warn!("cache: the stored inventory of {registry}/{repository} does not decode; it is read again");
        }
        images
    }

    /// Every tag observation of a repository as (tag, digest, first_seen, last_seen,
    /// current), oldest first (tests, and the history of a moved tag).
    pub fn tag_history(&self, registry: &str, repository: &str) -> Vec<TagObservation> {
        self.with("reading tag history", |c| {
            c.prepare_cached(
                "SELECT tag, digest, first_seen, last_seen, current FROM tag_observations WHERE registry = ?1 AND repository = ?2 ORDER BY tag, id",
            )?
            .query_map([registry, repository], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, i64>(3)?,
                    r.get::<_, bool>(4)?,
                ))
            })?
            .collect::<Result<Vec<_>, _>>()
        })
        .unwrap_or_default()
        .into_iter()
        .filter_map(|(t, d, f, l, cur)| Some((t, Digest::parse(&d).ok()?, to_time(f), to_time(l), cur)))
        .collect()
    }
}

/// Updates the tag observations of one repository: a tag still on its digest gets a new
/// last_seen; a moved tag closes its row and opens a new one; a tag gone stops being
/// current. Returns the moved tags.
fn observe_tags(
    c: &Connection,
    registry: &str,
    repository: &str,
    images: &[Image],
    now: i64,
) -> rusqlite::Result<Vec<(String, String, Digest, Digest)>> {
    let mut current: HashMap<String, (i64, String)> = HashMap::new();
    {
        let mut q = c.prepare_cached(
            "SELECT id, tag, digest FROM tag_observations WHERE registry = ?1 AND repository = ?2 AND current = 1",
        )?;
        let rows = q.query_map([registry, repository], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?;
        for row in rows {
            let (id, tag, digest) = row?;
            current.insert(tag, (id, digest));
        }
    }
    let now_tags: BTreeMap<&str, &Digest> = images
        .iter()
        .flat_map(|i| i.tags.iter().map(move |t| (t.as_str(), &i.digest)))
        .collect();
    let mut moved = Vec::new();
    let mut touch = c.prepare_cached("UPDATE tag_observations SET last_seen = ?2 WHERE id = ?1")?;
    let mut close = c.prepare_cached("UPDATE tag_observations SET current = 0 WHERE id = ?1")?;
    let mut open = c.prepare_cached(
        "INSERT INTO tag_observations (registry, repository, tag, digest, first_seen, last_seen) VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
    )?;
    for (tag, digest) in &now_tags {
        match current.get(*tag) {
            Some((id, was)) if was == digest.as_str() => {
                touch.execute(params![id, now])?;
            }
            Some((id, was)) => {
                close.execute([id])?;
                open.execute(params![registry, repository, tag, digest.as_str(), now])?;
                if let Ok(from) = Digest::parse(was) {
                    moved.push((
                        repository.to_string(),
                        tag.to_string(),
                        from,
                        (*digest).clone(),
                    ));
                }
            }
            None => {
                open.execute(params![registry, repository, tag, digest.as_str(), now])?;
            }
        }
    }
    let gone: BTreeSet<i64> = current
        .iter()
        .filter(|(t, _)| !now_tags.contains_key(t.as_str()))
        .map(|(_, (id, _))| *id)
        .collect();
    for id in gone {
        close.execute([id])?;
    }
    Ok(moved)
}
