//! The parts of an image config the inventory and `inspect` use: creation time, platform
//! and history. Parsing is tolerant: a config with odd fields still yields what it has.

use crate::model::Platform;
use chrono::{DateTime, Utc};
use serde::Deserialize;

/// Configs are small; anything above this is not a config and is refused.
pub const CONFIG_LIMIT: u64 = 8 * 1024 * 1024;

#[derive(Clone, Debug, Default, Deserialize)]
pub struct ImageConfig {
    #[serde(default)]
    pub created: Option<String>,
    #[serde(default)]
    pub os: Option<String>,
    #[serde(default)]
    pub architecture: Option<String>,
    #[serde(default)]
    pub variant: Option<String>,
    #[serde(default)]
    pub history: Vec<HistoryEntry>,
    #[serde(default)]
    pub config: Option<RunConfig>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct HistoryEntry {
    #[serde(default)]
    pub created: Option<String>,
    #[serde(default)]
    pub created_by: Option<String>,
    #[serde(default)]
    pub comment: Option<String>,
    #[serde(default)]
    pub empty_layer: bool,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RunConfig {
    #[serde(default)]
    pub entrypoint: Option<Vec<String>>,
    #[serde(default)]
    pub cmd: Option<Vec<String>>,
    #[serde(default)]
    pub user: Option<String>,
    #[serde(default)]
    pub working_dir: Option<String>,
    #[serde(default)]
    pub labels: Option<std::collections::BTreeMap<String, String>>,
}

impl ImageConfig {
    pub fn parse(bytes: &[u8]) -> Result<Self, String> {
        serde_json::from_slice(bytes).map_err(|e| format!("image config is not valid JSON: {e}"))
    }

    /// `created`, when present and a valid RFC 3339 time.
    pub fn created_at(&self) -> Option<DateTime<Utc>> {
        let s = self.created.as_deref()?;
        DateTime::parse_from_rfc3339(s)
            .ok()
            .map(|t| t.with_timezone(&Utc))
    }

    /// The platform the config declares, unless it is blank or buildkit's `unknown`.
    pub fn platform(&self) -> Option<Platform> {
        let os = self
            .os
            .as_deref()
            .filter(|s| !s.is_empty() && *s != "unknown")?;
        let arch = self
            .architecture
            .as_deref()
            .filter(|s| !s.is_empty() && *s != "unknown")?;
        Some(Platform::new(os, arch, self.variant.as_deref()))
    }

    /// One `created_by` per layer: history entries with `empty_layer` make no layer, so
    /// they are skipped. `None` where history is shorter than the layer list.
    pub fn layer_commands(&self, layers: usize) -> Vec<Option<String>> {
        let mut it = self.history.iter().filter(|h| !h.empty_layer);
        (0..layers)
            .map(|_| it.next().and_then(|h| h.created_by.clone()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aligns_history_to_layers_skipping_empty_entries() {
        let c = ImageConfig::parse(
            br#"{"created":"2026-01-02T03:04:05Z","os":"linux","architecture":"arm64","variant":"v8",
            "history":[{"created_by":"ENV A=1","empty_layer":true},{"created_by":"ADD rootfs"},
                       {"created_by":"LABEL x","empty_layer":true},{"created_by":"RUN make"}]}"#,
        )
        .unwrap();
        assert_eq!(
            c.layer_commands(3),
            vec![Some("ADD rootfs".into()), Some("RUN make".into()), None]
        );
        assert_eq!(c.platform().unwrap().to_string(), "linux/arm64/v8");
        assert_eq!(
            c.created_at().unwrap().to_rfc3339(),
            "2026-01-02T03:04:05+00:00"
        );
    }

    #[test]
    fn unknown_platform_and_bad_dates_are_none() {
        let c = ImageConfig::parse(
            br#"{"os":"unknown","architecture":"unknown","created":"yesterday"}"#,
        )
        .unwrap();
        assert_eq!(c.platform(), None);
        assert_eq!(c.created_at(), None);
        assert!(ImageConfig::parse(b"<html>").is_err());
    }
}
