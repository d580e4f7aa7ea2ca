//! Docker Hub: its API (`hub.docker.com`) for what a listing needs (repositories, tags,
//! per-platform digests and sizes, last pushed and last pulled) without a manifest GET,
//! since every manifest GET counts against the pull rate limit; the OCI API
//! (`registry-1.docker.io`) only when the user opens an image, and one HEAD (not counted)
//! for the remaining pull allowance. The address is `docker.io/NAMESPACE[/REPOSITORY]`.

pub mod api;

pub use api::{HubApi, HubImage, HubLogin, HubRepository, HubTag};

use crate::config::RegistrySettings;
use crate::registry::credentials::{self, Credential};
use crate::registry::distribution::{ClientOptions, DistributionClient};
use crate::registry::error::{Place, RegistryError};
use crate::registry::transport::{Transport, TransportOptions};
use std::sync::Arc;

/// What a Docker Hub address names: a namespace (a user or an organization), maybe one
/// repository of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HubAddress {
    /// The registry host (`docker.io`, or a test registry).
    pub host: String,
    pub namespace: String,
    pub repository: Option<String>,
}

impl HubAddress {
    /// Reads `HOST/NAMESPACE[/REPOSITORY]`; without a namespace, the Docker ID the user
    /// logged in with. The error says what to write.
    pub fn parse(host: &str, prefix: Option<&str>, user: Option<&str>) -> Result<Self, String> {
        let mut parts = prefix.unwrap_or("").split('/').filter(|p| !p.is_empty());
        let namespace = parts
            .next()
            .map(str::to_string)
            .or_else(|| user.map(str::to_string))
            .ok_or_else(|| {
                format!("{host}: which Docker Hub namespace? write {host}/NAMESPACE[/REPOSITORY], or log in (regscope login {host}) to list your own")
            })?;
        let rest: Vec<&str> = parts.collect();
        if rest.len() > 1 {
            return Err(format!(
                "{host}/{}: Docker Hub repositories are NAMESPACE/REPOSITORY, one level deep",
                prefix.unwrap_or("")
            ));
        }
        Ok(HubAddress {
            host: host.to_string(),
            namespace,
            repository: rest.first().map(|s| s.to_string()),
        })
    }
}

/// What tests and callers may inject instead of the environment.
#[derive(Clone, Debug, Default)]
pub struct HubConnectOptions {
    /// The API root instead of `REGSCOPE_DOCKERHUB_API`/Docker's.
    pub api_base: Option<String>,
    /// Docker's config directory instead of `DOCKER_CONFIG`/`~/.docker`.
    pub docker_config_dir: Option<std::path::PathBuf>,
    pub transport: Option<TransportOptions>,
}

/// The Hub API client and the OCI client of one Docker Hub namespace.
#[derive(Debug)]
pub struct HubClient {
    pub address: HubAddress,
    pub api: HubApi,
    pub oci: Arc<DistributionClient>,
}

impl HubClient {
    /// Finds the user's docker credentials for the host and builds both clients. The
    /// token exchange happens on the first API call.
    pub async fn connect(
        host: &str,
        prefix: Option<&str>,
        settings: &RegistrySettings,
        opts: HubConnectOptions,
    ) -> Result<HubClient, RegistryError> {
        let place = Place {
            registry: host.to_string(),
            ..Place::default()
        };
        let found = credentials::lookup(host, opts.docker_config_dir.clone()).await;
        if let Some(w) = &found.warning {
            credentials::report_warning(w);
        }
        let (login, user) = match &found.credential {
            Credential::Basic { username, password } => (
                HubLogin::Credentials {
                    username: username.clone(),
                    secret: password.clone(),
                },
                Some(username.clone()),
            ),
            // An identity token is Docker Desktop's OAuth refresh token, which the Hub API
            // does not take; public content is still listed.
            _ => (HubLogin::Anonymous, None),
        };
        let address = HubAddress::parse(host, prefix, user.as_deref()).map_err(|why| {
            RegistryError::Refused {
                place: place.clone(),
                why,
            }
        })?;
        let topts = opts
            .transport
            .clone()
            .unwrap_or_else(|| TransportOptions::from_settings(settings));
        let transport = Transport::new(host, settings, topts.clone())?;
        let base = opts.api_base.unwrap_or_else(HubApi::base_from_env);
        let api = HubApi::new(&base, transport, login, host);
        let oci = DistributionClient::with_options(
            host,
            settings,
            ClientOptions {
                docker_config_dir: opts.docker_config_dir,
                credential: Some(found.credential),
                transport: Some(topts),
            },
        )?;
        Ok(HubClient {
            address,
            api,
            oci: Arc::new(oci),
        })
    }

    /// The repositories the address covers (`NAMESPACE/NAME`).
    pub async fn repositories(&self) -> Result<Vec<String>, RegistryError> {
        let ns = &self.address.namespace;
        match &self.address.repository {
            Some(r) => Ok(vec![format!("{ns}/{r}")]),
            None => {
                let mut names: Vec<String> = self
                    .api
                    .repositories(ns)
                    .await?
                    .into_iter()
                    .map(|r| format!("{ns}/{}", r.name))
                    .collect();
                names.sort();
                names.dedup();
                Ok(names)
            }
        }
    }

    /// The namespace's repositories as the Hub API lists them (`is_private` and the rest);
    /// anonymous callers see public ones only.
    pub async fn repository_rows(&self) -> Result<Vec<HubRepository>, RegistryError> {
        self.api.repositories(&self.address.namespace).await
    }

    /// The tags of `repository` (`NAMESPACE/NAME`).
    pub async fn tags(&self, repository: &str) -> Result<Vec<HubTag>, RegistryError> {
        let (ns, name) = repository
            .split_once('/')
            .unwrap_or((&self.address.namespace, repository));
        self.api.tags(ns, name).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_namespace_comes_from_the_address_else_the_login() {
        let a = HubAddress::parse("docker.io", Some("acme/app"), Some("bob")).unwrap();
        assert_eq!(
            (a.namespace.as_str(), a.repository.as_deref()),
            ("acme", Some("app"))
        );
        let a = HubAddress::parse("docker.io", None, Some("bob")).unwrap();
        assert_eq!((a.namespace.as_str(), a.repository), ("bob", None));
        let e = HubAddress::parse("docker.io", None, None).unwrap_err();
        assert!(e.contains("NAMESPACE"), "{e}");
        assert!(HubAddress::parse("docker.io", Some("a/b/c"), None).is_err());
    }
}
