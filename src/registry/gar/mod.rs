//! Google Artifact Registry: its REST API for what the OCI API does not say (upload, update
//! and build times, untagged images, cleanup policies and their dry run, immutable tags,
//! scanning settings), Google credentials, and the registry address
//! `LOCATION-docker.pkg.dev/PROJECT/REPOSITORY/IMAGE`. Manifests and blobs still come
//! through the OCI API, with the same access token as `oauth2accesstoken`'s password.

pub mod api;
pub mod google_auth;
pub mod policy;
pub mod service_account;

pub use api::{DockerImage, GarApi, Repository};
pub use google_auth::{GoogleAuth, GoogleCredentialSource};
pub use policy::{own_cleanup, OwnCleanup};

use crate::config::RegistrySettings;
use crate::registry::credentials::Credential;
use crate::registry::distribution::{ClientOptions, DistributionClient};
use crate::registry::error::{Place, RegistryError};
use crate::registry::transport::{Transport, TransportOptions};
use std::sync::Arc;

/// The user name Artifact Registry expects with an access token as password.
pub const TOKEN_USER: &str = "oauth2accesstoken";

/// What a GAR address names: always a project in a location; maybe one repository, and
/// maybe an image path prefix inside it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GarAddress {
    /// The registry host (`us-docker.pkg.dev`, or a test registry).
    pub host: String,
    pub location: String,
    pub project: String,
    pub repository: Option<String>,
    /// An image path prefix inside the repository (`team` of `.../REPO/team/app`).
    pub image_prefix: Option<String>,
}

/// `us-docker.pkg.dev` -> `us`; `europe-west1-docker.pkg.dev` -> `europe-west1`.
pub fn location_of_host(host: &str) -> Option<String> {
    let h = host.split(':').next().unwrap_or(host).to_ascii_lowercase();
    h.strip_suffix("-docker.pkg.dev")
        .filter(|l| !l.is_empty() && !l.contains('.'))
        .map(str::to_string)
}

impl GarAddress {
    /// Reads `HOST[/PROJECT[/REPOSITORY[/IMAGE...]]]`; the config's `project` and
    /// `location` fill what the address leaves out. The error says what is missing.
    pub fn parse(
        host: &str,
        prefix: Option<&str>,
        settings: &RegistrySettings,
    ) -> Result<GarAddress, String> {
        let location = location_of_host(host)
            .or_else(|| settings.location.clone().filter(|l| !l.is_empty()))
            .ok_or_else(|| {
                format!(
                    "{host}: the Artifact Registry location is unknown; use a LOCATION-docker.pkg.dev address or set `location` in the [[registry]] entry"
                )
            })?;
        let mut parts = prefix
            .unwrap_or("")
            .split('/')
            .filter(|p| !p.is_empty())
            .map(str::to_string);
        let project = parts
            .next()
            .or_else(|| settings.project.clone().filter(|p| !p.is_empty()))
            .ok_or_else(|| {
                format!(
                    "{host}: the Google Cloud project is unknown; write {host}/PROJECT[/REPOSITORY] or set `project` in the [[registry]] entry"
                )
            })?;
        let repository = parts.next();
        let rest: Vec<String> = parts.collect();
        Ok(GarAddress {
            host: host.to_string(),
            location,
            project,
            repository,
            image_prefix: (!rest.is_empty()).then(|| rest.join("/")),
        })
    }

    /// The OCI repository path of an image: `PROJECT/REPOSITORY/IMAGE`.
    pub fn oci_repository(&self, repository: &str, image: &str) -> String {
        format!("{}/{repository}/{image}", self.project)
    }
}

/// The API client and the OCI client of one Artifact Registry, sharing one Google token.
#[derive(Debug)]
pub struct GarClient {
    pub address: GarAddress,
    pub api: GarApi,
    pub oci: Arc<DistributionClient>,
}

/// What tests and callers may inject instead of the environment.
#[derive(Clone, Debug, Default)]
pub struct GarConnectOptions {
    /// The API root instead of `CLOUDSDK_API_ENDPOINT_OVERRIDES_ARTIFACTREGISTRY`/Google's.
    pub api_base: Option<String>,
    /// A Google credentials file instead of `GOOGLE_APPLICATION_CREDENTIALS`/gcloud/metadata.
    pub key_file: Option<std::path::PathBuf>,
    pub transport: Option<TransportOptions>,
}

