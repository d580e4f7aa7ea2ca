//! Image references as people type them (`nginx`, `ghcr.io/org/app:v1`,
//! `127.0.0.1:5000/team/api@sha256:…`, `123….dkr.ecr.eu-west-1.amazonaws.com/app:v2`,
//! `oci:./layouts/app:v1`), normalised the way container runtimes do: a first component
//! without `.` or `:` (and not `localhost`) means Docker Hub, and one-word Hub names live
//! under `library/`.

use super::Target;
use crate::model::{Digest, DigestPrefix, TypedDigest};
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
    /// A short digest as typed (`@sha256:0a8b13f7`, `@0a8b13f7`), not resolved yet: the
    /// front end resolves it against the repository (`Session::resolve_short_digest`)
    /// before acting. `digest` is then `None`; a full digest is never held here.
    pub short_digest: Option<DigestPrefix>,
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
        let (rest, (digest, short_digest)) = match s.split_once('@') {
            Some((r, d)) => (r, after_at(d).map_err(|w| err(&w))?),
            None => (s, (None, None)),
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
        if name.len() > NAME_TOTAL_LENGTH_MAX {
            return Err(err(&format!(
                "the name is {} bytes; at most {NAME_TOTAL_LENGTH_MAX} are allowed",
                name.len()
            )));
        }
        if let Some(h) = host {
            validate_host(h).map_err(|w| err(&w))?;
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
        let tag = if tag.is_none() && digest.is_none() && short_digest.is_none() {
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
            short_digest,
        })
    }

    /// Whether `input` names its registry (a host as its first component, or `oci:`):
    /// without one, runtimes read it as Docker Hub's, and a browser may read it as the
    /// registry being browsed.
    pub fn names_registry(input: &str) -> bool {
        let s = input.trim();
        if s.starts_with("oci:") {
            return true;
        }
        let name = s.split_once('@').map_or(s, |(n, _)| n);
        split_host(name).0.is_some()
    }

    /// What to ask the registry for: the digest when pinned, else the tag. An unresolved
    /// short digest is asked for as typed (the registry refuses it) rather than falling
    /// back to the tag or `latest`: resolve it first.
    pub fn reference(&self) -> String {
        match (&self.digest, &self.short_digest, &self.tag) {
            (Some(d), _, _) => d.to_string(),
            (None, Some(p), _) => p.to_string(),
            (None, None, Some(t)) => t.clone(),
            (None, None, None) => "latest".to_string(),
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
        } else if let Some(p) = &self.short_digest {
            write!(f, "@{p}")?;
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
    // A directory may hold '@'; only what follows the last one and looks like a digest is:
    // `sha…`, or bare hex as for registries (`oci:DIR@0a8b13f7`) unless a directory of
    // that very name exists.
    let bare_hex = |d: &str| {
        d.len() >= crate::model::digest_prefix::MIN_PREFIX_HEX
            && d.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
            && !Path::new(path).is_dir()
    };
    let (rest, (digest, short_digest)) = match path.rsplit_once('@') {
        Some((r, d)) if d.starts_with("sha") || bare_hex(d) => (r, after_at(d)?),
        _ => (path, (None, None)),
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
    let tag = if tag.is_none() && digest.is_none() && short_digest.is_none() {
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
        short_digest,
    })
}

/// What follows `@`: a full digest, or a short one (`sha256:0a8b13f7`, or bare hex, since
/// after `@` only a digest can be meant) to resolve later.
fn after_at(d: &str) -> Result<(Option<Digest>, Option<DigestPrefix>), String> {
    match TypedDigest::parse(d, true).map_err(|e| e.to_string())? {
        TypedDigest::Full(d) => Ok((Some(d), None)),
        TypedDigest::Prefix(p) => Ok((None, Some(p))),
    }
}

fn split_host(name: &str) -> (Option<&str>, &str) {
    match name.split_once('/') {
        Some((first, rest)) if looks_like_host(first) => (Some(first), rest),
        _ => (None, name),
    }
}

/// distribution's `splitDockerDomain`: the first component is a registry host when it
/// holds a `.` or a `:`, is `localhost`, or has an upper-case letter (repository names
/// cannot); otherwise the name is Docker Hub's.
fn looks_like_host(first: &str) -> bool {
    first.contains(['.', ':'])
        || first == "localhost"
        || first.bytes().any(|b| b.is_ascii_uppercase())
}

/// distribution's `domainAndPort`: DNS labels (letters of either case, digits, `-` inside)
/// joined by `.`, or an IPv6 address in brackets, then an optional numeric port.
pub(crate) fn validate_host(host: &str) -> Result<(), String> {
    let bad = || {
        Err(format!(
            "registry host {host:?} is not a host name or [IPv6] address with an optional :PORT"
        ))
    };
    let (name, port) = if let Some(rest) = host.strip_prefix('[') {
        let Some((addr, after)) = rest.split_once(']') else {
            return bad();
        };
        if addr.is_empty() || !addr.bytes().all(|b| b.is_ascii_hexdigit() || b == b':') {
            return bad();
        }
        let port = match after {
            "" => None,
            p => Some(p.strip_prefix(':').unwrap_or("")),
        };
        (None, port)
    } else {
        match host.rsplit_once(':') {
            Some((h, p)) => (Some(h), Some(p)),
            None => (Some(host), None),
        }
    };
    if port.is_some_and(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit())) {
        return bad();
    }
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    match name {
        Some(n) if !n.split('.').all(label_ok) => bad(),
        _ => Ok(()),
    }
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
            "repository component {part:?} must be lower-case letters and digits, separated by one `.`, one or two `_`, or dashes"
        )),
        None => Ok(()),
    }
}

