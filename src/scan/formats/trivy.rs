//! Trivy's JSON report (`trivy image --format json`, schema version 2).

use crate::model::{Ecosystem, Finding, Severity};
use crate::scan::report::{fixed_version, parse_time, ScanReport};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Doc {
    schema_version: Option<u32>,
    created_at: Option<String>,
    #[serde(default)]
    metadata: Option<Metadata>,
    #[serde(default)]
    results: Option<Vec<Result_>>,
    #[serde(default)]
    trivy: Option<TrivyInfo>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Metadata {
    #[serde(default)]
    repo_digests: Option<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct TrivyInfo {
    version: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Result_ {
    /// The package type of the whole result: `debian`, `python-pkg`, `gobinary`, ...
    #[serde(default)]
    r#type: Option<String>,
    #[serde(default)]
    vulnerabilities: Option<Vec<Vuln>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Vuln {
    #[serde(rename = "VulnerabilityID")]
    vulnerability_id: String,
    pkg_name: Option<String>,
    installed_version: Option<String>,
    fixed_version: Option<String>,
    severity: Option<String>,
    title: Option<String>,
    #[serde(rename = "PrimaryURL")]
    primary_url: Option<String>,
    #[serde(default)]
    references: Option<Vec<String>>,
}

/// Whether a JSON value looks like a Trivy report.
pub fn looks_like(v: &serde_json::Value) -> bool {
    v.get("SchemaVersion").is_some()
        && (v.get("Results").is_some() || v.get("ArtifactName").is_some())
}

pub fn parse(v: serde_json::Value) -> Result<ScanReport, String> {
    let doc: Doc =
        serde_json::from_value(v).map_err(|e| format!("not a Trivy JSON report: {e}"))?;
    if doc.schema_version.is_some_and(|s| s != 2) {
        return Err(format!(
            "Trivy report schema {} is not supported (expected 2)",
            doc.schema_version.unwrap_or_default()
        ));
    }
    let findings = doc
        .results
        .unwrap_or_default()
        .into_iter()
        .flat_map(|r| {
            let ecosystem = r.r#type.as_deref().and_then(Ecosystem::from_report);
            r.vulnerabilities
                .unwrap_or_default()
                .into_iter()
                .map(move |v| (ecosystem, v))
        })
        .map(|(ecosystem, v)| Finding {
            severity: v
                .severity
                .as_deref()
                .map(Severity::parse_loose)
                .unwrap_or(Severity::Unknown),
            package: v.pkg_name,
            installed_version: v.installed_version,
            fixed_version: fixed_version(v.fixed_version.as_deref()),
            title: v.title,
            url: v
                .primary_url
                .or_else(|| v.references.and_then(|r| r.into_iter().next())),
            id: v.vulnerability_id,
            source: "trivy".into(),
            ecosystem,
        })
        .collect();
    Ok(ScanReport {
        scanner: "trivy".into(),
        scanner_version: doc.trivy.and_then(|t| t.version),
        scanned_at: parse_time(doc.created_at.as_deref()),
        subject: doc.metadata.and_then(|m| m.repo_digests).and_then(|d| {
            d.into_iter()
                .find_map(|r| r.split_once('@').map(|(_, d)| d.to_string()))
        }),
        findings,
    })
}
