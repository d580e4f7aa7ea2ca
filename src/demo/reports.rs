//! Scanner reports for demo images, in each scanner's real output shape (Trivy JSON, Grype
//! JSON, SARIF, a cosign vulnerability attestation), listing the known vulnerabilities of
//! the base packages the image was built on.

use super::spec::VulnSpec;
use crate::model::Digest;
use crate::scan::artifact;
use base64::Engine as _;
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{json, Value};

/// A vulnerability as present in one image.
pub struct Present<'a> {
    pub vuln: &'a VulnSpec,
    /// The fixed version, when a fix existed at scan time.
    pub fixed: Option<&'a str>,
}

pub struct Report {
    pub artifact_type: &'static str,
    pub layer_media_type: &'static str,
    pub bytes: Vec<u8>,
}

fn url(id: &str) -> String {
    format!("https://avd.aquasec.com/nvd/{}", id.to_ascii_lowercase())
}

fn trivy_json(name: &str, digest: &Digest, os: (&str, &str), vulns: &[Present], at: &str) -> Value {
    let vs: Vec<Value> = vulns
        .iter()
        .map(|p| {
            let mut v = json!({"VulnerabilityID": p.vuln.id, "PkgName": p.vuln.package,
                "InstalledVersion": p.vuln.installed, "Status": if p.fixed.is_some() {"fixed"} else {"affected"},
                "Severity": p.vuln.severity.to_ascii_uppercase(), "Title": p.vuln.title,
                "PrimaryURL": url(&p.vuln.id)});
            if let Some(f) = p.fixed {
                v["FixedVersion"] = json!(f);
            }
            v
        })
        .collect();
    json!({"SchemaVersion": 2, "CreatedAt": at, "ArtifactName": format!("{name}@{digest}"),
        "ArtifactType": "container_image",
        "Metadata": {"OS": {"Family": os.0, "Name": os.1}, "RepoDigests": [format!("{name}@{digest}")]},
        "Results": [{"Target": format!("{name} ({} {})", os.0, os.1), "Class": "os-pkgs", "Type": os.0,
            "Vulnerabilities": vs}]})
}

/// The report `scanner` would attach for this image.
pub fn report(
    scanner: &str,
    name: &str,
    digest: &Digest,
    os: (&str, &str),
    vulns: &[Present],
    at: DateTime<Utc>,
) -> Option<Report> {
    let at_s = at.to_rfc3339_opts(SecondsFormat::Secs, true);
    let (artifact_type, layer, doc) = match scanner {
        "trivy" => (
            artifact::TRIVY_JSON,
            artifact::TRIVY_JSON,
            trivy_json(name, digest, os, vulns, &at_s),
        ),
        "grype" => {
            let matches: Vec<Value> = vulns.iter().map(|p| json!({
                "vulnerability": {"id": p.vuln.id, "namespace": format!("{}:distro:{}:{}", os.0, os.0, os.1),
                    "severity": capitalise(&p.vuln.severity), "urls": [url(&p.vuln.id)], "description": p.vuln.title,
                    "fix": {"versions": p.fixed.map(|f| vec![f]).unwrap_or_default(),
                            "state": if p.fixed.is_some() {"fixed"} else {"not-fixed"}}},
                "artifact": {"name": p.vuln.package, "version": p.vuln.installed, "type": if os.0 == "alpine" {"apk"} else {"deb"}}
            })).collect();
            (
                artifact::GRYPE_JSON,
                artifact::GRYPE_JSON,
                json!({"matches": matches,
                    "source": {"type": "image", "target": {"userInput": name, "manifestDigest": digest}},
                    "distro": {"name": os.0, "version": os.1},
                    "descriptor": {"name": "grype", "version": "0.79.0", "timestamp": at_s}}),
            )
        }
        "sarif" => {
            let rules: Vec<Value> = vulns.iter().map(|p| json!({"id": p.vuln.id,
                "shortDescription": {"text": p.vuln.title}, "helpUri": url(&p.vuln.id),
                "properties": {"tags": ["vulnerability", "security", p.vuln.severity.to_ascii_uppercase()]}})).collect();
            let results: Vec<Value> = vulns.iter().map(|p| json!({"ruleId": p.vuln.id,
                "level": match p.vuln.severity.as_str() { "critical" | "high" => "error", "medium" => "warning", _ => "note" },
                "message": {"text": format!("Package: {}\nInstalled Version: {}\nVulnerability {}\nSeverity: {}\nFixed Version: {}\nLink: [{}]({})",
                    p.vuln.package, p.vuln.installed, p.vuln.id, p.vuln.severity.to_ascii_uppercase(),
                    p.fixed.unwrap_or(""), p.vuln.id, url(&p.vuln.id))},
                "locations": [{"physicalLocation": {"artifactLocation": {"uri": format!("{name}@{digest}")}}}]})).collect();
            (
                artifact::SARIF,
                artifact::SARIF,
                json!({"version": "2.1.0", "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
                    "runs": [{"tool": {"driver": {"name": "Trivy", "version": "0.50.0", "rules": rules}},
                              "results": results}]}),
            )
        }
        "cosign" => {
            let statement = json!({"_type": "https://in-toto.io/Statement/v0.1",
                "predicateType": artifact::COSIGN_VULN_PREDICATE,
                "subject": [{"name": name, "digest": {"sha256": digest.hex()}}],
                "predicate": {"invocation": {"uri": "", "event_id": "", "builder.id": ""},
                    "scanner": {"uri": "pkg:github/aquasecurity/trivy@0.50.0", "version": "0.50.0",
                        "result": trivy_json(name, digest, os, vulns, &at_s)},
                    "metadata": {"scanStartedOn": at_s, "scanFinishedOn": at_s}}});
            let payload = base64::engine::general_purpose::STANDARD
                .encode(serde_json::to_vec(&statement).expect("statement"));
            (
                artifact::DSSE_ENVELOPE,
                artifact::DSSE_ENVELOPE,
                json!({"payloadType": artifact::IN_TOTO_PAYLOAD, "payload": payload,
                    "signatures": [{"keyid": "", "sig": "MEUCIQDdemo"}]}),
            )
        }
        _ => return None,
    };
    Some(Report {
        artifact_type,
        layer_media_type: layer,
        bytes: serde_json::to_vec(&doc).expect("report serialises"),
    })
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}
