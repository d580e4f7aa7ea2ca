//! The one error a policy file can produce: it names the file, the rule and the field, so
//! a person can go straight to the line that is wrong.

use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct PolicyError {
    pub file: Option<String>,
    /// How the rule is known: `rule 2 (rulePriority 10)`, `policy "keep-5"`, `--filter #1`.
    pub rule: Option<String>,
    /// The JSON path or flag: `selection.countUnit`, `--ago`.
    pub field: Option<String>,
    pub message: String,
    /// Further problems found in the same file (all are reported at once).
    pub more: Vec<PolicyError>,
}

/// Parses a policy file's JSON, naming line and column on a syntax error.
pub fn parse_json(text: &str) -> Result<serde_json::Value, PolicyError> {
    serde_json::from_str(text).map_err(|e| {
        PolicyError::policy(format!(
            "not valid JSON: {e} (line {}, column {})",
            e.line(),
            e.column()
        ))
    })
}

impl PolicyError {
    pub fn new(rule: Option<String>, field: Option<&str>, message: impl Into<String>) -> Self {
        PolicyError {
            file: None,
            rule,
            field: field.map(str::to_string),
            message: message.into(),
            more: Vec::new(),
        }
    }
    /// A policy-wide problem (no rule, no field).
    pub fn policy(message: impl Into<String>) -> Self {
        Self::new(None, None, message)
    }
    pub fn in_file(mut self, file: &str) -> Self {
        self.file = Some(file.to_string());
        for m in &mut self.more {
            m.file = Some(file.to_string());
        }
        self
    }
    /// Folds a list of problems into one error (the first leads); `None` if empty.
    pub fn collect(mut errs: Vec<PolicyError>) -> Option<PolicyError> {
        if errs.is_empty() {
            return None;
        }
        let mut first = errs.remove(0);
        first.more = errs;
        Some(first)
    }
    fn line(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(file) = &self.file {
            write!(f, "{file}: ")?;
        }
        if let Some(r) = &self.rule {
            write!(f, "{r}: ")?;
        }
        if let Some(field) = &self.field {
            write!(f, "{field}: ")?;
        }
        f.write_str(&self.message)
    }
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.line(f)?;
        for m in &self.more {
            f.write_str("\n")?;
            m.line(f)?;
        }
        Ok(())
    }
}
