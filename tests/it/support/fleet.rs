//! A small but complete fleet for inventory tests, pushed with the independent seeder:
//! OCI and Docker schema2 images, an OCI index and a Docker manifest list each with a
//! buildkit attestation entry, layers shared across tags and repositories, several tags
//! on one digest, nested repository names, a cosign `.sig` tag, an SBOM artifact reachable
//! through the referrers fallback tag, and a zstd layer. Every pushed byte is returned so
//! tests compute expectations from the fixtures, not from regscope.

use super::fixtures::{
    push_buildkit_attestation, push_cosign_signature, push_index, push_referrer, tar, Entry,
    ImageFixture, Layer, Pushed,
};
use super::seed::Seeder;

pub const SBOM_TYPE: &str = "application/spdx+json";

pub struct Fleet {
    /// team-a/api: v1 = latest = stable (OCI, gzip)
    pub api_v1: Pushed,
    /// team-a/api: v2 (OCI, base + a zstd layer)
    pub api_v2: Pushed,
    /// cosign signature of api_v1, tag sha256-<v1>.sig
    pub api_v1_sig: Pushed,
    /// SBOM artifact whose subject is api_v2, listed by the fallback tag sha256-<v2>
    pub api_v2_sbom: Pushed,
    /// team-a/multi: OCI index `1.0` over amd64 and arm64/v8 + a buildkit attestation
    pub multi_index: Pushed,
    pub multi_amd64: Pushed,
    pub multi_arm64: Pushed,
    pub multi_att: Pushed,
    /// team-b/legacy: Docker schema2 image `old` sharing the base layer with team-a/api
    pub legacy_old: Pushed,
    /// team-b/legacy: Docker manifest list `list` over amd64 and arm/v7 + an attestation
    pub legacy_list: Pushed,
    pub legacy_amd64: Pushed,
    pub legacy_armv7: Pushed,
    pub legacy_att: Pushed,
    /// org/platform/tools/cli (nested name): `x`
    pub nested: Pushed,
}

pub fn base_layer() -> Layer {
    Layer::gzip(
        tar(&[
            Entry::Dir("etc/"),
            Entry::File("etc/os-release", b"ID=testos\nVERSION=1\n"),
            Entry::File("bin/sh", &[0x7f, b'E', b'L', b'F', 1, 2, 3, 4]),
        ]),
        "ADD rootfs.tar /",
    )
}

fn file_layer(name: &str, body: &str, created_by: &str) -> Layer {
    Layer::gzip(tar(&[Entry::File(name, body.as_bytes())]), created_by)
}

pub fn image(arch: &str, variant: Option<&str>, created: &str, layers: Vec<Layer>) -> ImageFixture {
    let mut f = ImageFixture::new(arch, created, layers);
    f.variant = variant.map(str::to_string);
    f.empty_history = vec!["ENV PATH=/usr/bin".into()];
    f
}

pub async fn seed(s: &Seeder) -> Fleet {
    let base = base_layer();
    // team-a/api
    let v1 = image(
        "amd64",
        None,
        "2026-01-01T00:00:00Z",
        vec![
            base.clone(),
            file_layer("app/v1", "version one", "COPY app1 /app"),
        ],
    );
    let api_v1 = v1.push(s, "team-a/api", &["v1", "latest", "stable"]).await;
    let v2 = image(
        "amd64",
        None,
        "2026-02-01T00:00:00Z",
        vec![
            base.clone(),
            Layer::zstd(
                tar(&[Entry::File("app/v2", b"version two, zstd")]),
                "COPY app2 /app",
            ),
        ],
    );
    let api_v2 = v2.push(s, "team-a/api", &["v2"]).await;
    let api_v1_sig = push_cosign_signature(s, "team-a/api", &api_v1).await;
    let api_v2_sbom = push_referrer(
        s,
        "team-a/api",
        &api_v2,
        SBOM_TYPE,
        br#"{"spdxVersion":"SPDX-2.3","name":"api"}"#,
        true,
    )
    .await;

    // team-a/multi: OCI index with a buildkit attestation entry
    let amd = image(
        "amd64",
        None,
        "2026-03-01T00:00:00Z",
        vec![
            base.clone(),
            file_layer("app/multi", "amd64 build", "RUN make amd64"),
        ],
    );
    let arm = image(
        "arm64",
        Some("v8"),
        "2026-03-02T00:00:00Z",
        vec![
            base.clone(),
            file_layer("app/multi", "arm64 build", "RUN make arm64"),
        ],
    );
    let multi_amd64 = amd.push(s, "team-a/multi", &[]).await;
    let multi_arm64 = arm.push(s, "team-a/multi", &[]).await;
    let (att_entry, multi_att) = push_buildkit_attestation(s, "team-a/multi", &multi_amd64).await;
    let multi_index = push_index(
        s,
        "team-a/multi",
        false,
        &[(&amd, &multi_amd64), (&arm, &multi_arm64)],
        vec![att_entry],
        &["1.0"],
    )
    .await;

    // team-b/legacy: Docker schema2 image and a Docker manifest list
    let mut old = image(
        "amd64",
        None,
        "2025-06-01T00:00:00Z",
        vec![
            base.clone(),
            file_layer("legacy", "old app", "COPY legacy /"),
        ],
    );
    old.docker = true;
    let legacy_old = old.push(s, "team-b/legacy", &["old"]).await;
    let mut la = image(
        "amd64",
        None,
        "2025-07-01T00:00:00Z",
        vec![file_layer("l/amd", "list amd64", "COPY amd /")],
    );
    la.docker = true;
    let mut lv7 = image(
        "arm",
        Some("v7"),
        "2025-07-02T00:00:00Z",
        vec![file_layer("l/arm", "list armv7", "COPY arm /")],
    );
    lv7.docker = true;
    let legacy_amd64 = la.push(s, "team-b/legacy", &[]).await;
    let legacy_armv7 = lv7.push(s, "team-b/legacy", &[]).await;
    let (att_entry, legacy_att) =
        push_buildkit_attestation(s, "team-b/legacy", &legacy_amd64).await;
    let legacy_list = push_index(
        s,
        "team-b/legacy",
        true,
        &[(&la, &legacy_amd64), (&lv7, &legacy_armv7)],
        vec![att_entry],
        &["list"],
    )
    .await;

    let n = image(
        "amd64",
        None,
        "2026-04-01T00:00:00Z",
        vec![file_layer(
            "usr/bin/cli",
            "#!/bin/sh\necho cli\n",
            "COPY cli /usr/bin/",
        )],
    );
    let nested = n.push(s, "org/platform/tools/cli", &["x"]).await;

    Fleet {
        api_v1,
        api_v2,
        api_v1_sig,
        api_v2_sbom,
        multi_index,
        multi_amd64,
        multi_arm64,
        multi_att,
        legacy_old,
        legacy_list,
        legacy_amd64,
        legacy_armv7,
        legacy_att,
        nested,
    }
}

/// The sum of distinct blob sizes over several pushes (shared blobs counted once).
pub fn distinct_bytes(pushes: &[&Pushed]) -> u64 {
    let mut seen = std::collections::BTreeMap::new();
    for p in pushes {
        for (d, s) in &p.blobs {
            seen.insert(d.clone(), *s);
        }
    }
    seen.values().sum()
}
