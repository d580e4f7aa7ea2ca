//! Manifests and configs by digest. Content-addressed, so a stored copy is good for every
//! registry and repository, forever; each read re-checks the digest, so a damaged row is
//! a miss (fetched again), never a wrong answer.

use super::{now_ms, Store};
use crate::model::Digest;
use crate::registry::{FetchedManifest, Manifest};
use rusqlite::{params, OptionalExtension};

impl Store {
    /// The stored manifest with `digest`, parsed and verified; `None` if absent or damaged.
    pub fn manifest(&self, digest: &Digest) -> Option<FetchedManifest> {
        let row: Option<(String, Vec<u8>)> = self.with("reading a manifest", |c| {
            c.prepare_cached("SELECT media_type, bytes FROM manifests WHERE digest = ?1")?
                .query_row([digest.as_str()], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()
        })?;
        let (media_type, bytes) = row?;
        if !digest.verifies(&bytes) {
            tracing::warn!(
                "cache: stored manifest {digest} does not match its digest; fetching it again"
            );
            return None;
        }
        let manifest = Manifest::parse(&bytes, &media_type).ok()?;
        Some(FetchedManifest {
            digest: digest.clone(),
            media_type,
            bytes,
            manifest,
        })
    }

    /// Whether a manifest with `digest` is stored (no parse).
    pub fn has_manifest(&self, digest: &Digest) -> bool {
        self.with("looking up a manifest", |c| {
            c.prepare_cached("SELECT 1 FROM manifests WHERE digest = ?1")?
                .query_row([digest.as_str()], |_| Ok(()))
                .optional()
        })
        .flatten()
        .is_some()
    }

    /// Keeps a fetched (and already verified) manifest.
    pub fn put_manifest(&self, m: &FetchedManifest) {
        self.with("storing a manifest", |c| {
            c.prepare_cached(
                "INSERT OR IGNORE INTO manifests (digest, media_type, bytes, fetched_at) VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![m.digest.as_str(), m.media_type, m.bytes, now_ms()])
        });
    }

    /// The stored config blob with `digest`, verified; `None` if absent or damaged.
    pub fn config(&self, digest: &Digest) -> Option<Vec<u8>> {
        let bytes: Vec<u8> = self
            .with("reading a config", |c| {
                c.prepare_cached("SELECT bytes FROM configs WHERE digest = ?1")?
                    .query_row([digest.as_str()], |r| r.get(0))
                    .optional()
            })
            .flatten()?;
        digest.verifies(&bytes).then_some(bytes)
    }

    /// Keeps a config blob whose digest the caller verified.
    pub fn put_config(&self, digest: &Digest, bytes: &[u8]) {
        self.with("storing a config", |c| {
            c.prepare_cached(
                "INSERT OR IGNORE INTO configs (digest, bytes, fetched_at) VALUES (?1, ?2, ?3)",
            )?
            .execute(params![digest.as_str(), bytes, now_ms()])
        });
    }

    /// Counts of stored manifests and configs (`--version`, the benchmarks).
    pub fn content_counts(&self) -> (u64, u64) {
        self.with("counting content", |c| {
            let m: i64 = c.query_row("SELECT count(*) FROM manifests", [], |r| r.get(0))?;
            let k: i64 = c.query_row("SELECT count(*) FROM configs", [], |r| r.get(0))?;
            Ok((m as u64, k as u64))
        })
        .unwrap_or((0, 0))
    }
}
