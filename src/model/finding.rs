//! Vulnerability findings and scan status, shared by every scanner source.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Ordered from least to most severe so `max()` gives the worst.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Unknown,
    Negligible,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 6] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Negligible,
        Severity::Unknown,
    ];

    /// Maps the many spellings scanners use (ECR `INFORMATIONAL`, Grype `Negligible`,
    /// SARIF `error`, ...) onto our scale. Anything unrecognised is `Unknown`, never dropped.
    pub fn parse_loose(s: &str) -> Severity {
        match s.trim().to_ascii_lowercase().as_str() {
            "critical" => Severity::Critical,
            "high" | "error" | "important" => Severity::High,
            "medium" | "moderate" | "warning" => Severity::Medium,
            "low" | "note" => Severity::Low,
            "negligible" | "informational" | "info" | "minimal" | "none" => Severity::Negligible,
            _ => Severity::Unknown,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::High => "high",
            Severity::Medium => "medium",
            Severity::Low => "low",
            Severity::Negligible => "negligible",
            Severity::Unknown => "unknown",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub id: String,
    pub severity: Severity,
    pub package: Option<String>,
    pub installed_version: Option<String>,
    pub fixed_version: Option<String>,
    pub title: Option<String>,
    pub url: Option<String>,
    /// Which scanner or registry reported it (`ecr-basic`, `ecr-enhanced`, `trivy`, ...).
    pub source: String,
    /// The package's ecosystem where the report names it; it decides how versions order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ecosystem: Option<crate::model::Ecosystem>,
}

/// Whether anything scanned the image. Only `Scanned` allows saying "no findings".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScanStatus {
    NotScanned,
    Scanning,
    Failed,
    Unsupported,
    Scanned,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeverityCounts {
    pub critical: u32,
    pub high: u32,
    pub medium: u32,
    pub low: u32,
    pub negligible: u32,
    pub unknown: u32,
}

impl SeverityCounts {
    pub fn add(&mut self, s: Severity, n: u32) {
        match s {
            Severity::Critical => self.critical += n,
            Severity::High => self.high += n,
            Severity::Medium => self.medium += n,
            Severity::Low => self.low += n,
            Severity::Negligible => self.negligible += n,
            Severity::Unknown => self.unknown += n,
        }
    }
    pub fn get(&self, s: Severity) -> u32 {
        match s {
            Severity::Critical => self.critical,
            Severity::High => self.high,
            Severity::Medium => self.medium,
            Severity::Low => self.low,
            Severity::Negligible => self.negligible,
            Severity::Unknown => self.unknown,
        }
    }
    pub fn total(&self) -> u32 {
        Severity::ALL.iter().map(|s| self.get(*s)).sum()
    }
    /// The worst severity with a non-zero count.
    pub fn worst(&self) -> Option<Severity> {
        Severity::ALL.into_iter().find(|s| self.get(*s) > 0)
    }
}

/// What an inventory record carries about scanning.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScanSummary {
    pub status: ScanStatus,
    #[serde(default)]
    pub scanned_at: Option<DateTime<Utc>>,
    /// Meaningful only when `status` is `Scanned`.
    #[serde(default)]
    pub counts: SeverityCounts,
    #[serde(default)]
    pub source: Option<String>,
}
