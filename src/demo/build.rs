//! Assembles the demo fleet: per repository, every build's image (or multi-arch index with
//! buildkit attestations), tagged as its history left it, plus signatures, SBOMs and
//! scanner reports attached as referrers — written as one OCI layout per repository.

use super::content::BuiltLayer;
use super::layers;
use super::reports::{self, Present};
use super::spec::{BaseSpec, FleetSpec, RepoSpec};
use super::timeline::{self, Build};
use crate::model::Digest;
use crate::registry::layout::{LayoutFault, LayoutWriter};
use crate::registry::manifest::{media, Descriptor};
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

/// Counts for the summary line.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FleetStats {
    pub repositories: usize,
    pub manifests: usize,
    pub tags: usize,
}

/// Layers are expensive to build (tar + gzip); the same base or dependency layer is reused
/// by many images, so it is built once per fleet.
#[derive(Default)]
struct LayerCache {
    layers: HashMap<String, Arc<BuiltLayer>>,
}

impl LayerCache {
    fn get(&mut self, key: String, make: impl FnOnce() -> BuiltLayer) -> Arc<BuiltLayer> {
        self.layers
            .entry(key)
            .or_insert_with(|| Arc::new(make()))
            .clone()
    }
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Builds every repository of `spec` under `root`.
pub fn build_fleet(
    spec: &FleetSpec,
    epoch: DateTime<Utc>,
    root: &Path,
) -> Result<FleetStats, LayoutFault> {
    let mut cache = LayerCache::default();
    let mut stats = FleetStats::default();
    for repo in &spec.repositories {
        let base = spec
            .bases
            .iter()
            .find(|b| b.name == repo.base)
            .expect("validated by FleetSpec::parse");
        let mut w = LayoutWriter::create(&root.join(&repo.name))?.without_fsync();
        let builds = timeline::builds(spec, repo, epoch);
        let last = builds.len();
        for b in &builds {
            let rb = RepoBuild {
                spec,
                repo,
                base,
                build: b,
                epoch,
            };
            let top = rb.write_image(&mut w, &mut cache, &mut stats)?;
            let tags: Vec<&str> = b.tags.iter().map(String::as_str).collect();
            stats.tags += tags.len();
            let released = b.version.is_some();
            if released {
                rb.write_signature(&mut w, &top, &mut stats)?;
                if repo.sbom {
                    rb.write_sbom(&mut w, &top, &mut stats)?;
                }
            }
            // CI scans releases and the newest builds; older untagged ones were never scanned.
            if released || b.index + 2 >= last {
                rb.write_report(&mut w, &top, &mut stats)?;
            }
        }
        w.finish()?;
        stats.repositories += 1;
    }
    Ok(stats)
}

struct RepoBuild<'a> {
    spec: &'a FleetSpec,
    repo: &'a RepoSpec,
    base: &'a BaseSpec,
    build: &'a Build,
    epoch: DateTime<Utc>,
}

struct ArchImage {
    desc: Descriptor,
    arch: String,
}

