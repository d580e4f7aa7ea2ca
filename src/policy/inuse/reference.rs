//! Image references as the distribution reference grammar defines them
//! (`[host[:port]/]path[:tag][@digest]`), checked strictly: a line of a truncated JSON
//! file or a typo must not read as some image on Docker Hub and protect nothing.

use crate::model::Digest;
use regex::Regex;
use std::sync::LazyLock;

/// One reference as a workload names it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ImageRef {
    pub raw: String,
    /// Registry host when the reference names one (`docker.io` for Docker Hub short names).
    pub host: Option<String>,
    /// Repository path without the host; `None` for a bare `sha256:...` image id.
    pub path: Option<String>,
    pub tag: Option<String>,
    pub digest: Option<Digest>,
}

/// `domain/path:tag@digest`, from distribution's `reference/regexp.go`. The first
/// component is a domain only when it looks like one (a `.`, a `:` or `localhost`), as
/// Docker decides; otherwise it is part of the path and must be lower case.
static REFERENCE: LazyLock<Regex> = LazyLock::new(|| {
    let domain_part = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
    let host = format!(r"(?:{domain_part}(?:\.{domain_part})*|\[[0-9a-fA-F:.]+\])");
    let component = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
    Regex::new(&format!(
        r"^(?:(?P<domain>{host}(?::[0-9]+)?)/)?(?P<path>{component}(?:/{component})*)(?::(?P<tag>[\w][\w.-]{{0,127}}))?(?:@(?P<digest>[^@]+))?$"
    ))
    .expect("reference grammar")
});

static PATH: LazyLock<Regex> = LazyLock::new(|| {
    let component = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
    Regex::new(&format!(r"^{component}(?:/{component})*$")).expect("path grammar")
});

impl ImageRef {
    /// A reference, or why the text is not one. Runtime prefixes (`docker-pullable://`,
    /// `docker://`, `containerd://`) are accepted as kubelet reports image ids with them.
    pub fn parse(s: &str) -> Result<ImageRef, String> {
        let raw = s.trim().to_string();
        let mut rest = raw.as_str();
        for scheme in ["docker-pullable://", "docker://", "containerd://"] {
            if let Some(r) = rest.strip_prefix(scheme) {
                rest = r;
            }
        }
        if rest.is_empty() {
            return Err("empty reference".into());
        }
        if rest.len() > 4096 {
            return Err("longer than 4,096 characters".into());
        }
        if rest.starts_with("sha256:") || rest.starts_with("sha512:") {
            let d = Digest::parse(rest).map_err(|e| e.to_string())?;
            return Ok(ImageRef {
                raw,
                host: None,
                path: None,
                tag: None,
                digest: Some(d),
            });
        }
        let caps = REFERENCE.captures(rest).ok_or(
            "not an image reference ([host[:port]/]path[:tag][@digest], path in lower case)",
        )?;
        let digest = match caps.name("digest") {
            Some(d) => Some(Digest::parse(d.as_str()).map_err(|e| e.to_string())?),
            None => None,
        };
        let path = caps.name("path").map_or("", |m| m.as_str());
        let (host, path) = match caps.name("domain").map(|m| m.as_str()) {
            Some(d) if d.contains('.') || d.contains(':') || d == "localhost" => {
                (d.to_string(), path.to_string())
            }
            Some(first) => {
                let joined = format!("{first}/{path}");
                if !PATH.is_match(&joined) {
                    return Err(format!(
                        "{first:?} is neither a registry host (no '.' or ':') nor a lower-case path component"
                    ));
                }
                ("docker.io".to_string(), joined)
            }
            None => ("docker.io".to_string(), path.to_string()),
        };
        let path = if host == "docker.io" && !path.contains('/') {
            format!("library/{path}")
        } else {
            path
        };
        let tag = caps.name("tag").map(|t| t.as_str().to_string());
        let tag = if tag.is_none() && digest.is_none() {
            Some("latest".to_string())
        } else {
            tag
        };
        Ok(ImageRef {
            raw,
            host: Some(host),
            path: Some(path),
            tag,
            digest,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::testkit::dg;

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
        let r = ImageRef::parse("team/app:v1").unwrap();
        assert_eq!(
            (r.host.as_deref(), r.path.as_deref()),
            (Some("docker.io"), Some("team/app"))
        );
        let d = dg("x");
        let r = ImageRef::parse(&format!("docker-pullable://127.0.0.1:5000/app@{d}")).unwrap();
        assert_eq!(r.digest, Some(d.clone()));
        assert_eq!(r.tag, None);
        let r = ImageRef::parse(&format!("[::1]:5000/app:v2@{d}")).unwrap();
        assert_eq!(r.host.as_deref(), Some("[::1]:5000"));
        assert_eq!(r.tag.as_deref(), Some("v2"));
        assert!(ImageRef::parse(&d.to_string()).unwrap().path.is_none());
    }

    #[test]
    fn lines_of_json_and_typos_are_not_references() {
        for bad in [
            r#""image": "127.0.0.1:5000/team/app:v1","#,
            r#"{"apiVersion": "v1","#,
            "}",
            "],",
            "Team/App:v1",
            "app:v1:v2",
            "app@sha256:short",
            "app@md5:0123456789abcdef0123456789abcdef",
            "not a ref with spaces",
            "app:-tag",
            "host.example/",
            "",
        ] {
            assert!(ImageRef::parse(bad).is_err(), "{bad:?} read as a reference");
        }
    }
}
