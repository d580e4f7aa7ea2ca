//! Manifest documents as registries actually serve them: OCI and Docker schema2 images,
//! OCI indexes and Docker manifest lists, OCI 1.1 artifacts. Parsing is tolerant of
//! unknown fields (registries and tools add their own) but strict about what we rely on.

use crate::model::{Digest, ImageKind, Platform};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub mod media {
    pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
    pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
    pub const OCI_CONFIG: &str = "application/vnd.oci.image.config.v1+json";
    pub const OCI_EMPTY: &str = "application/vnd.oci.empty.v1+json";
    pub const OCI_LAYER_TAR: &str = "application/vnd.oci.image.layer.v1.tar";
    pub const OCI_LAYER_GZIP: &str = "application/vnd.oci.image.layer.v1.tar+gzip";
    pub const OCI_LAYER_ZSTD: &str = "application/vnd.oci.image.layer.v1.tar+zstd";
    pub const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
    pub const DOCKER_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
    pub const DOCKER_CONFIG: &str = "application/vnd.docker.container.image.v1+json";
    pub const DOCKER_LAYER_GZIP: &str = "application/vnd.docker.image.rootfs.diff.tar.gzip";
    pub const DOCKER_SCHEMA1_SIGNED: &str =
        "application/vnd.docker.distribution.manifest.v1+prettyjws";
    pub const COSIGN_SIGNATURE: &str = "application/vnd.dev.cosign.simplesigning.v1+json";
    pub const IN_TOTO: &str = "application/vnd.in-toto+json";
    pub const DSSE: &str = "application/vnd.dsse.envelope.v1+json";

    /// Every manifest type we understand, for the `Accept` header of manifest requests.
    /// Without the full list some registries convert or refuse (and Docker Hub 404s indexes).
    pub const ACCEPT_MANIFESTS: &[&str] = &[OCI_INDEX, DOCKER_LIST, OCI_MANIFEST, DOCKER_MANIFEST];

    pub fn is_index(mt: &str) -> bool {
        mt == OCI_INDEX || mt == DOCKER_LIST
    }
    pub fn is_manifest(mt: &str) -> bool {
        mt == OCI_MANIFEST || mt == DOCKER_MANIFEST
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Descriptor {
    pub media_type: String,
    pub digest: Digest,
    /// Refused when negative or above 2^53, as a descriptor without a size is.
    #[serde(deserialize_with = "crate::model::declared_size")]
    pub size: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<DescriptorPlatform>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artifact_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<BTreeMap<String, String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub urls: Option<Vec<String>>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DescriptorPlatform {
    pub os: String,
    pub architecture: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
    #[serde(
        default,
        rename = "os.version",
        skip_serializing_if = "Option::is_none"
    )]
    pub os_version: Option<String>,
}

impl DescriptorPlatform {
    pub fn to_platform(&self) -> Platform {
        Platform::new(&self.os, &self.architecture, self.variant.as_deref())
    }
}

impl Descriptor {
    /// A foreign (non-distributable) layer: its bytes are fetched from its `urls` (Windows
    /// base layers from mcr.microsoft.com), so the registry does not store them. The
    /// registry's own test is the same: distribution checks that a layer is stored only
    /// when it has no URLs. A Docker client that pushes such a layer to a registry that
    /// allows it drops the URLs, so a descriptor with URLs never names a stored blob.
    pub fn is_foreign(&self) -> bool {
        self.urls.as_ref().is_some_and(|u| !u.is_empty())
    }
    pub fn annotation(&self, key: &str) -> Option<&str> {
        self.annotations.as_ref()?.get(key).map(String::as_str)
    }
    /// buildkit stores provenance/SBOM attestations in an index as entries with platform
    /// `unknown/unknown` and this annotation. They are not runnable.
    pub fn is_attestation_entry(&self) -> bool {
        self.annotation("vnd.docker.reference.type") == Some("attestation-manifest")
            || self
                .platform
                .as_ref()
                .is_some_and(|p| p.os == "unknown" && p.architecture == "unknown")
    }
}

/// A single-platform image manifest or an OCI 1.1 artifact manifest.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImageManifest {
    pub schema_version: u32,
    #[serde(default)]
    pub media_type: Option<String>,
    #[serde(default)]
    pub artifact_type: Option<String>,
    pub config: Descriptor,
    #[serde(default)]
    pub layers: Vec<Descriptor>,
    #[serde(default)]
    pub subject: Option<Descriptor>,
    #[serde(default)]
    pub annotations: Option<BTreeMap<String, String>>,
}

