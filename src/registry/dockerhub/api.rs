//! The Docker Hub API (`hub.docker.com/v2`, per the Hub API reference in docker/docs, read
//! against what the service really answers): a namespace's repositories and each
//! repository's tags, paged by the absolute `next` URL (at most 100 a page), with a Bearer
//! token exchanged for the user's docker credentials at `POST /v2/auth/token`. The token
//! lives ten minutes; a 401 drops it and the call is made once more with a fresh one.
//!
//! Where the published schema and the service disagree, the service wins: a tag's
//! `images` is an array (one entry per platform), its status field is `tag_status`, `v2`
//! is a boolean, and times the Hub never saw (a tag never pulled) are `null`.

use crate::registry::cloud_api::{api_error, parse, send};
use crate::registry::error::{Place, RegistryError};
use crate::registry::transport::{Request, Transport, DOCUMENT_LIMIT};
use reqwest::header::{HeaderValue, ACCEPT, CONTENT_TYPE};
use reqwest::Method;
use serde::Deserialize;
use std::sync::Mutex;

pub const DEFAULT_API_BASE: &str = "https://hub.docker.com";
/// The API root instead of Docker's (tests, mirrors of the API).
pub const API_BASE_VAR: &str = "REGSCOPE_DOCKERHUB_API";
/// The Hub's largest page.
pub const PAGE_SIZE: u32 = 100;
/// Pages followed at most for one listing (100 000 entries), so a `next` that loops ends.
const MAX_PAGES: usize = 1000;

#[derive(Clone, Debug, Default, Deserialize)]
pub struct HubRepository {
    pub name: String,
    #[serde(default)]
    pub namespace: Option<String>,
    #[serde(default)]
    pub is_private: Option<bool>,
    #[serde(default)]
    pub last_updated: Option<String>,
    #[serde(default)]
    pub pull_count: Option<u64>,
    #[serde(default)]
    pub storage_size: Option<u64>,
}

/// One platform entry of a tag (`images[]`).
#[derive(Clone, Debug, Default, Deserialize)]
pub struct HubImage {
    #[serde(default)]
    pub architecture: Option<String>,
    #[serde(default)]
    pub variant: Option<String>,
    #[serde(default)]
    pub os: Option<String>,
    /// The platform manifest's digest; `null` for images pushed before digests were kept.
    #[serde(default)]
    pub digest: Option<String>,
    #[serde(default)]
    pub size: Option<u64>,
    /// `active` or `inactive` (not pushed or pulled in the past month).
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub last_pulled: Option<String>,
    #[serde(default)]
    pub last_pushed: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct HubTag {
    pub name: String,
    /// The manifest (or index) the tag names.
    #[serde(default)]
    pub digest: Option<String>,
    #[serde(default)]
    pub media_type: Option<String>,
    #[serde(default)]
    pub images: Vec<HubImage>,
    /// Compressed size of the tagged image as the Hub counts it.
    #[serde(default)]
    pub full_size: Option<u64>,
    #[serde(default)]
    pub last_updated: Option<String>,
    #[serde(default)]
    pub tag_status: Option<String>,
    #[serde(default)]
    pub tag_last_pulled: Option<String>,
    #[serde(default)]
    pub tag_last_pushed: Option<String>,
}

#[derive(Deserialize)]
struct Page<T> {
    #[serde(default = "Vec::new")]
    results: Vec<T>,
    #[serde(default)]
    next: Option<String>,
}

/// How the API token is had: exchanged for docker credentials, or none (public content).
#[derive(Clone)]
pub enum HubLogin {
    Anonymous,
    /// A Docker ID and its password or personal access token.
    Credentials {
        username: String,
        secret: String,
    },
}

impl std::fmt::Debug for HubLogin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HubLogin::Anonymous => f.write_str("Anonymous"),
            HubLogin::Credentials { username, .. } => {
                write!(
                    f,
                    "Credentials {{ username: {username:?}, secret: <redacted> }}"
                )
            }
        }
    }
}

/// A client of the Hub API.
pub struct HubApi {
    base: String,
    transport: Transport,
    login: HubLogin,
    token: Mutex<Option<String>>,
    /// One exchange at a time: concurrent callers wait for it instead of each logging in.
    exchanging: tokio::sync::Mutex<()>,
    registry: String,
}

