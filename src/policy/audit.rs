//! The append-only audit log of a deletion run: JSON lines in the data dir, one file per
//! run, written and flushed before and after each deletion. Intent entries carry the raw
//! manifest bytes (base64) so `regscope restore` can re-push them. Nothing secret is ever
//! written: registry names, repositories, digests, tags, our own messages.

use base64::Engine as _;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AuditEvent {
    /// About to delete; holds the manifest.
    Intent,
    Deleted,
    Failed,
    Skipped,
    Restored,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub ts: DateTime<Utc>,
    pub run: String,
    pub event: AuditEvent,
    pub registry: String,
    pub repository: String,
    pub digest: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manifest_base64: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl AuditEntry {
    pub fn manifest_bytes(&self) -> Option<Vec<u8>> {
        base64::engine::general_purpose::STANDARD
            .decode(self.manifest_base64.as_deref()?)
            .ok()
    }
    pub fn encode(bytes: &[u8]) -> String {
        base64::engine::general_purpose::STANDARD.encode(bytes)
    }
}

#[derive(Debug, thiserror::Error)]
#[error("audit log {path}: {source}")]
pub struct AuditError {
    pub path: PathBuf,
    #[source]
    pub source: std::io::Error,
}

pub struct AuditLog {
    path: PathBuf,
    file: std::fs::File,
    pub run: String,
}

impl AuditLog {
    /// Creates `<dir>/audit/delete-<time>-<pid>.jsonl` (append-only).
    pub fn create(dir: &Path, now: DateTime<Utc>) -> Result<AuditLog, AuditError> {
        let run = format!("{}-{}", now.format("%Y%m%dT%H%M%SZ"), std::process::id());
        let audit_dir = dir.join("audit");
        std::fs::create_dir_all(&audit_dir).map_err(|source| AuditError {
            path: audit_dir.clone(),
            source,
        })?;
        let path = audit_dir.join(format!("delete-{run}.jsonl"));
        Self::open(&path, run)
    }

    pub fn open(path: &Path, run: String) -> Result<AuditLog, AuditError> {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|source| AuditError {
                path: path.to_path_buf(),
                source,
            })?;
        Ok(AuditLog {
            path: path.to_path_buf(),
            file,
            run,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one entry and flushes it to disk before returning.
    pub fn write(&mut self, entry: &AuditEntry) -> Result<(), AuditError> {
        let mut line = serde_json::to_vec(entry).expect("audit entries serialise");
        line.push(b'\n');
        let err = |source| AuditError {
            path: self.path.clone(),
            source,
        };
        self.file.write_all(&line).map_err(err)?;
        self.file.sync_data().map_err(|source| AuditError {
            path: self.path.clone(),
            source,
        })
    }

    /// Reads every entry of an audit file; a bad line is an error naming the line.
    pub fn read(path: &Path) -> Result<Vec<AuditEntry>, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        text.lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
            .map(|(n, l)| {
                serde_json::from_str(l).map_err(|e| {
                    format!("{} line {}: not an audit entry: {e}", path.display(), n + 1)
                })
            })
            .collect()
    }
}
