//! The swagger's definitions that regscope reads (`Project`, `Repository`, `Artifact`,
//! `Tag`, `Reference`, `Accessory`, `NativeReportSummary`). Every field is optional:
//! Harbor omits what a version or a permission does not give, and absent is unknown.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// A Harbor time. Go's zero time (`0001-01-01T00:00:00.000Z`) is how Harbor says
/// "never" (an artifact never pulled), so it is `None`, as is anything unparsable.
pub fn harbor_time(s: Option<&str>) -> Option<DateTime<Utc>> {
    let t = DateTime::parse_from_rfc3339(s?).ok()?.with_timezone(&Utc);
    (t.timestamp() > 0).then_some(t)
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct Project {
    #[serde(default)]
    pub project_id: Option<i64>,
    pub name: String,
    #[serde(default)]
    pub repo_count: Option<u64>,
    #[serde(default)]
    pub metadata: Option<ProjectMetadata>,
}

/// Harbor sends these flags as the strings `"true"` / `"false"`.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct ProjectMetadata {
    #[serde(default)]
    pub public: Option<String>,
    #[serde(default)]
    pub auto_scan: Option<String>,
    #[serde(default)]
    pub auto_sbom_generation: Option<String>,
    #[serde(default)]
    pub prevent_vul: Option<String>,
    #[serde(default)]
    pub severity: Option<String>,
    #[serde(default)]
    pub enable_content_trust_cosign: Option<String>,
    #[serde(default)]
    pub retention_id: Option<String>,
}

/// `"true"` / `"false"` to a bool; anything else is unknown.
pub(crate) fn flag(s: &Option<String>) -> Option<bool> {
    match s.as_deref()? {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct Repository {
    #[serde(default)]
    pub id: Option<i64>,
    /// The full name, project included (`library/team/web`).
    pub name: String,
    #[serde(default)]
    pub artifact_count: Option<u64>,
    #[serde(default)]
    pub pull_count: Option<u64>,
    #[serde(default)]
    pub update_time: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct Artifact {
    #[serde(default)]
    pub id: Option<i64>,
    /// `IMAGE`, `CHART`, `CNAB`, `SBOM`, ...
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    /// The config's media type.
    #[serde(default)]
    pub media_type: Option<String>,
    #[serde(default)]
    pub manifest_media_type: Option<String>,
    #[serde(default)]
    pub artifact_type: Option<String>,
    #[serde(default)]
    pub repository_name: Option<String>,
    pub digest: String,
    /// The manifest plus its config and layers (an index: plus its children).
    #[serde(default)]
    pub size: Option<u64>,
    #[serde(default)]
    pub push_time: Option<String>,
    #[serde(default)]
    pub pull_time: Option<String>,
    /// The image config's `architecture`, `os`, `variant`, `created`, `author`, `config`.
    #[serde(default)]
    pub extra_attrs: Option<BTreeMap<String, Value>>,
    #[serde(default)]
    pub annotations: Option<BTreeMap<String, String>>,
    #[serde(default)]
    pub references: Option<Vec<Reference>>,
    #[serde(default)]
    pub tags: Option<Vec<Tag>>,
    /// Keyed by report media type.
    #[serde(default)]
    pub scan_overview: Option<BTreeMap<String, NativeReportSummary>>,
    #[serde(default)]
    pub accessories: Option<Vec<Accessory>>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct Tag {
    pub name: String,
    #[serde(default)]
    pub push_time: Option<String>,
    #[serde(default)]
    pub pull_time: Option<String>,
    /// Only meaningful when listed `with_immutable_status=true` (else always false).
    #[serde(default)]
    pub immutable: Option<bool>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct Reference {
    #[serde(default)]
    pub child_digest: Option<String>,
    #[serde(default)]
    pub platform: Option<ReferencePlatform>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct ReferencePlatform {
    #[serde(default)]
    pub architecture: Option<String>,
    #[serde(default)]
    pub os: Option<String>,
    #[serde(default)]
    pub variant: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct Accessory {
    pub digest: String,
    /// `signature.cosign`, `signature.notation`, `sbom.harbor`, `subject.accessory`, ...
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    #[serde(default)]
    pub size: Option<u64>,
    #[serde(default)]
    pub subject_artifact_digest: Option<String>,
    #[serde(default)]
    pub subject_artifact_repo: Option<String>,
    #[serde(default)]
    pub creation_time: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct NativeReportSummary {
    #[serde(default)]
    pub scan_status: Option<String>,
    #[serde(default)]
    pub severity: Option<String>,
    #[serde(default)]
    pub end_time: Option<String>,
    #[serde(default)]
    pub summary: Option<VulnerabilitySummary>,
    #[serde(default)]
    pub scanner: Option<Scanner>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct VulnerabilitySummary {
    #[serde(default)]
    pub total: Option<u64>,
    #[serde(default)]
    pub fixable: Option<u64>,
    /// Counts by severity name (`Critical`, `High`, ...).
    #[serde(default)]
    pub summary: Option<BTreeMap<String, u64>>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct Scanner {
    #[serde(default)]
    pub name: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_time_is_never() {
        assert_eq!(harbor_time(Some("0001-01-01T00:00:00.000Z")), None);
        assert_eq!(harbor_time(None), None);
        assert_eq!(harbor_time(Some("yesterday")), None);
        let t = harbor_time(Some("2026-03-01T10:00:00.123Z")).unwrap();
        assert_eq!(t.to_rfc3339(), "2026-03-01T10:00:00.123+00:00");
    }
}