impl std::fmt::Debug for HubApi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HubApi")
            .field("base", &self.base)
            .field("login", &self.login)
            .finish_non_exhaustive()
    }
}

impl HubApi {
    pub fn new(base: &str, transport: Transport, login: HubLogin, registry: &str) -> Self {
        HubApi {
            base: base.trim_end_matches('/').to_string(),
            transport,
            login,
            token: Mutex::new(None),
            exchanging: tokio::sync::Mutex::new(()),
            registry: registry.to_string(),
        }
    }

    /// `REGSCOPE_DOCKERHUB_API`, else Docker's.
    pub fn base_from_env() -> String {
        std::env::var(API_BASE_VAR)
            .ok()
            .filter(|v| !v.trim().is_empty())
            .unwrap_or_else(|| DEFAULT_API_BASE.to_string())
    }

    pub fn stats(&self) -> crate::registry::TrafficStats {
        self.transport.stats()
    }

    pub fn login(&self) -> &HubLogin {
        &self.login
    }

    fn place(&self, repository: Option<&str>) -> Place {
        Place {
            registry: self.registry.clone(),
            repository: repository.map(str::to_string),
            reference: None,
        }
    }

    /// The Bearer token, exchanged now when none is held; `None` when anonymous.
    pub async fn token(&self, place: &Place) -> Result<Option<String>, RegistryError> {
        let HubLogin::Credentials { username, secret } = &self.login else {
            return Ok(None);
        };
        if let Some(t) = self.held() {
            return Ok(Some(t));
        }
        let _one = self.exchanging.lock().await;
        if let Some(t) = self.held() {
            return Ok(Some(t));
        }
        let body = serde_json::json!({"identifier": username, "secret": secret}).to_string();
        let req = Request::new(Method::POST, format!("{}/v2/auth/token", self.base))
            .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
            .header(ACCEPT, HeaderValue::from_static("application/json"))
            .body(body.into_bytes());
        let reply = self.transport.send(&req, DOCUMENT_LIMIT, place).await?;
        if !reply.is_success() {
            return Err(match api_error(&reply, place) {
                RegistryError::Unauthorized { place, code, detail } => RegistryError::Unauthorized {
                    place,
                    code,
                    detail: format!(
                        "{detail} (the Docker Hub refused the login of {username:?}; check the password or personal access token)"
                    ),
                },
                e => e,
            });
        }
        #[derive(Deserialize)]
        struct Token {
            access_token: Option<String>,
        }
        let t: Token = parse(&reply, "the Docker Hub's access token answer", place)?;
        let token =
            t.access_token
                .filter(|t| !t.is_empty())
                .ok_or_else(|| RegistryError::Malformed {
                    place: place.clone(),
                    detail: "the Docker Hub answered the login without an access_token".into(),
                })?;
        *self.token.lock().unwrap_or_else(|p| p.into_inner()) = Some(token.clone());
        Ok(Some(token))
    }

