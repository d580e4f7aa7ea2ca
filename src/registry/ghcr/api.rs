//! GitHub's REST packages API (per github/rest-api-description), for the GitHub Container
//! Registry: the container packages of an organization or a user, each package's versions
//! (a version's `name` is the manifest digest; `metadata.container.tags` its tags;
//! `created_at`, `updated_at`), paged by `Link` (at most 100 a page), and a version's
//! deletion, since GHCR refuses OCI manifest DELETE. `package_type=container` is always
//! sent; a `/` in a package name travels as `%2F`.

use crate::registry::cloud_api::{api_error, next_link, parse};
use crate::registry::error::{Place, RegistryError};
use crate::registry::transport::{Request, Transport, DOCUMENT_LIMIT};
use reqwest::header::{HeaderName, HeaderValue, ACCEPT, AUTHORIZATION};
use reqwest::Method;
use serde::Deserialize;

pub const DEFAULT_API_BASE: &str = "https://api.github.com";
/// The variable GitHub Actions sets (GitHub Enterprise Server's `/api/v3` too).
pub const API_BASE_VAR: &str = "GITHUB_API_URL";
pub const PAGE_SIZE: u32 = 100;
/// The REST API version the paths and fields were read from.
const API_VERSION: &str = "2022-11-28";
const MAX_PAGES: usize = 1000;

#[derive(Clone, Debug, Default, Deserialize)]
pub struct Package {
    pub id: u64,
    pub name: String,
    #[serde(default)]
    pub visibility: Option<String>,
    #[serde(default)]
    pub version_count: Option<u64>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct ContainerMetadata {
    #[serde(default)]
    pub tags: Vec<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct VersionMetadata {
    #[serde(default)]
    pub package_type: Option<String>,
    #[serde(default)]
    pub container: Option<ContainerMetadata>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct PackageVersion {
    pub id: u64,
    /// The manifest digest (`sha256:...`) for a container package.
    pub name: String,
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default)]
    pub updated_at: Option<String>,
    #[serde(default)]
    pub metadata: Option<VersionMetadata>,
}

impl PackageVersion {
    pub fn tags(&self) -> &[String] {
        self.metadata
            .as_ref()
            .and_then(|m| m.container.as_ref())
            .map(|c| c.tags.as_slice())
            .unwrap_or(&[])
    }
}

/// Whether the owner is an organization (`/orgs/`) or a user (`/users/`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Owner {
    Org,
    User,
}

impl Owner {
    fn segment(self) -> &'static str {
        match self {
            Owner::Org => "orgs",
            Owner::User => "users",
        }
    }
}

pub struct GhcrApi {
    base: String,
    transport: Transport,
    token: Option<String>,
    registry: String,
}

impl std::fmt::Debug for GhcrApi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GhcrApi")
            .field("base", &self.base)
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .finish_non_exhaustive()
    }
}

impl GhcrApi {
    pub fn new(base: &str, transport: Transport, token: Option<String>, registry: &str) -> Self {
        GhcrApi {
            base: base.trim_end_matches('/').to_string(),
            transport,
            token,
            registry: registry.to_string(),
        }
    }

    /// `GITHUB_API_URL`, else GitHub's.
    pub fn base_from_env() -> String {
        std::env::var(API_BASE_VAR)
            .ok()
            .filter(|v| !v.trim().is_empty())
            .unwrap_or_else(|| DEFAULT_API_BASE.to_string())
    }

    pub fn stats(&self) -> crate::registry::TrafficStats {
        self.transport.stats()
    }

    pub fn has_token(&self) -> bool {
        self.token.is_some()
    }

    fn place(&self, repository: Option<&str>) -> Place {
        Place {
            registry: self.registry.clone(),
            repository: repository.map(str::to_string),
            reference: None,
        }
    }

    fn request(&self, method: Method, url: &str, place: &Place) -> Result<Request, RegistryError> {
        let mut req = Request::new(method, url)
            .header(
                ACCEPT,
                HeaderValue::from_static("application/vnd.github+json"),
            )
            .header(
                HeaderName::from_static("x-github-api-version"),
                HeaderValue::from_static(API_VERSION),
            );
        if let Some(t) = &self.token {
            let v = HeaderValue::from_str(&format!("Bearer {t}")).map_err(|_| {
                RegistryError::Malformed {
                    place: place.clone(),
                    detail: "the GitHub token is not a valid header value".into(),
                }
            })?;
            req = req.header(AUTHORIZATION, v);
        }
        Ok(req)
    }

