//! Image references as people type them (`nginx`, `ghcr.io/org/app:v1`,
//! `127.0.0.1:5000/team/api@sha256:…`, `123….dkr.ecr.eu-west-1.amazonaws.com/app:v2`,
//! `oci:./layouts/app:v1`), normalised the way container runtimes do: a first component
//! without `.` or `:` (and not `localhost`) means Docker Hub, and one-word Hub names live
//! under `library/`.

use super::Target;
use crate::model::Digest;
use std::fmt;
use std::path::{Path, PathBuf};

/// The host people write for Docker Hub, and the host its registry API really answers on.
pub const DOCKER_HUB: &str = "docker.io";
pub const DOCKER_HUB_API: &str = "registry-1.docker.io";

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reference {
    /// Where the repository lives. For Docker Hub this is the API host.
    pub target: Target,
    /// The registry as the user would write it (`docker.io`, `ghcr.io`, `oci:DIR`).
    pub registry: String,
    pub repository: String,
    pub tag: Option<String>,
    pub digest: Option<Digest>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("invalid reference {input:?}: {why}")]
pub struct ReferenceError {
    pub input: String,
    pub why: String,
}

impl Reference {
    pub fn parse(input: &str) -> Result<Reference, ReferenceError> {
        let err = |why: &str| ReferenceError {
            input: input.to_string(),
            why: why.to_string(),
        };
        let s = input.trim();
        if s.is_empty() {
            return Err(err("empty"));
        }
        if let Some(path) = s.strip_prefix("oci:") {
            return parse_layout(path).map_err(|w| err(&w));
        }
        if s.contains("://") {
            return Err(err("write the reference without a scheme"));
        }
        let (rest, digest) = match s.split_once('@') {
            Some((r, d)) => (r, Some(Digest::parse(d).map_err(|e| err(&e.to_string()))?)),
            None => (s, None),
        };
        // A tag is after the last ':' of the last path component (a ':' before a '/' is a port).
        let last_slash = rest.rfind('/').map(|i| i + 1).unwrap_or(0);
        let (name, tag) = match rest[last_slash..].rfind(':') {
            Some(i) => (&rest[..last_slash + i], Some(&rest[last_slash + i + 1..])),
            None => (rest, None),
        };
        if let Some(t) = tag {
            validate_tag(t).map_err(|w| err(&w))?;
        }
        let (host, repo) = split_host(name);
        if repo.is_empty() {
            return Err(err("no repository name"));
        }
        validate_repository(repo).map_err(|w| err(&w))?;
        let tag = tag.map(str::to_string);
        let (registry, target, repository) = match host {
            None | Some("docker.io") | Some("index.docker.io") | Some("registry-1.docker.io") => {
                let repository = if repo.contains('/') {
                    repo.to_string()
                } else {
                    format!("library/{repo}")
                };
                (
                    DOCKER_HUB.to_string(),
                    Target::Distribution {
                        host: DOCKER_HUB_API.to_string(),
                        prefix: None,
                    },
                    repository,
                )
            }
            Some(h) => {
                let target = Target::parse(h).map_err(|w| err(&w))?;
                (h.to_string(), target, repo.to_string())
            }
        };
        // A bare name means `latest`, as every runtime assumes.
        let tag = if tag.is_none() && digest.is_none() {
            Some("latest".to_string())
        } else {
            tag
        };
        Ok(Reference {
            target,
            registry,
            repository,
            tag,
            digest,
        })
    }

    /// What to ask the registry for: the digest when pinned, else the tag.
    pub fn reference(&self) -> String {
        match (&self.digest, &self.tag) {
            (Some(d), _) => d.to_string(),
            (None, Some(t)) => t.clone(),
            (None, None) => "latest".to_string(),
        }
    }
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if matches!(self.target, Target::Layout { .. }) {
            f.write_str(&self.registry)?;
        } else {
            write!(f, "{}/{}", self.registry, self.repository)?;
        }
        if let Some(t) = &self.tag {
            write!(f, ":{t}")?;
        }
        if let Some(d) = &self.digest {
            write!(f, "@{d}")?;
        }
        Ok(())
    }
}

/// `oci:DIR[:TAG|@DIGEST]`: DIR is one image layout; its repository is named by its last
/// path component, as `LayoutSource` names a root that is itself a layout.
fn parse_layout(path: &str) -> Result<Reference, String> {
    if path.is_empty() {
        return Err("oci: needs a layout directory".into());
    }
    let (rest, digest) = match path.rsplit_once('@') {
        Some((r, d)) if d.starts_with("sha") => {
            (r, Some(Digest::parse(d).map_err(|e| e.to_string())?))
        }
        _ => (path, None),
    };
    let last_slash = rest.rfind('/').map(|i| i + 1).unwrap_or(0);
    let (dir, tag) = match rest[last_slash..].rfind(':') {
        Some(i) => (
            &rest[..last_slash + i],
            Some(rest[last_slash + i + 1..].to_string()),
        ),
        None => (rest, None),
    };
    if let Some(t) = &tag {
        validate_tag(t)?;
    }
    let root = PathBuf::from(dir.trim_end_matches('/'));
    let repository = Path::new(&root)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| format!("{dir:?} names no directory"))?;
    let tag = if tag.is_none() && digest.is_none() {
        Some("latest".to_string())
    } else {
        tag
    };
    Ok(Reference {
        registry: format!("oci:{}", root.display()),
        target: Target::Layout { root, prefix: None },
        repository,
        tag,
        digest,
    })
}

