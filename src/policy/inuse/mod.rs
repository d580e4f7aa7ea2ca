//! Images in use, from `kubectl get pods -A -o json` output or a plain list of references
//! (one per line, `#` comments). Anything listed is protected from deletion.

mod reference;

pub use reference::ImageRef;

use crate::model::Image;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{HashMap, HashSet};

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InUse {
    pub refs: Vec<ImageRef>,
    /// What the file was read as (`kubectl pod list (12 pods)`, `reference list`).
    pub source: String,
}

/// What the plan says about the in-use list: without it, a list that matched nothing
/// (another cluster's, a wrong registry) would look the same as one that protected.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InUseSummary {
    pub source: String,
    /// Distinct references the list named.
    pub named: usize,
    /// Of those, how many name at least one image of this inventory.
    pub matched: usize,
}

impl InUse {
    /// Reads kubectl JSON (a `List` of pods, or one pod) or a plain list of references.
    /// A file that starts like JSON must be kubectl JSON; every line of a list must be a
    /// reference. Anything else is an error, never a shorter list.
    pub fn parse(text: &str) -> Result<InUse, String> {
        let trimmed = text.trim_start_matches('\u{feff}').trim_start();
        if trimmed.starts_with('{') || trimmed.starts_with('[') {
            return Self::parse_kubectl(trimmed);
        }
        let mut refs = Vec::new();
        for (n, line) in text.lines().enumerate() {
            let line = line.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            let r = ImageRef::parse(line).map_err(|why| {
                let shown: String = line.chars().take(120).collect();
                format!("line {}: {shown:?} is not an image reference: {why}", n + 1)
            })?;
            refs.push(r);
        }
        let source = format!("reference list ({} references)", refs.len());
        Ok(InUse { refs, source })
    }

    fn parse_kubectl(text: &str) -> Result<InUse, String> {
        let v: Value = serde_json::from_str(text).map_err(|e| {
            format!("starts like JSON but is not valid JSON ({e}); a truncated `kubectl get pods -A -o json` output is refused rather than read as fewer images")
        })?;
        let pods: Vec<&Value> = match (&v, v.get("items")) {
            (_, Some(Value::Array(items))) => items.iter().collect(),
            (_, Some(_)) => return Err("\"items\" is not an array".into()),
            (Value::Object(_), None) if v.get("spec").is_some() => vec![&v],
            (Value::Array(_), _) => return Err(
                "a JSON array, not `kubectl get pods -o json` output (an object with \"items\")"
                    .into(),
            ),
            _ => {
                return Err(
                    "JSON that is not `kubectl get pods -o json` output (no \"items\" or \"spec\")"
                        .into(),
                )
            }
        };
        let mut refs = Vec::new();
        for (i, pod) in pods.iter().enumerate() {
            let kind = pod.get("kind").and_then(Value::as_str).unwrap_or("Pod");
            if kind != "Pod"
                || pod
                    .pointer("/spec/containers")
                    .and_then(Value::as_array)
                    .is_none()
            {
                return Err(format!(
                    "item {i} is a {kind} without spec.containers, not a pod (use `kubectl get pods -A -o json`)"
                ));
            }
            let name = pod
                .pointer("/metadata/name")
                .and_then(Value::as_str)
                .unwrap_or("?");
            let mut read = |field: String, value: Option<&Value>| -> Result<(), String> {
                match value {
                    None | Some(Value::Null) => Ok(()),
                    // A waiting container reports an empty imageID.
                    Some(Value::String(s)) if s.trim().is_empty() => Ok(()),
                    Some(Value::String(s)) => {
                        let r = ImageRef::parse(s).map_err(|why| {
                            format!("pod {name:?} (item {i}) {field} {s:?}: {why}")
                        })?;
                        refs.push(r);
                        Ok(())
                    }
                    Some(_) => Err(format!("pod {name:?} (item {i}) {field} is not a string")),
                }
            };
            for key in ["containers", "initContainers", "ephemeralContainers"] {
                let list = pod
                    .pointer(&format!("/spec/{key}"))
                    .and_then(Value::as_array);
                for (j, c) in list.into_iter().flatten().enumerate() {
                    read(format!("spec.{key}[{j}].image"), c.get("image"))?;
                }
            }
            for key in [
                "containerStatuses",
                "initContainerStatuses",
                "ephemeralContainerStatuses",
            ] {
                let list = pod
                    .pointer(&format!("/status/{key}"))
                    .and_then(Value::as_array);
                for (j, c) in list.into_iter().flatten().enumerate() {
                    for f in ["image", "imageID"] {
                        read(format!("status.{key}[{j}].{f}"), c.get(f))?;
                    }
                }
            }
        }
        Ok(InUse {
            refs,
            source: format!("kubectl pod list ({} pods)", pods.len()),
        })
    }