    fn held(&self) -> Option<String> {
        self.token.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Forgets `token` after the API refused it (expired), unless already replaced.
    fn refused(&self, token: &str) {
        let mut t = self.token.lock().unwrap_or_else(|p| p.into_inner());
        if t.as_deref() == Some(token) {
            *t = None;
        }
    }

    /// GET `url`, with one fresh-token retry on 401.
    async fn get<T: serde::de::DeserializeOwned>(
        &self,
        url: &str,
        what: &str,
        place: &Place,
    ) -> Result<T, RegistryError> {
        for attempt in 0..2 {
            let token = self.token(place).await?;
            let header = match &token {
                Some(t) => Some(HeaderValue::from_str(&format!("Bearer {t}")).map_err(|_| {
                    RegistryError::Malformed {
                        place: place.clone(),
                        detail: "the Docker Hub's token is not a valid header value".into(),
                    }
                })?),
                None => None,
            };
            let reply = send(&self.transport, Method::GET, url, header.as_ref(), place).await?;
            if reply.status == 401 && attempt == 0 {
                if let Some(t) = &token {
                    self.refused(t);
                    continue;
                }
            }
            if !reply.is_success() {
                return Err(api_error(&reply, place));
            }
            return parse(&reply, what, place);
        }
        unreachable!("the loop returns on its second attempt")
    }

    /// Every page from `first`, following `next` while it stays on the API's origin (the
    /// token is never sent elsewhere).
    async fn all_pages<T: serde::de::DeserializeOwned>(
        &self,
        first: String,
        what: &str,
        place: &Place,
    ) -> Result<Vec<T>, RegistryError> {
        let mut out = Vec::new();
        let mut url = first;
        for _ in 0..MAX_PAGES {
            let page: Page<T> = self.get(&url, what, place).await?;
            out.extend(page.results);
            match page.next.filter(|n| !n.is_empty()) {
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

    /// `GET /v2/namespaces/{namespace}/repositories`, every page.
    pub async fn repositories(&self, namespace: &str) -> Result<Vec<HubRepository>, RegistryError> {
        let url = format!(
            "{}/v2/namespaces/{}/repositories?page_size={PAGE_SIZE}",
            self.base,
            segment(namespace)
        );
        let place = self.place(Some(namespace));
        self.all_pages(url, "the Docker Hub's repository list", &place)
            .await
    }

    /// `GET /v2/namespaces/{namespace}/repositories/{repository}/tags`, every page.
    pub async fn tags(
        &self,
        namespace: &str,
        repository: &str,
    ) -> Result<Vec<HubTag>, RegistryError> {
        let url = format!(
            "{}/v2/namespaces/{}/repositories/{}/tags?page_size={PAGE_SIZE}",
            self.base,
            segment(namespace),
            segment(repository)
        );
        let place = self.place(Some(&format!("{namespace}/{repository}")));
        self.all_pages(url, "the Docker Hub's tag list", &place)
            .await
    }
}

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

    /// A tag as the Hub really sends it (images an array, `tag_status`, `v2` a boolean,
    /// null times for never pulled).
    #[test]
    fn tags_read_as_the_service_sends_them() {
        let page: Page<HubTag> = serde_json::from_str(
            r#"{"count":2,"next":"https://hub.docker.com/v2/namespaces/acme/repositories/app/tags?page=2&page_size=100","previous":null,
            "results":[{"creator":1,"id":2,"images":[{"architecture":"amd64","features":"","variant":null,"digest":"sha256:aa","os":"linux","os_features":"","os_version":null,"size":123,"status":"active","last_pulled":null,"last_pushed":"2026-01-02T03:04:05.123456Z"}],
            "last_updated":"2026-01-02T03:04:05.123456Z","last_updater":1,"last_updater_username":"x","name":"v1","repository":3,"full_size":123,"v2":true,
            "tag_status":"active","tag_last_pulled":null,"tag_last_pushed":"2026-01-02T03:04:05.123456Z","media_type":"application/vnd.oci.image.manifest.v1+json","content_type":"image","digest":"sha256:aa"}]}"#,
        )
        .unwrap();
        let t = &page.results[0];
        assert_eq!(t.images.len(), 1);
        assert_eq!(t.tag_status.as_deref(), Some("active"));
        assert_eq!(t.tag_last_pulled, None);
        assert_eq!(t.images[0].last_pulled, None);
        assert_eq!(t.full_size, Some(123));
        assert!(page.next.unwrap().starts_with("https://hub.docker.com/"));
    }

    #[test]
    fn next_pages_are_followed_only_on_the_apis_origin() {
        assert!(same_origin(
            "https://hub.docker.com/v2/x?page=2",
            "https://hub.docker.com"
        ));
        assert!(!same_origin(
            "https://evil.example/v2/x?page=2",
            "https://hub.docker.com"
        ));
        assert!(!same_origin(
            "http://hub.docker.com/v2",
            "https://hub.docker.com"
        ));
    }

    #[test]
    fn secrets_stay_out_of_debug() {
        let l = HubLogin::Credentials {
            username: "bob".into(),
            secret: "dckr_pat_secret".into(),
        };
        assert!(!format!("{l:?}").contains("dckr_pat_secret"));
    }
}
