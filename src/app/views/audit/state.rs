//! What the audit view remembers: the report of the newest run, the selected repository
//! and check, and whether the evidence is open.

use crate::hygiene::{AuditReport, Check, CheckId, RepositoryAudit};
use std::sync::Arc;

#[derive(Debug, Default)]
pub struct AuditState {
    /// Ticket of the newest run; results of older ones are dropped.
    pub ticket: u64,
    /// The registry audited (fleet index) and its name.
    pub registry: Option<usize>,
    pub registry_name: String,
    pub running: bool,
    pub report: Option<Arc<AuditReport>>,
    pub error: Option<String>,
    /// Repositories listed but not loaded when the audit ran.
    pub not_loaded: usize,
    /// Selected repository row and check column (index into `CheckId::ALL`).
    pub cursor: usize,
    pub column: usize,
    pub offset: usize,
    /// The selected check's evidence is shown.
    pub evidence: bool,
    pub scroll: u16,
}

impl AuditState {
    pub fn rows(&self) -> &[RepositoryAudit] {
        self.report
            .as_ref()
            .map_or(&[], |r| r.repositories.as_slice())
    }

    pub fn selected_check(&self) -> Option<(&RepositoryAudit, &Check)> {
        let r = self.rows().get(self.cursor)?;
        let c = r.check(CheckId::ALL[self.column.min(CheckId::ALL.len() - 1)])?;
        Some((r, c))
    }

    pub fn move_by(&mut self, delta: isize, page: usize) {
        let len = self.rows().len();
        if len == 0 {
            self.cursor = 0;
            self.offset = 0;
            return;
        }
        self.cursor = (self.cursor as isize + delta).clamp(0, len as isize - 1) as usize;
        let page = page.max(1);
        if self.cursor < self.offset {
            self.offset = self.cursor;
        } else if self.cursor >= self.offset + page {
            self.offset = self.cursor + 1 - page;
        }
        self.scroll = 0;
    }
}