    /// How many distinct references the list named and how many matched an image here.
    pub fn summary(&self, registry: &str, images: &[Image]) -> InUseSummary {
        let mut by_repo: HashMap<&str, Vec<&Image>> = HashMap::new();
        for im in images {
            by_repo.entry(im.repository.as_str()).or_default().push(im);
        }
        let distinct: HashSet<(&Option<String>, &Option<String>, &Option<String>, _)> = self
            .refs
            .iter()
            .map(|r| (&r.host, &r.path, &r.tag, &r.digest))
            .collect();
        let mut matched = HashSet::new();
        for r in &self.refs {
            let key = (&r.host, &r.path, &r.tag, &r.digest);
            if matched.contains(&key) {
                continue;
            }
            let one = InUse {
                refs: vec![r.clone()],
                source: String::new(),
            };
            let hit = by_repo
                .iter()
                .filter(|(repo, _)| {
                    r.path
                        .as_deref()
                        .is_none_or(|p| p == **repo || p.ends_with(&format!("/{repo}")))
                })
                .any(|(_, ims)| ims.iter().any(|im| one.why(registry, im).is_some()));
            if hit {
                matched.insert(key);
            }
        }
        InUseSummary {
            source: self.source.clone(),
            named: distinct.len(),
            matched: matched.len(),
        }
    }

    /// Why `im` (in `registry`) is in use, if it is: the first matching reference.
    pub fn why(&self, registry: &str, im: &Image) -> Option<String> {
        self.refs.iter().find_map(|r| {
            if !host_compatible(registry, r.host.as_deref()) {
                return None;
            }
            let path_ok = match &r.path {
                None => true,
                Some(p) => p == &im.repository || p.ends_with(&format!("/{}", im.repository)),
            };
            if !path_ok {
                return None;
            }
            if r.digest.as_ref() == Some(&im.digest) {
                return Some(format!("in use by digest ({})", r.raw));
            }
            match &r.tag {
                Some(t) if r.digest.is_none() && im.tags.iter().any(|x| x == t) => {
                    Some(format!("in use by tag ({})", r.raw))
                }
                _ => None,
            }
        })
    }

    /// Whether tag `tag` of `im` is referenced by name.
    pub fn tag_in_use(&self, registry: &str, im: &Image, tag: &str) -> Option<String> {
        self.refs.iter().find_map(|r| {
            let path_ok = r
                .path
                .as_deref()
                .is_some_and(|p| p == im.repository || p.ends_with(&format!("/{}", im.repository)));
            (host_compatible(registry, r.host.as_deref())
                && path_ok
                && r.tag.as_deref() == Some(tag))
            .then(|| format!("tag in use ({})", r.raw))
        })
    }
}

