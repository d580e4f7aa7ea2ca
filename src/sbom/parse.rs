//! SPDX 2.x JSON and CycloneDX 1.x JSON documents, read as a list of packages (name,
//! version, package URL). An in-toto statement or DSSE envelope around one (as `cosign
//! attest` and buildkit wrap SBOMs) is unwrapped first. A document that claims to be an
//! SBOM but does not parse is an error that says why; nothing is guessed.

use base64::Engine as _;
use serde_json::Value;
use std::collections::BTreeSet;

/// One package of an SBOM.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Package {
    /// The package URL's type (`deb`, `npm`, `pypi`, ...), when the SBOM gives a purl.
    pub ecosystem: Option<String>,
    pub name: String,
    /// `None` when the SBOM does not say (SPDX `NOASSERTION`, a missing field).
    pub version: Option<String>,
}

/// An SBOM's packages and what format it was in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sbom {
    /// `SPDX-2.3`, `CycloneDX-1.5`.
    pub format: String,
    pub packages: BTreeSet<Package>,
}

/// CycloneDX nests components; deeper than this is not a real SBOM.
const MAX_DEPTH: usize = 32;

/// Parses an SBOM document (SPDX or CycloneDX JSON, possibly wrapped in in-toto/DSSE).
pub fn parse(bytes: &[u8]) -> Result<Sbom, String> {
    let v: Value = serde_json::from_slice(bytes).map_err(|e| format!("not valid JSON: {e}"))?;
    parse_value(unwrap(v)?)
}

/// An in-toto statement's predicate, a DSSE envelope's payload; anything else as is.
fn unwrap(v: Value) -> Result<Value, String> {
    if let (Some(payload), Some(_)) = (
        v.get("payload").and_then(Value::as_str),
        v.get("payloadType"),
    ) {
        let raw = base64::engine::general_purpose::STANDARD
            .decode(payload)
            .map_err(|e| format!("DSSE payload is not base64: {e}"))?;
        let inner: Value =
            serde_json::from_slice(&raw).map_err(|e| format!("DSSE payload is not JSON: {e}"))?;
        return unwrap(inner);
    }
    if v.get("predicateType").is_some() {
        return match v.get("predicate") {
            Some(p) if p.is_object() => Ok(p.clone()),
            _ => Err("in-toto statement without a predicate object".into()),
        };
    }
    Ok(v)
}

fn parse_value(v: Value) -> Result<Sbom, String> {
    if let Some(version) = v.get("spdxVersion") {
        let version = version
            .as_str()
            .filter(|s| s.starts_with("SPDX-"))
            .ok_or("spdxVersion is not \"SPDX-<version>\"")?;
        return spdx(&v, version);
    }
    if v.get("bomFormat").and_then(Value::as_str) == Some("CycloneDX") {
        return cyclonedx(&v);
    }
    Err("neither an SPDX document (spdxVersion) nor a CycloneDX BOM (bomFormat)".into())
}

fn string(v: &Value, key: &str) -> Option<String> {
    v.get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
}

/// `pkg:deb/debian/libc6@2.36?arch=amd64` → `deb`.
fn purl_type(purl: &str) -> Option<String> {
    let rest = purl.trim().strip_prefix("pkg:")?;
    let t = rest.trim_start_matches('/').split('/').next()?;
    (!t.is_empty()).then(|| t.to_ascii_lowercase())
}

fn version(v: Option<String>) -> Option<String> {
    v.filter(|s| s != "NOASSERTION" && s != "NONE")
}

fn spdx(doc: &Value, version_tag: &str) -> Result<Sbom, String> {
    let packages = match doc.get("packages") {
        None => &[][..],
        Some(Value::Array(a)) => a.as_slice(),
        Some(_) => return Err("SPDX packages is not an array".into()),
    };
    // The package the document describes is the image itself (syft names it after the
    // reference and versions it by digest): it is not a package of the image, and would
    // read as "changed" on every comparison. Left out when the document has others.
    let mut described: BTreeSet<String> = doc
        .get("documentDescribes")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default();
    for r in doc
        .get("relationships")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let doc_id = r.get("spdxElementId").and_then(Value::as_str) == Some("SPDXRef-DOCUMENT");
        if doc_id && r.get("relationshipType").and_then(Value::as_str) == Some("DESCRIBES") {
            if let Some(t) = string(r, "relatedSpdxElement") {
                described.insert(t);
            }
        }
    }
    let mut out = BTreeSet::new();
    let mut roots = BTreeSet::new();
    for (i, p) in packages.iter().enumerate() {
        let name = string(p, "name").ok_or_else(|| format!("SPDX package {i} has no name"))?;
        let purl = p
            .get("externalRefs")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .find(|r| r.get("referenceType").and_then(Value::as_str) == Some("purl"))
            .and_then(|r| string(r, "referenceLocator"));
        let pkg = Package {
            ecosystem: purl.as_deref().and_then(purl_type),
            name,
            version: version(string(p, "versionInfo")),
        };
        let is_root = string(p, "SPDXID").is_some_and(|id| described.contains(&id));
        if is_root {
            roots.insert(pkg);
        } else {
            out.insert(pkg);
        }
    }
    if out.is_empty() {
        out = roots;
    }
    Ok(Sbom {
        format: version_tag.to_string(),
        packages: out,
    })
}

fn cyclonedx(doc: &Value) -> Result<Sbom, String> {
    let spec = string(doc, "specVersion").unwrap_or_else(|| "?".into());
    let mut out = BTreeSet::new();
    let mut stack: Vec<(&Value, usize)> = Vec::new();
    match doc.get("components") {
        None => {}
        Some(Value::Array(a)) => stack.extend(a.iter().map(|c| (c, 0))),
        Some(_) => return Err("CycloneDX components is not an array".into()),
    }
    while let Some((c, depth)) = stack.pop() {
        if depth > MAX_DEPTH {
            return Err(format!("CycloneDX components nest deeper than {MAX_DEPTH}"));
        }
        let name = string(c, "name").ok_or("a CycloneDX component has no name")?;
        // Files are not packages (the operating system is kept: 11 -> 12 is news).
        if string(c, "type").as_deref() != Some("file") {
            let name = match string(c, "group") {
                Some(g) => format!("{g}/{name}"),
                None => name,
            };
            let purl = string(c, "purl");
            out.insert(Package {
                ecosystem: purl.as_deref().and_then(purl_type),
                name,
                version: version(string(c, "version")),
            });
        }
        if let Some(Value::Array(kids)) = c.get("components") {
            stack.extend(kids.iter().map(|k| (k, depth + 1)));
        }
    }
    Ok(Sbom {
        format: format!("CycloneDX-{spec}"),
        packages: out,
    })
}
