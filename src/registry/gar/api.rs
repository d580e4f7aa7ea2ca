//! The Artifact Registry REST API (`artifactregistry.googleapis.com/v1`, per its discovery
//! document): `repositories.get` / `repositories.list` and `dockerImages.list`, paged by
//! `pageToken`, with a Google access token as Bearer. A 401 (the token expired or was
//! revoked) drops the token and the call is made once more with a fresh one.

use super::google_auth::GoogleAuth;
use crate::registry::cloud_api::{api_error, parse, send};
use crate::registry::error::{Place, RegistryError};
use crate::registry::transport::Transport;
use reqwest::header::HeaderValue;
use reqwest::Method;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::Arc;

pub const DEFAULT_API_BASE: &str = "https://artifactregistry.googleapis.com";
/// gcloud's own endpoint override for this API.
pub const ENDPOINT_OVERRIDE_VAR: &str = "CLOUDSDK_API_ENDPOINT_OVERRIDES_ARTIFACTREGISTRY";
/// The API's largest page of repositories; images pages are asked for at the same size.
const PAGE_SIZE: u32 = 1000;

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Repository {
    /// `projects/P/locations/L/repositories/R`
    pub name: String,
    #[serde(default)]
    pub format: Option<String>,
    #[serde(default)]
    pub mode: Option<String>,
    /// Policy id -> policy, in the API's form (`action: DELETE|KEEP`, durations in seconds).
    #[serde(default)]
    pub cleanup_policies: BTreeMap<String, serde_json::Value>,
    /// When true the cleanup job runs but deletes nothing.
    #[serde(default)]
    pub cleanup_policy_dry_run: bool,
    #[serde(default)]
    pub docker_config: Option<DockerRepositoryConfig>,
    #[serde(default)]
    pub vulnerability_scanning_config: Option<VulnerabilityScanningConfig>,
    /// int64 as a JSON string.
    #[serde(default)]
    pub size_bytes: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DockerRepositoryConfig {
    #[serde(default)]
    pub immutable_tags: bool,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VulnerabilityScanningConfig {
    /// `INHERITED` or `DISABLED`.
    #[serde(default)]
    pub enablement_config: Option<String>,
    /// `SCANNING_UNSUPPORTED`, `SCANNING_DISABLED` or `SCANNING_ACTIVE`.
    #[serde(default)]
    pub enablement_state: Option<String>,
    #[serde(default)]
    pub enablement_state_reason: Option<String>,
    #[serde(default)]
    pub last_enable_time: Option<String>,
}

impl Repository {
    /// The repository id (last component of `name`).
    pub fn id(&self) -> &str {
        self.name.rsplit('/').next().unwrap_or(&self.name)
    }
    pub fn immutable_tags(&self) -> bool {
        self.docker_config
            .as_ref()
            .is_some_and(|d| d.immutable_tags)
    }
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DockerImage {
    /// `projects/P/locations/L/repositories/R/dockerImages/IMAGE@sha256:...`, `/` in IMAGE as `%2F`.
    pub name: String,
    #[serde(default)]
    pub uri: String,
    /// Absent when the image has no tag.
    #[serde(default)]
    pub tags: Vec<String>,
    /// int64 as a JSON string.
    #[serde(default)]
    pub image_size_bytes: Option<String>,
    #[serde(default)]
    pub upload_time: Option<String>,
    #[serde(default)]
    pub media_type: Option<String>,
    /// The image config's date, not the push time.
    #[serde(default)]
    pub build_time: Option<String>,
    #[serde(default)]
    pub update_time: Option<String>,
}

impl DockerImage {
    /// The image path inside the repository (`team/app`) and the digest, from `name`.
    pub fn package_and_digest(&self) -> Option<(String, String)> {
        let (_, tail) = self.name.split_once("/dockerImages/")?;
        let (pkg, digest) = tail.rsplit_once('@')?;
        let pkg = percent_decode(pkg);
        (!pkg.is_empty() && digest.starts_with("sha256:")).then(|| (pkg, digest.to_string()))
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RepositoriesPage {
    #[serde(default)]
    repositories: Vec<Repository>,
    #[serde(default)]
    next_page_token: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ImagesPage {
    #[serde(default)]
    docker_images: Vec<DockerImage>,
    #[serde(default)]
    next_page_token: Option<String>,
}

/// A client of the API for one registry.
#[derive(Debug)]
pub struct GarApi {
    base: String,
    transport: Transport,
    auth: Arc<GoogleAuth>,
    registry: String,
}

impl GarApi {
    /// `base` is the API root (`https://artifactregistry.googleapis.com`); `registry` the
    /// name errors are reported under.
    pub fn new(base: &str, transport: Transport, auth: Arc<GoogleAuth>, registry: &str) -> Self {
        let mut base = base.trim_end_matches('/').to_string();
        // gcloud overrides may carry the version; the method paths add it again.
        if let Some(b) = base.strip_suffix("/v1") {
            base = b.to_string();
        }
        GarApi {
            base,
            transport,
            auth,
            registry: registry.to_string(),
        }
    }

    /// The API root from gcloud's override variable, else Google's.
    pub fn base_from_env() -> String {
        std::env::var(ENDPOINT_OVERRIDE_VAR)
            .ok()
            .filter(|v| !v.trim().is_empty())
            .unwrap_or_else(|| DEFAULT_API_BASE.to_string())
    }

    pub fn stats(&self) -> crate::registry::TrafficStats {
        self.transport.stats()
    }

    pub fn auth(&self) -> &Arc<GoogleAuth> {
        &self.auth
    }

    fn place(&self, repository: Option<&str>) -> Place {
        Place {
            registry: self.registry.clone(),
            repository: repository.map(str::to_string),
            reference: None,
        }
    }

    /// GET `v1/{path}`, with one fresh-token retry on 401.
    async fn get<T: serde::de::DeserializeOwned>(
        &self,
        path_and_query: &str,
        what: &str,
        place: &Place,
    ) -> Result<T, RegistryError> {
        let url = format!("{}/v1/{path_and_query}", self.base);
        for attempt in 0..2 {
            let token = self.auth.token(place).await?;
            let header = HeaderValue::from_str(&format!("Bearer {token}")).map_err(|_| {
                RegistryError::Malformed {
                    place: place.clone(),
                    detail: "the access token is not a valid header value".into(),
                }
            })?;
            let reply = send(&self.transport, Method::GET, &url, Some(&header), place).await?;
            if reply.status == 401 && attempt == 0 {
                self.auth.refused(&token);
                continue;
            }
            if !reply.is_success() {
                return Err(api_error(&reply, place));
            }
            return parse(&reply, what, place);
        }
        unreachable!("the loop returns on its second attempt")
    }

    /// `repositories.get`
    pub async fn repository(
        &self,
        project: &str,
        location: &str,
        repository: &str,
    ) -> Result<Repository, RegistryError> {
        let name = format!("projects/{project}/locations/{location}/repositories/{repository}");
        let place = self.place(Some(&format!("{project}/{repository}")));
        self.get(&name, "repositories.get answer", &place).await
    }

    /// `repositories.list`, every page.
    pub async fn repositories(
        &self,
        project: &str,
        location: &str,
    ) -> Result<Vec<Repository>, RegistryError> {
        let parent = format!("projects/{project}/locations/{location}");
        let place = self.place(Some(project));
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let q = page_query(token.as_deref());
            let page: RepositoriesPage = self
                .get(
                    &format!("{parent}/repositories?{q}"),
                    "repositories.list answer",
                    &place,
                )
                .await?;
            out.extend(page.repositories);
            match page.next_page_token.filter(|t| !t.is_empty()) {
                Some(t) if Some(&t) != token.as_ref() => token = Some(t),
                _ => return Ok(out),
            }
        }
    }

    /// `dockerImages.list`, every page: tagged and untagged images alike.
    pub async fn docker_images(
        &self,
        project: &str,
        location: &str,
        repository: &str,
    ) -> Result<Vec<DockerImage>, RegistryError> {
        let parent = format!("projects/{project}/locations/{location}/repositories/{repository}");
        let place = self.place(Some(&format!("{project}/{repository}")));
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let q = page_query(token.as_deref());
            let page: ImagesPage = self
                .get(
                    &format!("{parent}/dockerImages?{q}"),
                    "dockerImages.list answer",
                    &place,
                )
                .await?;
            out.extend(page.docker_images);
            match page.next_page_token.filter(|t| !t.is_empty()) {
                Some(t) if Some(&t) != token.as_ref() => token = Some(t),
                _ => return Ok(out),
            }
        }
    }
}

fn page_query(token: Option<&str>) -> String {
    let mut q = url::form_urlencoded::Serializer::new(String::new());
    q.append_pair("pageSize", &PAGE_SIZE.to_string());
    if let Some(t) = token {
        q.append_pair("pageToken", t);
    }
    q.finish()
}

fn percent_decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("x={}", s.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_names_carry_the_package_with_escaped_slashes() {
        let img: DockerImage = serde_json::from_str(
            r#"{"name":"projects/p/locations/us/repositories/r/dockerImages/team%2Fapp@sha256:abc","uri":"us-docker.pkg.dev/p/r/team/app@sha256:abc","imageSizeBytes":"123","uploadTime":"2026-01-02T03:04:05.123456789Z"}"#,
        )
        .unwrap();
        assert_eq!(
            img.package_and_digest(),
            Some(("team/app".into(), "sha256:abc".into()))
        );
        assert!(img.tags.is_empty(), "tags are absent when empty");
        assert_eq!(img.image_size_bytes.as_deref(), Some("123"));
    }

    #[test]
    fn repository_settings_read_as_the_discovery_document_names_them() {
        let r: Repository = serde_json::from_str(
            r#"{"name":"projects/p/locations/us/repositories/r","format":"DOCKER","cleanupPolicyDryRun":true,
               "cleanupPolicies":{"old":{"id":"old","action":"DELETE","condition":{"olderThan":"2592000s"}}},
               "dockerConfig":{"immutableTags":true},
               "vulnerabilityScanningConfig":{"enablementConfig":"INHERITED","enablementState":"SCANNING_ACTIVE"}}"#,
        )
        .unwrap();
        assert_eq!(r.id(), "r");
        assert!(r.cleanup_policy_dry_run && r.immutable_tags());
        assert_eq!(r.cleanup_policies.len(), 1);
        assert_eq!(
            r.vulnerability_scanning_config
                .unwrap()
                .enablement_state
                .as_deref(),
            Some("SCANNING_ACTIVE")
        );
    }
}
