//! The memory between runs: one embedded SQLite database in the cache dir
//! (`regscope.db`). It holds manifests and configs by digest (immutable, so fetched once,
//! ever), tag → digest observations with first and last seen, the last known inventory of
//! each repository, a snapshot per crawl and repository (the history of how a registry
//! grows) and findings by (digest, source, scanned_at).
//!
//! The cache is never load-bearing: a database that is corrupt, locked by another process
//! past the busy timeout, or written by a newer regscope gives one warning and the command
//! runs without it ([`open_for_run`]). A corrupt file is moved aside, never overwritten.
//! Errors after a good open (a disk that filled up, a page that went bad) switch the store
//! off for the rest of the run with one warning; the crawl itself goes on.

mod content;
mod findings;
pub mod history;
mod inventory;
mod prune;
mod schema;
#[cfg(test)]
mod tests;

pub use findings::StoredFindings;
pub use history::{growth, Growth, History, HistoryRepository, HistorySnapshot, HISTORY_SCHEMA};
pub use inventory::{Changes, CrawlId, TagObservation};
pub use prune::Pruned;
pub use schema::SCHEMA_VERSION;

use rusqlite::{Connection, ErrorCode, OpenFlags};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

/// The database's file name inside the cache dir.
pub const FILE_NAME: &str = "regscope.db";

/// How long a write waits for another regscope process holding the write lock.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Why the store could not be used; the message names the file and the next step.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the cache database {path} is corrupt ({detail}); it was moved aside to {moved_to} and this run goes without the cache")]
    Corrupt {
        path: PathBuf,
        moved_to: PathBuf,
        detail: String,
    },
    #[error("the cache database {path} is corrupt ({detail}) and could not be moved aside ({why}); running without the cache (remove it with `regscope cache clear`)")]
    CorruptStuck {
        path: PathBuf,
        detail: String,
        why: String,
    },
    #[error("the cache database {path} is locked by another process ({detail}); running without the cache this time")]
    Locked { path: PathBuf, detail: String },
    #[error("the cache database {path} has schema version {found}, newer than this regscope knows ({known}); running without the cache (upgrade regscope, or `regscope cache clear` to start over)")]
    Newer {
        path: PathBuf,
        found: i64,
        known: i64,
    },
    #[error("the cache database {path} cannot be used: {detail}; running without the cache")]
    Other { path: PathBuf, detail: String },
}

/// One open database. Cheap to share (`Arc`); every call takes the connection briefly.
pub struct Store {
    conn: Mutex<Connection>,
    path: PathBuf,
    /// Set by the first failing call after the open: the rest of the run goes without.
    broken: AtomicBool,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Store({})", self.path.display())
    }
}

/// A shared store handle that compares by identity, so options holding one stay `Eq`.
#[derive(Clone, Debug)]
pub struct StoreHandle(pub Arc<Store>);

impl PartialEq for StoreHandle {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}
impl Eq for StoreHandle {}

impl std::ops::Deref for StoreHandle {
    type Target = Store;
    fn deref(&self) -> &Store {
        &self.0
    }
}

/// The store's path in the cache dir of this process's environment.
pub fn default_path() -> PathBuf {
    crate::paths::Paths::discover().cache_dir.join(FILE_NAME)
}

static DISABLED: AtomicBool = AtomicBool::new(false);
static SHARED: std::sync::OnceLock<Option<StoreHandle>> = std::sync::OnceLock::new();

/// `--no-cache`: this process reads and records nothing in the store.
pub fn disable() {
    DISABLED.store(true, Ordering::Relaxed);
}

/// The store this process's crawls read through, opened on first use: `None` with
/// `--no-cache` or `REGSCOPE_NO_CACHE` set, or when it cannot be used. The second value is
/// the one warning to show, returned to the first caller only (every later caller gets
/// the same store, or the same `None`, silently).
pub fn open_for_run() -> (Option<StoreHandle>, Option<String>) {
    let mut warning = None;
    let store = SHARED.get_or_init(|| {
        let env_off = std::env::var_os("REGSCOPE_NO_CACHE").is_some_and(|v| !v.is_empty());
        if DISABLED.load(Ordering::Relaxed) || env_off {
            return None;
        }
        match Store::open(&default_path()) {
            Ok(s) => Some(StoreHandle(Arc::new(s))),
            Err(e) => {
                tracing::warn!("{e}");
                warning = Some(e.to_string());
                None
            }
        }
    });
    (store.clone(), warning)
}