fn split_host(name: &str) -> (Option<&str>, &str) {
    match name.split_once('/') {
        Some((first, rest)) if looks_like_host(first) => (Some(first), rest),
        _ => (None, name),
    }
}

/// `ghcr.io`, `localhost`, `host:5000`, `[::1]:5000`: a dot, a numeric port, or localhost.
fn looks_like_host(first: &str) -> bool {
    let without_port = match first.rsplit_once(':') {
        Some((h, p)) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => h,
        Some(_) if !first.starts_with('[') => return false,
        _ => first,
    };
    without_port.contains('.') || without_port == "localhost" || without_port.starts_with('[')
}

fn validate_tag(t: &str) -> Result<(), String> {
    let ok = !t.is_empty()
        && t.len() <= 128
        && t.chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
        && t.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "tag {t:?} is not [A-Za-z0-9_][A-Za-z0-9_.-]{{0,127}}"
        ))
    }
}

fn validate_repository(repo: &str) -> Result<(), String> {
    match repo.split('/').find(|part| !is_valid_component(part)) {
        Some(part) => Err(format!(
            "repository component {part:?} must be lower-case letters, digits and . _ - between them"
        )),
        None => Ok(()),
    }
}

/// The OCI distribution spec's repository name: `/`-separated components of lower-case
/// letters and digits, with `.`, `_` and `-` only between them, at most 255 bytes in all.
pub(crate) fn is_valid_repository(repo: &str) -> bool {
    !repo.is_empty() && repo.len() <= 255 && repo.split('/').all(is_valid_component)
}

fn is_valid_component(part: &str) -> bool {
    !part.is_empty()
        && part
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'))
        && part.starts_with(|c: char| c.is_ascii_alphanumeric())
        && part.ends_with(|c: char| c.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hub(repo: &str, tag: Option<&str>) -> Reference {
        Reference {
            target: Target::Distribution {
                host: DOCKER_HUB_API.into(),
                prefix: None,
            },
            registry: DOCKER_HUB.into(),
            repository: repo.into(),
            tag: tag.map(str::to_string),
            digest: None,
        }
    }

    #[test]
    fn docker_hub_short_names_are_normalised() {
        assert_eq!(
            Reference::parse("nginx").unwrap(),
            hub("library/nginx", Some("latest"))
        );
        assert_eq!(
            Reference::parse("nginx:1.27").unwrap(),
            hub("library/nginx", Some("1.27"))
        );
        assert_eq!(
            Reference::parse("bitnami/redis:7").unwrap(),
            hub("bitnami/redis", Some("7"))
        );
        assert_eq!(
            Reference::parse("docker.io/nginx").unwrap(),
            hub("library/nginx", Some("latest"))
        );
        assert_eq!(
            Reference::parse("nginx").unwrap().to_string(),
            "docker.io/library/nginx:latest"
        );
    }

    #[test]
    fn hosts_ports_digests_and_ecr() {
        let d = format!("sha256:{}", "a".repeat(64));
        let r = Reference::parse(&format!("127.0.0.1:5000/team/api:v1@{d}")).unwrap();
        assert_eq!(
            r.target,
            Target::Distribution {
                host: "127.0.0.1:5000".into(),
                prefix: None
            }
        );
        assert_eq!(
            (r.repository.as_str(), r.tag.as_deref()),
            ("team/api", Some("v1"))
        );
        assert_eq!(r.reference(), d, "a digest pins the reference");
        let r = Reference::parse("localhost/app").unwrap();
        assert_eq!(r.registry, "localhost");
        let r =
            Reference::parse("123456789012.dkr.ecr.eu-west-1.amazonaws.com/svc/app:v2").unwrap();
        assert!(matches!(r.target, Target::Ecr { ref region, .. } if region == "eu-west-1"));
        assert_eq!(r.repository, "svc/app");
    }

    #[test]
    fn layouts() {
        let r = Reference::parse("oci:./demo/team-a/api:v1").unwrap();
        assert_eq!(
            r.target,
            Target::Layout {
                root: "./demo/team-a/api".into(),
                prefix: None
            }
        );
        assert_eq!(
            (r.repository.as_str(), r.tag.as_deref()),
            ("api", Some("v1"))
        );
        let r = Reference::parse("oci:/x/y").unwrap();
        assert_eq!(r.tag.as_deref(), Some("latest"));
    }

    #[test]
    fn bad_references_say_why() {
        for (bad, needle) in [
            ("", "empty"),
            ("Upper/Case", "lower-case"),
            ("ghcr.io/", "no repository"),
            ("app:bad/tag", "lower-case"),
            ("app:-x", "tag"),
            ("app@sha256:zz", "digest"),
            ("https://ghcr.io/app", "scheme"),
        ] {
            let e = Reference::parse(bad).unwrap_err();
            assert!(e.to_string().contains(needle), "{bad}: {e}");
        }
    }
}