impl ImageManifest {
    /// The blobs this manifest keeps in the registry: its config and every layer that is
    /// not foreign. What sizes, unique bytes, reclaim and restore count.
    pub fn stored_blobs(&self) -> impl Iterator<Item = &Descriptor> {
        std::iter::once(&self.config).chain(self.layers.iter().filter(|l| !l.is_foreign()))
    }
    /// The foreign layers: pulled from their URLs, never from this registry.
    pub fn foreign_layers(&self) -> impl Iterator<Item = &Descriptor> {
        self.layers.iter().filter(|l| l.is_foreign())
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IndexManifest {
    pub schema_version: u32,
    #[serde(default)]
    pub media_type: Option<String>,
    #[serde(default)]
    pub artifact_type: Option<String>,
    #[serde(default)]
    pub manifests: Vec<Descriptor>,
    #[serde(default)]
    pub subject: Option<Descriptor>,
    #[serde(default)]
    pub annotations: Option<BTreeMap<String, String>>,
}

// Boxing would cost an allocation per manifest for no gain: manifests are parsed one at a
// time and dropped after classification.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Manifest {
    Image(ImageManifest),
    Index(IndexManifest),
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ManifestError {
    #[error("manifest is not valid JSON: {0}")]
    Json(String),
    #[error("unsupported manifest media type {0:?}")]
    UnsupportedMediaType(String),
    #[error("Docker schema 1 manifests are deprecated and not supported")]
    Schema1,
    #[error("manifest declares media type {declared:?} but was served as {served:?}")]
    MediaTypeMismatch { declared: String, served: String },
}

impl Manifest {
    /// Parses manifest bytes. `served` is the Content-Type the registry sent (may be
    /// empty or generic); the document's own `mediaType` wins, and a document with
    /// `manifests` but no `config` is an index.
    pub fn parse(bytes: &[u8], served: &str) -> Result<Manifest, ManifestError> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Probe {
            schema_version: Option<u32>,
            media_type: Option<String>,
            manifests: Option<serde_json::Value>,
            config: Option<serde_json::Value>,
        }
        let probe: Probe =
            serde_json::from_slice(bytes).map_err(|e| ManifestError::Json(e.to_string()))?;
        let served = served.split(';').next().unwrap_or("").trim();
        if served == media::DOCKER_SCHEMA1_SIGNED || probe.schema_version == Some(1) {
            return Err(ManifestError::Schema1);
        }
        let declared = probe.media_type.clone();
        if let Some(d) = &declared {
            let known = media::is_index(d) || media::is_manifest(d);
            if known && (media::is_index(served) || media::is_manifest(served)) && d != served {
                return Err(ManifestError::MediaTypeMismatch {
                    declared: d.clone(),
                    served: served.to_string(),
                });
            }
        }
        let mt = declared.as_deref().unwrap_or(served);
        let is_index = media::is_index(mt) || (probe.manifests.is_some() && probe.config.is_none());
        if is_index {
            serde_json::from_slice(bytes)
                .map(Manifest::Index)
                .map_err(|e| ManifestError::Json(e.to_string()))
        } else if media::is_manifest(mt) || probe.config.is_some() {
            serde_json::from_slice(bytes)
                .map(Manifest::Image)
                .map_err(|e| ManifestError::Json(e.to_string()))
        } else {
            Err(ManifestError::UnsupportedMediaType(mt.to_string()))
        }
    }

    pub fn media_type(&self, served: &str) -> String {
        let own = match self {
            Manifest::Image(m) => m.media_type.clone(),
            Manifest::Index(m) => m.media_type.clone(),
        };
        own.unwrap_or_else(|| match self {
            Manifest::Image(_) if media::is_manifest(served) => served.to_string(),
            Manifest::Index(_) if media::is_index(served) => served.to_string(),
            Manifest::Image(_) => media::OCI_MANIFEST.to_string(),
            Manifest::Index(_) => media::OCI_INDEX.to_string(),
        })
    }

    pub fn subject(&self) -> Option<&Descriptor> {
        match self {
            Manifest::Image(m) => m.subject.as_ref(),
            Manifest::Index(m) => m.subject.as_ref(),
        }
    }

    /// The OCI 1.1 artifact type: `artifactType`, else a non-image config media type.
    pub fn artifact_type(&self) -> Option<String> {
        match self {
            Manifest::Image(m) => m.artifact_type.clone().or_else(|| {
                let c = m.config.media_type.as_str();
                (c != media::OCI_CONFIG && c != media::DOCKER_CONFIG).then(|| c.to_string())
            }),
            Manifest::Index(m) => m.artifact_type.clone(),
        }
    }

    /// Classifies the manifest for people: image, index, signature, attestation, artifact.
    /// `tags` lets cosign's `sha256-<hex>.sig` / `.att` / `.sbom` conventions count.
    pub fn kind(&self, tags: &[String]) -> ImageKind {
        let at = self.artifact_type().unwrap_or_default();
        let tag_suffix = |s: &str| {
            tags.iter()
                .any(|t| t.starts_with("sha256-") && t.ends_with(s))
        };
        if tag_suffix(".sig")
            || at.contains("signature")
            || at.contains("cosign.simplesigning")
            || at.contains("notary")
        {
            return ImageKind::Signature;
        }
        if tag_suffix(".att")
            || tag_suffix(".sbom")
            || at.contains("in-toto")
            || at.contains("dsse")
            || at.contains("spdx")
            || at.contains("cyclonedx")
            || at.contains("sbom")
            || self.is_buildkit_attestation()
        {
            return ImageKind::Attestation;
        }
        match self {
            Manifest::Index(_) => ImageKind::Index,
            Manifest::Image(_) if at.is_empty() => ImageKind::Image,
            Manifest::Image(_) => ImageKind::Artifact,
        }
    }

    /// buildkit attestation manifests: image manifests whose layers are in-toto statements.
    fn is_buildkit_attestation(&self) -> bool {
        match self {
            Manifest::Image(m) => {
                !m.layers.is_empty() && m.layers.iter().all(|l| l.media_type == media::IN_TOTO)
            }
            Manifest::Index(_) => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(c: char) -> String {
        format!("sha256:{}", c.to_string().repeat(64))
    }

    #[test]
    fn docker_schema2_without_served_type_is_an_image() {
        let m = format!(
            r#"{{"schemaVersion":2,"mediaType":"{}","config":{{"mediaType":"{}","digest":"{}","size":10}},"layers":[{{"mediaType":"{}","digest":"{}","size":20}}]}}"#,
            media::DOCKER_MANIFEST,
            media::DOCKER_CONFIG,
            d('a'),
            media::DOCKER_LAYER_GZIP,
            d('b')
        );
        let parsed = Manifest::parse(m.as_bytes(), "").unwrap();
        assert_eq!(parsed.kind(&[]), ImageKind::Image);
        assert_eq!(parsed.media_type(""), media::DOCKER_MANIFEST);
    }

    #[test]
    fn index_without_media_type_is_detected_and_attestation_entries_labelled() {
        let m = format!(
            r#"{{"schemaVersion":2,"manifests":[
              {{"mediaType":"{om}","digest":"{a}","size":1,"platform":{{"os":"linux","architecture":"amd64"}}}},
              {{"mediaType":"{om}","digest":"{b}","size":1,"platform":{{"os":"unknown","architecture":"unknown"}},
                "annotations":{{"vnd.docker.reference.type":"attestation-manifest","vnd.docker.reference.digest":"{a}"}}}}]}}"#,
            om = media::OCI_MANIFEST,
            a = d('a'),
            b = d('b')
        );
        let Manifest::Index(idx) = Manifest::parse(m.as_bytes(), media::OCI_INDEX).unwrap() else {
            panic!("not an index")
        };
        assert!(!idx.manifests[0].is_attestation_entry());
        assert!(idx.manifests[1].is_attestation_entry());
    }