    /// Every page from `first`, following `Link: rel="next"` on the API's own origin only.
    async fn all_pages<T: serde::de::DeserializeOwned>(
        &self,
        first: String,
        what: &str,
        place: &Place,
    ) -> Result<Vec<T>, RegistryError> {
        let mut out = Vec::new();
        let mut url = first;
        for _ in 0..MAX_PAGES {
            let req = self.request(Method::GET, &url, place)?;
            let reply = self.transport.send(&req, DOCUMENT_LIMIT, place).await?;
            if !reply.is_success() {
                return Err(api_error(&reply, place));
            }
            let page: Vec<T> = parse(&reply, what, place)?;
            out.extend(page);
            match next_link(&reply) {
                Some(next) if next != url => {
                    if !same_origin(&next, &self.base) {
                        return Err(RegistryError::Malformed {
                            place: place.clone(),
                            detail: format!(
                                "{what}: the next page is on another host ({next}); not followed"
                            ),
                        });
                    }
                    url = next;
                }
                _ => return Ok(out),
            }
        }
        Err(RegistryError::Malformed {
            place: place.clone(),
            detail: format!("{what}: more than {MAX_PAGES} pages; the listing was stopped"),
        })
    }

    /// The container packages of `owner`, every page.
    pub async fn packages(&self, owner: Owner, name: &str) -> Result<Vec<Package>, RegistryError> {
        let url = format!(
            "{}/{}/{}/packages?package_type=container&per_page={PAGE_SIZE}",
            self.base,
            owner.segment(),
            segment(name)
        );
        self.all_pages(url, "GitHub's package list", &self.place(Some(name)))
            .await
    }

    fn versions_url(&self, owner: Owner, name: &str, package: &str) -> String {
        format!(
            "{}/{}/{}/packages/container/{}/versions",
            self.base,
            owner.segment(),
            segment(name),
            segment(package)
        )
    }

    /// The versions of one container package, every page.
    pub async fn versions(
        &self,
        owner: Owner,
        name: &str,
        package: &str,
    ) -> Result<Vec<PackageVersion>, RegistryError> {
        let url = format!(
            "{}?per_page={PAGE_SIZE}",
            self.versions_url(owner, name, package)
        );
        let place = self.place(Some(&format!("{name}/{package}")));
        self.all_pages(url, "GitHub's package version list", &place)
            .await
    }

    /// Deletes one package version (GitHub answers 204).
    pub async fn delete_version(
        &self,
        owner: Owner,
        name: &str,
        package: &str,
        id: u64,
    ) -> Result<(), RegistryError> {
        let url = format!("{}/{id}", self.versions_url(owner, name, package));
        let place = self.place(Some(&format!("{name}/{package}")));
        let req = self.request(Method::DELETE, &url, &place)?;
        let reply = self.transport.send(&req, DOCUMENT_LIMIT, &place).await?;
        if !reply.is_success() {
            return Err(api_error(&reply, &place));
        }
        Ok(())
    }
}

/// One path segment, `/` included as `%2F` (package names may hold `/`).
fn segment(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

fn same_origin(a: &str, b: &str) -> bool {
    match (url::Url::parse(a), url::Url::parse(b)) {
        (Ok(a), Ok(b)) => a.origin() == b.origin(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_version_is_a_digest_with_its_tags() {
        let v: Vec<PackageVersion> = serde_json::from_str(
            r#"[{"id":42,"name":"sha256:abc","url":"https://api.github.com/orgs/acme/packages/container/team%2Fapp/versions/42",
            "package_html_url":"https://github.com/orgs/acme/packages/container/package/team%2Fapp",
            "created_at":"2026-01-02T03:04:05Z","updated_at":"2026-01-03T03:04:05Z",
            "html_url":"https://github.com/orgs/acme/packages/container/team%2Fapp/42",
            "metadata":{"package_type":"container","container":{"tags":["v1","latest"]}}},
            {"id":43,"name":"sha256:def","created_at":"2026-01-02T03:04:05Z","updated_at":"2026-01-02T03:04:05Z",
            "metadata":{"package_type":"container","container":{"tags":[]}}}]"#,
        )
        .unwrap();
        assert_eq!(v[0].tags(), ["v1", "latest"]);
        assert!(v[1].tags().is_empty());
        assert_eq!(segment("team/app"), "team%2Fapp");
    }
}
