//! The diff view (`=` on two marks, `:diff REF`) and the file viewer (`enter` on a file of
//! the layers tree): the reducer asks the engine through effects and shows its answers.
//! Reports are built by the engine's own functions from layer indexes and configs.

use super::Harness;
use crate::app::effect::Effect;
use crate::app::msg::Msg;
use crate::app::state::View;
use crate::app::tasks::compare::{DiffResult, FileResult};
use crate::layers::compare::{DiffReport, Platforms, Side, SCHEMA};
use crate::layers::diff::{files, LayerSets};
use crate::layers::fileread::FilePrefix;
use crate::layers::index::INDEX_FORMAT;
use crate::layers::{Analysis, Compression, EntryKind, LayerIndex, ReadPath, TarEntry};
use crate::model::Digest;
use crate::sbom::{SbomLookup, SbomSide};
use insta::assert_snapshot;
use std::sync::Arc;

fn index(name: &str, entries: &[(&str, EntryKind, u64)]) -> LayerIndex {
    LayerIndex {
        format: INDEX_FORMAT,
        digest: Digest::sha256_of(name.as_bytes()),
        media_type: crate::registry::media::OCI_LAYER_GZIP.into(),
        compression: Compression::Gzip,
        compressed_size: 1000,
        uncompressed_size: 4096,
        entries: entries
            .iter()
            .map(|(p, k, s)| TarEntry {
                path: p.to_string(),
                kind: *k,
                size: *s,
                crc: Some(*s as u32),
                ..Default::default()
            })
            .collect(),
        warnings: vec![],
    }
}

/// A's SBOM in SPDX 2.3, B's in CycloneDX 1.5: read by the engine's own parser.
fn sboms() -> (SbomLookup, SbomLookup) {
    let spdx = br#"{"spdxVersion":"SPDX-2.3","SPDXID":"SPDXRef-DOCUMENT","packages":[
        {"SPDXID":"SPDXRef-a","name":"openssl","versionInfo":"3.0.11-1","externalRefs":[{"referenceCategory":"PACKAGE-MANAGER","referenceType":"purl","referenceLocator":"pkg:deb/debian/openssl@3.0.11-1"}]},
        {"SPDXID":"SPDXRef-b","name":"libold","versionInfo":"1.0","externalRefs":[{"referenceCategory":"PACKAGE-MANAGER","referenceType":"purl","referenceLocator":"pkg:deb/debian/libold@1.0"}]}]}"#;
    let cdx = br#"{"bomFormat":"CycloneDX","specVersion":"1.5","components":[
        {"type":"library","name":"openssl","version":"3.0.13-1","purl":"pkg:deb/debian/openssl@3.0.13-1"},
        {"type":"library","name":"requests","version":"2.32.3","purl":"pkg:pypi/requests@2.32.3"}]}"#;
    let lookup = |bytes: &[u8], d: &str| {
        let sbom = crate::sbom::parse::parse(bytes).unwrap();
        SbomLookup {
            side: SbomSide {
                sbom: Some(Digest::sha256_of(d.as_bytes()).to_string()),
                format: Some(sbom.format),
                packages: Some(sbom.packages.len()),
                problems: vec![],
            },
            packages: Some(sbom.packages),
        }
    };
    (lookup(spdx, "sbom-a"), lookup(cdx, "sbom-b"))
}

