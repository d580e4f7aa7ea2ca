//! Builders for realistic test images: real tar layers (gzip, zstd or plain), configs with
//! history, OCI and Docker schema2 manifests, indexes with buildkit attestations, referrers.
//! Every builder returns the exact bytes pushed, so tests compute expectations from them.

use super::seed::{sha256, Seeder};
use serde_json::{json, Value};

pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
pub const OCI_CONFIG: &str = "application/vnd.oci.image.config.v1+json";
pub const OCI_LAYER_GZIP: &str = "application/vnd.oci.image.layer.v1.tar+gzip";
pub const OCI_LAYER_ZSTD: &str = "application/vnd.oci.image.layer.v1.tar+zstd";
pub const OCI_LAYER_TAR: &str = "application/vnd.oci.image.layer.v1.tar";
pub const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
pub const DOCKER_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
pub const DOCKER_CONFIG: &str = "application/vnd.docker.container.image.v1+json";
pub const DOCKER_LAYER_GZIP: &str = "application/vnd.docker.image.rootfs.diff.tar.gzip";
pub const OCI_EMPTY: &str = "application/vnd.oci.empty.v1+json";

/// An entry of a test tar layer.
pub enum Entry<'a> {
    File(&'a str, &'a [u8]),
    Dir(&'a str),
    Symlink(&'a str, &'a str),
    HardLink(&'a str, &'a str),
    /// A regular file whose name travels in a PAX extended header (`path=`), as tools do
    /// for names over 100 bytes or non-ASCII names; the ustar name field gets a stub.
    PaxFile(&'a str, &'a [u8]),
}

/// One PAX record `LEN key=value\n`, where LEN counts the whole record including itself.
fn pax_record(key: &str, value: &str) -> Vec<u8> {
    let body = format!(" {key}={value}\n");
    let mut len = body.len() + 1;
    while format!("{len}").len() + body.len() != len {
        len += 1;
    }
    format!("{len}{body}").into_bytes()
}

/// A plain tar archive of `entries`, with fixed mtimes so bytes are reproducible.
pub fn tar(entries: &[Entry]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for e in entries {
        let mut h = tar::Header::new_gnu();
        h.set_mtime(1_700_000_000);
        h.set_uid(0);
        h.set_gid(0);
        match e {
            Entry::File(path, data) => {
                h.set_entry_type(tar::EntryType::Regular);
                h.set_mode(0o644);
                h.set_size(data.len() as u64);
                b.append_data(&mut h, path, *data).unwrap();
            }
            Entry::Dir(path) => {
                h.set_entry_type(tar::EntryType::Directory);
                h.set_mode(0o755);
                h.set_size(0);
                b.append_data(&mut h, path, std::io::empty()).unwrap();
            }
            Entry::Symlink(path, target) => {
                h.set_entry_type(tar::EntryType::Symlink);
                h.set_mode(0o777);
                h.set_size(0);
                b.append_link(&mut h, path, target).unwrap();
            }
            Entry::HardLink(path, target) => {
                h.set_entry_type(tar::EntryType::Link);
                h.set_mode(0o644);
                h.set_size(0);
                b.append_link(&mut h, path, target).unwrap();
            }
            Entry::PaxFile(path, data) => {
                let record = pax_record("path", path);
                let mut x = tar::Header::new_ustar();
                x.set_path("PaxHeaders/entry").unwrap();
                x.set_entry_type(tar::EntryType::XHeader);
                x.set_mode(0o644);
                x.set_mtime(1_700_000_000);
                x.set_size(record.len() as u64);
                x.set_cksum();
                b.append(&x, record.as_slice()).unwrap();
                let mut h = tar::Header::new_ustar();
                h.set_path("pax-stub").unwrap();
                h.set_entry_type(tar::EntryType::Regular);
                h.set_mode(0o644);
                h.set_mtime(1_700_000_000);
                h.set_size(data.len() as u64);
                h.set_cksum();
                b.append(&h, *data).unwrap();
            }
        }
    }
    b.into_inner().unwrap()
}

pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(6));
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

pub fn zstd(bytes: &[u8]) -> Vec<u8> {
    zstd::encode_all(bytes, 3).unwrap()
}

