//! `regscope cache prune`: drops what no last known inventory needs any more (manifests
//! and configs of images that are gone everywhere, unfinished crawls), keeps the history
//! (snapshots of completed crawls and tag observations), then compacts the file.

use super::Store;
use crate::registry::Manifest;
use std::collections::HashSet;

/// What a prune removed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Pruned {
    pub manifests: u64,
    pub configs: u64,
    pub crawls: u64,
    pub bytes_before: u64,
    pub bytes_after: u64,
}

impl Store {
    pub fn prune(&self) -> Option<Pruned> {
        let bytes_before = self.size_on_disk();
        let mut pruned = self.with("pruning", |c| {
            let tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            // Every digest a last known inventory still shows, children included.
            let mut keep: HashSet<String> = HashSet::new();
            {
                let mut q = tx.prepare("SELECT images FROM inventories")?;
                let blobs = q.query_map([], |r| r.get::<_, Vec<u8>>(0))?;
                for blob in blobs {
                    for i in super::inventory::decode(&blob?).unwrap_or_default() {
                        keep.insert(i.digest.to_string());
                        keep.extend(i.children.iter().map(|d| d.to_string()));
                    }
                }
            }
            let mut configs_kept: HashSet<String> = HashSet::new();
            let mut drop_manifests = Vec::new();
            {
                let mut q = tx.prepare("SELECT digest, media_type, bytes FROM manifests")?;
                let rows = q.query_map([], |r| {
                    Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, Vec<u8>>(2)?))
                })?;
                for row in rows {
                    let (digest, media_type, bytes) = row?;
                    if !keep.contains(&digest) {
                        drop_manifests.push(digest);
                        continue;
                    }
                    if let Ok(Manifest::Image(m)) = Manifest::parse(&bytes, &media_type) {
                        configs_kept.insert(m.config.digest.to_string());
                    }
                }
            }
            let mut del = tx.prepare("DELETE FROM manifests WHERE digest = ?1")?;
            for d in &drop_manifests {
                del.execute([d])?;
            }
            drop(del);
            let configs: Vec<String> = tx
                .prepare("SELECT digest FROM configs")?
                .query_map([], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            let mut configs_dropped = 0;
            let mut del = tx.prepare("DELETE FROM configs WHERE digest = ?1")?;
            for d in configs.iter().filter(|d| !configs_kept.contains(*d)) {
                del.execute([d])?;
                configs_dropped += 1;
            }
            drop(del);
            // Crawls that never finished (killed, or crashed) have no history value.
            let crawls = tx.execute(
                "DELETE FROM crawls WHERE complete = 0 AND finished_at IS NOT NULL OR (finished_at IS NULL AND started_at < ?1)",
                [super::now_ms() - 86_400_000],
            )?;
            tx.commit()?;
            Ok(Pruned {
                manifests: drop_manifests.len() as u64,
                configs: configs_dropped,
                crawls: crawls as u64,
                bytes_before,
                bytes_after: 0,
            })
        })?;
        self.with("compacting", |c| {
            c.execute_batch("VACUUM; PRAGMA wal_checkpoint(TRUNCATE);")
        });
        pruned.bytes_after = self.size_on_disk();
        Some(pruned)
    }
}
