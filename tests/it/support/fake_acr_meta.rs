//! The fake ACR's own metadata, kept as ACR keeps it (data-plane specification
//! `containerregistry.json` 2021-07-01): per repository, tags and manifests with
//! `createdTime`, `lastUpdateTime` and `changeableAttributes`; manifests carry `imageSize`,
//! platform and index `references`. Pushes through `/v2` fill it; tests move its clock
//! and its locks. Answers are rendered as the specification's documents, with `n`
//! (default 100) and `last` paging and the next page only in `Link`.

use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use std::collections::BTreeMap;

pub const DEFAULT_PAGE: usize = 100;

#[derive(Clone, Debug)]
pub struct Attrs {
    pub delete_enabled: bool,
    pub write_enabled: bool,
    pub read_enabled: bool,
    pub list_enabled: bool,
}

impl Default for Attrs {
    fn default() -> Self {
        Attrs {
            delete_enabled: true,
            write_enabled: true,
            read_enabled: true,
            list_enabled: true,
        }
    }
}

impl Attrs {
    pub fn json(&self) -> Value {
        json!({"deleteEnabled": self.delete_enabled, "writeEnabled": self.write_enabled,
               "readEnabled": self.read_enabled, "listEnabled": self.list_enabled})
    }
    /// Applies a PATCH body (`TagChangeableAttributes` and friends): only the fields given.
    pub fn patch(&mut self, body: &Value) {
        for (k, slot) in [
            ("deleteEnabled", &mut self.delete_enabled),
            ("writeEnabled", &mut self.write_enabled),
            ("readEnabled", &mut self.read_enabled),
            ("listEnabled", &mut self.list_enabled),
        ] {
            if let Some(b) = body.get(k).and_then(Value::as_bool) {
                *slot = b;
            }
        }
    }
    pub fn locked(&self) -> bool {
        !self.delete_enabled || !self.write_enabled
    }
}

#[derive(Clone, Debug)]
pub struct TagMeta {
    pub digest: String,
    pub created: DateTime<Utc>,
    pub updated: DateTime<Utc>,
    pub attrs: Attrs,
}

#[derive(Clone, Debug, Default)]
pub struct ManifestMeta {
    pub created: DateTime<Utc>,
    pub updated: DateTime<Utc>,
    pub attrs: Attrs,
    pub media_type: String,
    pub config_media_type: Option<String>,
    pub size: u64,
    pub architecture: Option<String>,
    pub os: Option<String>,
    /// (digest, architecture, os) of an index's manifests.
    pub references: Vec<(String, Option<String>, Option<String>)>,
}

#[derive(Clone, Debug)]
pub struct RepoMeta {
    pub created: DateTime<Utc>,
    pub updated: DateTime<Utc>,
    pub attrs: Attrs,
    pub tags: BTreeMap<String, TagMeta>,
    pub manifests: BTreeMap<String, ManifestMeta>,
}

impl RepoMeta {
    pub fn new(now: DateTime<Utc>) -> Self {
        RepoMeta {
            created: now,
            updated: now,
            attrs: Attrs::default(),
            tags: BTreeMap::new(),
            manifests: BTreeMap::new(),
        }
    }

    /// A manifest PUT (by tag or digest). A tag that moves keeps its `createdTime` and
    /// gets a new `lastUpdateTime`, which is how a tag comes to be older than its manifest.
    pub fn record_push(
        &mut self,
        reference: &str,
        digest: &str,
        m: ManifestMeta,
        now: DateTime<Utc>,
    ) {
        self.updated = now;
        let entry = self
            .manifests
            .entry(digest.to_string())
            .or_insert(ManifestMeta {
                created: now,
                updated: now,
                ..m
            });
        entry.updated = entry.updated.max(now);
        if reference.starts_with("sha256:") {
            return;
        }
        let tag = self.tags.entry(reference.to_string()).or_insert(TagMeta {
            digest: digest.to_string(),
            created: now,
            updated: now,
            attrs: Attrs::default(),
        });
        tag.digest = digest.to_string();
        tag.updated = now;
    }

    pub fn tags_of(&self, digest: &str) -> Vec<String> {
        self.tags
            .iter()
            .filter(|(_, t)| t.digest == digest)
            .map(|(n, _)| n.clone())
            .collect()
    }
}

/// ACR's time format: seven fractional digits.
pub fn acr_time(t: DateTime<Utc>) -> String {
    format!(
        "{}.{:07}Z",
        t.format("%Y-%m-%dT%H:%M:%S"),
        t.timestamp_subsec_nanos() / 100
    )
}

pub fn tag_json(name: &str, t: &TagMeta) -> Value {
    json!({"name": name, "digest": t.digest, "createdTime": acr_time(t.created),
           "lastUpdateTime": acr_time(t.updated), "signed": false,
           "changeableAttributes": t.attrs.json()})
}

pub fn manifest_json(digest: &str, m: &ManifestMeta, tags: Vec<String>) -> Value {
    let mut v = json!({"digest": digest, "imageSize": m.size, "createdTime": acr_time(m.created),
        "lastUpdateTime": acr_time(m.updated), "mediaType": m.media_type,
        "changeableAttributes": m.attrs.json()});
    if !tags.is_empty() {
        v["tags"] = json!(tags);
    }
    if let Some(c) = &m.config_media_type {
        v["configMediaType"] = json!(c);
    }
    if let Some(a) = &m.architecture {
        v["architecture"] = json!(a);
    }
    if let Some(o) = &m.os {
        v["os"] = json!(o);
    }
    if !m.references.is_empty() {
        v["references"] = m
            .references
            .iter()
            .map(|(d, a, o)| json!({"digest": d, "architecture": a, "os": o}))
            .collect();
    }
    v
}

pub fn repo_json(host: &str, name: &str, r: &RepoMeta) -> Value {
    json!({"registry": host, "imageName": name, "createdTime": acr_time(r.created),
           "lastUpdateTime": acr_time(r.updated), "manifestCount": r.manifests.len(),
           "tagCount": r.tags.len(), "changeableAttributes": r.attrs.json()})
}

/// One page of `items` (each with its sort key) after `last`, at most `n`; the `Link`
/// header for the next page when more remain.
pub fn page<T: Clone>(
    items: &[(String, T)],
    query: &[(String, String)],
    path: &str,
) -> (Vec<T>, Option<String>) {
    let get = |k: &str| query.iter().find(|(a, _)| a == k).map(|(_, v)| v.clone());
    let n = get("n")
        .and_then(|v| v.parse::<usize>().ok())
        .filter(|n| *n > 0)
        .unwrap_or(DEFAULT_PAGE);
    let start = match get("last") {
        Some(l) => items
            .iter()
            .position(|(k, _)| *k == l)
            .map(|p| p + 1)
            .unwrap_or_else(|| {
                items
                    .iter()
                    .position(|(k, _)| k.as_str() > l.as_str())
                    .unwrap_or(items.len())
            }),
        None => 0,
    };
    let end = (start + n).min(items.len());
    let out: Vec<T> = items[start..end].iter().map(|(_, v)| v.clone()).collect();
    let link = (end < items.len() && end > start).then(|| {
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        q.append_pair("last", &items[end - 1].0)
            .append_pair("n", &n.to_string());
        if let Some(o) = get("orderby") {
            q.append_pair("orderby", &o);
        }
        format!("<{path}?{}>; rel=\"next\"", q.finish())
    });
    (out, link)
}