/// One layer as pushed: media type, compressed bytes, and the uncompressed tar's digest.
#[derive(Clone)]
pub struct Layer {
    pub media_type: String,
    pub bytes: Vec<u8>,
    pub diff_id: String,
    pub created_by: String,
}

impl Layer {
    pub fn gzip(tar_bytes: Vec<u8>, created_by: &str) -> Layer {
        Layer {
            media_type: OCI_LAYER_GZIP.into(),
            bytes: gzip(&tar_bytes),
            diff_id: sha256(&tar_bytes),
            created_by: created_by.into(),
        }
    }
    pub fn zstd(tar_bytes: Vec<u8>, created_by: &str) -> Layer {
        Layer {
            media_type: OCI_LAYER_ZSTD.into(),
            bytes: zstd(&tar_bytes),
            diff_id: sha256(&tar_bytes),
            created_by: created_by.into(),
        }
    }
    pub fn plain(tar_bytes: Vec<u8>, created_by: &str) -> Layer {
        Layer {
            media_type: OCI_LAYER_TAR.into(),
            diff_id: sha256(&tar_bytes),
            bytes: tar_bytes,
            created_by: created_by.into(),
        }
    }
    pub fn docker(tar_bytes: Vec<u8>, created_by: &str) -> Layer {
        Layer {
            media_type: DOCKER_LAYER_GZIP.into(),
            bytes: gzip(&tar_bytes),
            diff_id: sha256(&tar_bytes),
            created_by: created_by.into(),
        }
    }
}

/// A single-platform image ready to push.
#[derive(Clone)]
pub struct ImageFixture {
    pub docker: bool,
    pub os: String,
    pub arch: String,
    pub variant: Option<String>,
    pub created: String,
    pub layers: Vec<Layer>,
    /// History entries with `empty_layer: true` interleaved before each layer's entry (ENV, LABEL ...).
    pub empty_history: Vec<String>,
}

/// What a push produced: every byte needed to compute expectations independently.
#[derive(Clone, Debug)]
pub struct Pushed {
    pub digest: String,
    pub media_type: String,
    pub manifest: Vec<u8>,
    pub config: Vec<u8>,
    /// (digest, size) of config and layers, in manifest order (config first).
    pub blobs: Vec<(String, u64)>,
}

impl ImageFixture {
    pub fn new(arch: &str, created: &str, layers: Vec<Layer>) -> Self {
        ImageFixture {
            docker: false,
            os: "linux".into(),
            arch: arch.into(),
            variant: None,
            created: created.into(),
            layers,
            empty_history: vec![],
        }
    }

    pub fn config_json(&self) -> Vec<u8> {
        let mut history = Vec::new();
        for h in &self.empty_history {
            history.push(json!({"created": self.created, "created_by": h, "empty_layer": true}));
        }
        for l in &self.layers {
            history.push(json!({"created": self.created, "created_by": l.created_by}));
        }
        let mut cfg = json!({
            "created": self.created,
            "architecture": self.arch,
            "os": self.os,
            "config": {"Env": ["PATH=/usr/bin"], "Cmd": ["/bin/sh"]},
            "rootfs": {"type": "layers", "diff_ids": self.layers.iter().map(|l| l.diff_id.clone()).collect::<Vec<_>>()},
            "history": history,
        });
        if let Some(v) = &self.variant {
            cfg["variant"] = json!(v);
        }
        serde_json::to_vec(&cfg).unwrap()
    }

    pub fn manifest_json(&self, config: &[u8]) -> (String, Vec<u8>) {
        let (mt, cfg_mt) = if self.docker {
            (DOCKER_MANIFEST, DOCKER_CONFIG)
        } else {
            (OCI_MANIFEST, OCI_CONFIG)
        };
        let m = json!({
            "schemaVersion": 2,
            "mediaType": mt,
            "config": {"mediaType": cfg_mt, "digest": sha256(config), "size": config.len()},
            "layers": self.layers.iter().map(|l| json!({
                "mediaType": if self.docker { DOCKER_LAYER_GZIP } else { l.media_type.as_str() },
                "digest": sha256(&l.bytes), "size": l.bytes.len()})).collect::<Vec<_>>(),
        });
        (mt.to_string(), serde_json::to_vec(&m).unwrap())
    }

