//! Which kind of registry a target is, and how regscope tells: the `[[registry]]` entry's
//! `kind` wins; else the address says (`*.azurecr.io`, the ECR forms, `*-docker.pkg.dev`,
//! Docker Hub, `ghcr.io`, `oci:`); else a probe of the registry's own API (`probe.rs`);
//! else plain OCI Distribution.

use crate::registry::Target;
use serde::{Deserialize, Serialize};

/// A kind of registry. Each kind has its own facts ([`super::Caps`]) and may have a
/// native driver (`session/<kind>.rs`); kinds without one behave as `Distribution`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// Any OCI Distribution registry (CNCF distribution, Zot, Quay, ...).
    Distribution,
    Harbor,
    /// Azure Container Registry.
    Acr,
    /// AWS Elastic Container Registry.
    Ecr,
    /// Google Artifact Registry.
    Gar,
    #[serde(rename = "dockerhub")]
    DockerHub,
    Ghcr,
    /// A directory tree of OCI image layouts (`oci:PATH`), offline.
    Layout,
}

impl Kind {
    pub const ALL: [Kind; 8] = [
        Kind::Distribution,
        Kind::Harbor,
        Kind::Acr,
        Kind::Ecr,
        Kind::Gar,
        Kind::DockerHub,
        Kind::Ghcr,
        Kind::Layout,
    ];

    /// The word used in the config file and in `--verbose` output.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Distribution => "distribution",
            Kind::Harbor => "harbor",
            Kind::Acr => "acr",
            Kind::Ecr => "ecr",
            Kind::Gar => "gar",
            Kind::DockerHub => "dockerhub",
            Kind::Ghcr => "ghcr",
            Kind::Layout => "layout",
        }
    }

    /// A few letters for narrow places (the TUI tree): the config word, shortened where
    /// it is long.
    pub fn short(self) -> &'static str {
        match self {
            Kind::Distribution => "oci",
            Kind::DockerHub => "hub",
            Kind::Layout => "dir",
            k => k.as_str(),
        }
    }

    /// The product's own name, for sentences shown to people.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Distribution => "OCI registry",
            Kind::Harbor => "Harbor",
            Kind::Acr => "ACR",
            Kind::Ecr => "ECR",
            Kind::Gar => "Artifact Registry",
            Kind::DockerHub => "Docker Hub",
            Kind::Ghcr => "GHCR",
            Kind::Layout => "OCI layout",
        }
    }

    pub fn parse(s: &str) -> Result<Kind, String> {
        Kind::ALL
            .into_iter()
            .find(|k| k.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| {
                format!(
                    "unknown registry kind {s:?}: use distribution, harbor, acr, ecr, gar, dockerhub or ghcr"
                )
            })
    }

    /// The kind the address alone settles, without asking the registry; `None` when only
    /// a probe can tell (any other host).
    pub fn from_address(target: &Target) -> Option<Kind> {
        let host = match target {
            Target::Ecr { .. } => return Some(Kind::Ecr),
            Target::Layout { .. } => return Some(Kind::Layout),
            Target::Distribution { host, .. } => host,
        };
        let name = host_name(host).to_ascii_lowercase();
        if name.ends_with(".azurecr.io")
            || name.ends_with(".azurecr.cn")
            || name.ends_with(".azurecr.us")
        {
            Some(Kind::Acr)
        } else if name.ends_with("-docker.pkg.dev") {
            Some(Kind::Gar)
        } else if matches!(
            name.as_str(),
            "docker.io" | "index.docker.io" | "registry-1.docker.io"
        ) {
            Some(Kind::DockerHub)
        } else if name == "ghcr.io" {
            Some(Kind::Ghcr)
        } else {
            None
        }
    }

    /// Whether a `[[registry]]` entry may say this kind for `target`: ECR needs an ECR
    /// address, a layout an `oci:` path, and the HTTP kinds a host.
    pub fn fits(self, target: &Target) -> Result<(), String> {
        let ok = match target {
            Target::Ecr { .. } => self == Kind::Ecr,
            Target::Layout { .. } => self == Kind::Layout,
            Target::Distribution { .. } => !matches!(self, Kind::Ecr | Kind::Layout),
        };
        if ok {
            return Ok(());
        }
        Err(match self {
            Kind::Ecr => {
                "kind \"ecr\" needs an ecr://REGION or ACCOUNT.dkr.ecr.REGION.amazonaws.com address"
                    .into()
            }
            Kind::Layout => "kind \"layout\" needs an oci:PATH address".into(),
            k => format!(
                "kind {:?} needs a HOST[:PORT] address, not {}",
                k.as_str(),
                target.display_name()
            ),
        })
    }
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `host` without its port (`[::1]:5000` -> `::1`).
fn host_name(host: &str) -> &str {
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

    fn kind_of(address: &str) -> Option<Kind> {
        Kind::from_address(&Target::parse(address).unwrap())
    }

    #[test]
    fn the_address_settles_the_well_known_kinds() {
        assert_eq!(kind_of("myreg.azurecr.io"), Some(Kind::Acr));
        assert_eq!(kind_of("MyReg.AzureCR.io/team"), Some(Kind::Acr));
        assert_eq!(kind_of("ecr://eu-west-1"), Some(Kind::Ecr));
        assert_eq!(
            kind_of("123456789012.dkr.ecr.eu-west-1.amazonaws.com"),
            Some(Kind::Ecr)
        );
        assert_eq!(kind_of("europe-west1-docker.pkg.dev/p/r"), Some(Kind::Gar));
        assert_eq!(kind_of("docker.io/library"), Some(Kind::DockerHub));
        assert_eq!(kind_of("registry-1.docker.io"), Some(Kind::DockerHub));
        assert_eq!(kind_of("ghcr.io/org"), Some(Kind::Ghcr));
        assert_eq!(kind_of("oci:./x"), Some(Kind::Layout));
        // Only a probe can tell these.
        assert_eq!(kind_of("harbor.example.com"), None);
        assert_eq!(kind_of("127.0.0.1:5000"), None);
        assert_eq!(kind_of("azurecr.io.evil.example"), None);
        assert_eq!(kind_of("notghcr.io"), None);
    }

    #[test]
    fn config_words_round_trip_and_bad_words_are_named() {
        for k in Kind::ALL {
            assert_eq!(Kind::parse(k.as_str()), Ok(k));
            let json = serde_json::to_string(&k).unwrap();
            assert_eq!(json, format!("\"{}\"", k.as_str()));
        }
        let e = Kind::parse("quay").unwrap_err();
        assert!(e.contains("quay") && e.contains("harbor"), "{e}");
    }

    #[test]
    fn a_kind_must_fit_the_address_form() {
        let host = Target::parse("reg.example.com").unwrap();
        let ecr = Target::parse("ecr://eu-west-1").unwrap();
        assert!(Kind::Harbor.fits(&host).is_ok());
        assert!(Kind::Ecr.fits(&host).unwrap_err().contains("ecr://"));
        assert!(Kind::Harbor.fits(&ecr).is_err());
        assert!(Kind::Ecr.fits(&ecr).is_ok());
    }
}
