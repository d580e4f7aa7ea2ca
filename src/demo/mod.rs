//! `regscope demo`: a realistic fleet of OCI image layouts built on first run, the same
//! every time for the same description, seed and epoch (see `assets/demo-fleet.toml`).
//! The fleet is a plain `oci:` tree, served by the same layout backend users point at.

mod build;
mod content;
mod layers;
mod reports;
pub mod spec;
mod timeline;

pub use build::FleetStats;
pub use spec::FleetSpec;

use chrono::{DateTime, Datelike, Duration, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Bumped whenever the generator's output changes, so old fleets are rebuilt.
pub const GENERATOR_VERSION: u32 = 1;
/// The file beside the layouts recording how they were made.
pub const STAMP: &str = "regscope-demo.json";

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("demo fleet description: {0}")]
    Spec(String),
    #[error("building the demo fleet: {0}")]
    Layout(#[from] crate::registry::layout::LayoutFault),
    #[error("{path}: {detail}")]
    Io { path: PathBuf, detail: String },
    #[error("no cache directory: set REGSCOPE_DATA or XDG_CACHE_HOME, or pass --dir")]
    NoCacheDir,
    #[error("invalid epoch {0:?}: expected RFC 3339, e.g. 2026-11-16T00:00:00Z")]
    Epoch(String),
}

/// What `regscope-demo.json` records.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Stamp {
    pub generator: u32,
    pub spec_sha256: String,
    pub seed: u64,
    pub epoch: DateTime<Utc>,
    pub repositories: usize,
    pub manifests: usize,
    pub tags: usize,
}

/// The fleet ready on disk.
#[derive(Clone, Debug)]
pub struct DemoFleet {
    pub path: PathBuf,
    pub stamp: Stamp,
    /// False when an existing fleet was reused.
    pub built_now: bool,
}

/// Where the demo lives: `$REGSCOPE_DATA/demo`, else `$XDG_CACHE_HOME/regscope/demo`, else
/// the platform cache dir (see `crate::paths`). XDG is honoured on every OS, as design.md asks.
pub fn default_dir() -> Result<PathBuf, DemoError> {
    let paths = crate::paths::Paths::discover();
    if paths.known {
        Ok(paths.demo_dir)
    } else {
        Err(DemoError::NoCacheDir)
    }
}

/// `"auto"` is Monday 00:00 UTC of the current week: recent enough that ages look current,
/// stable for a week so rebuilding the same day gives the same bytes.
pub fn resolve_epoch(spec_epoch: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, DemoError> {
    if spec_epoch != "auto" {
        return parse_epoch(spec_epoch);
    }
    let monday = now.date_naive() - Duration::days(now.weekday().num_days_from_monday() as i64);
    Ok(Utc.from_utc_datetime(&monday.and_hms_opt(0, 0, 0).expect("midnight")))
}

pub fn parse_epoch(s: &str) -> Result<DateTime<Utc>, DemoError> {
    DateTime::parse_from_rfc3339(s)
        .map(|d| d.with_timezone(&Utc))
        .map_err(|_| DemoError::Epoch(s.to_string()))
}

fn io(path: &Path, e: std::io::Error) -> DemoError {
    DemoError::Io {
        path: path.to_path_buf(),
        detail: e.to_string(),
    }
}

/// Builds the fleet at `dir` unless a matching one is there. `epoch` overrides the
/// description's; `rebuild` forces a fresh build. The fleet is built in a scratch
/// directory beside `dir` and renamed into place, so an interrupted first run leaves
/// nothing half-built behind.
pub fn ensure(
    dir: &Path,
    epoch: Option<DateTime<Utc>>,
    rebuild: bool,
) -> Result<DemoFleet, DemoError> {
    let spec = FleetSpec::parse(spec::EMBEDDED).map_err(DemoError::Spec)?;
    let spec_sha256 = crate::model::Digest::sha256_of(spec::EMBEDDED.as_bytes()).to_string();
    if !rebuild {
        if let Some(stamp) = read_stamp(dir) {
            let same = stamp.generator == GENERATOR_VERSION
                && stamp.spec_sha256 == spec_sha256
                && epoch.is_none_or(|e| e == stamp.epoch);
            if same {
                return Ok(DemoFleet {
                    path: dir.to_path_buf(),
                    stamp,
                    built_now: false,
                });
            }
        }
    }
    let epoch = match epoch {
        Some(e) => e,
        None => resolve_epoch(&spec.epoch, Utc::now())?,
    };
    let parent = dir.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(|e| io(parent, e))?;
    let name = dir.file_name().and_then(|n| n.to_str()).unwrap_or("demo");
    let scratch = parent.join(format!(".{name}.building-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    let stats = build::build_fleet(&spec, epoch, &scratch)?;
    let stamp = Stamp {
        generator: GENERATOR_VERSION,
        spec_sha256,
        seed: spec.seed,
        epoch,
        repositories: stats.repositories,
        manifests: stats.manifests,
        tags: stats.tags,
    };
    let stamp_path = scratch.join(STAMP);
    std::fs::write(
        &stamp_path,
        serde_json::to_vec_pretty(&stamp).expect("stamp"),
    )
    .map_err(|e| io(&stamp_path, e))?;
    if dir.exists() {
        std::fs::remove_dir_all(dir).map_err(|e| io(dir, e))?;
    }
    std::fs::rename(&scratch, dir).map_err(|e| io(dir, e))?;
    Ok(DemoFleet {
        path: dir.to_path_buf(),
        stamp,
        built_now: true,
    })
}

fn read_stamp(dir: &Path) -> Option<Stamp> {
    serde_json::from_slice(&std::fs::read(dir.join(STAMP)).ok()?).ok()
}

#[cfg(test)]
mod tests;