/// The most bytes a name (host and repository, as written) may have, as distribution's
/// `NameTotalLengthMax` says.
const NAME_TOTAL_LENGTH_MAX: usize = 255;

/// The OCI distribution spec's repository name: `/`-separated components of lower-case
/// letters and digits, separated by `.`, `_`, `__` or dashes, at most 255 bytes in all.
pub(crate) fn is_valid_repository(repo: &str) -> bool {
    !repo.is_empty()
        && repo.len() <= NAME_TOTAL_LENGTH_MAX
        && repo.split('/').all(is_valid_component)
}

/// distribution's `pathComponent`: `[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*`.
fn is_valid_component(part: &str) -> bool {
    let b = part.as_bytes();
    let alnum = |c: u8| c.is_ascii_lowercase() || c.is_ascii_digit();
    if b.is_empty() || !alnum(b[0]) || !alnum(b[b.len() - 1]) {
        return false;
    }
    let mut i = 0;
    while i < b.len() {
        if alnum(b[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && !alnum(b[i]) {
            i += 1;
        }
        let sep = &b[start..i];
        let ok = sep == b"." || sep == b"_" || sep == b"__" || sep.iter().all(|&c| c == b'-');
        if !ok {
            return false;
        }
    }
    true
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
            short_digest: None,
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
    fn short_digests_are_carried_unresolved() {
        let r = Reference::parse("127.0.0.1:5000/team/api@sha256:0a8b13f7").unwrap();
        assert_eq!(
            (r.digest.as_ref(), r.tag.as_deref()),
            (None, None),
            "no latest"
        );
        assert_eq!(
            r.short_digest.as_ref().unwrap().to_string(),
            "sha256:0a8b13f7"
        );
        assert_eq!(r.reference(), "sha256:0a8b13f7", "never the tag or latest");
        assert_eq!(r.to_string(), "127.0.0.1:5000/team/api@sha256:0a8b13f7");
        // After '@' only a digest can be meant: bare hex is a short digest too.
        let r = Reference::parse("team/api:v1@0a8b13f7").unwrap();
        assert_eq!(r.tag.as_deref(), Some("v1"));
        assert_eq!(r.short_digest.unwrap().to_string(), "0a8b13f7");
        // A full digest stays a full digest, bare or not.
        let hex = "ab".repeat(32);
        let r = Reference::parse(&format!("team/api@{hex}")).unwrap();
        assert_eq!(r.digest.unwrap().to_string(), format!("sha256:{hex}"));
        // Bare hex after `@` in a layout path is a short digest too, unless a directory of
        // that name exists.
        let r = Reference::parse(&format!("oci:./no-such-dir@{}", &hex[..8])).unwrap();
        assert_eq!(r.short_digest.unwrap().to_string(), &hex[..8]);
        let tmp = tempfile::tempdir().unwrap();
        let odd = tmp.path().join(format!("odd@{}", &hex[..8]));
        std::fs::create_dir(&odd).unwrap();
        let r = Reference::parse(&format!("oci:{}", odd.display())).unwrap();
        assert!(r.short_digest.is_none() && r.digest.is_none());
        assert_eq!(r.repository, format!("odd@{}", &hex[..8]));
        let r = Reference::parse(&format!("oci:./dir@sha256:{}", &hex[..10])).unwrap();
        assert_eq!(
            r.short_digest.unwrap().to_string(),
            format!("sha256:{}", &hex[..10])
        );
        for (bad, needle) in [
            ("team/api@sha256:0a8b", "at least 8 hex characters"),
            ("team/api@0A8B13F7", "lower-case hex: 0a8b13f7"),
            ("team/api@md5:0a8b13f7", "unsupported algorithm \"md5\""),
            ("team/api@sha256:0a8b13fz", "'z' is not a hex digit"),
        ] {
            let e = Reference::parse(bad).unwrap_err().to_string();
            assert!(e.contains(needle), "{bad}: {e}");
        }
    }

    #[test]
    fn which_references_name_their_registry() {
        for named in [
            "docker.io/nginx",
            "localhost/a",
            "h:5000/a:v1",
            "oci:./dir:v1",
            "ghcr.io/o/a@sha256:0",
        ] {
            assert!(Reference::names_registry(named), "{named}");
        }
        for bare in ["nginx", "team/api:v1", "hidden/mu@sha256:0", "a"] {
            assert!(!Reference::names_registry(bare), "{bare}");
        }
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
            ("app:bad/tag", "host"),
            ("app:-x", "tag"),
            ("app@sha256:zz", "digest"),
            ("https://ghcr.io/app", "scheme"),
        ] {
            let e = Reference::parse(bad).unwrap_err();
            assert!(e.to_string().contains(needle), "{bad}: {e}");
        }
    }
}

/// distribution/reference's own `TestReferenceParse` table (reference_test.go), read with
/// `ParseNormalizedNamed`'s rule for the host (a first component without `.` or `:`, not
/// `localhost` and all lower-case, is Docker Hub's), as container runtimes read it.
#[cfg(test)]
mod distribution_vectors {
    use super::*;

    const F64: &str = "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff";

    /// (input, Some((registry, repository, tag, digest))) or None for an error.
    /// (registry, repository, tag, whether a digest is pinned).
    type Parsed = (&'static str, String, Option<&'static str>, bool);

    fn table() -> Vec<(String, Option<Parsed>)> {
        let hub = "docker.io";
        let ok = |reg: &'static str, repo: &str, tag: Option<&'static str>, digest: bool| {
            Some((reg, repo.to_string(), tag, digest))
        };
        vec![
            (
                "test_com".into(),
                ok(hub, "library/test_com", Some("latest"), false),
            ),
            (
                "test.com:tag".into(),
                ok(hub, "library/test.com", Some("tag"), false),
            ),
            (
                "test.com:5000".into(),
                ok(hub, "library/test.com", Some("5000"), false),
            ),
            (
                "test.com/repo:tag".into(),
                ok("test.com", "repo", Some("tag"), false),
            ),
            (
                "test:5000/repo".into(),
                ok("test:5000", "repo", Some("latest"), false),
            ),
            (
                "test:5000/repo:tag".into(),
                ok("test:5000", "repo", Some("tag"), false),
            ),
            (
                format!("test:5000/repo@sha256:{F64}"),
                ok("test:5000", "repo", None, true),
            ),
            (
                format!("test:5000/repo:tag@sha256:{F64}"),
                ok("test:5000", "repo", Some("tag"), true),
            ),
            ("".into(), None),
            (":justtag".into(), None),
            (format!("@sha256:{F64}"), None),
            // distribution refuses a short digest; regscope reads it as one to resolve
            // against the repository (`short_digest`), never as a full digest.
            (
                "repo@sha256:ffffffffffffffffffffffffffffffffff".into(),
                ok(hub, "library/repo", None, false),
            ),
            ("repo@sha256:fffffff".into(), None),
            (format!("validname@invaliddigest:{F64}"), None),
            ("Uppercase:tag".into(), None),
            ("test:5000/Uppercase/lowercase:tag".into(), None),
            (
                "lowercase:Uppercase".into(),
                ok(hub, "library/lowercase", Some("Uppercase"), false),
            ),
            (format!("{}a:tag", "a/".repeat(128)), None),
            ("aa/asdf$$^/aa".into(), None),
            (
                "sub-dom1.foo.com/bar/baz/quux".into(),
                ok("sub-dom1.foo.com", "bar/baz/quux", Some("latest"), false),
            ),
            (
                "sub-dom1.foo.com/bar/baz/quux:some-long-tag".into(),
                ok(
                    "sub-dom1.foo.com",
                    "bar/baz/quux",
                    Some("some-long-tag"),
                    false,
                ),
            ),
            (
                "b.gcr.io/test.example.com/my-app:test.example.com".into(),
                ok(
                    "b.gcr.io",
                    "test.example.com/my-app",
                    Some("test.example.com"),
                    false,
                ),
            ),
            (
                "xn--n3h.com/myimage:xn--n3h.com".into(),
                ok("xn--n3h.com", "myimage", Some("xn--n3h.com"), false),
            ),
            (
                "foo_bar.com:8080".into(),
                ok(hub, "library/foo_bar.com", Some("8080"), false),
            ),
            (
                "foo/foo_bar.com:8080".into(),
                ok(hub, "foo/foo_bar.com", Some("8080"), false),
            ),
            (
                "192.168.1.1".into(),
                ok(hub, "library/192.168.1.1", Some("latest"), false),
            ),
            (
                "192.168.1.1:tag".into(),
                ok(hub, "library/192.168.1.1", Some("tag"), false),
            ),
            (
                "192.168.1.1/repo".into(),
                ok("192.168.1.1", "repo", Some("latest"), false),
            ),
            (
                "192.168.1.1:5000/repo".into(),
                ok("192.168.1.1:5000", "repo", Some("latest"), false),
            ),
            (
                "192.168.1.1:5000/repo:5050".into(),
                ok("192.168.1.1:5000", "repo", Some("5050"), false),
            ),
            ("[2001:db8::1]".into(), None),
            ("[2001:db8::1]:5000".into(), None),
            ("[2001:db8::1]:tag".into(), None),
            (
                "[2001:db8::1]/repo".into(),
                ok("[2001:db8::1]", "repo", Some("latest"), false),
            ),
            (
                "[2001:db8:1:2:3:4:5:6]/repo:tag".into(),
                ok("[2001:db8:1:2:3:4:5:6]", "repo", Some("tag"), false),
            ),
            (
                "[2001:db8::1]:5000/repo".into(),
                ok("[2001:db8::1]:5000", "repo", Some("latest"), false),
            ),
            (
                format!("[2001:db8::1]:5000/repo:tag@sha256:{F64}"),
                ok("[2001:db8::1]:5000", "repo", Some("tag"), true),
            ),
            (
                "[2001:db8::]:5000/repo".into(),
                ok("[2001:db8::]:5000", "repo", Some("latest"), false),
            ),
            (
                "[::1]:5000/repo".into(),
                ok("[::1]:5000", "repo", Some("latest"), false),
            ),
            ("[fe80::1%eth0]:5000/repo".into(), None),
            ("[fe80::1%@invalidzone]:5000/repo".into(), None),
            // distribution's domain rule allows upper case in the host (`splitDockerDomain`).
            (
                "LOCALHOST:1/app".into(),
                ok("LOCALHOST:1", "app", Some("latest"), false),
            ),
            // `pathComponent`: one `.` between alphanumerics, never two.
            ("example.com/a..b".into(), None),
            (
                "example.com/a__b".into(),
                ok("example.com", "a__b", Some("latest"), false),
            ),
            (
                "example.com/a---b".into(),
                ok("example.com", "a---b", Some("latest"), false),
            ),
            ("example.com/a___b".into(), None),
            (format!("example.com/{}", "a".repeat(300)), None),
        ]
    }

    #[test]
    fn distribution_reference_vectors() {
        for (input, want) in table() {
            let got = Reference::parse(&input);
            match want {
                None => assert!(got.is_err(), "{input:?} should be refused, got {got:?}"),
                Some((registry, repository, tag, digest)) => {
                    let r = got.unwrap_or_else(|e| panic!("{input:?}: {e}"));
                    assert_eq!(r.registry, registry, "{input:?}");
                    assert_eq!(r.repository, repository, "{input:?}");
                    assert_eq!(r.tag.as_deref(), tag, "{input:?}");
                    assert_eq!(r.digest.is_some(), digest, "{input:?}");
                }
            }
        }
    }

    #[test]
    fn a_name_of_255_bytes_is_the_most_allowed() {
        let at_max = format!("{}a:tag-puts-this-over-max", "a/".repeat(127));
        assert!(Reference::parse(&at_max).is_ok());
        let over = format!("{}a:tag", "a/".repeat(128));
        assert!(Reference::parse(&over)
            .unwrap_err()
            .to_string()
            .contains("255"));
    }
}
