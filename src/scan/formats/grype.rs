//! Grype's JSON report (`grype -o json`).

use crate::model::{Ecosystem, Finding, Severity};
use crate::scan::report::{fixed_version, parse_time, ScanReport};
use serde::Deserialize;

#[derive(Deserialize)]
struct Doc {
    matches: Vec<Match>,
    #[serde(default)]
    source: Option<Source>,
    #[serde(default)]
    descriptor: Option<Descriptor>,
}

#[derive(Deserialize)]
struct Source {
    #[serde(default)]
    target: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct Descriptor {
    name: Option<String>,
    version: Option<String>,
    timestamp: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Match {
    vulnerability: Vuln,
    artifact: Artifact,
    #[serde(default)]
    related_vulnerabilities: Vec<Related>,
}

#[derive(Deserialize)]
struct Vuln {
    id: String,
    severity: Option<String>,
    #[serde(default)]
    urls: Vec<String>,
    description: Option<String>,
    #[serde(default)]
    fix: Option<Fix>,
    #[serde(rename = "dataSource")]
    data_source: Option<String>,
}

#[derive(Deserialize)]
struct Related {
    description: Option<String>,
}

#[derive(Deserialize)]
struct Fix {
    #[serde(default)]
    versions: Vec<String>,
}

#[derive(Deserialize)]
struct Artifact {
    name: Option<String>,
    version: Option<String>,
    /// `python`, `go-module`, `deb`, `rpm`, `apk`, `npm`, ...
    #[serde(default)]
    r#type: Option<String>,
    #[serde(default)]
    purl: Option<String>,
}

pub fn looks_like(v: &serde_json::Value) -> bool {
    v.get("matches").is_some_and(|m| m.is_array())
        && (v.get("descriptor").is_some() || v.get("source").is_some())
}

pub fn parse(v: serde_json::Value) -> Result<ScanReport, String> {
    let doc: Doc =
        serde_json::from_value(v).map_err(|e| format!("not a Grype JSON report: {e}"))?;
    let findings = doc
        .matches
        .into_iter()
        .map(|m| Finding {
            severity: m
                .vulnerability
                .severity
                .as_deref()
                .map(Severity::parse_loose)
                .unwrap_or(Severity::Unknown),
            package: m.artifact.name,
            installed_version: m.artifact.version,
            // Grype lists every fixed version; the lowest is the one to upgrade to.
            fixed_version: fixed_version(
                m.vulnerability
                    .fix
                    .and_then(|f| f.versions.into_iter().next())
                    .as_deref(),
            ),
            title: m.vulnerability.description.or_else(|| {
                m.related_vulnerabilities
                    .into_iter()
                    .find_map(|r| r.description)
            }),
            url: m
                .vulnerability
                .urls
                .into_iter()
                .next()
                .or(m.vulnerability.data_source),
            id: m.vulnerability.id,
            source: "grype".into(),
            ecosystem: m
                .artifact
                .r#type
                .as_deref()
                .and_then(Ecosystem::from_report)
                .or_else(|| m.artifact.purl.as_deref().and_then(Ecosystem::from_report)),
        })
        .collect();
    let (name, version, at) = match doc.descriptor {
        Some(d) => (d.name, d.version, d.timestamp),
        None => (None, None, None),
    };
    Ok(ScanReport {
        scanner: name.unwrap_or_else(|| "grype".into()),
        scanner_version: version,
        scanned_at: parse_time(at.as_deref()),
        subject: doc.source.and_then(|s| s.target).and_then(|t| {
            t.get("manifestDigest")
                .and_then(|d| d.as_str())
                .map(str::to_string)
        }),
        findings,
    })
}
