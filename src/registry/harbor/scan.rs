//! One artifact's vulnerability report as Harbor's scanner wrote it
//! (`GET .../artifacts/{reference}/additions/vulnerabilities`): an API read, not a pull.
//! The swagger types the body as an opaque string; its shape is Harbor's `vuln.Report`
//! (src/pkg/scan/vuln/report.go), keyed by the report's media type.

use super::encode::encode_segment;
use super::HarborClient;
use crate::registry::error::RegistryError;
use reqwest::header::HeaderValue;
use serde::Deserialize;
use std::collections::BTreeMap;

/// What regscope asks for, Harbor's own default.
const ACCEPT_VULNERABILITIES: &str = "application/vnd.security.vulnerability.report; version=1.1, application/vnd.scanner.adapter.vuln.report.harbor+json; version=1.0";

#[derive(Clone, Debug, Default, Deserialize)]
pub struct VulnReport {
    #[serde(default)]
    pub generated_at: Option<String>,
    #[serde(default)]
    pub scanner: Option<ReportScanner>,
    #[serde(default)]
    pub vulnerabilities: Option<Vec<VulnItem>>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct ReportScanner {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub version: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct VulnItem {
    pub id: String,
    #[serde(default)]
    pub package: Option<String>,
    #[serde(default)]
    pub version: Option<String>,
    #[serde(default)]
    pub fix_version: Option<String>,
    #[serde(default)]
    pub severity: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub links: Option<Vec<String>>,
}

impl HarborClient {
    /// The vulnerability report of `reference` in repository `full_name`; `None` when
    /// Harbor holds none (never scanned, or the artifact is gone).
    pub async fn vulnerabilities(
        &self,
        full_name: &str,
        reference: &str,
    ) -> Result<Option<VulnReport>, RegistryError> {
        let path = format!(
            "{}/{}/additions/vulnerabilities",
            self.artifacts_path(full_name)?,
            encode_segment(reference)
        );
        let place = self.place(Some(full_name), Some(reference));
        let accept = HeaderValue::from_static(ACCEPT_VULNERABILITIES);
        let by_type: Option<BTreeMap<String, serde_json::Value>> = self
            .get_json_with(&path, &place, Some(("x-accept-vulnerabilities", accept)))
            .await?;
        let Some(by_type) = by_type else {
            return Ok(None);
        };
        // Harbor answers `{}` for an artifact without a report.
        let Some(report) = by_type.into_values().find(|v| v.is_object()) else {
            return Ok(None);
        };
        serde_json::from_value(report)
            .map(Some)
            .map_err(|e| RegistryError::Malformed {
                place,
                detail: format!(
                    "Harbor's vulnerability report is not the document it describes: {e}"
                ),
            })
    }
}
