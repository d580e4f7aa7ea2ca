//! What the user names on the command line: an OCI Distribution registry, AWS ECR, or a
//! directory of OCI image layouts (design.md, "Registry addresses").

use std::path::PathBuf;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// `HOST[:PORT][/REPO-PREFIX]`
    Distribution {
        host: String,
        prefix: Option<String>,
    },
    /// `ecr://[ACCOUNT/]REGION[/PREFIX]` or `ACCOUNT.dkr.ecr.REGION.amazonaws.com[/PREFIX]`
    Ecr {
        account: Option<String>,
        region: String,
        prefix: Option<String>,
    },
    /// `oci:PATH`
    Layout {
        root: PathBuf,
        prefix: Option<String>,
    },
}

impl Target {
    pub fn parse(s: &str) -> Result<Target, String> {
        let s = s.trim();
        if s.is_empty() {
            return Err("empty target".into());
        }
        if let Some(path) = s.strip_prefix("oci:") {
            if path.is_empty() {
                return Err("oci: needs a directory, as in oci:./images".into());
            }
            return Ok(Target::Layout {
                root: PathBuf::from(path),
                prefix: None,
            });
        }
        if let Some(rest) = s.strip_prefix("ecr://") {
            let parts: Vec<&str> = rest.split('/').filter(|p| !p.is_empty()).collect();
            let (account, region, prefix_parts) = match parts.as_slice() {
                [] => return Err("ecr:// needs a region, as in ecr://eu-west-1".into()),
                [a, r, rest @ ..] if a.len() == 12 && a.bytes().all(|b| b.is_ascii_digit()) => {
                    (Some(a.to_string()), r.to_string(), rest)
                }
                [r, rest @ ..] => (None, r.to_string(), rest),
            };
            return Ok(Target::Ecr {
                account,
                region,
                prefix: join_prefix(prefix_parts),
            });
        }
        for scheme in ["https://", "http://"] {
            if let Some(rest) = s.strip_prefix(scheme) {
                return Err(format!(
                    "write the registry without a scheme ({rest}); plain HTTP is used for loopback or `insecure = true` registries"
                ));
            }
        }
        let (host, prefix) = match s.split_once('/') {
            Some((h, p)) => (h, p.trim_matches('/')),
            None => (s, ""),
        };
        if host.is_empty() {
            return Err(format!("{s:?} has no registry host"));
        }
        // As distribution validates a reference's domain: `nope::bad` is refused here,
        // before any connection, instead of failing inside the HTTP client.
        super::reference::validate_host(host)?;
        let prefix = (!prefix.is_empty()).then(|| prefix.to_string());
        // ACCOUNT.dkr.ecr.REGION.amazonaws.com[.cn]
        let labels: Vec<&str> = host.split('.').collect();
        if labels.len() >= 6 && labels[1] == "dkr" && labels[2] == "ecr" && labels[4] == "amazonaws"
        {
            return Ok(Target::Ecr {
                account: Some(labels[0].to_string()),
                region: labels[3].to_string(),
                prefix,
            });
        }
        Ok(Target::Distribution {
            host: host.to_string(),
            prefix,
        })
    }

    /// Whether this is AWS ECR, where reading a manifest counts as a pull.
    pub fn is_ecr(&self) -> bool {
        matches!(self, Target::Ecr { .. })
    }

    /// The same registry without its repository prefix.
    pub fn without_prefix(&self) -> Target {
        let mut t = self.clone();
        match &mut t {
            Target::Distribution { prefix, .. }
            | Target::Ecr { prefix, .. }
            | Target::Layout { prefix, .. } => *prefix = None,
        }
        t
    }

    pub fn prefix(&self) -> Option<&str> {
        match self {
            Target::Distribution { prefix, .. }
            | Target::Ecr { prefix, .. }
            | Target::Layout { prefix, .. } => prefix.as_deref(),
        }
    }

    /// The name shown for this registry in lists and inventory documents.
    pub fn display_name(&self) -> String {
        match self {
            Target::Distribution { host, .. } => host.clone(),
            Target::Ecr {
                account: Some(a),
                region,
                ..
            } => format!("{a}.dkr.ecr.{region}.amazonaws.com"),
            Target::Ecr {
                account: None,
                region,
                ..
            } => format!("ecr://{region}"),
            Target::Layout { root, .. } => format!("oci:{}", root.display()),
        }
    }
}

fn join_prefix(parts: &[&str]) -> Option<String> {
    (!parts.is_empty()).then(|| parts.join("/"))
}

/// Whether `host` (with optional port) is a loopback address, where plain HTTP is allowed.
pub fn is_loopback_host(host: &str) -> bool {
    let h = host_without_port(host);
    h == "localhost"
        || h.parse::<std::net::IpAddr>()
            .map(|ip| ip.is_loopback())
            .unwrap_or(false)
}

fn host_without_port(host: &str) -> &str {
    if let Some(rest) = host.strip_prefix('[') {
        return rest.split(']').next().unwrap_or(rest);
    }
    match host.rsplit_once(':') {
        Some((h, p)) if p.bytes().all(|b| b.is_ascii_digit()) => h,
        _ => host,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_documented_form() {
        assert_eq!(
            Target::parse("127.0.0.1:5000/team-a").unwrap(),
            Target::Distribution {
                host: "127.0.0.1:5000".into(),
                prefix: Some("team-a".into())
            }
        );
        assert_eq!(
            Target::parse("ecr://123456789012/eu-west-1").unwrap(),
            Target::Ecr {
                account: Some("123456789012".into()),
                region: "eu-west-1".into(),
                prefix: None
            }
        );
        assert_eq!(
            Target::parse("ecr://us-east-1").unwrap(),
            Target::Ecr {
                account: None,
                region: "us-east-1".into(),
                prefix: None
            }
        );
        assert_eq!(
            Target::parse("123456789012.dkr.ecr.eu-west-1.amazonaws.com/team").unwrap(),
            Target::Ecr {
                account: Some("123456789012".into()),
                region: "eu-west-1".into(),
                prefix: Some("team".into())
            }
        );
        assert!(matches!(
            Target::parse("oci:./x").unwrap(),
            Target::Layout { .. }
        ));
        assert!(Target::parse("https://ghcr.io").is_err());
        assert!(Target::parse("ecr://").is_err());
    }

    #[test]
    fn loopback_detection() {
        assert!(is_loopback_host("127.0.0.1:5000"));
        assert!(is_loopback_host("localhost"));
        assert!(is_loopback_host("[::1]:80"));
        assert!(!is_loopback_host("ghcr.io"));
        assert!(!is_loopback_host("10.0.0.1:5000"));
    }
}
