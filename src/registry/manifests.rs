//! Manifest calls of the Distribution client: HEAD (resolve), GET (verified against the
//! digest asked for and the one the registry claims, media type checked by parsing),
//! DELETE by digest and PUT; plus the name checks every URL path goes through.

use super::auth::Scope;
use super::distribution::DistributionClient;
use super::error::{Place, RegistryError};
use super::transport::{Request, MANIFEST_LIMIT};
use super::{media, FetchedManifest, Manifest, ManifestHead};
use crate::model::Digest;
use reqwest::header::{HeaderName, HeaderValue, ACCEPT, CONTENT_TYPE};
use reqwest::Method;

impl DistributionClient {
    pub async fn head_manifest(
        &self,
        repo: &str,
        reference: &str,
    ) -> Result<ManifestHead, RegistryError> {
        let place = self.place(Some(repo), Some(reference));
        check_names(repo, reference, &place)?;
        let reply = self
            .call(
                Request::new(Method::HEAD, format!("/v2/{repo}/manifests/{reference}"))
                    .with(accept_manifests())
                    .probe(is_fallback_tag(reference)),
                &Scope::Pull(repo.into()),
                0,
                &place,
            )
            .await?;
        if !reply.is_success() {
            return Err(self
                .failure(&reply, &Scope::Pull(repo.into()), &place)
                .await);
        }
        let header_digest = reply
            .header("docker-content-digest")
            .and_then(|d| Digest::parse(d.trim()).ok());
        let digest = header_digest.or_else(|| Digest::parse(reference).ok());
        let media_type = reply
            .header("content-type")
            .map(|m| m.split(';').next().unwrap_or("").trim().to_string());
        let size = reply
            .header("content-length")
            .and_then(|l| l.trim().parse::<u64>().ok());
        match (digest, media_type, size) {
            (Some(digest), Some(mt), Some(size))
                if media::is_index(&mt) || media::is_manifest(&mt) =>
            {
                Ok(ManifestHead {
                    digest,
                    media_type: mt,
                    size,
                })
            }
            // Some registries omit headers on HEAD; a GET tells everything (and verifies).
            _ => {
                let m = self.manifest(repo, reference).await?;
                Ok(ManifestHead {
                    digest: m.digest,
                    media_type: m.media_type,
                    size: m.bytes.len() as u64,
                })
            }
        }
    }

