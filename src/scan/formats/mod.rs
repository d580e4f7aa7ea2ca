//! Report formats, detected by artifact/media type first and by content second. A blob
//! whose type promises a report but does not parse is an error; a blob that is something
//! else (an SBOM, a signature, provenance) is simply not a report.

pub mod cosign;
pub mod grype;
pub mod sarif;
pub mod trivy;

use super::artifact;
use super::report::ScanReport;
use serde_json::Value;

/// What the artifact or layer says it is, as far as reports go.
fn declared(media_types: &[&str]) -> Option<&'static str> {
    for mt in media_types {
        let mt = mt.to_ascii_lowercase();
        if mt.contains("trivy") {
            return Some("trivy");
        }
        if mt.contains("grype") {
            return Some("grype");
        }
        if mt.contains("sarif") {
            return Some("sarif");
        }
        if mt == artifact::DSSE_ENVELOPE || mt.contains("dsse") || mt.contains("in-toto") {
            return Some("in-toto");
        }
    }
    None
}

/// Whether a referrer with this artifact type may hold a report (others are skipped
/// without fetching: signatures, SBOMs).
pub fn may_be_report(artifact_type: Option<&str>) -> bool {
    let at = artifact_type.unwrap_or("").to_ascii_lowercase();
    !(at.contains("spdx")
        || at.contains("cyclonedx")
        || at.contains("cosign.artifact.sig")
        || at.contains("simplesigning")
        || at.contains("notary")
        || at.contains("signature"))
}

/// Detects and parses a report. `media_types` are the artifact type and the layer (or
/// file) media type, as known. `Ok(None)`: not a vulnerability report.
pub fn parse(bytes: &[u8], media_types: &[&str]) -> Result<Option<ScanReport>, String> {
    let claimed = declared(media_types);
    let v: Value = match serde_json::from_slice(bytes) {
        Ok(v) => v,
        Err(e) if claimed.is_some() => return Err(format!("not valid JSON: {e}")),
        Err(_) => return Ok(None),
    };
    match claimed {
        Some("trivy") => trivy::parse(v).map(Some),
        Some("grype") => grype::parse(v).map(Some),
        Some("sarif") => sarif::parse(v).map(Some),
        _ => parse_value(v, claimed.is_some()),
    }
}

/// Content sniffing; `strict`: the type promised a report (or attestation), so a shape
/// we do not recognise is an error rather than "not a report".
pub fn parse_value(v: Value, strict: bool) -> Result<Option<ScanReport>, String> {
    if trivy::looks_like(&v) {
        return trivy::parse(v).map(Some);
    }
    if grype::looks_like(&v) {
        return grype::parse(v).map(Some);
    }
    if sarif::looks_like(&v) {
        return sarif::parse(v).map(Some);
    }
    if cosign::is_envelope(&v) {
        let statement = cosign::open_envelope(&v)?;
        return cosign::parse_statement(statement, |inner| parse_value(inner, true));
    }
    if cosign::is_statement(&v) {
        return cosign::parse_statement(v, |inner| parse_value(inner, true));
    }
    if strict {
        return Err("not a Trivy, Grype, SARIF or cosign vulnerability report".into());
    }
    Ok(None)
}