impl Store {
    /// Opens (creating when absent) the database at `path` and brings its schema up to
    /// date. See [`StoreError`] for what can go wrong; a corrupt file is moved aside.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| StoreError::Other {
                path: path.to_path_buf(),
                detail: format!("cannot create its folder: {e}"),
            })?;
        }
        // Switching a new file to WAL or migrating it takes locks SQLite will not wait for
        // (it reports busy at once to avoid deadlocks), so a second process opening at the
        // same moment retries here, within the same busy timeout.
        let deadline = std::time::Instant::now() + BUSY_TIMEOUT;
        loop {
            match Self::try_open(path) {
                Ok(s) => return Ok(s),
                Err(OpenFailure::Sql(e)) if is_busy(&e) && std::time::Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(25 + fastrand::u64(0..50)));
                }
                Err(e) => return Err(classify(path, e)),
            }
        }
    }

    fn try_open(path: &Path) -> Result<Store, OpenFailure> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let mut conn = Connection::open_with_flags(path, flags)?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        // WAL: readers never block the writer, so two processes can crawl at once; NORMAL
        // sync is durable across application crashes, which is all a cache needs.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        schema::migrate(&mut conn)?;
        Ok(Store {
            conn: Mutex::new(conn),
            path: path.to_path_buf(),
            broken: AtomicBool::new(false),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Bytes on disk: the database with its write-ahead log.
    pub fn size_on_disk(&self) -> u64 {
        size_on_disk(&self.path)
    }

    /// The connection, unless an earlier failure switched the store off.
    fn conn(&self) -> Option<MutexGuard<'_, Connection>> {
        if self.broken.load(Ordering::Relaxed) {
            return None;
        }
        Some(self.conn.lock().unwrap_or_else(|p| p.into_inner()))
    }

    /// Runs `f` on the connection; a failure is logged once and switches the store off
    /// (the caller carries on as if the cache were empty).
    fn with<T>(
        &self,
        what: &str,
        f: impl FnOnce(&mut Connection) -> rusqlite::Result<T>,
    ) -> Option<T> {
        let mut conn = self.conn()?;
        match f(&mut conn) {
            Ok(v) => Some(v),
            Err(e) => {
                if !self.broken.swap(true, Ordering::Relaxed) {
                    tracing::warn!(
                        "cache database {}: {what} failed ({e}); going on without the cache",
                        self.path.display()
                    );
                }
                None
            }
        }
    }

    /// Whether a failure switched the store off during this run.
    pub fn is_broken(&self) -> bool {
        self.broken.load(Ordering::Relaxed)
    }
}

/// Bytes on disk of the database at `path` with its `-wal` and `-shm` files (0 if absent).
pub fn size_on_disk(path: &Path) -> u64 {
    companions(path)
        .iter()
        .filter_map(|p| std::fs::metadata(p).ok())
        .map(|m| m.len())
        .sum()
}

/// The database file and the files SQLite keeps beside it.
fn companions(path: &Path) -> [PathBuf; 3] {
    let with = |suffix: &str| {
        let mut s = path.as_os_str().to_owned();
        s.push(suffix);
        PathBuf::from(s)
    };
    [path.to_path_buf(), with("-wal"), with("-shm")]
}

/// Deletes the database and its companion files (`regscope cache clear`). Returns the
/// bytes freed.
pub fn clear(path: &Path) -> std::io::Result<u64> {
    let size = size_on_disk(path);
    for p in companions(path) {
        match std::fs::remove_file(&p) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
    }
    Ok(size)
}

enum OpenFailure {
    Sql(rusqlite::Error),
    Newer(i64),
}

impl From<rusqlite::Error> for OpenFailure {
    fn from(e: rusqlite::Error) -> Self {
        OpenFailure::Sql(e)
    }
}

fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(ErrorCode::DatabaseBusy) | Some(ErrorCode::DatabaseLocked)
    )
}

fn classify(path: &Path, failure: OpenFailure) -> StoreError {
    let e = match failure {
        OpenFailure::Newer(found) => {
            return StoreError::Newer {
                path: path.to_path_buf(),
                found,
                known: SCHEMA_VERSION,
            }
        }
        OpenFailure::Sql(e) => e,
    };
    let code = e.sqlite_error_code();
    let detail = e.to_string();
    match code {
        Some(ErrorCode::DatabaseBusy) | Some(ErrorCode::DatabaseLocked) => StoreError::Locked {
            path: path.to_path_buf(),
            detail,
        },
        Some(ErrorCode::NotADatabase) | Some(ErrorCode::DatabaseCorrupt) => {
            match move_aside(path) {
                Ok(moved_to) => StoreError::Corrupt {
                    path: path.to_path_buf(),
                    moved_to,
                    detail,
                },
                Err(why) => StoreError::CorruptStuck {
                    path: path.to_path_buf(),
                    detail,
                    why: why.to_string(),
                },
            }
        }
        _ => StoreError::Other {
            path: path.to_path_buf(),
            detail,
        },
    }
}

/// Renames a corrupt database (and its companions) to `regscope.db.corrupt-<time>` so
/// nothing is lost and the next run starts a fresh one.
fn move_aside(path: &Path) -> std::io::Result<PathBuf> {
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%S%.3fZ");
    let mut target = path.as_os_str().to_owned();
    target.push(format!(".corrupt-{stamp}"));
    let target = PathBuf::from(target);
    std::fs::rename(path, &target)?;
    for (from, suffix) in companions(path).iter().skip(1).zip(["-wal", "-shm"]) {
        let mut to = target.as_os_str().to_owned();
        to.push(suffix);
        let _ = std::fs::rename(from, PathBuf::from(to));
    }
    Ok(target)
}

/// Milliseconds since the epoch, the store's clock.
pub(crate) fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

pub(crate) fn to_time(ms: i64) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp_millis(ms).unwrap_or_default()
}
