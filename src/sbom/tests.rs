//! SBOM parsing and package comparison on documents shaped as the SPDX 2.3 and CycloneDX
//! 1.5 JSON schemas define them (and as syft writes them: the image as the described root
//! package, a purl per package).

use super::diff::compare;
use super::parse::{parse, Package};
use super::{SbomLookup, SbomSide};
use base64::Engine as _;
use serde_json::json;

fn names(bytes: &[u8]) -> Vec<(Option<String>, String, Option<String>)> {
    parse(bytes)
        .unwrap()
        .packages
        .into_iter()
        .map(|p| (p.ecosystem, p.name, p.version))
        .collect()
}

fn s(x: &str) -> Option<String> {
    Some(x.to_string())
}

fn spdx_doc() -> serde_json::Value {
    json!({"spdxVersion": "SPDX-2.3", "dataLicense": "CC0-1.0", "SPDXID": "SPDXRef-DOCUMENT",
        "name": "demo/app", "documentNamespace": "https://example.com/demo",
        "creationInfo": {"created": "2026-11-01T00:00:00Z", "creators": ["Tool: syft-1.0"]},
        "packages": [
            {"SPDXID": "SPDXRef-DocumentRoot-Image-demo-app", "name": "demo/app", "versionInfo": "sha256:abc",
             "downloadLocation": "NOASSERTION",
             "externalRefs": [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": "pkg:oci/app@sha256%3Aabc"}]},
            {"SPDXID": "SPDXRef-Package-deb-libc6", "name": "libc6", "versionInfo": "2.36-9+deb12u4",
             "downloadLocation": "NOASSERTION",
             "externalRefs": [{"referenceCategory": "SECURITY", "referenceType": "cpe23Type", "referenceLocator": "cpe:2.3:a:libc6:libc6:2.36:*:*:*:*:*:*:*"},
                              {"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": "pkg:deb/debian/libc6@2.36-9+deb12u4?arch=amd64"}]},
            {"SPDXID": "SPDXRef-Package-x", "name": "mystery", "versionInfo": "NOASSERTION", "downloadLocation": "NOASSERTION"}],
        "relationships": [{"spdxElementId": "SPDXRef-DOCUMENT", "relationshipType": "DESCRIBES",
                           "relatedSpdxElement": "SPDXRef-DocumentRoot-Image-demo-app"}]})
}

#[test]
fn spdx_packages_leave_out_the_described_image() {
    let bytes = serde_json::to_vec(&spdx_doc()).unwrap();
    assert_eq!(parse(&bytes).unwrap().format, "SPDX-2.3");
    assert_eq!(
        names(&bytes),
        vec![
            (None, "mystery".into(), None),
            (s("deb"), "libc6".into(), s("2.36-9+deb12u4")),
        ]
    );
}

#[test]
fn cyclonedx_components_nested_and_grouped() {
    let doc = json!({"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
        "metadata": {"component": {"type": "container", "name": "demo/app", "version": "sha256:abc"}},
        "components": [
            {"type": "library", "name": "express", "version": "4.19.2", "purl": "pkg:npm/express@4.19.2",
             "components": [{"type": "library", "name": "qs", "version": "6.11.0", "purl": "pkg:npm/qs@6.11.0"}]},
            {"type": "library", "group": "org.apache.logging.log4j", "name": "log4j-core", "version": "2.17.1",
             "purl": "pkg:maven/org.apache.logging.log4j/log4j-core@2.17.1"},
            {"type": "operating-system", "name": "debian", "version": "12"},
            {"type": "file", "name": "/usr/bin/app"}]});
    let bytes = serde_json::to_vec(&doc).unwrap();
    assert_eq!(parse(&bytes).unwrap().format, "CycloneDX-1.5");
    assert_eq!(
        names(&bytes),
        vec![
            (None, "debian".into(), s("12")),
            (
                s("maven"),
                "org.apache.logging.log4j/log4j-core".into(),
                s("2.17.1")
            ),
            (s("npm"), "express".into(), s("4.19.2")),
            (s("npm"), "qs".into(), s("6.11.0")),
        ]
    );
}

#[test]
fn in_toto_and_dsse_wrappers_are_opened() {
    let statement = json!({"_type": "https://in-toto.io/Statement/v0.1",
        "predicateType": "https://spdx.dev/Document", "subject": [], "predicate": spdx_doc()});
    let bytes = serde_json::to_vec(&statement).unwrap();
    assert_eq!(names(&bytes).len(), 2);
    let envelope = json!({"payloadType": "application/vnd.in-toto+json", "signatures": [],
        "payload": base64::engine::general_purpose::STANDARD.encode(&bytes)});
    assert_eq!(names(&serde_json::to_vec(&envelope).unwrap()).len(), 2);
}

#[test]
fn malformed_documents_say_why() {
    let err = |b: &[u8]| parse(b).unwrap_err();
    assert!(err(b"{not json").contains("not valid JSON"));
    assert!(err(br#"{"hello":1}"#).contains("neither an SPDX"));
    assert!(err(br#"{"spdxVersion":2}"#).contains("spdxVersion"));
    assert!(err(br#"{"spdxVersion":"SPDX-2.3","packages":{}}"#).contains("not an array"));
    assert!(
        err(br#"{"spdxVersion":"SPDX-2.3","packages":[{"versionInfo":"1"}]}"#)
            .contains("package 0 has no name")
    );
    assert!(
        err(br#"{"bomFormat":"CycloneDX","components":[{"version":"1"}]}"#).contains("no name")
    );
    let mut deep = json!({"type": "library", "name": "leaf"});
    for _ in 0..40 {
        deep = json!({"type": "library", "name": "n", "components": [deep]});
    }
    let doc = json!({"bomFormat": "CycloneDX", "specVersion": "1.5", "components": [deep]});
    assert!(err(&serde_json::to_vec(&doc).unwrap()).contains("deeper"));
}

fn lookup(pkgs: &[(&str, &str, Option<&str>)]) -> SbomLookup {
    let packages: std::collections::BTreeSet<Package> = pkgs
        .iter()
        .map(|(e, n, v)| Package {
            ecosystem: s(e),
            name: n.to_string(),
            version: v.map(String::from),
        })
        .collect();
    SbomLookup {
        side: SbomSide {
            sbom: s("sha256:0"),
            format: s("SPDX-2.3"),
            packages: Some(packages.len()),
            problems: vec![],
        },
        packages: Some(packages),
    }
}

#[test]
fn packages_added_removed_changed_by_ecosystem_and_name() {
    let a = lookup(&[
        ("deb", "libc6", Some("2.36-9")),
        ("deb", "openssl", Some("3.0.11")),
        ("npm", "lodash", Some("4.17.20")),
        ("npm", "lodash", Some("4.17.21")),
        ("deb", "same", Some("1")),
    ]);
    let b = lookup(&[
        ("deb", "libc6", Some("2.36-9")),
        ("apk", "openssl", Some("3.3.0")),
        ("npm", "lodash", Some("4.17.21")),
        ("deb", "same", Some("1")),
    ]);
    let d = compare(&a, &b);
    assert_eq!(d.note, None);
    let added = d.added.unwrap();
    let removed = d.removed.unwrap();
    let changed = d.changed.unwrap();
    // An apk openssl is not a deb openssl: one added, one removed.
    assert_eq!(
        added
            .iter()
            .map(|e| (&e.name, &e.ecosystem))
            .collect::<Vec<_>>(),
        vec![(&"openssl".to_string(), &s("apk"))]
    );
    assert_eq!(removed[0].version, s("3.0.11"));
    assert_eq!(changed.len(), 1);
    assert_eq!(
        (
            changed[0].name.as_str(),
            changed[0].version_a.as_deref(),
            changed[0].version_b.as_deref()
        ),
        ("lodash", Some("4.17.20, 4.17.21"), Some("4.17.21"))
    );
}

#[test]
fn without_an_sbom_there_is_no_comparison() {
    let a = lookup(&[("deb", "libc6", Some("2.36-9"))]);
    let none = SbomLookup::default();
    let d = compare(&a, &none);
    assert_eq!(d.note.as_deref(), Some("no SBOM on B"));
    assert_eq!((d.added, d.removed, d.changed), (None, None, None));
    assert_eq!(
        compare(&none, &none).note.as_deref(),
        Some("no SBOM on A or B")
    );
    let broken = SbomLookup {
        side: SbomSide {
            problems: vec!["SBOM sha256:1 (blob sha256:2): malformed: not valid JSON".into()],
            ..Default::default()
        },
        packages: None,
    };
    let d = compare(&broken, &a);
    let note = d.note.unwrap();
    assert!(
        note.starts_with("SBOM of A unreadable: SBOM sha256:1"),
        "{note}"
    );
    assert!(d.added.is_none());
    // The JSON says null, not [].
    let v = serde_json::to_value(compare(&broken, &a)).unwrap();
    assert!(v["added"].is_null() && v["changed"].is_null());
}