    /// Pushes blobs and the manifest, tagging it with each of `tags` (by digest if none).
    pub async fn push(&self, s: &Seeder, repo: &str, tags: &[&str]) -> Pushed {
        let config = self.config_json();
        let mut blobs = vec![(s.push_blob(repo, &config).await, config.len() as u64)];
        for l in &self.layers {
            blobs.push((s.push_blob(repo, &l.bytes).await, l.bytes.len() as u64));
        }
        let (mt, manifest) = self.manifest_json(&config);
        let digest = sha256(&manifest);
        if tags.is_empty() {
            s.push_manifest(repo, &digest, &mt, &manifest).await;
        }
        for t in tags {
            s.push_manifest(repo, t, &mt, &manifest).await;
        }
        Pushed {
            digest,
            media_type: mt,
            manifest,
            config,
            blobs,
        }
    }
}

/// A buildkit-style attestation manifest for `subject` (an in-toto layer), as buildkit
/// puts into an index with platform unknown/unknown.
pub async fn push_buildkit_attestation(
    s: &Seeder,
    repo: &str,
    subject: &Pushed,
) -> (Value, Pushed) {
    let statement = serde_json::to_vec(&json!({"_type": "https://in-toto.io/Statement/v0.1",
        "predicateType": "https://slsa.dev/provenance/v0.2", "subject": [{"digest": {"sha256": subject.digest.trim_start_matches("sha256:")}}],
        "predicate": {"builder": {"id": "test"}}}))
    .unwrap();
    let config = br#"{"architecture":"unknown","os":"unknown","config":{},"rootfs":{"type":"layers","diff_ids":[]}}"#.to_vec();
    let cd = s.push_blob(repo, &config).await;
    let ld = s.push_blob(repo, &statement).await;
    let m = serde_json::to_vec(&json!({"schemaVersion": 2, "mediaType": OCI_MANIFEST,
        "config": {"mediaType": OCI_CONFIG, "digest": cd, "size": config.len()},
        "layers": [{"mediaType": "application/vnd.in-toto+json", "digest": ld, "size": statement.len(),
                    "annotations": {"in-toto.io/predicate-type": "https://slsa.dev/provenance/v0.2"}}]}))
    .unwrap();
    let digest = sha256(&m);
    s.push_manifest(repo, &digest, OCI_MANIFEST, &m).await;
    let entry = json!({"mediaType": OCI_MANIFEST, "digest": digest, "size": m.len(),
        "platform": {"os": "unknown", "architecture": "unknown"},
        "annotations": {"vnd.docker.reference.type": "attestation-manifest", "vnd.docker.reference.digest": subject.digest}});
    let pushed = Pushed {
        digest,
        media_type: OCI_MANIFEST.into(),
        manifest: m,
        config: config.clone(),
        blobs: vec![(cd, config.len() as u64), (ld, statement.len() as u64)],
    };
    (entry, pushed)
}

/// Pushes an index (OCI, or a Docker manifest list when `docker`) over `children`, with
/// optional extra raw entries (attestations), under `tags`.
pub async fn push_index(
    s: &Seeder,
    repo: &str,
    docker: bool,
    children: &[(&ImageFixture, &Pushed)],
    extra: Vec<Value>,
    tags: &[&str],
) -> Pushed {
    let mt = if docker { DOCKER_LIST } else { OCI_INDEX };
    let mut entries: Vec<Value> = children
        .iter()
        .map(|(f, p)| {
            let mut plat = json!({"os": f.os, "architecture": f.arch});
            if let Some(v) = &f.variant {
                plat["variant"] = json!(v);
            }
            json!({"mediaType": p.media_type, "digest": p.digest, "size": p.manifest.len(), "platform": plat})
        })
        .collect();
    entries.extend(extra);
    let m = serde_json::to_vec(&json!({"schemaVersion": 2, "mediaType": mt, "manifests": entries}))
        .unwrap();
    let digest = sha256(&m);
    if tags.is_empty() {
        s.push_manifest(repo, &digest, mt, &m).await;
    }
    for t in tags {
        s.push_manifest(repo, t, mt, &m).await;
    }
    Pushed {
        digest,
        media_type: mt.into(),
        manifest: m,
        config: vec![],
        blobs: vec![],
    }
}