fn report(a: &str, b: &str) -> DiffReport {
    use EntryKind::File;
    let base = index(
        "base",
        &[("etc/os-release", File, 300), ("usr/bin/app", File, 5000)],
    );
    let old = index("old", &[("usr/lib/libold.so", File, 2000)]);
    let new = index(
        "new",
        &[
            ("usr/lib/libnew.so", File, 90_000),
            ("usr/bin/app", File, 7000),
            ("usr/share/doc/app/README", File, 1200),
        ],
    );
    let (fa, fb) = (
        Analysis::replay([&base, &old]),
        Analysis::replay([&base, &new]),
    );
    let side = |reference: &str, digest: &str, size, unique, files_bytes| Side {
        reference: reference.into(),
        digest: Digest::sha256_of(digest.as_bytes()).to_string(),
        platform: Some("linux/amd64".into()),
        size_bytes: size,
        unique_bytes: unique,
        files_bytes,
    };
    let ca = br#"{"config":{"Env":["PATH=/usr/bin","MODE=dev"],"User":"app","Cmd":["app"]},"history":[]}"#;
    let cb = br#"{"config":{"Env":["PATH=/usr/bin","MODE=prod"],"User":"root","Cmd":["app","--serve"],"ExposedPorts":{"8080/tcp":{}}},"history":[]}"#;
    DiffReport {
        schema: SCHEMA,
        a: side(a, "a", 3_000, 1_000, 7_300),
        b: side(b, "b", 95_000, 93_000, 103_500),
        delta_bytes: 92_000,
        layers: LayerSets {
            shared: vec![base.digest.to_string()],
            only_a: vec![old.digest.to_string()],
            only_b: vec![new.digest.to_string()],
        },
        files: files(&fa, &fb),
        config: crate::layers::config_diff::compare(ca, cb),
        platforms: Platforms {
            a: vec!["linux/amd64".into()],
            b: vec!["linux/amd64".into()],
            added: vec![],
            removed: vec![],
        },
        packages: {
            let (sa, sb) = sboms();
            crate::sbom::diff::compare(&sa, &sb)
        },
    }
}

#[test]
fn two_marks_and_equals_compare_the_older_with_the_newer() {
    let mut h = Harness::loaded();
    h.keys("G enter");
    // One mark is not enough without another selection: = says so.
    h.keys("=");
    assert!(h.other.is_empty());
    assert!(h.state.flash.as_ref().unwrap().text.contains("0 marked"));
    h.state.flash = None;
    h.keys("space space");
    h.keys("=");
    let Some(Effect::Compare(req)) = h.other.pop() else {
        panic!("= asks the engine for a comparison")
    };
    // The table lists newest first: the second mark is older, so it is A.
    let rows = h.state.images.table.clone().unwrap();
    let (first, second) = (rows.row(0), rows.row(1));
    assert!(second.created() < first.created());
    assert_eq!(req.a.reference, second.first_tag().unwrap());
    assert_eq!(req.b.reference, first.first_tag().unwrap());
    assert_eq!(req.a.repository, "web");
    assert_eq!(h.state.view, View::Diff);
    assert!(h.screen(100, 30).contains("reading both images' layers"));

    // A stale answer (older ticket) is ignored; the latest is shown.
    h.send(Msg::Compared(DiffResult {
        ticket: req.ticket - 1,
        outcome: Err("stale".into()),
    }));
    assert!(!h.screen(100, 30).contains("stale"));
    h.send(Msg::Compared(DiffResult {
        ticket: req.ticket,
        outcome: Ok(Arc::new(report(&req.a.shown, &req.b.shown))),
    }));
    assert_snapshot!("diff_view", h.screen(110, 34));
    h.keys("j j");
    assert_eq!(h.state.compare.scroll, 2);
    // Packages by the two SBOMs.
    let screen = h.screen(110, 34);
    assert!(screen.contains("A: SPDX-2.3"), "{screen}");
    assert!(screen.contains("B: CycloneDX-1.5"), "{screen}");
    assert!(screen.contains("1 added, 1 removed, 1 changed"), "{screen}");
    assert!(screen.contains("~ openssl 3.0.11-1 → 3.0.13-1"), "{screen}");
    assert!(screen.contains("+ requests 2.32.3"), "{screen}");
    assert!(screen.contains("- libold 1.0"), "{screen}");
    // Without an SBOM on one side the view says so, and lists nothing.
    let mut r = report(&req.a.shown, &req.b.shown);
    r.packages = crate::sbom::diff::compare(&sboms().0, &SbomLookup::default());
    h.send(Msg::Compared(DiffResult {
        ticket: req.ticket,
        outcome: Ok(Arc::new(r)),
    }));
    let screen = h.screen(110, 34);
    assert!(
        screen.contains("no SBOM on B: packages not compared"),
        "{screen}"
    );
    assert!(!screen.contains("+ requests"), "{screen}");
    h.keys("esc");
    assert_eq!(h.state.view, View::Explorer);
}