impl GarClient {
    /// Finds credentials, grants a token (so a credential problem is said once, up
    /// front) and builds both clients.
    pub async fn connect(
        host: &str,
        prefix: Option<&str>,
        settings: &RegistrySettings,
        opts: GarConnectOptions,
    ) -> Result<GarClient, RegistryError> {
        let place = Place {
            registry: host.to_string(),
            ..Place::default()
        };
        let address =
            GarAddress::parse(host, prefix, settings).map_err(|why| RegistryError::Refused {
                place: place.clone(),
                why,
            })?;
        let topts = opts
            .transport
            .clone()
            .unwrap_or_else(|| TransportOptions::from_settings(settings));
        let transport = Transport::new(host, settings, topts.clone())?;
        let auth = match &opts.key_file {
            Some(path) => {
                let key =
                    service_account::KeyFile::read(path).map_err(|why| RegistryError::Refused {
                        place: place.clone(),
                        why,
                    })?;
                GoogleAuth::from_key_file(key, transport.clone())
            }
            None => GoogleAuth::discover(transport.clone(), &place)?,
        };
        let auth = Arc::new(auth);
        let token = auth.token(&place).await?;
        let base = opts.api_base.unwrap_or_else(GarApi::base_from_env);
        let api = GarApi::new(&base, transport, auth, host);
        let oci = DistributionClient::with_options(
            host,
            settings,
            ClientOptions {
                credential: Some(Credential::Basic {
                    username: TOKEN_USER.into(),
                    password: token,
                }),
                transport: Some(topts),
                ..ClientOptions::default()
            },
        )?;
        Ok(GarClient {
            address,
            api,
            oci: Arc::new(oci),
        })
    }

    /// Requests and bytes of the API calls (the OCI client counts its own).
    pub fn api_stats(&self) -> crate::registry::TrafficStats {
        self.api.stats()
    }

    /// The repositories the address covers: the one it names, or every Docker repository
    /// of the project in the location.
    pub async fn repositories(&self) -> Result<Vec<Repository>, RegistryError> {
        let a = &self.address;
        match &a.repository {
            Some(r) => Ok(vec![self.api.repository(&a.project, &a.location, r).await?]),
            None => Ok(self
                .api
                .repositories(&a.project, &a.location)
                .await?
                .into_iter()
                .filter(|r| r.format.as_deref().is_none_or(|f| f == "DOCKER"))
                .collect()),
        }
    }
}

impl GarClient {
    /// Each covered repository's own cleanup policies and dry-run switch. A policy the
    /// registry accepted but regscope cannot read is an error naming the repository.
    pub async fn repository_cleanups(
        &self,
    ) -> Result<Vec<crate::policy::gar_own::RepositoryCleanup>, RegistryError> {
        let mut out = Vec::new();
        for repo in self.repositories().await? {
            let path = format!("{}/{}", self.address.project, repo.id());
            let own = own_cleanup(&repo).map_err(|e| RegistryError::Malformed {
                place: Place {
                    registry: self.address.host.clone(),
                    repository: Some(path.clone()),
                    reference: None,
                },
                detail: format!("its cleanup policies cannot be read: {e}"),
            })?;
            out.push(crate::policy::gar_own::RepositoryCleanup {
                path,
                policy: own.policy,
                dry_run: own.dry_run,
            });
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_say_location_and_project_or_the_config_does() {
        let s = RegistrySettings::for_address("x");
        let a = GarAddress::parse(
            "europe-west1-docker.pkg.dev",
            Some("proj/repo/team/app"),
            &s,
        )
        .unwrap();
        assert_eq!(a.location, "europe-west1");
        assert_eq!(a.project, "proj");
        assert_eq!(a.repository.as_deref(), Some("repo"));
        assert_eq!(a.image_prefix.as_deref(), Some("team/app"));
        assert_eq!(a.oci_repository("repo", "team/app"), "proj/repo/team/app");

        let e = GarAddress::parse("127.0.0.1:5000", Some("proj"), &s).unwrap_err();
        assert!(e.contains("location"), "{e}");
        let e = GarAddress::parse("us-docker.pkg.dev", None, &s).unwrap_err();
        assert!(e.contains("project"), "{e}");

        let mut s = RegistrySettings::for_address("127.0.0.1:5000");
        s.location = Some("us".into());
        s.project = Some("p".into());
        let a = GarAddress::parse("127.0.0.1:5000", None, &s).unwrap();
        assert_eq!((a.location.as_str(), a.project.as_str()), ("us", "p"));
        assert_eq!(a.repository, None);
        assert_eq!(
            location_of_host("us-docker.pkg.dev:443").as_deref(),
            Some("us")
        );
        assert_eq!(location_of_host("gcr.io"), None);
    }
}
