//! The schema and its migrations. `PRAGMA user_version` holds the version; each migration
//! runs once, in order, inside one immediate transaction (so two processes opening a new
//! database at once cannot both apply it). A database newer than [`SCHEMA_VERSION`] is
//! left untouched: an older regscope cannot know what the newer one meant.

use super::OpenFailure;
use rusqlite::{Connection, TransactionBehavior};

/// The version this regscope writes. Bump it with a new entry in [`MIGRATIONS`].
pub const SCHEMA_VERSION: i64 = 1;

/// Migration `i` takes the database from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[
    // 1: the first schema.
    r#"
    -- Immutable content, by digest: fetched once, ever.
    CREATE TABLE manifests (
        digest TEXT PRIMARY KEY,
        media_type TEXT NOT NULL,
        bytes BLOB NOT NULL,
        fetched_at INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE configs (
        digest TEXT PRIMARY KEY,
        bytes BLOB NOT NULL,
        fetched_at INTEGER NOT NULL
    ) WITHOUT ROWID;
    -- What a tag pointed at, from when to when. A moved tag gets a new row; the old row
    -- keeps its last_seen and loses `current`.
    CREATE TABLE tag_observations (
        id INTEGER PRIMARY KEY,
        registry TEXT NOT NULL,
        repository TEXT NOT NULL,
        tag TEXT NOT NULL,
        digest TEXT NOT NULL,
        first_seen INTEGER NOT NULL,
        last_seen INTEGER NOT NULL,
        current INTEGER NOT NULL DEFAULT 1
    );
    CREATE INDEX tag_observations_current
        ON tag_observations (registry, repository, current);
    -- One row per crawl; `complete` once every listed repository was read.
    CREATE TABLE crawls (
        id INTEGER PRIMARY KEY,
        registry TEXT NOT NULL,
        prefix TEXT,
        started_at INTEGER NOT NULL,
        finished_at INTEGER,
        complete INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX crawls_registry ON crawls (registry, started_at);
    -- A snapshot per crawl and repository. Unknown byte counts stay NULL, never 0.
    CREATE TABLE snapshots (
        crawl_id INTEGER NOT NULL REFERENCES crawls (id) ON DELETE CASCADE,
        repository TEXT NOT NULL,
        images INTEGER NOT NULL,
        tags INTEGER NOT NULL,
        total_bytes INTEGER,
        unique_bytes INTEGER,
        PRIMARY KEY (crawl_id, repository)
    ) WITHOUT ROWID;
    -- The last known inventory records of each repository (zstd-compressed JSON of the
    -- regscope.inventory/v1 images), what a reopen draws before the refresh answers.
    CREATE TABLE inventories (
        registry TEXT NOT NULL,
        repository TEXT NOT NULL,
        crawl_id INTEGER NOT NULL,
        seen_at INTEGER NOT NULL,
        image_count INTEGER NOT NULL,
        images BLOB NOT NULL,
        PRIMARY KEY (registry, repository)
    ) WITHOUT ROWID;
    -- Findings reports by image digest, scanner source and scan time.
    CREATE TABLE findings (
        digest TEXT NOT NULL,
        source TEXT NOT NULL,
        scanned_at INTEGER NOT NULL,
        report BLOB NOT NULL,
        PRIMARY KEY (digest, source, scanned_at)
    ) WITHOUT ROWID;
    "#,
];

/// Brings the database up to [`SCHEMA_VERSION`], or refuses one that is newer.
pub(super) fn migrate(conn: &mut Connection) -> Result<(), OpenFailure> {
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if version > SCHEMA_VERSION {
        return Err(OpenFailure::Newer(version));
    }
    if version == SCHEMA_VERSION {
        // Reading the schema proves the file is a database (a corrupt header fails here).
        conn.query_row("SELECT count(*) FROM sqlite_master", [], |_| Ok(()))?;
        return Ok(());
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    // Another process may have migrated while this one waited for the lock.
    let version: i64 = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if version > SCHEMA_VERSION {
        return Err(OpenFailure::Newer(version));
    }
    for sql in MIGRATIONS.iter().skip(version as usize) {
        tx.execute_batch(sql)?;
    }
    tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
    tx.commit()?;
    Ok(())
}