    #[test]
    fn schema1_and_garbage_and_mismatch_are_refused_with_reasons() {
        assert_eq!(
            Manifest::parse(br#"{"schemaVersion":1}"#, ""),
            Err(ManifestError::Schema1)
        );
        assert!(matches!(
            Manifest::parse(b"<html>", ""),
            Err(ManifestError::Json(_))
        ));
        let m = format!(
            r#"{{"schemaVersion":2,"mediaType":"{}","manifests":[]}}"#,
            media::OCI_INDEX
        );
        assert!(matches!(
            Manifest::parse(m.as_bytes(), media::OCI_MANIFEST),
            Err(ManifestError::MediaTypeMismatch { .. })
        ));
    }

    #[test]
    fn sizes_above_2_pow_53_or_negative_are_refused_like_a_missing_one() {
        let with = |size: &str| {
            format!(
                r#"{{"schemaVersion":2,"mediaType":"{}","config":{{"mediaType":"{}","digest":"{}","size":2}},"layers":[{{"mediaType":"{}","digest":"{}","size":{size}}}]}}"#,
                media::OCI_MANIFEST,
                media::OCI_CONFIG,
                d('a'),
                media::OCI_LAYER_GZIP,
                d('b')
            )
        };
        assert!(Manifest::parse(with("9007199254740992").as_bytes(), "").is_ok());
        for bad in [
            "9007199254740993",
            "18446744073709551615",
            "-1",
            "1e30",
            "2.5",
        ] {
            let e = Manifest::parse(with(bad).as_bytes(), "").unwrap_err();
            assert!(matches!(e, ManifestError::Json(_)), "{bad}: {e:?}");
        }
        let e = Manifest::parse(with("18446744073709551615").as_bytes(), "").unwrap_err();
        assert!(e.to_string().contains("above 2^53"), "{e}");
    }

    #[test]
    fn cosign_signature_tag_and_sbom_artifact_are_classified() {
        let m = format!(
            r#"{{"schemaVersion":2,"mediaType":"{}","config":{{"mediaType":"{}","digest":"{}","size":2}},"layers":[]}}"#,
            media::OCI_MANIFEST,
            media::OCI_CONFIG,
            d('c')
        );
        let p = Manifest::parse(m.as_bytes(), "").unwrap();
        assert_eq!(
            p.kind(&[format!("sha256-{}.sig", "a".repeat(64))]),
            ImageKind::Signature
        );
        let art = format!(
            r#"{{"schemaVersion":2,"mediaType":"{}","artifactType":"application/spdx+json","config":{{"mediaType":"{}","digest":"{}","size":2}},"layers":[],"subject":{{"mediaType":"{}","digest":"{}","size":3}}}}"#,
            media::OCI_MANIFEST,
            media::OCI_EMPTY,
            d('c'),
            media::OCI_MANIFEST,
            d('e')
        );
        let p = Manifest::parse(art.as_bytes(), "").unwrap();
        assert_eq!(p.kind(&[]), ImageKind::Attestation);
        assert_eq!(p.subject().unwrap().digest.as_str(), d('e'));
    }
}
