//! What changed between two image configs: environment, labels, entrypoint, command, user,
//! working directory, exposed ports and the history's `created_by` lines.

use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Named {
    pub name: String,
    pub a: String,
    pub b: String,
}

/// Keyed values (env `K=V`, labels): what B adds, removes and changes against A.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct KeyedDiff {
    /// `K=V` of B's new keys.
    pub added: Vec<String>,
    /// `K=V` of A's keys that B lacks.
    pub removed: Vec<String>,
    pub changed: Vec<Named>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Pair {
    pub a: Value,
    pub b: Value,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ListDiff {
    pub added: Vec<String>,
    pub removed: Vec<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ConfigDiff {
    pub env: KeyedDiff,
    pub labels: KeyedDiff,
    pub entrypoint: Pair,
    pub cmd: Pair,
    pub user: Pair,
    pub workdir: Pair,
    pub exposed_ports: ListDiff,
    /// `created_by` lines of the history (empty layers included), as a multiset.
    pub history: ListDiff,
}

impl ConfigDiff {
    /// Whether any of the runtime settings differ (history aside).
    pub fn runtime_changed(&self) -> bool {
        !(self.env == KeyedDiff::default()
            && self.labels == KeyedDiff::default()
            && self.entrypoint.a == self.entrypoint.b
            && self.cmd.a == self.cmd.b
            && self.user.a == self.user.b
            && self.workdir.a == self.workdir.b
            && self.exposed_ports == ListDiff::default())
    }
}

fn keyed(a: BTreeMap<String, String>, b: BTreeMap<String, String>) -> KeyedDiff {
    let mut d = KeyedDiff::default();
    for (k, va) in &a {
        match b.get(k) {
            None => d.removed.push(format!("{k}={va}")),
            Some(vb) if vb != va => d.changed.push(Named {
                name: k.clone(),
                a: va.clone(),
                b: vb.clone(),
            }),
            Some(_) => {}
        }
    }
    for (k, vb) in &b {
        if !a.contains_key(k) {
            d.added.push(format!("{k}={vb}"));
        }
    }
    d
}

fn env(c: &Value) -> BTreeMap<String, String> {
    c["config"]["Env"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(|e| match e.split_once('=') {
            Some((k, v)) => (k.to_string(), v.to_string()),
            None => (e.to_string(), String::new()),
        })
        .collect()
}

fn labels(c: &Value) -> BTreeMap<String, String> {
    c["config"]["Labels"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
        .collect()
}

fn keys(v: &Value) -> Vec<String> {
    v.as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default()
}

/// Multiset difference, order of appearance kept.
fn list(a: Vec<String>, b: Vec<String>) -> ListDiff {
    let minus = |x: &[String], y: &[String]| {
        let mut left: Vec<Option<&String>> = y.iter().map(Some).collect();
        x.iter()
            .filter(
                |i| match left.iter_mut().find(|l| l.is_some_and(|l| l == *i)) {
                    Some(slot) => {
                        *slot = None;
                        false
                    }
                    None => true,
                },
            )
            .cloned()
            .collect::<Vec<_>>()
    };
    ListDiff {
        added: minus(&b, &a),
        removed: minus(&a, &b),
    }
}

fn history(c: &Value) -> Vec<String> {
    c["history"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|h| h["created_by"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// Compares two config documents (the JSON blobs; unparsable ones compare as empty).
pub fn compare(a: &[u8], b: &[u8]) -> ConfigDiff {
    let a: Value = serde_json::from_slice(a).unwrap_or(Value::Null);
    let b: Value = serde_json::from_slice(b).unwrap_or(Value::Null);
    let pair = |k: &str| Pair {
        a: a["config"][k].clone(),
        b: b["config"][k].clone(),
    };
    ConfigDiff {
        env: keyed(env(&a), env(&b)),
        labels: keyed(labels(&a), labels(&b)),
        entrypoint: pair("Entrypoint"),
        cmd: pair("Cmd"),
        user: pair("User"),
        workdir: pair("WorkingDir"),
        exposed_ports: list(
            keys(&a["config"]["ExposedPorts"]),
            keys(&b["config"]["ExposedPorts"]),
        ),
        history: list(history(&a), history(&b)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_labels_ports_and_history() {
        let a = br#"{"config":{"Env":["PATH=/bin","A=1","GONE=x"],"Labels":{"v":"1"},
            "Cmd":["sh"],"User":"","ExposedPorts":{"80/tcp":{}}},
            "history":[{"created_by":"ADD x"},{"created_by":"RUN a"}]}"#;
        let b = br#"{"config":{"Env":["PATH=/bin","A=2","NEW=y"],"Labels":{"v":"2","w":"3"},
            "Cmd":["sh"],"User":"app","ExposedPorts":{"443/tcp":{}}},
            "history":[{"created_by":"ADD x"},{"created_by":"RUN b"}]}"#;
        let d = compare(a, b);
        assert_eq!(d.env.added, ["NEW=y"]);
        assert_eq!(d.env.removed, ["GONE=x"]);
        assert_eq!(d.env.changed[0].name, "A");
        assert_eq!(d.labels.added, ["w=3"]);
        assert_eq!(d.labels.changed.len(), 1);
        assert_eq!(d.cmd.a, d.cmd.b);
        assert_eq!(d.user.b, "app");
        assert_eq!(d.exposed_ports.added, ["443/tcp"]);
        assert_eq!(d.exposed_ports.removed, ["80/tcp"]);
        assert_eq!(d.history.added, ["RUN b"]);
        assert_eq!(d.history.removed, ["RUN a"]);
        assert!(d.runtime_changed());
        assert!(!compare(a, a).runtime_changed());
    }
}
