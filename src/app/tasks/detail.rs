//! Lazy image detail: the manifest, the config (for layers' `created_by`), per-platform
//! entries of an index and the referrers, fetched for the selected image only. The runner
//! keeps one fetch running (latest wins, after a short debounce); results are cached by
//! digest in the detail state, which never needs invalidation: content is addressed.

use crate::app::views::images::table::ImageTable;
use crate::model::Digest;
use crate::registry::{Manifest, ManifestSource, Referrers, RegistryError};
use serde_json::Value;
use std::sync::Arc;

/// Configs are small; anything bigger is not a config.
const CONFIG_LIMIT: u64 = 4 * 1024 * 1024;

#[derive(Clone, Debug)]
pub struct DetailRequest {
    pub ticket: u64,
    pub registry: usize,
    pub repository: String,
    pub digest: Digest,
    /// For per-platform sizes of an index's children.
    pub table: Arc<ImageTable>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct LayerLine {
    pub digest: Digest,
    pub size: u64,
    pub media_type: String,
    pub created_by: Option<String>,
    /// A foreign layer: the hosts it is pulled from (it is not stored in this registry).
    pub foreign_from: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct PlatformLine {
    pub platform: String,
    pub digest: Digest,
    /// The child's total size from the inventory, when the inventory knew it.
    pub size: Option<u64>,
    pub attestation: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ReferrerLine {
    pub digest: Digest,
    pub artifact_type: Option<String>,
    pub label: &'static str,
}

#[derive(Clone, Debug, PartialEq)]
pub struct DetailData {
    pub digest: Digest,
    pub media_type: String,
    /// The manifest exactly as the registry served it (what its digest covers).
    pub manifest_bytes: Vec<u8>,
    /// The config blob as served (images; `None` for an index or when unreadable).
    pub config_bytes: Option<Vec<u8>>,
    pub config_digest: Option<Digest>,
    pub layers: Vec<LayerLine>,
    pub platforms: Vec<PlatformLine>,
    /// `Err` says why referrers are unknown (unsupported API, or a failure).
    pub referrers: Result<Vec<ReferrerLine>, String>,
    pub os_arch: Option<String>,
}

#[derive(Debug)]
pub struct DetailResult {
    pub ticket: u64,
    pub digest: Digest,
    pub outcome: Result<Arc<DetailData>, RegistryError>,
}

pub use crate::model::referrer_label;

/// `created_by` of each non-empty history entry, in layer order.
fn layer_commands(config: &Value) -> Vec<Option<String>> {
    let Some(hist) = config.get("history").and_then(Value::as_array) else {
        return Vec::new();
    };
    hist.iter()
        .filter(|h| {
            !h.get("empty_layer")
                .and_then(Value::as_bool)
                .unwrap_or(false)
        })
        .map(|h| {
            h.get("created_by").and_then(Value::as_str).map(|s| {
                s.trim_start_matches("/bin/sh -c ")
                    .trim_start_matches("#(nop) ")
                    .trim()
                    .to_string()
            })
        })
        .collect()
}

pub async fn fetch(
    source: Arc<dyn ManifestSource>,
    req: &DetailRequest,
) -> Result<DetailData, RegistryError> {
    let repo = &req.repository;
    let fetched = source.manifest(repo, req.digest.as_str()).await?;
    let mut data = DetailData {
        digest: req.digest.clone(),
        media_type: fetched.media_type.clone(),
        manifest_bytes: fetched.bytes.clone(),
        config_bytes: None,
        config_digest: None,
        layers: Vec::new(),
        platforms: Vec::new(),
        referrers: Ok(Vec::new()),
        os_arch: None,
    };
    match &fetched.manifest {
        Manifest::Image(m) => {
            data.config_digest = Some(m.config.digest.clone());
            let config = source.blob(repo, &m.config.digest, CONFIG_LIMIT).await;
            let parsed = config
                .as_ref()
                .ok()
                .and_then(|b| serde_json::from_slice::<Value>(b).ok());
            let commands = parsed.as_ref().map(layer_commands).unwrap_or_default();
            if let Some(v) = &parsed {
                let os = v.get("os").and_then(Value::as_str);
                let arch = v.get("architecture").and_then(Value::as_str);
                if let (Some(os), Some(arch)) = (os, arch) {
                    data.os_arch = Some(format!("{os}/{arch}"));
                }
            }
            // Artifacts often have an empty or non-JSON config: keep what came back.
            data.config_bytes = config.ok();
            let aligned = commands.len() == m.layers.len();
            data.layers = m
                .layers
                .iter()
                .enumerate()
                .map(|(i, l)| LayerLine {
                    digest: l.digest.clone(),
                    size: l.size,
                    media_type: l.media_type.clone(),
                    created_by: aligned.then(|| commands[i].clone()).flatten(),
                    foreign_from: l
                        .is_foreign()
                        .then(|| crate::registry::net_error::url_hosts(l.urls.iter().flatten())),
                })
                .collect();
        }
        Manifest::Index(ix) => {
            data.platforms = ix
                .manifests
                .iter()
                .map(|d| {
                    let attestation = d.is_attestation_entry();
                    let platform = match (&d.platform, attestation) {
                        (_, true) => "attestation".to_string(),
                        (Some(p), false) => p.to_platform().to_string(),
                        (None, false) => "(no platform)".to_string(),
                    };
                    let size = req
                        .table
                        .find_digest(d.digest.as_str())
                        .and_then(|id| req.table.row(id).size());
                    PlatformLine {
                        platform,
                        digest: d.digest.clone(),
                        size,
                        attestation,
                    }
                })
                .collect();
        }
    }
    data.referrers = match source.referrers(repo, &req.digest).await {
        Ok(Referrers::Listed(list)) => Ok(list
            .iter()
            .map(|d| ReferrerLine {
                digest: d.digest.clone(),
                artifact_type: d.artifact_type.clone(),
                label: referrer_label(d.artifact_type.as_deref()),
            })
            .collect()),
        Ok(Referrers::Unsupported) => {
            Err("the registry does not support the referrers API (unknown, not none)".into())
        }
        Err(e) => Err(format!("could not list referrers: {e}")),
    };
    Ok(data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn history_aligns_with_non_empty_layers() {
        let cfg: Value = serde_json::json!({"history": [
            {"created_by": "/bin/sh -c #(nop) ADD file:abc in /"},
            {"created_by": "ENV A=b", "empty_layer": true},
            {"created_by": "RUN apt-get install -y curl"}
        ]});
        assert_eq!(
            layer_commands(&cfg),
            vec![
                Some("ADD file:abc in /".to_string()),
                Some("RUN apt-get install -y curl".to_string())
            ]
        );
    }

    #[test]
    fn referrer_labels() {
        assert_eq!(referrer_label(Some("application/spdx+json")), "SBOM");
        assert_eq!(
            referrer_label(Some("application/vnd.dev.cosign.artifact.sig.v1+json")),
            "signature"
        );
        assert_eq!(
            referrer_label(Some("application/vnd.in-toto+json")),
            "attestation"
        );
        assert_eq!(referrer_label(None), "artifact");
        assert_eq!(
            referrer_label(Some("application/vnd.aquasec.trivy.report.v1+json")),
            "scan report"
        );
        assert_eq!(
            referrer_label(Some("application/sarif+json")),
            "scan report"
        );
    }
}
