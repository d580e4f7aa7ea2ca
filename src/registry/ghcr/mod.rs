//! The GitHub Container Registry: GitHub's packages API for what the OCI API does not say
//! (every version, untagged ones too, with created and updated times) and for deletion,
//! which GHCR refuses through OCI; manifests and blobs through the OCI API. The address is
//! `ghcr.io/OWNER[/PACKAGE]`, OWNER an organization or a user. The token is `GITHUB_TOKEN`,
//! else `GH_TOKEN`, else the password of the user's docker credentials for the host.

pub mod api;

pub use api::{GhcrApi, Owner, Package, PackageVersion};

use crate::config::RegistrySettings;
use crate::registry::credentials::{self, Credential};
use crate::registry::distribution::{ClientOptions, DistributionClient};
use crate::registry::error::{Place, RegistryError};
use crate::registry::transport::{Transport, TransportOptions};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::Mutex;

/// What a GHCR address names: an owner, maybe a package (or a path prefix of packages).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GhcrAddress {
    pub host: String,
    /// `None` for a bare host (a plan's registry): deletion takes the owner from each
    /// repository's first segment; listing needs one.
    pub owner: Option<String>,
    /// `team/app` of `ghcr.io/acme/team/app`.
    pub package_prefix: Option<String>,
}

impl GhcrAddress {
    pub fn parse(host: &str, prefix: Option<&str>) -> Self {
        let mut parts = prefix.unwrap_or("").split('/').filter(|p| !p.is_empty());
        let owner = parts.next().map(str::to_string);
        let rest: Vec<&str> = parts.collect();
        GhcrAddress {
            host: host.to_string(),
            owner,
            package_prefix: (!rest.is_empty()).then(|| rest.join("/")),
        }
    }

    /// The owner the address names, or an error saying how to name one.
    pub fn owner(&self) -> Result<&str, String> {
        self.owner.as_deref().ok_or_else(|| {
            format!(
                "{0}: which owner? write {0}/OWNER[/PACKAGE] (an organization or a user)",
                self.host
            )
        })
    }
}

/// `OWNER/PACKAGE` -> (`OWNER`, `PACKAGE`); the package may hold `/`.
pub fn split_repository(repository: &str) -> Option<(&str, &str)> {
    repository
        .split_once('/')
        .filter(|(o, p)| !o.is_empty() && !p.is_empty())
}

/// What tests and callers may inject instead of the environment.
#[derive(Clone, Debug, Default)]
pub struct GhcrConnectOptions {
    /// The API root instead of `GITHUB_API_URL`/GitHub's.
    pub api_base: Option<String>,
    /// A token instead of `GITHUB_TOKEN`/`GH_TOKEN`/docker credentials.
    pub token: Option<String>,
    pub docker_config_dir: Option<std::path::PathBuf>,
    pub transport: Option<TransportOptions>,
}

/// The API client and the OCI client of one GHCR owner.
#[derive(Debug)]
pub struct GhcrClient {
    pub address: GhcrAddress,
    pub api: GhcrApi,
    pub oci: Arc<DistributionClient>,
    /// Organization or user, per owner, as learnt.
    owners: Mutex<HashMap<String, Owner>>,
}

fn env_token() -> Option<String> {
    ["GITHUB_TOKEN", "GH_TOKEN"]
        .iter()
        .find_map(|k| std::env::var(k).ok().filter(|v| !v.trim().is_empty()))
        .map(|v| v.trim().to_string())
}

impl GhcrClient {
    pub async fn connect(
        host: &str,
        prefix: Option<&str>,
        settings: &RegistrySettings,
        opts: GhcrConnectOptions,
    ) -> Result<GhcrClient, RegistryError> {
        let address = GhcrAddress::parse(host, prefix);
        let found = credentials::lookup(host, opts.docker_config_dir.clone()).await;
        if let Some(w) = &found.warning {
            credentials::report_warning(w);
        }
        let docker_password = match &found.credential {
            Credential::Basic { password, .. } => Some(password.clone()),
            _ => None,
        };
        let token = opts.token.clone().or_else(env_token).or(docker_password);
        // The registry takes the same token as a password, whatever the user name.
        let oci_credential = match (&found.credential, &token) {
            (Credential::Anonymous, Some(t)) => Credential::Basic {
                username: address.owner.clone().unwrap_or_else(|| "regscope".into()),
                password: t.clone(),
            },
            (c, _) => c.clone(),
        };
        let topts = opts
            .transport
            .clone()
            .unwrap_or_else(|| TransportOptions::from_settings(settings));
        let transport = Transport::new(host, settings, topts.clone())?;
        let base = opts.api_base.unwrap_or_else(GhcrApi::base_from_env);
        let api = GhcrApi::new(&base, transport, token, host);
        let oci = DistributionClient::with_options(
            host,
            settings,
            ClientOptions {
                docker_config_dir: opts.docker_config_dir,
                credential: Some(oci_credential),
                transport: Some(topts),
            },
        )?;
        Ok(GhcrClient {
            address,
            api,
            oci: Arc::new(oci),
            owners: Mutex::new(HashMap::new()),
        })
    }

