//! The `/acr/v1` calls, through the registry's one [`DistributionClient`] (same transport,
//! same token cache). Each call asks for the scope ACR's challenge names for it:
//! `registry:catalog:*` for the catalog, `repository:NAME:metadata_read` for properties (a
//! pull token is refused there). Lists follow `Link: <...>; rel="next"` only: ACR pages
//! at 100 entries by default and says nothing else about a next page.

use super::model::{
    ManifestDocument, ManifestProperties, ManifestsPage, RepositoriesPage, RepositoryProperties,
    TagDocument, TagProperties, TagsPage,
};
use crate::registry::auth::Scope;
use crate::registry::catalog::next_link;
use crate::registry::error::{CodeSuffix, Place, RegistryError};
use crate::registry::transport::{Request, DOCUMENT_LIMIT};
use crate::registry::DistributionClient;
use reqwest::Method;
use serde::de::DeserializeOwned;
use std::collections::HashSet;
use std::sync::Arc;

/// A registry that keeps sending new pages past this is looping.
const MAX_PAGES: usize = 100_000;

#[derive(Clone, Debug)]
pub struct AcrClient {
    oci: Arc<DistributionClient>,
}

/// A repository name in an `/acr/v1` path: one path segment, as the vendor's clients send it
/// (`team%2Fapp`).
fn segment(repo: &str) -> String {
    url::form_urlencoded::byte_serialize(repo.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

impl AcrClient {
    pub fn new(oci: Arc<DistributionClient>) -> Self {
        AcrClient { oci }
    }

    /// The OCI client this one shares its transport and tokens with.
    pub fn oci(&self) -> &Arc<DistributionClient> {
        &self.oci
    }

    fn place(&self, repo: Option<&str>, reference: Option<&str>) -> Place {
        self.oci.place(repo, reference)
    }

    /// One GET; `Ok(None)` for a 404.
    async fn get<T: DeserializeOwned>(
        &self,
        path: &str,
        scope: &Scope,
        place: &Place,
    ) -> Result<Option<(T, Option<String>)>, RegistryError> {
        let reply = self
            .oci
            .call(
                Request::new(Method::GET, path),
                scope,
                DOCUMENT_LIMIT,
                place,
            )
            .await?;
        if reply.status == 404 {
            return Ok(None);
        }
        if !reply.is_success() {
            return Err(self.oci.failure(&reply, scope, place).await);
        }
        let doc = serde_json::from_slice(&reply.body).map_err(|e| RegistryError::Malformed {
            place: place.clone(),
            detail: format!("the /acr/v1 answer is not the documented JSON: {e}"),
        })?;
        let next = reply.header("link").and_then(next_link);
        Ok(Some((doc, next)))
    }

    /// Every page of a listing, following `Link` until it is absent.
    async fn pages<P: DeserializeOwned, T>(
        &self,
        first: String,
        scope: &Scope,
        place: &Place,
        items: impl Fn(P) -> Vec<T>,
    ) -> Result<Vec<T>, RegistryError> {
        let mut out = Vec::new();
        let mut next = Some(first);
        let mut visited = HashSet::new();
        for _ in 0..MAX_PAGES {
            let Some(path) = next.take() else { break };
            if !visited.insert(path.clone()) {
                break;
            }
            let Some((page, link)) = self.get::<P>(&path, scope, place).await? else {
                return Err(not_found(place));
            };
            out.extend(items(page));
            next = link;
        }
        Ok(out)
    }

    /// `GET /acr/v1/_catalog`: every repository name.
    pub async fn repositories(&self) -> Result<Vec<String>, RegistryError> {
        let place = self.place(None, None);
        self.pages(
            "/acr/v1/_catalog".into(),
            &Scope::Catalog,
            &place,
            |p: RepositoriesPage| p.repositories.unwrap_or_default(),
        )
        .await
    }

    /// `GET /acr/v1/{name}`: the repository's own properties.
    pub async fn repository(&self, repo: &str) -> Result<RepositoryProperties, RegistryError> {
        let place = self.place(Some(repo), None);
        let path = format!("/acr/v1/{}", segment(repo));
        match self
            .get(&path, &Scope::MetadataRead(repo.into()), &place)
            .await?
        {
            Some((doc, _)) => Ok(doc),
            None => Err(not_found(&place)),
        }
    }

    /// `GET /acr/v1/{name}/_tags`: every tag with its times and attributes.
    pub async fn tags(&self, repo: &str) -> Result<Vec<TagProperties>, RegistryError> {
        let place = self.place(Some(repo), None);
        self.pages(
            format!("/acr/v1/{}/_tags", segment(repo)),
            &Scope::MetadataRead(repo.into()),
            &place,
            |p: TagsPage| p.tags.unwrap_or_default(),
        )
        .await
    }

    /// `GET /acr/v1/{name}/_tags/{tag}`; `None` when the tag does not exist.
    pub async fn tag(&self, repo: &str, tag: &str) -> Result<Option<TagProperties>, RegistryError> {
        let place = self.place(Some(repo), Some(tag));
        let path = format!("/acr/v1/{}/_tags/{}", segment(repo), segment(tag));
        Ok(self
            .get::<TagDocument>(&path, &Scope::MetadataRead(repo.into()), &place)
            .await?
            .map(|(d, _)| d.tag))
    }

    /// `GET /acr/v1/{name}/_manifests`: every manifest, untagged ones and index children
    /// included.
    pub async fn manifests(&self, repo: &str) -> Result<Vec<ManifestProperties>, RegistryError> {
        let place = self.place(Some(repo), None);
        self.pages(
            format!("/acr/v1/{}/_manifests", segment(repo)),
            &Scope::MetadataRead(repo.into()),
            &place,
            |p: ManifestsPage| p.manifests.unwrap_or_default(),
        )
        .await
    }

    /// `GET /acr/v1/{name}/_manifests/{digest}`; `None` when the manifest does not exist.
    pub async fn manifest(
        &self,
        repo: &str,
        digest: &str,
    ) -> Result<Option<ManifestProperties>, RegistryError> {
        let place = self.place(Some(repo), Some(digest));
        let path = format!("/acr/v1/{}/_manifests/{digest}", segment(repo));
        Ok(self
            .get::<ManifestDocument>(&path, &Scope::MetadataRead(repo.into()), &place)
            .await?
            .map(|(d, _)| d.manifest))
    }
}

fn not_found(place: &Place) -> RegistryError {
    RegistryError::NotFound {
        place: place.clone(),
        code: CodeSuffix(Some("NAME_UNKNOWN".into())),
        detail: ": the repository is unknown to /acr/v1".into(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn repository_names_are_one_path_segment() {
        assert_eq!(super::segment("team/app"), "team%2Fapp");
        assert_eq!(super::segment("app"), "app");
    }

    /// Azure/acr-cli@cfbb835 cmd/acr/purge_test.go `TestGetLastTagFromResponse`: acr-cli
    /// takes `last` out of the `Link` header and asks again; regscope follows the link
    /// itself, so the same headers give the page acr-cli asks for next (its `last` still
    /// percent-encoded, `123%26latest` being the tag `123&latest`) or none.
    #[test]
    fn acr_cli_link_headers_page_where_acr_cli_pages() {
        use super::next_link;
        for (name, header, want) in [
            (
                "ReturnEmptyForNoQueryString",
                "/acr/v1/&testRepo/_tags",
                None,
            ),
            (
                "ReturnLastTagFromHeader",
                r#"</acr/v1/&testRepo/_tags?last=latest&n=3&orderby=timedesc>; rel="next""#,
                Some("/acr/v1/&testRepo/_tags?last=latest&n=3&orderby=timedesc"),
            ),
            (
                "ReturnLastWithAmpersand",
                r#"</acr/v1/&testRepo/_tags?last=123%26latest&n=3&orderby=>; rel="next""#,
                Some("/acr/v1/&testRepo/_tags?last=123%26latest&n=3&orderby="),
            ),
            (
                "ReturnLastWhenQueryEndingWithLast",
                r#"</acr/v1/&testRepo/_tags?n=3&orderby=timedesc&last=123%26latest>; rel="next""#,
                Some("/acr/v1/&testRepo/_tags?n=3&orderby=timedesc&last=123%26latest"),
            ),
        ] {
            assert_eq!(
                next_link(header).as_deref(),
                want,
                "TestGetLastTagFromResponse/{name}"
            );
        }
        // "ReturnEmptyForNoHeaders" / "ReturnEmptyForNoLinkHeaders": no Link, no next page
        // (`reply.header("link")` is None before next_link is asked).
    }
}
