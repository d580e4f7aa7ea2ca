//! The error list: every error is kept, newest first, until the user dismisses it. Each
//! entry names the registry, repository, HTTP status and registry error code, and a next step.

use crate::app::views::list_filter::ListFilter;
use crate::model::InventoryIssue;
use crate::registry::RegistryError;
use chrono::{DateTime, Utc};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ErrorEntry {
    pub at: DateTime<Utc>,
    pub registry: String,
    pub repository: Option<String>,
    pub reference: Option<String>,
    pub status: Option<u16>,
    pub code: Option<String>,
    pub message: String,
    pub next_step: String,
}

impl ErrorEntry {
    pub fn from_registry_error(at: DateTime<Utc>, e: &RegistryError) -> Self {
        let place = e.place();
        ErrorEntry {
            at,
            registry: place.registry.clone(),
            repository: place.repository.clone(),
            reference: place.reference.clone(),
            status: e.http_status(),
            code: e.error_code().map(str::to_string),
            message: e.to_string(),
            next_step: e.next_step(),
        }
    }

    /// An inventory issue carries status, code and next step as fields; the message
    /// loses the "(next step)" the engine also appends for readers of the text alone.
    pub fn from_issue(at: DateTime<Utc>, registry: &str, issue: &InventoryIssue) -> Self {
        let message = issue
            .next_step
            .as_deref()
            .and_then(|n| issue.message.strip_suffix(&format!(" ({n})")))
            .unwrap_or(&issue.message);
        ErrorEntry {
            at,
            registry: registry.to_string(),
            repository: issue.repository.clone(),
            reference: issue.reference.clone(),
            status: issue.status,
            code: issue.code.clone(),
            message: message.to_string(),
            next_step: issue
                .next_step
                .clone()
                .unwrap_or_else(|| next_step_for(issue.status, registry)),
        }
    }

    pub fn plain(at: DateTime<Utc>, registry: &str, message: &str, next_step: &str) -> Self {
        ErrorEntry {
            at,
            registry: registry.to_string(),
            repository: None,
            reference: None,
            status: None,
            code: None,
            message: message.to_string(),
            next_step: next_step.to_string(),
        }
    }
}

fn passes(filter: &mut Option<ListFilter>, e: &ErrorEntry) -> bool {
    let Some(m) = filter.as_mut() else {
        return true;
    };
    let status = e.status.map(|s| s.to_string()).unwrap_or_default();
    m.matches(&[
        &e.registry,
        e.repository.as_deref().unwrap_or(""),
        &status,
        e.code.as_deref().unwrap_or(""),
        &e.message,
    ])
}

/// Advice from the status alone, for an issue that came without its own next step.
fn next_step_for(status: Option<u16>, registry: &str) -> String {
    match status {
        Some(401) => format!("log in: `regscope login {registry}` (or fix the credential helper)"),
        Some(403) => "ask for pull (or delete) permission on this repository".into(),
        Some(404) => {
            "check the repository and tag spelling; the image may have been deleted".into()
        }
        Some(429) => {
            "wait for the rate-limit window, log in for a higher limit, or lower the concurrency"
                .into()
        }
        Some(s) if s >= 500 => {
            "the registry failed; retry later (ctrl-r) or check its status page".into()
        }
        _ => "see the log (REGSCOPE_LOG=debug) for details; ctrl-r crawls again".into(),
    }
}

#[derive(Debug, Default)]
pub struct ErrorsState {
    /// Newest first.
    pub entries: Vec<ErrorEntry>,
    /// Index into `entries` of the selected one (always one the filter shows).
    pub cursor: usize,
    /// `/` on the list: registry, repository, status, code, message.
    pub filter: String,
    /// `enter`: the selected error in full, wrapped, scrolled by `scroll` lines.
    pub open: bool,
    pub scroll: u16,
}

impl ErrorsState {
    pub fn push(&mut self, e: ErrorEntry) {
        self.entries.insert(0, e);
        let shown = passes(&mut ListFilter::new(&self.filter), &self.entries[0]);
        if self.cursor > 0 || !shown {
            // Keep the same entry selected while new ones arrive on top (at the top, the
            // selection follows the newest one the filter shows).
            self.cursor += 1;
        }
        self.cursor = self.cursor.min(self.entries.len() - 1);
    }

    /// Indices of the entries the filter shows, newest first.
    pub fn visible(&self) -> Vec<usize> {
        let mut f = ListFilter::new(&self.filter);
        (0..self.entries.len())
            .filter(|&i| passes(&mut f, &self.entries[i]))
            .collect()
    }

    /// The selected entry, when the filter shows any.
    pub fn selected(&self) -> Option<&ErrorEntry> {
        self.visible()
            .contains(&self.cursor)
            .then(|| &self.entries[self.cursor])
    }

    /// Moves the selection `delta` entries through the visible ones.
    pub fn move_by(&mut self, delta: isize) {
        let v = self.visible();
        if v.is_empty() {
            return;
        }
        let at = v
            .iter()
            .position(|&i| i >= self.cursor)
            .unwrap_or(v.len() - 1) as isize;
        self.cursor = v[(at + delta).clamp(0, v.len() as isize - 1) as usize];
    }

    /// After the filter or the list changed: the selection moves to a shown entry.
    pub fn settle(&mut self) {
        self.move_by(0);
    }

    pub fn dismiss(&mut self) {
        if self.selected().is_none() {
            return;
        }
        self.entries.remove(self.cursor);
        self.cursor = self.cursor.min(self.entries.len().saturating_sub(1));
        self.settle();
    }

    /// Dismisses every entry the filter shows (all of them without a filter).
    pub fn dismiss_all(&mut self) {
        let v = self.visible();
        for i in v.into_iter().rev() {
            self.entries.remove(i);
        }
        self.cursor = 0;
        self.settle();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_issue_keeps_its_fields_and_loses_the_repeated_next_step() {
        let mut issue =
            InventoryIssue::new(Some("team/api"), None, "team/api: denied (ask for access)")
                .with_next_step("ask for access");
        issue.status = Some(403);
        issue.code = Some("DENIED".into());
        let e = ErrorEntry::from_issue(chrono::Utc::now(), "prod", &issue);
        assert_eq!(e.status, Some(403));
        assert_eq!(e.code.as_deref(), Some("DENIED"));
        assert_eq!(e.message, "team/api: denied");
        assert_eq!(e.next_step, "ask for access");
        let bare = InventoryIssue::new(Some("x"), None, "odd");
        let e = ErrorEntry::from_issue(chrono::Utc::now(), "prod", &bare);
        assert_eq!((e.status, e.code), (None, None));
        assert!(e.next_step.contains("log"), "{}", e.next_step);
    }
}
