//! cosign vulnerability attestations: an in-toto statement with predicate type
//! `https://cosign.sigstore.dev/attestation/vuln/v1`, usually inside a DSSE envelope whose
//! payload is base64. The scanner's own report sits in `predicate.scanner.result`.

use crate::scan::artifact;
use crate::scan::report::{parse_time, ScanReport};
use base64::Engine as _;
use serde_json::Value;

pub fn is_envelope(v: &Value) -> bool {
    v.get("payloadType").is_some() && v.get("payload").is_some()
}

pub fn is_statement(v: &Value) -> bool {
    v.get("_type")
        .and_then(|t| t.as_str())
        .is_some_and(|t| t.contains("in-toto.io/Statement"))
}

/// The in-toto statement inside a DSSE envelope.
pub fn open_envelope(v: &Value) -> Result<Value, String> {
    let payload = v
        .get("payload")
        .and_then(|p| p.as_str())
        .ok_or("DSSE envelope without a payload string")?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(payload.trim())
        .or_else(|_| base64::engine::general_purpose::URL_SAFE.decode(payload.trim()))
        .map_err(|e| format!("DSSE payload is not base64: {e}"))?;
    serde_json::from_slice(&bytes).map_err(|e| format!("DSSE payload is not JSON: {e}"))
}

/// Parses a statement. `Ok(None)` for other predicates (provenance, SBOMs): not a report.
/// `inner` parses the embedded scanner result (Trivy or Grype JSON).
pub fn parse_statement(
    statement: Value,
    inner: impl FnOnce(Value) -> Result<Option<ScanReport>, String>,
) -> Result<Option<ScanReport>, String> {
    let pt = statement
        .get("predicateType")
        .and_then(|p| p.as_str())
        .unwrap_or("");
    if pt != artifact::COSIGN_VULN_PREDICATE {
        return Ok(None);
    }
    let predicate = statement
        .get("predicate")
        .ok_or("statement without predicate")?;
    let scanner = predicate
        .get("scanner")
        .ok_or("vuln predicate without scanner")?;
    let result = scanner
        .get("result")
        .cloned()
        .ok_or("vuln predicate without scanner.result")?;
    let mut report = inner(result)?
        .ok_or("scanner.result is not a report regscope reads (Trivy or Grype JSON)")?;
    report.scanner = format!("cosign-vuln:{}", report.scanner);
    if report.scanner_version.is_none() {
        report.scanner_version = scanner
            .get("version")
            .and_then(|v| v.as_str())
            .map(str::to_string);
    }
    let meta = predicate.get("metadata");
    let finished = meta
        .and_then(|m| m.get("scanFinishedOn"))
        .and_then(|v| v.as_str());
    report.scanned_at = parse_time(finished).or(report.scanned_at);
    for f in &mut report.findings {
        f.source = format!("cosign-vuln:{}", f.source);
    }
    report.subject = statement
        .get("subject")
        .and_then(|s| s.as_array())
        .and_then(|s| s.first())
        .and_then(|s| s.get("digest"))
        .and_then(|d| d.get("sha256"))
        .and_then(|h| h.as_str())
        .map(|h| format!("sha256:{h}"))
        .or(report.subject);
    Ok(Some(report))
}