/// Pushes an OCI 1.1 artifact (e.g. an SBOM) whose `subject` is `subject`, tagged with the
/// referrers fallback tag `sha256-<hex>` the way a client does against a registry without
/// the referrers API. Returns the artifact.
pub async fn push_referrer(
    s: &Seeder,
    repo: &str,
    subject: &Pushed,
    artifact_type: &str,
    payload: &[u8],
    fallback_tag: bool,
) -> Pushed {
    push_referrer_with(
        s,
        repo,
        subject,
        artifact_type,
        payload,
        fallback_tag,
        Value::Null,
    )
    .await
}

/// [`push_referrer`] with manifest `annotations` (`oras attach` stamps
/// `org.opencontainers.image.created`); `Value::Null` for none.
pub async fn push_referrer_with(
    s: &Seeder,
    repo: &str,
    subject: &Pushed,
    artifact_type: &str,
    payload: &[u8],
    fallback_tag: bool,
    annotations: Value,
) -> Pushed {
    let empty = b"{}".to_vec();
    let ed = s.push_blob(repo, &empty).await;
    let pd = s.push_blob(repo, payload).await;
    let mut doc = json!({"schemaVersion": 2, "mediaType": OCI_MANIFEST, "artifactType": artifact_type,
        "config": {"mediaType": OCI_EMPTY, "digest": ed, "size": 2},
        "layers": [{"mediaType": artifact_type, "digest": pd, "size": payload.len()}],
        "subject": {"mediaType": subject.media_type, "digest": subject.digest, "size": subject.manifest.len()}});
    if !annotations.is_null() {
        doc["annotations"] = annotations;
    }
    let m = serde_json::to_vec(&doc).unwrap();
    let digest = sha256(&m);
    s.push_manifest(repo, &digest, OCI_MANIFEST, &m).await;
    if fallback_tag {
        let tag = subject.digest.replace(':', "-");
        let index = serde_json::to_vec(&json!({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [
            {"mediaType": OCI_MANIFEST, "digest": digest, "size": m.len(), "artifactType": artifact_type}]}))
        .unwrap();
        s.push_manifest(repo, &tag, OCI_INDEX, &index).await;
    }
    Pushed {
        digest,
        media_type: OCI_MANIFEST.into(),
        manifest: m,
        config: empty.clone(),
        blobs: vec![(ed, 2), (pd, payload.len() as u64)],
    }
}

/// A cosign-style signature: an OCI manifest with a simplesigning layer, tagged `sha256-<hex>.sig`.
pub async fn push_cosign_signature(s: &Seeder, repo: &str, subject: &Pushed) -> Pushed {
    let payload = serde_json::to_vec(&json!({"critical": {"identity": {"docker-reference": repo},
        "image": {"docker-manifest-digest": subject.digest}, "type": "cosign container image signature"}, "optional": null}))
    .unwrap();
    let config =
        br#"{"architecture":"","os":"","config":{},"rootfs":{"type":"layers","diff_ids":[]}}"#
            .to_vec();
    let cd = s.push_blob(repo, &config).await;
    let pd = s.push_blob(repo, &payload).await;
    let m = serde_json::to_vec(&json!({"schemaVersion": 2, "mediaType": OCI_MANIFEST,
        "config": {"mediaType": OCI_CONFIG, "digest": cd, "size": config.len()},
        "layers": [{"mediaType": "application/vnd.dev.cosign.simplesigning.v1+json", "digest": pd, "size": payload.len(),
            "annotations": {"dev.cosignproject.cosign/signature": "MEUCIQDtest"}}]}))
    .unwrap();
    let tag = format!("{}.sig", subject.digest.replace(':', "-"));
    let digest = s.push_manifest(repo, &tag, OCI_MANIFEST, &m).await;
    Pushed {
        digest,
        media_type: OCI_MANIFEST.into(),
        manifest: m,
        config: config.clone(),
        blobs: vec![(cd, config.len() as u64), (pd, payload.len() as u64)],
    }
}