    fn place(&self, repository: Option<&str>) -> Place {
        Place {
            registry: self.address.host.clone(),
            repository: repository.map(str::to_string),
            reference: None,
        }
    }

    /// The address's owner, or the error saying how to name one.
    pub fn address_owner(&self) -> Result<&str, RegistryError> {
        self.address.owner().map_err(|why| RegistryError::Refused {
            place: self.place(None),
            why,
        })
    }

    /// Whether `name` is an organization or a user: `/orgs/NAME/packages` answers 404
    /// for a user.
    pub async fn owner_kind(&self, name: &str) -> Result<Owner, RegistryError> {
        if let Some(k) = self
            .owners
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(name)
        {
            return Ok(*k);
        }
        let kind = match self.api.packages(Owner::Org, name).await {
            Ok(_) => Owner::Org,
            Err(RegistryError::NotFound { .. }) => Owner::User,
            Err(e) => return Err(e),
        };
        self.owners
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(name.to_string(), kind);
        Ok(kind)
    }

    /// The container packages the address covers (names, `/` included).
    pub async fn packages(&self) -> Result<Vec<String>, RegistryError> {
        let name = self.address_owner()?;
        let kind = self.owner_kind(name).await?;
        let mut names: Vec<String> = self
            .api
            .packages(kind, name)
            .await?
            .into_iter()
            .map(|p| p.name)
            .filter(|n| match &self.address.package_prefix {
                Some(p) => n == p || n.starts_with(&format!("{p}/")),
                None => true,
            })
            .collect();
        names.sort();
        names.dedup();
        Ok(names)
    }

    /// The owner's container packages as GitHub lists them (`visibility` and the rest).
    pub async fn package_rows(&self) -> Result<Vec<Package>, RegistryError> {
        let name = self.address_owner()?;
        let kind = self.owner_kind(name).await?;
        self.api.packages(kind, name).await
    }

    /// The versions of the address owner's `package`.
    pub async fn versions(&self, package: &str) -> Result<Vec<PackageVersion>, RegistryError> {
        let name = self.address_owner()?;
        let kind = self.owner_kind(name).await?;
        self.api.versions(kind, name, package).await
    }

    /// The OCI repository of one of the address owner's packages: `OWNER/PACKAGE`.
    pub fn oci_repository(&self, package: &str) -> String {
        format!("{}/{package}", self.address.owner.as_deref().unwrap_or(""))
    }

    /// Deletes the version of `repository` (`OWNER/PACKAGE`) whose manifest is `digest`,
    /// looked up now (a version id is never taken from an older listing).
    pub async fn delete_digest(&self, repository: &str, digest: &str) -> Result<(), RegistryError> {
        let mut place = self.place(Some(repository));
        place.reference = Some(digest.to_string());
        let (name, package) =
            split_repository(repository).ok_or_else(|| RegistryError::Refused {
                place: place.clone(),
                why: format!("{repository} is not OWNER/PACKAGE"),
            })?;
        let kind = self.owner_kind(name).await?;
        let versions = self.api.versions(kind, name, package).await?;
        let Some(v) = versions.iter().find(|v| v.name == digest) else {
            return Err(RegistryError::NotFound {
                place,
                code: Default::default(),
                detail: ": GitHub lists no version of the package with this digest".into(),
            });
        };
        self.api.delete_version(kind, name, package, v.id).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owner_and_package_are_read_from_the_address() {
        let a = GhcrAddress::parse("ghcr.io", Some("acme/team/app"));
        assert_eq!(a.owner(), Ok("acme"));
        assert_eq!(a.package_prefix.as_deref(), Some("team/app"));
        assert_eq!(
            split_repository("acme/team/app"),
            Some(("acme", "team/app"))
        );
        assert_eq!(split_repository("acme"), None);
        let bare = GhcrAddress::parse("ghcr.io", None);
        assert!(bare.owner().unwrap_err().contains("OWNER"));
    }
}