    pub async fn manifest(
        &self,
        repo: &str,
        reference: &str,
    ) -> Result<FetchedManifest, RegistryError> {
        let place = self.place(Some(repo), Some(reference));
        check_names(repo, reference, &place)?;
        let scope = Scope::Pull(repo.into());
        let reply = self
            .call(
                Request::new(Method::GET, format!("/v2/{repo}/manifests/{reference}"))
                    .with(accept_manifests())
                    .probe(is_fallback_tag(reference)),
                &scope,
                MANIFEST_LIMIT,
                &place,
            )
            .await?;
        if !reply.is_success() {
            return Err(self.failure(&reply, &scope, &place).await);
        }
        let bytes = reply.body;
        let asked = Digest::parse(reference).ok();
        let claimed = reply
            .headers
            .get("docker-content-digest")
            .and_then(|v| v.to_str().ok())
            .and_then(|d| Digest::parse(d.trim()).ok());
        for expected in [&asked, &claimed].into_iter().flatten() {
            if !expected.verifies(&bytes) {
                return Err(RegistryError::DigestMismatch {
                    place,
                    expected: expected.to_string(),
                    actual: Digest::sha256_of(&bytes).to_string(),
                });
            }
        }
        let digest = asked.unwrap_or_else(|| Digest::sha256_of(&bytes));
        let served = reply
            .headers
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|m| m.split(';').next().unwrap_or("").trim().to_string())
            .unwrap_or_default();
        let manifest = Manifest::parse(&bytes, &served).map_err(|e| RegistryError::Malformed {
            place: place.clone(),
            detail: if served.contains("html") {
                "the registry served an HTML page instead of a manifest".to_string()
            } else {
                e.to_string()
            },
        })?;
        let media_type = manifest.media_type(&served);
        Ok(FetchedManifest {
            digest,
            media_type,
            bytes,
            manifest,
        })
    }

    /// Deletes a manifest by digest, after checking with the full Accept list that the
    /// registry still serves it (so a 404 is named before anything is attempted).
    pub async fn delete_manifest(&self, repo: &str, digest: &Digest) -> Result<(), RegistryError> {
        self.head_manifest(repo, digest.as_str()).await?;
        let place = self.place(Some(repo), Some(digest.as_str()));
        let scope = Scope::Delete(repo.into());
        let reply = self
            .call(
                Request::new(Method::DELETE, format!("/v2/{repo}/manifests/{digest}"))
                    .with(accept_manifests()),
                &scope,
                0,
                &place,
            )
            .await?;
        match reply.status {
            200..=299 => Ok(()),
            405 => Err(RegistryError::Unsupported {
                place,
                what: "manifest deletion (HTTP 405: deletion is disabled on this registry)".into(),
            }),
            _ => Err(self.failure(&reply, &scope, &place).await),
        }
    }

    pub async fn put_manifest(
        &self,
        repo: &str,
        reference: &str,
        media_type: &str,
        bytes: &[u8],
    ) -> Result<Digest, RegistryError> {
        let place = self.place(Some(repo), Some(reference));
        check_names(repo, reference, &place)?;
        let computed = Digest::sha256_of(bytes);
        if let Ok(d) = Digest::parse(reference) {
            if !d.verifies(bytes) {
                return Err(RegistryError::DigestMismatch {
                    place,
                    expected: d.to_string(),
                    actual: computed.to_string(),
                });
            }
        }
        if bytes.len() as u64 > MANIFEST_LIMIT {
            return Err(RegistryError::TooLarge {
                place,
                limit: MANIFEST_LIMIT,
            });
        }
        let ctype = HeaderValue::from_str(media_type).map_err(|_| RegistryError::Other {
            place: place.clone(),
            detail: format!("media type {media_type:?} is not a valid header value"),
        })?;
        let scope = Scope::Push(repo.into());
        let reply = self
            .call(
                Request::new(Method::PUT, format!("/v2/{repo}/manifests/{reference}"))
                    .header(CONTENT_TYPE, ctype)
                    .body(bytes.to_vec()),
                &scope,
                64 * 1024,
                &place,
            )
            .await?;
        if !reply.is_success() {
            return Err(self.failure(&reply, &scope, &place).await);
        }
        if let Some(claimed) = reply
            .header("docker-content-digest")
            .and_then(|d| Digest::parse(d.trim()).ok())
        {
            if claimed.algorithm() == "sha256" && claimed != computed {
                return Err(RegistryError::DigestMismatch {
                    place,
                    expected: computed.to_string(),
                    actual: claimed.to_string(),
                });
            }
        }
        Ok(computed)
    }
}

pub(crate) fn accept_manifests() -> (HeaderName, HeaderValue) {
    (
        ACCEPT,
        HeaderValue::from_str(&media::ACCEPT_MANIFESTS.join(", ")).expect("static media types"),
    )
}

/// Repository names and references go into URL paths: refuse anything that is not one,
/// so `../` or `?` can never reach the registry.
pub(crate) fn check_names(repo: &str, reference: &str, place: &Place) -> Result<(), RegistryError> {
    check_repo(repo, place)?;
    let ok_tag = !reference.is_empty()
        && reference.len() <= 128
        && reference
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
        && reference
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
    if ok_tag || Digest::parse(reference).is_ok() {
        Ok(())
    } else {
        Err(RegistryError::Other {
            place: place.clone(),
            detail: format!("{reference:?} is neither a tag nor a digest"),
        })
    }
}

pub(crate) fn check_repo(repo: &str, place: &Place) -> Result<(), RegistryError> {
    let ok = super::reference::is_valid_repository(repo);
    if ok {
        Ok(())
    } else {
        Err(RegistryError::Other {
            place: place.clone(),
            detail: format!("{repo:?} is not a valid repository name"),
        })
    }
}

/// `sha256-<hex>` (the referrers tag schema) or cosign's `sha256-<hex>.sig|.att|.sbom`:
/// tags looked up to find out whether they exist, so a 404 is an answer, not a failure.
pub fn is_fallback_tag(reference: &str) -> bool {
    let Some(rest) = reference.strip_prefix("sha256-") else {
        return false;
    };
    let hex = match rest.split_once('.') {
        Some((hex, "sig" | "att" | "sbom")) => hex,
        Some(_) => return false,
        None => rest,
    };
    hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit())
}