#[test]
fn colon_diff_compares_the_selection_with_a_reference() {
    let mut h = Harness::loaded();
    h.keys("G enter");
    h.keys(":");
    h.type_text("diff api:v1.0.3");
    h.keys("enter");
    let Some(Effect::Compare(req)) = h.other.pop() else {
        panic!(":diff asks the engine for a comparison")
    };
    assert_eq!(
        (req.b.repository.as_str(), req.b.reference.as_str()),
        ("api", "v1.0.3")
    );
    assert_eq!(req.a.repository, "web");
    h.send(Msg::Compared(DiffResult {
        ticket: req.ticket,
        outcome: Err("api:v1.0.3: manifest unknown".into()),
    }));
    assert!(h.screen(100, 20).contains("✖ api:v1.0.3: manifest unknown"));
    // A malformed digest is refused before anything is asked.
    h.keys("esc :");
    h.type_text("diff @sha256:nothex");
    h.keys("enter");
    assert!(h.other.is_empty());
}

/// The layers tab of an image showing: layer 0 adds `etc/os-release` and `tmp/big`.
fn with_layers_tab() -> Harness {
    use crate::app::tasks::detail::{DetailData, DetailResult, LayerLine};
    use crate::app::tasks::layers::{build, LayersResult};
    let mut h = Harness::loaded();
    h.keys("G enter enter");
    let req = h.fetches.last().unwrap().clone();
    h.send(Msg::Detail(DetailResult {
        ticket: req.ticket,
        digest: req.digest.clone(),
        outcome: Ok(Arc::new(DetailData {
            digest: req.digest.clone(),
            media_type: crate::registry::media::OCI_MANIFEST.into(),
            manifest_bytes: b"{}".to_vec(),
            config_bytes: None,
            config_digest: None,
            layers: vec![LayerLine {
                digest: Digest::sha256_of(b"l0"),
                size: 1000,
                media_type: "gzip".into(),
                created_by: Some("ADD rootfs /".into()),
                foreign_from: None,
            }],
            platforms: vec![],
            referrers: Ok(vec![]),
            os_arch: Some("linux/amd64".into()),
        })),
    }));
    h.keys("l");
    let Some(Effect::AnalyzeLayers(lreq)) = h.other.pop() else {
        panic!("the layers tab asks for an analysis")
    };
    let l0 = index(
        "l0",
        &[
            ("etc", EntryKind::Dir, 0),
            ("etc/os-release", EntryKind::File, 300),
            ("tmp/big", EntryKind::File, 9000),
        ],
    );
    h.send(Msg::Layers(LayersResult {
        ticket: lreq.ticket,
        digest: req.digest.clone(),
        outcome: Ok(Arc::new(build(&[l0], &[Some("ADD rootfs /".into())]))),
    }));
    h
}

fn prefix(bytes: &[u8], size: u64) -> FilePrefix {
    FilePrefix {
        path: "etc/os-release".into(),
        size,
        bytes: bytes.to_vec(),
        layer: 0,
        how: ReadPath::Ranged {
            start: 4096,
            end: Some(90_000),
            checkpoint: true,
        },
    }
}

#[test]
fn enter_on_a_file_of_the_layers_tree_opens_the_viewer() {
    let mut h = with_layers_tab();
    // Into the tree: `tmp/` (largest) first, then `etc/`; open `etc/`, enter on its file.
    h.keys("enter j enter j");
    h.keys("enter");
    let Some(Effect::ReadFile(req)) = h.other.pop() else {
        panic!("enter on a file asks the engine for its bytes")
    };
    assert_eq!(req.path, "etc/os-release");
    assert_eq!(req.as_of, Some(0));
    assert_eq!(h.state.view, View::File);
    let text =
        b"PRETTY_NAME=\"Debian GNU/Linux 13 (trixie)\"\nNAME=\"Debian GNU/Linux\"\n\tID=debian\n";
    h.send(Msg::FileRead(FileResult {
        ticket: req.ticket,
        outcome: Ok(Arc::new(prefix(text, text.len() as u64))),
    }));
    assert_snapshot!("file_viewer_text", h.screen(90, 12));
    // Binary bytes as a hexdump, and a note when only a prefix was read.
    let binary: Vec<u8> = (0u8..40).chain([0x7f, b'E', b'L', b'F']).collect();
    h.send(Msg::FileRead(FileResult {
        ticket: req.ticket,
        outcome: Ok(Arc::new(prefix(&binary, 1 << 20))),
    }));
    assert_snapshot!("file_viewer_binary", h.screen(90, 10));
    h.keys("esc");
    assert_eq!(h.state.view, View::Explorer);
}
