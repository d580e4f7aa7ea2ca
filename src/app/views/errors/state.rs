//! The error list: every error is kept, newest first, until the user dismisses it. Each
//! entry names the registry, repository, HTTP status and registry error code, and a next step.

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

    /// An inventory issue carries the error's text; status and code are read back from the
    /// `HTTP 403, DENIED` part that `RegistryError` always writes.
    pub fn from_issue(at: DateTime<Utc>, registry: &str, issue: &InventoryIssue) -> Self {
        let (status, code) = status_and_code(&issue.message);
        ErrorEntry {
            at,
            registry: registry.to_string(),
            repository: issue.repository.clone(),
            reference: issue.reference.clone(),
            status,
            code,
            message: issue.message.clone(),
            next_step: next_step_for(status, registry),
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

fn status_and_code(msg: &str) -> (Option<u16>, Option<String>) {
    let Some(i) = msg.find("HTTP ") else {
        return (None, None);
    };
    let rest = &msg[i + 5..];
    let status = rest.get(..3).and_then(|s| s.parse().ok());
    let code = rest
        .get(3..)
        .and_then(|r| r.strip_prefix(", "))
        .map(|r| {
            r.chars()
                .take_while(|c| c.is_ascii_uppercase() || *c == '_')
                .collect::<String>()
        })
        .filter(|c| !c.is_empty());
    (status, code)
}

/// The same advice `RegistryError::next_step` gives, from the status alone.
fn next_step_for(status: Option<u16>, registry: &str) -> String {
    match status {
        Some(401) => format!("log in: `docker login {registry}` (or fix the credential helper)"),
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
    pub cursor: usize,
}

impl ErrorsState {
    pub fn push(&mut self, e: ErrorEntry) {
        self.entries.insert(0, e);
        if self.cursor > 0 {
            // Keep the same entry selected while new ones arrive on top.
            self.cursor += 1;
        }
    }
    pub fn dismiss(&mut self) {
        if self.cursor < self.entries.len() {
            self.entries.remove(self.cursor);
        }
        self.cursor = self.cursor.min(self.entries.len().saturating_sub(1));
    }
    pub fn dismiss_all(&mut self) {
        self.entries.clear();
        self.cursor = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_status_and_code_from_registry_error_text() {
        assert_eq!(
            status_and_code("r/x: forbidden (HTTP 403, DENIED): no"),
            (Some(403), Some("DENIED".into()))
        );
        assert_eq!(status_and_code("r: HTTP 502"), (Some(502), None));
        assert_eq!(status_and_code("cannot connect"), (None, None));
    }
}
