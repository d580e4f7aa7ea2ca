//! Findings reports by (image digest, scanner source, scan time). A report for a digest is
//! about content that never changes, so a stored one is good until a newer scan exists.

use super::{to_time, Store};
use crate::model::Digest;
use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension};

/// One stored report: who scanned, when, and the report as that source gave it (JSON).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredFindings {
    pub source: String,
    pub scanned_at: DateTime<Utc>,
    pub report: Vec<u8>,
}

impl Store {
    pub fn put_findings(
        &self,
        digest: &Digest,
        source: &str,
        scanned_at: DateTime<Utc>,
        report: &[u8],
    ) {
        self.with("storing findings", |c| {
            c.prepare_cached(
                "INSERT OR REPLACE INTO findings (digest, source, scanned_at, report) VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![digest.as_str(), source, scanned_at.timestamp_millis(), report])
        });
    }

    /// The newest report of `digest` from `source`.
    pub fn latest_findings(&self, digest: &Digest, source: &str) -> Option<StoredFindings> {
        self.with("reading findings", |c| {
            c.prepare_cached(
                "SELECT scanned_at, report FROM findings WHERE digest = ?1 AND source = ?2 ORDER BY scanned_at DESC LIMIT 1",
            )?
            .query_row([digest.as_str(), source], |r| {
                Ok(StoredFindings {
                    source: source.to_string(),
                    scanned_at: to_time(r.get(0)?),
                    report: r.get(1)?,
                })
            })
            .optional()
        })
        .flatten()
    }
}
