//! SARIF 2.1.0 vulnerability results (Trivy, Grype and Snyk emit them). SARIF has no
//! package fields, so package, installed and fixed versions come from the message text in
//! the shapes those tools write; severity from the rule's tags, its CVSS
//! `security-severity`, or else the result level.

use crate::model::{Finding, Severity};
use crate::scan::report::{fixed_version, severity_from_cvss, ScanReport};
use serde_json::Value;
use std::collections::HashMap;

pub fn looks_like(v: &Value) -> bool {
    v.get("runs").is_some_and(|r| r.is_array())
        && v.get("version")
            .and_then(|s| s.as_str())
            .is_some_and(|s| s.starts_with("2."))
}

fn s<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    let mut cur = v;
    for p in path {
        cur = cur.get(p)?;
    }
    cur.as_str()
}

fn rule_severity(rule: &Value) -> Option<Severity> {
    let props = rule.get("properties")?;
    if let Some(tags) = props.get("tags").and_then(|t| t.as_array()) {
        for t in tags.iter().filter_map(|t| t.as_str()) {
            let sev = Severity::parse_loose(t);
            if sev != Severity::Unknown && t.chars().all(|c| c.is_ascii_uppercase()) {
                return Some(sev);
            }
        }
    }
    let score = props.get("security-severity")?;
    let score = score
        .as_f64()
        .or_else(|| score.as_str().and_then(|s| s.trim().parse().ok()))?;
    Some(severity_from_cvss(score))
}

/// `Package: X` / `Installed Version: Y` / `Fixed Version: Z` (Trivy), or
/// `... package: X, version Y was found ...` (Grype).
fn from_message(text: &str) -> (Option<String>, Option<String>, Option<String>) {
    let mut pkg = None;
    let mut installed = None;
    let mut fixed = None;
    for line in text.lines() {
        let line = line.trim();
        if let Some(v) = line.strip_prefix("Package:") {
            pkg = Some(v.trim().to_string());
        } else if let Some(v) = line.strip_prefix("Installed Version:") {
            installed = Some(v.trim().to_string());
        } else if let Some(v) = line.strip_prefix("Fixed Version:") {
            fixed = fixed_version(Some(v));
        }
    }
    if pkg.is_none() {
        if let Some((_, rest)) = text.split_once("package: ") {
            if let Some((name, rest)) = rest.split_once(", version ") {
                pkg = Some(name.trim().to_string());
                installed = rest.split_whitespace().next().map(str::to_string);
            }
        }
    }
    (pkg, installed, fixed)
}

pub fn parse(v: Value) -> Result<ScanReport, String> {
    let runs = v
        .get("runs")
        .and_then(|r| r.as_array())
        .ok_or("SARIF without runs")?;
    let mut findings = Vec::new();
    let mut tool = None;
    let mut version = None;
    for run in runs {
        let driver = run.get("tool").and_then(|t| t.get("driver"));
        let name = driver
            .and_then(|d| s(d, &["name"]))
            .unwrap_or("unknown")
            .to_ascii_lowercase();
        version = version.or_else(|| driver.and_then(|d| s(d, &["version"])).map(str::to_string));
        let rules: HashMap<&str, &Value> = driver
            .and_then(|d| d.get("rules"))
            .and_then(|r| r.as_array())
            .map(|rs| {
                rs.iter()
                    .filter_map(|r| Some((s(r, &["id"])?, r)))
                    .collect()
            })
            .unwrap_or_default();
        let source = format!("sarif:{name}");
        for r in run
            .get("results")
            .and_then(|r| r.as_array())
            .into_iter()
            .flatten()
        {
            let Some(id) = s(r, &["ruleId"]) else {
                return Err("a SARIF result has no ruleId".into());
            };
            let rule = rules.get(id).copied();
            let text = s(r, &["message", "text"]).unwrap_or("");
            let (package, installed, fixed) = from_message(text);
            let severity = rule
                .and_then(rule_severity)
                .or_else(|| s(r, &["level"]).map(Severity::parse_loose))
                .unwrap_or(Severity::Unknown);
            findings.push(Finding {
                id: id.to_string(),
                severity,
                package,
                installed_version: installed,
                fixed_version: fixed,
                title: rule
                    .and_then(|r| s(r, &["shortDescription", "text"]))
                    .map(str::to_string),
                url: rule.and_then(|r| s(r, &["helpUri"])).map(str::to_string),
                source: source.clone(),
                ecosystem: None,
            });
        }
        tool = tool.or(Some(name));
    }
    Ok(ScanReport {
        scanner: format!("sarif:{}", tool.unwrap_or_else(|| "unknown".into())),
        scanner_version: version,
        scanned_at: None,
        subject: None,
        findings,
    })
}