impl RepoBuild<'_> {
    fn created(&self) -> String {
        if self.repo.reproducible {
            "1970-01-01T00:00:00Z".into()
        } else {
            rfc3339(self.build.at)
        }
    }

    fn mtime(&self) -> u64 {
        if self.repo.reproducible {
            0
        } else {
            self.build.at.timestamp().max(0) as u64
        }
    }

    fn version(&self) -> String {
        self.build
            .version
            .clone()
            .unwrap_or_else(|| format!("0.0.0-{}", &self.build.commit[..7]))
    }

    fn base_day(&self) -> u32 {
        timeline::base_day(self.base, self.build.day)
    }

    /// Writes the build's image (an index when it has several architectures), tagged.
    fn write_image(
        &self,
        w: &mut LayoutWriter,
        cache: &mut LayerCache,
        stats: &mut FleetStats,
    ) -> Result<Descriptor, LayoutFault> {
        let tags: Vec<&str> = self.build.tags.iter().map(String::as_str).collect();
        if self.repo.archs.len() == 1 && !self.repo.attestations {
            let (mt, bytes) = self.arch_manifest(w, cache, &self.repo.archs[0])?;
            stats.manifests += 1;
            return w.add_manifest(&mt, &bytes, &tags);
        }
        let mut entries = Vec::new();
        let mut images = Vec::new();
        for arch in &self.repo.archs {
            let (mt, bytes) = self.arch_manifest(w, cache, arch)?;
            let mut d = w.add_child_manifest(&mt, &bytes)?;
            stats.manifests += 1;
            d.platform = Some(crate::registry::manifest::DescriptorPlatform {
                os: "linux".into(),
                architecture: arch.clone(),
                variant: (arch == "arm64").then(|| "v8".to_string()),
                os_version: None,
            });
            entries.push(serde_json::to_value(&d).expect("descriptor"));
            images.push(ArchImage {
                desc: d,
                arch: arch.clone(),
            });
        }
        if self.repo.attestations {
            for img in &images {
                let att = self.attestation(w, img)?;
                stats.manifests += 1;
                entries.push(att);
            }
        }
        let index = json!({"schemaVersion": 2, "mediaType": media::OCI_INDEX, "manifests": entries,
            "annotations": {"org.opencontainers.image.created": self.created(),
                            "org.opencontainers.image.revision": self.build.commit}});
        let bytes = serde_json::to_vec(&index).expect("index");
        stats.manifests += 1;
        w.add_manifest(media::OCI_INDEX, &bytes, &tags)
    }

    fn arch_manifest(
        &self,
        w: &mut LayoutWriter,
        cache: &mut LayerCache,
        arch: &str,
    ) -> Result<(String, Vec<u8>), LayoutFault> {
        let seed = self.spec.seed;
        let (base, repo, b) = (self.base, self.repo, self.build);
        let base_day = self.base_day();
        let base_mtime = (self.epoch - chrono::Duration::days(base_day as i64))
            .timestamp()
            .max(0) as u64;
        let spec = self.spec;
        let mut layers = vec![
            cache.get(format!("base/{}/{arch}/{base_day}", base.name), || {
                let pkgs = timeline::package_versions(spec, base, base_day);
                layers::base_rootfs(seed, base, arch, base_day, &pkgs, base_mtime)
            }),
        ];
        let version = self.version();
        if repo.kind.as_deref() != Some("base") {
            let gen = b.index / 15;
            let mtime = self.mtime();
            layers.push(cache.get(format!("deps/{}/{arch}/{gen}", repo.name), || {
                layers::deps(seed, repo, base, arch, gen, mtime)
            }));
            layers.push(Arc::new(layers::app(
                seed, repo, arch, &b.commit, &version, mtime,
            )));
            if repo.waste.iter().any(|x| x == "overwrite") {
                layers.push(Arc::new(layers::cleanup_later(repo, &version, mtime)));
            }
        }
        let created = self.created();
        let bin = repo.name.rsplit('/').next().unwrap_or("app");
        let mut history = vec![];
        for (i, l) in layers.iter().enumerate() {
            history.push(json!({"created": created, "created_by": l.created_by}));
            if i == 0 {
                history.push(json!({"created": created, "created_by": format!("ENV SERVICE={bin}"), "empty_layer": true}));
            }
        }
        history.push(json!({"created": created, "created_by": format!("ENTRYPOINT [\"/app/{bin}\"]"), "empty_layer": true}));
        let mut config = json!({
            "created": created, "architecture": arch, "os": "linux",
            "config": {"Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", format!("SERVICE={bin}")],
                "Entrypoint": [format!("/app/{bin}")], "WorkingDir": "/app", "User": "65532",
                "Labels": {"org.opencontainers.image.source": format!("https://git.example.com/{}", repo.name),
                           "org.opencontainers.image.revision": b.commit, "org.opencontainers.image.version": version}},
            "rootfs": {"type": "layers", "diff_ids": layers.iter().map(|l| l.diff_id.to_string()).collect::<Vec<_>>()},
            "history": history,
        });
        if arch == "arm64" {
            config["variant"] = json!("v8");
        }
        let config_bytes = serde_json::to_vec(&config).expect("config");
        let c = w.add_blob(media::OCI_CONFIG, &config_bytes)?;
        let mut ls = Vec::new();
        for l in &layers {
            ls.push(w.add_blob(media::OCI_LAYER_GZIP, &l.gzip)?);
        }
        let m = json!({"schemaVersion": 2, "mediaType": media::OCI_MANIFEST, "config": c, "layers": ls,
            "annotations": {"org.opencontainers.image.created": self.created(),
                            "org.opencontainers.image.base.name": format!("platform/base-images:{}", base.name)}});
        Ok((
            media::OCI_MANIFEST.to_string(),
            serde_json::to_vec(&m).expect("manifest"),
        ))
    }

    /// A buildkit attestation manifest (SLSA provenance, and an SPDX SBOM when the repo
    /// has them) as an index entry for `img`.
    fn attestation(&self, w: &mut LayoutWriter, img: &ArchImage) -> Result<Value, LayoutFault> {
        let subject = json!([{"name": format!("pkg:docker/{}@{}?platform=linux%2F{}", self.repo.name, self.version(), img.arch),
            "digest": {"sha256": img.desc.digest.hex()}}]);
        let provenance = json!({"_type": "https://in-toto.io/Statement/v0.1",
            "predicateType": "https://slsa.dev/provenance/v0.2", "subject": subject,
            "predicate": {"builder": {"id": "https://github.com/example/ci/actions/runs/1"},
                "buildType": "https://mobyproject.org/buildkit@v1",
                "materials": [{"uri": format!("pkg:docker/platform/base-images@{}", self.base.name)}],
                "invocation": {"configSource": {"entryPoint": "Dockerfile"}},
                "metadata": {"buildStartedOn": rfc3339(self.build.at), "buildFinishedOn": rfc3339(self.build.at)}}});
        let pv = serde_json::to_vec(&provenance).expect("provenance");
        let mut layers = vec![{
            let mut d = w.add_blob(media::IN_TOTO, &pv)?;
            d.annotations = Some(
                [(
                    "in-toto.io/predicate-type".to_string(),
                    "https://slsa.dev/provenance/v0.2".to_string(),
                )]
                .into(),
            );
            d
        }];
        if self.repo.sbom {
            let sbom = json!({"_type": "https://in-toto.io/Statement/v0.1", "predicateType": "https://spdx.dev/Document",
                "subject": subject, "predicate": self.spdx()});
            let mut d = w.add_blob(media::IN_TOTO, &serde_json::to_vec(&sbom).expect("sbom"))?;
            d.annotations = Some(
                [(
                    "in-toto.io/predicate-type".to_string(),
                    "https://spdx.dev/Document".to_string(),
                )]
                .into(),
            );
            layers.push(d);
        }
        let config = br#"{"architecture":"unknown","os":"unknown","config":{},"rootfs":{"type":"layers","diff_ids":[]}}"#;
        let c = w.add_blob(media::OCI_CONFIG, config)?;
        let m = serde_json::to_vec(&json!({"schemaVersion": 2, "mediaType": media::OCI_MANIFEST, "config": c, "layers": layers}))
            .expect("attestation");
        let d = w.add_child_manifest(media::OCI_MANIFEST, &m)?;
        Ok(
            json!({"mediaType": d.media_type, "digest": d.digest, "size": d.size,
            "platform": {"os": "unknown", "architecture": "unknown"},
            "annotations": {"vnd.docker.reference.type": "attestation-manifest",
                            "vnd.docker.reference.digest": img.desc.digest}}),
        )
    }

    fn spdx(&self) -> Value {
        let pkgs = timeline::package_versions(self.spec, self.base, self.base_day());
        json!({"spdxVersion": "SPDX-2.3", "dataLicense": "CC0-1.0", "SPDXID": "SPDXRef-DOCUMENT",
            "name": self.repo.name, "creationInfo": {"created": rfc3339(self.build.at), "creators": ["Tool: syft-1.4.1"]},
            "packages": pkgs.iter().map(|(p, v)| json!({"name": p, "versionInfo": v, "SPDXID": format!("SPDXRef-Package-{p}")})).collect::<Vec<_>>()})
    }

    /// An OCI 1.1 artifact whose `subject` is `top`.
    fn referrer(
        &self,
        w: &mut LayoutWriter,
        top: &Descriptor,
        artifact_type: &str,
        layer_type: &str,
        payload: &[u8],
        annotations: Value,
    ) -> Result<Digest, LayoutFault> {
        let e = w.add_blob(media::OCI_EMPTY, b"{}")?;
        let mut l = w.add_blob(layer_type, payload)?;
        l.annotations = serde_json::from_value(annotations).ok();
        let m = json!({"schemaVersion": 2, "mediaType": media::OCI_MANIFEST, "artifactType": artifact_type,
            "config": e, "layers": [l],
            "subject": {"mediaType": top.media_type, "digest": top.digest, "size": top.size},
            "annotations": {"org.opencontainers.image.created": rfc3339(self.build.at + chrono::Duration::minutes(3))}});
        let bytes = serde_json::to_vec(&m).expect("referrer");
        Ok(w.add_manifest(media::OCI_MANIFEST, &bytes, &[])?.digest)
    }

    fn write_signature(
        &self,
        w: &mut LayoutWriter,
        top: &Descriptor,
        stats: &mut FleetStats,
    ) -> Result<(), LayoutFault> {
        let payload = serde_json::to_vec(&json!({"critical": {"identity": {"docker-reference": self.repo.name},
            "image": {"docker-manifest-digest": top.digest}, "type": "cosign container image signature"}, "optional": null}))
        .expect("payload");
        let sig =
            json!({"dev.cosignproject.cosign/signature": "MEUCIQDdemoSignatureNotVerifiable"});
        match self.repo.signature.as_deref() {
            Some("referrer") => {
                self.referrer(
                    w,
                    top,
                    "application/vnd.dev.cosign.artifact.sig.v1+json",
                    media::COSIGN_SIGNATURE,
                    &payload,
                    sig,
                )?;
            }
            Some("tag") => {
                // cosign's classic scheme: no subject, found by the `sha256-<hex>.sig` tag.
                let config = br#"{"architecture":"","os":"","config":{},"rootfs":{"type":"layers","diff_ids":[]}}"#;
                let c = w.add_blob(media::OCI_CONFIG, config)?;
                let mut l = w.add_blob(media::COSIGN_SIGNATURE, &payload)?;
                l.annotations = serde_json::from_value(sig).ok();
                let m = serde_json::to_vec(&json!({"schemaVersion": 2, "mediaType": media::OCI_MANIFEST, "config": c, "layers": [l]}))
                    .expect("signature");
                let tag = format!("{}.sig", top.digest.fallback_tag());
                w.add_manifest(media::OCI_MANIFEST, &m, &[&tag])?;
                stats.tags += 1;
            }
            _ => return Ok(()),
        }
        stats.manifests += 1;
        Ok(())
    }

    fn write_sbom(
        &self,
        w: &mut LayoutWriter,
        top: &Descriptor,
        stats: &mut FleetStats,
    ) -> Result<(), LayoutFault> {
        let doc = serde_json::to_vec(&self.spdx()).expect("spdx");
        self.referrer(
            w,
            top,
            "application/spdx+json",
            "application/spdx+json",
            &doc,
            json!({}),
        )?;
        stats.manifests += 1;
        Ok(())
    }

    fn write_report(
        &self,
        w: &mut LayoutWriter,
        top: &Descriptor,
        stats: &mut FleetStats,
    ) -> Result<(), LayoutFault> {
        let Some(scanner) = self.repo.scanner.as_deref() else {
            return Ok(());
        };
        let base_day = self.base_day();
        let present: Vec<Present> = self
            .spec
            .vulnerabilities
            .iter()
            .filter(|v| timeline::vulnerable(v, self.base, base_day))
            .map(|v| Present {
                vuln: v,
                fixed: v
                    .fixed
                    .as_deref()
                    .filter(|_| v.fixed_day.is_none_or(|f| self.build.day <= f)),
            })
            .collect();
        let at = self.build.at + chrono::Duration::minutes(12);
        let os = (self.base.os_release_id.as_str(), self.base.version.as_str());
        let Some(r) = reports::report(scanner, &self.repo.name, &top.digest, os, &present, at)
        else {
            return Ok(());
        };
        self.referrer(
            w,
            top,
            r.artifact_type,
            r.layer_media_type,
            &r.bytes,
            json!({}),
        )?;
        stats.manifests += 1;
        Ok(())
    }
}
