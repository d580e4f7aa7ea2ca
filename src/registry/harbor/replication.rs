//! Harbor's replication policies (`GET /replication/policies`, per Harbor's swagger
//! `ReplicationPolicy`): which repositories this Harbor pushes to which remote registry, and
//! when. Listing them needs system access in Harbor (a project member gets 403).

use super::HarborClient;
use crate::registry::error::RegistryError;
use serde::Deserialize;
use serde_json::Value;

/// One side of a policy. Harbor shows itself as the registry with id 0 ("Local").
#[derive(Clone, Debug, Default, Deserialize)]
pub struct ReplicationRegistry {
    #[serde(default)]
    pub id: i64,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub url: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct ReplicationTrigger {
    /// `manual`, `event_based` or `scheduled`.
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    #[serde(default)]
    pub trigger_settings: Option<TriggerSettings>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct TriggerSettings {
    #[serde(default)]
    pub cron: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct ReplicationFilter {
    /// `name`, `tag`, `label` or `resource`.
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    /// A string for name, tag and resource filters; an array of strings for labels.
    #[serde(default)]
    pub value: Value,
    #[serde(default)]
    pub decoration: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct ReplicationPolicy {
    #[serde(default)]
    pub id: Option<i64>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub src_registry: Option<ReplicationRegistry>,
    #[serde(default)]
    pub dest_registry: Option<ReplicationRegistry>,
    #[serde(default)]
    pub dest_namespace: Option<String>,
    #[serde(default)]
    pub trigger: Option<ReplicationTrigger>,
    #[serde(default)]
    pub filters: Option<Vec<ReplicationFilter>>,
    #[serde(default)]
    pub enabled: Option<bool>,
}

/// How a policy stands towards one repository.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Coverage {
    /// The policy pulls from elsewhere into this Harbor: it copies nothing out.
    Inbound,
    /// Its name filters leave the repository out.
    Missed,
    /// It would copy the repository out but does not by itself: disabled, or a manual
    /// trigger; why.
    Idle(String),
    /// It copies the repository out; `only` says what its tag, label or resource filters
    /// leave out.
    Copies { only: Vec<String> },
}

impl ReplicationPolicy {
    pub fn label(&self) -> String {
        format!(
            "policy {:?}",
            self.name.as_deref().unwrap_or("(unnamed)").to_string()
        )
    }

    /// Whether this Harbor is the source (Harbor fills the local side as registry id 0;
    /// an absent side is the local one too).
    pub fn pushes_out(&self) -> bool {
        self.src_registry.as_ref().is_none_or(|r| r.id == 0)
            && self.dest_registry.as_ref().is_some_and(|r| r.id != 0)
    }

    /// `NAME (URL)/NAMESPACE` of the destination.
    pub fn destination(&self) -> String {
        let d = self.dest_registry.clone().unwrap_or_default();
        let mut s = match (d.name, d.url) {
            (Some(n), Some(u)) => format!("{n} ({u})"),
            (Some(n), None) => n,
            (None, Some(u)) => u,
            (None, None) => format!("registry #{}", d.id),
        };
        if let Some(ns) = self.dest_namespace.as_deref().filter(|n| !n.is_empty()) {
            s.push_str(&format!(" into {ns}"));
        }
        s
    }

    /// Whether the policy copies `repository` (its full name, `project/path`) out of this
    /// Harbor. Name filters match the full name with doublestar patterns, as Harbor's
    /// repository name filter does (`pkg/reg/filter`); an empty pattern matches all.
    pub fn covers(&self, repository: &str) -> Coverage {
        if !self.pushes_out() {
            return Coverage::Inbound;
        }
        let filters = self.filters.as_deref().unwrap_or_default();
        let kind = |f: &ReplicationFilter| f.kind.clone().unwrap_or_default();
        let text = |f: &ReplicationFilter| match &f.value {
            Value::String(s) => s.clone(),
            Value::Array(a) => a
                .iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(", "),
            v => v.to_string(),
        };
        for f in filters.iter().filter(|f| kind(f) == "name") {
            let pattern = text(f);
            if !pattern.is_empty() && !crate::policy::doublestar::matches(&pattern, repository) {
                return Coverage::Missed;
            }
        }
        if self.enabled != Some(true) {
            return Coverage::Idle("disabled".into());
        }
        match self.trigger.as_ref().and_then(|t| t.kind.as_deref()) {
            Some("event_based") => {}
            Some("scheduled") => {
                let cron = self
                    .trigger
                    .as_ref()
                    .and_then(|t| t.trigger_settings.as_ref())
                    .and_then(|s| s.cron.as_deref())
                    .unwrap_or("");
                if cron.trim().is_empty() {
                    return Coverage::Idle("scheduled without a cron".into());
                }
            }
            Some(other) => {
                return Coverage::Idle(format!("{other} trigger: runs only when started by hand"))
            }
            None => return Coverage::Idle("no trigger: runs only when started by hand".into()),
        }
        let only = filters
            .iter()
            .filter(|f| kind(f) != "name")
            .map(|f| {
                let verb = if f.decoration.as_deref() == Some("excludes") {
                    "excluding"
                } else {
                    "only"
                };
                format!("{verb} {} {}", kind(f), text(f))
            })
            .collect();
        Coverage::Copies { only }
    }
}

impl HarborClient {
    /// Every replication policy of this Harbor (system access needed).
    pub async fn replication_policies(&self) -> Result<Vec<ReplicationPolicy>, RegistryError> {
        self.list("/replication/policies", "", &self.place(None, None))
            .await
    }
}
