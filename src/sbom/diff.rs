//! Packages of two images compared by their SBOMs. A package is its ecosystem (the purl
//! type) and name; its versions are the set the SBOM lists under that name (a Node app
//! can hold two versions of one library). When either image has no usable SBOM there is
//! no comparison — the lists are `null` and `note` says why, never empty lists that would
//! claim nothing changed.

use super::parse::Package;
use super::{SbomLookup, SbomSide};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PackageEntry {
    pub name: String,
    pub version: Option<String>,
    pub ecosystem: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PackageChange {
    pub name: String,
    pub version_a: Option<String>,
    pub version_b: Option<String>,
    pub ecosystem: Option<String>,
}

/// The `packages` object of `regscope.diff/v1`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct PackagesDiff {
    pub a: SbomSide,
    pub b: SbomSide,
    /// Why there is no comparison (`no SBOM on A`); `null` when both SBOMs were read.
    pub note: Option<String>,
    pub added: Option<Vec<PackageEntry>>,
    pub removed: Option<Vec<PackageEntry>>,
    pub changed: Option<Vec<PackageChange>>,
}

type Key = (Option<String>, String);

fn by_name(p: &BTreeSet<Package>) -> BTreeMap<Key, BTreeSet<Option<String>>> {
    let mut out: BTreeMap<Key, BTreeSet<Option<String>>> = BTreeMap::new();
    for pkg in p {
        out.entry((pkg.ecosystem.clone(), pkg.name.clone()))
            .or_default()
            .insert(pkg.version.clone());
    }
    out
}

/// Several versions read as one `1.0, 2.0`; an unknown version alone is `null`.
fn versions(v: &BTreeSet<Option<String>>) -> Option<String> {
    let known: Vec<&str> = v.iter().flatten().map(String::as_str).collect();
    (!known.is_empty()).then(|| known.join(", "))
}

fn missing(side: &SbomSide, name: &str) -> String {
    match side.problems.first() {
        Some(p) => format!("SBOM of {name} unreadable: {p}"),
        None => format!("no SBOM on {name}"),
    }
}

/// Compares what was found for A and for B.
pub fn compare(a: &SbomLookup, b: &SbomLookup) -> PackagesDiff {
    let mut out = PackagesDiff {
        a: a.side.clone(),
        b: b.side.clone(),
        ..Default::default()
    };
    let (pa, pb) = match (&a.packages, &b.packages) {
        (Some(x), Some(y)) => (by_name(x), by_name(y)),
        (None, None) if a.side.problems.is_empty() && b.side.problems.is_empty() => {
            out.note = Some("no SBOM on A or B".into());
            return out;
        }
        (x, y) => {
            let mut notes = Vec::new();
            if x.is_none() {
                notes.push(missing(&a.side, "A"));
            }
            if y.is_none() {
                notes.push(missing(&b.side, "B"));
            }
            out.note = Some(notes.join("; "));
            return out;
        }
    };
    let entry = |(eco, name): &Key, v: &BTreeSet<Option<String>>| PackageEntry {
        name: name.clone(),
        version: versions(v),
        ecosystem: eco.clone(),
    };
    out.added = Some(
        pb.iter()
            .filter(|(k, _)| !pa.contains_key(*k))
            .map(|(k, v)| entry(k, v))
            .collect(),
    );
    out.removed = Some(
        pa.iter()
            .filter(|(k, _)| !pb.contains_key(*k))
            .map(|(k, v)| entry(k, v))
            .collect(),
    );
    out.changed = Some(
        pa.iter()
            .filter_map(|(k, va)| {
                let vb = pb.get(k)?;
                (va != vb).then(|| PackageChange {
                    name: k.1.clone(),
                    version_a: versions(va),
                    version_b: versions(vb),
                    ecosystem: k.0.clone(),
                })
            })
            .collect(),
    );
    out
}
