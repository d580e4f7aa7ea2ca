//! Images in use, from `kubectl get pods -A -o json` output or a plain list of references
//! (one per line, `#` comments). Anything listed is protected from deletion.

use crate::model::{Digest, Image};
use serde_json::Value;

/// One reference as a workload names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageRef {
    pub raw: String,
    /// Registry host when the reference names one (`docker.io` for Docker Hub short names).
    pub host: Option<String>,
    /// Repository path without the host; `None` for a bare `sha256:...` image id.
    pub path: Option<String>,
    pub tag: Option<String>,
    pub digest: Option<Digest>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InUse {
    pub refs: Vec<ImageRef>,
    /// What the file was read as (`kubectl pod list (12 pods)`, `reference list`).
    pub source: String,
}

impl ImageRef {
    pub fn parse(s: &str) -> Option<ImageRef> {
        let raw = s.trim().to_string();
        let mut rest = raw.as_str();
        for scheme in ["docker-pullable://", "docker://", "containerd://"] {
            if let Some(r) = rest.strip_prefix(scheme) {
                rest = r;
            }
        }
        if rest.is_empty() {
            return None;
        }
        if rest.starts_with("sha256:") {
            let d = Digest::parse(rest).ok()?;
            return Some(ImageRef {
                raw,
                host: None,
                path: None,
                tag: None,
                digest: Some(d),
            });
        }
        let (name, digest) = match rest.split_once('@') {
            Some((n, d)) => (n, Some(Digest::parse(d).ok()?)),
            None => (rest, None),
        };
        let (name, tag) = match name.rfind(':') {
            Some(i) if !name[i..].contains('/') => (&name[..i], Some(name[i + 1..].to_string())),
            _ => (name, None),
        };
        let (host, path) = match name.split_once('/') {
            Some((h, p)) if h.contains('.') || h.contains(':') || h == "localhost" => {
                (h.to_string(), p.to_string())
            }
            _ => ("docker.io".to_string(), name.to_string()),
        };
        let path = if host == "docker.io" && !path.contains('/') {
            format!("library/{path}")
        } else {
            path
        };
        let tag = if tag.is_none() && digest.is_none() {
            Some("latest".to_string())
        } else {
            tag
        };
        Some(ImageRef {
            raw,
            host: Some(host),
            path: Some(path),
            tag,
            digest,
        })
    }
}

impl InUse {
    /// Reads kubectl JSON (a `List` of pods, or one pod) or a plain list of references.
    pub fn parse(text: &str) -> Result<InUse, String> {
        if let Ok(v) = serde_json::from_str::<Value>(text) {
            let pods: Vec<&Value> = match v.get("items").and_then(Value::as_array) {
                Some(items) => items.iter().collect(),
                None if v.get("spec").is_some() => vec![&v],
                None => return Err(
                    "JSON that is not `kubectl get pods -o json` output (no \"items\" or \"spec\")"
                        .into(),
                ),
            };
            let mut refs = Vec::new();
            for pod in &pods {
                for key in ["containers", "initContainers", "ephemeralContainers"] {
                    for c in pod
                        .pointer(&format!("/spec/{key}"))
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                    {
                        if let Some(r) = c
                            .get("image")
                            .and_then(Value::as_str)
                            .and_then(ImageRef::parse)
                        {
                            refs.push(r);
                        }
                    }
                }
                for key in [
                    "containerStatuses",
                    "initContainerStatuses",
                    "ephemeralContainerStatuses",
                ] {
                    for c in pod
                        .pointer(&format!("/status/{key}"))
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                    {
                        for f in ["image", "imageID"] {
                            if let Some(r) =
                                c.get(f).and_then(Value::as_str).and_then(ImageRef::parse)
                            {
                                refs.push(r);
                            }
                        }
                    }
                }
            }
            return Ok(InUse {
                refs,
                source: format!("kubectl pod list ({} pods)", pods.len()),
            });
        }
        let mut refs = Vec::new();
        for (n, line) in text.lines().enumerate() {
            let line = line.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            refs.push(
                ImageRef::parse(line)
                    .ok_or_else(|| format!("line {}: {line:?} is not an image reference", n + 1))?,
            );
        }
        let source = format!("reference list ({} references)", refs.len());
        Ok(InUse { refs, source })
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
    fn parses_references() {
        let r = ImageRef::parse("nginx").unwrap();
        assert_eq!(
            (r.host.as_deref(), r.path.as_deref(), r.tag.as_deref()),
            (Some("docker.io"), Some("library/nginx"), Some("latest"))
        );
        let r = ImageRef::parse("localhost:5000/team/app:v1").unwrap();
        assert_eq!(
            (r.host.as_deref(), r.path.as_deref(), r.tag.as_deref()),
            (Some("localhost:5000"), Some("team/app"), Some("v1"))
        );
        let d = dg("x");
        let r = ImageRef::parse(&format!("docker-pullable://127.0.0.1:5000/app@{d}")).unwrap();
        assert_eq!(r.digest, Some(d.clone()));
        assert_eq!(r.tag, None);
        assert!(ImageRef::parse(&d.to_string()).unwrap().path.is_none());
    }

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
}