/// A reference naming another host does not protect this registry's images. Only plain
/// `host[:port]` registry names can be compared; others (ecr://, oci:) match any host.
fn host_compatible(registry: &str, host: Option<&str>) -> bool {
    let plain = !registry.is_empty() && !registry.contains("://") && !registry.starts_with("oci:");
    match host {
        Some(h) if plain => {
            let reg = registry.split('/').next().unwrap_or(registry);
            h == reg
                || (h == "docker.io" && matches!(reg, "registry-1.docker.io" | "index.docker.io"))
        }
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::testkit::{dg, img};

    #[test]
    fn kubectl_json_and_plain_lists() {
        let d = dg("A");
        let json = format!(
            r#"{{"apiVersion":"v1","kind":"List","items":[{{"spec":{{"containers":[{{"image":"127.0.0.1:5000/team/app:v1"}}],"initContainers":[{{"image":"busybox"}}]}},"status":{{"containerStatuses":[{{"image":"127.0.0.1:5000/team/app:v1","imageID":"docker-pullable://127.0.0.1:5000/team/app@{d}"}}]}}}}]}}"#
        );
        let u = InUse::parse(&json).unwrap();
        assert_eq!(u.refs.len(), 4);
        let a = img("team/app", "A", &[], "1d");
        assert!(u.why("127.0.0.1:5000", &a).unwrap().contains("by digest"));
        let b = img("team/app", "B", &["v1"], "1d");
        assert!(u.why("127.0.0.1:5000", &b).unwrap().contains("by tag"));
        assert!(
            u.why("other.example:443", &b).is_none(),
            "another host does not protect"
        );
        let c = img("team/app", "C", &["v2"], "1d");
        assert!(u.why("127.0.0.1:5000", &c).is_none());
        let list = InUse::parse("# deployed\n127.0.0.1:5000/team/app:v2\n\n").unwrap();
        assert!(list.why("127.0.0.1:5000", &c).is_some());
        assert!(InUse::parse("not a ref with spaces @@").is_err());
    }

    #[test]
    fn broken_kubectl_json_is_refused_not_read_as_a_list() {
        let full = r#"{"apiVersion":"v1","kind":"List","items":[{"kind":"Pod","metadata":{"name":"web"},"spec":{"containers":[{"image":"127.0.0.1:5000/team/app:v1"}]}}]}"#;
        assert_eq!(InUse::parse(full).unwrap().refs.len(), 1);
        // Every cut of the document is refused, none reads as a shorter list.
        for cut in 1..full.len() {
            let e = InUse::parse(&full[..cut]).unwrap_err();
            assert!(e.contains("JSON"), "cut at {cut}: {e}");
        }
        let pretty =
            serde_json::to_string_pretty(&serde_json::from_str::<serde_json::Value>(full).unwrap())
                .unwrap();
        let half = &pretty[..pretty.len() / 2];
        assert!(InUse::parse(half).unwrap_err().contains("not valid JSON"));
        let deployments = r#"{"kind":"List","items":[{"kind":"Deployment","spec":{"template":{"spec":{"containers":[{"image":"a:1"}]}}}}]}"#;
        assert!(InUse::parse(deployments)
            .unwrap_err()
            .contains("item 0 is a Deployment"));
        assert!(InUse::parse("[\"a:1\"]")
            .unwrap_err()
            .contains("JSON array"));
        let bad_image = r#"{"items":[{"metadata":{"name":"web"},"spec":{"containers":[{"image":"Bad Image"}]}}]}"#;
        let e = InUse::parse(bad_image).unwrap_err();
        assert!(
            e.contains("pod \"web\"") && e.contains("spec.containers[0].image"),
            "{e}"
        );
        let waiting = r#"{"items":[{"spec":{"containers":[{"image":"a:1"}]},"status":{"containerStatuses":[{"image":"a:1","imageID":""}]}}]}"#;
        assert_eq!(InUse::parse(waiting).unwrap().refs.len(), 2);
    }

    #[test]
    fn every_list_line_must_be_a_reference_and_the_error_names_it() {
        let e = InUse::parse("127.0.0.1:5000/a:1\n\n  \"image\": \"127.0.0.1:5000/b:1\",\n")
            .unwrap_err();
        assert!(e.starts_with("line 3: "), "{e}");
    }

    #[test]
    fn the_summary_counts_named_and_matched_references() {
        let list = InUse::parse(
            "127.0.0.1:5000/team/app:v1\n127.0.0.1:5000/team/app:v1\n127.0.0.1:5000/team/app:gone\nother.example/team/app:v1\n",
        )
        .unwrap();
        let images = [
            img("team/app", "B", &["v1"], "1d"),
            img("team/app", "C", &[], "2d"),
        ];
        let s = list.summary("127.0.0.1:5000", &images);
        assert_eq!((s.named, s.matched), (3, 1));
        let by_id = InUse::parse(&dg("C").to_string()).unwrap();
        assert_eq!(by_id.summary("127.0.0.1:5000", &images).matched, 1);
        assert_eq!(InUse::parse("").unwrap().summary("r", &images).named, 0);
    }
}
