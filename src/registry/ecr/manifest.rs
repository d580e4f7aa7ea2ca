//! Fetching a manifest through the ECR API (`BatchGetImage`). In ECR this is a pull: it
//! moves the image's "last pulled" time, the signal lifecycle rules and people triage by.
//! So it is never part of a listing; only an explicit user action (opening an image's
//! layers or raw view) may call it, and the UI says so first with [`OPENING_COUNTS_AS_PULL`].

use super::error::{to_registry_error, with_retry};
use super::EcrClient;
use crate::model::Digest;
use crate::registry::{media, FetchedManifest, Manifest, RegistryError};
use aws_sdk_ecr::types::ImageIdentifier;

/// What the UI shows before opening an ECR image's manifest, layers or raw view.
pub const OPENING_COUNTS_AS_PULL: &str =
    "opening this image counts as a pull in ECR: it updates the image's \"last pulled\" time";

impl EcrClient {
    /// Whether reading a manifest from this registry has a side effect the user must be
    /// told about. Always true for ECR; the UI shows [`OPENING_COUNTS_AS_PULL`].
    pub fn manifest_fetch_counts_as_pull(&self) -> bool {
        true
    }

    /// Fetches and verifies one manifest by digest. THIS COUNTS AS A PULL (it moves
    /// `lastRecordedPullTime`): call it only when the user explicitly opened the image.
    pub async fn fetch_manifest_counting_as_pull(
        &self,
        repository: &str,
        digest: &Digest,
    ) -> Result<FetchedManifest, RegistryError> {
        let place = self.place(Some(repository), Some(digest.as_str()));
        let id = ImageIdentifier::builder()
            .image_digest(digest.as_str())
            .build();
        let accept: Vec<String> = media::ACCEPT_MANIFESTS
            .iter()
            .map(|s| s.to_string())
            .collect();
        let out = with_retry(&self.retry, &self.counters, || {
            self.sdk
                .batch_get_image()
                .set_registry_id(self.account().map(str::to_string))
                .repository_name(repository)
                .image_ids(id.clone())
                .set_accepted_media_types(Some(accept.clone()))
                .send()
        })
        .await
        .map_err(|e| to_registry_error(&e, place.clone(), "BatchGetImage"))?;
        let Some(image) = out.images().first() else {
            let why = out
                .failures()
                .first()
                .map(|f| {
                    format!(
                        ": {} {}",
                        f.failure_code().map(|c| c.as_str()).unwrap_or(""),
                        f.failure_reason().unwrap_or("")
                    )
                })
                .unwrap_or_default();
            return Err(RegistryError::NotFound {
                place,
                code: Default::default(),
                detail: why,
            });
        };
        let text = image
            .image_manifest()
            .ok_or_else(|| RegistryError::Malformed {
                place: place.clone(),
                detail: "BatchGetImage returned an image without a manifest".into(),
            })?;
        let bytes = text.as_bytes().to_vec();
        let actual = Digest::sha256_of(&bytes);
        if &actual != digest {
            return Err(RegistryError::DigestMismatch {
                place,
                expected: digest.to_string(),
                actual: actual.to_string(),
            });
        }
        let served = image.image_manifest_media_type().unwrap_or_default();
        let manifest = Manifest::parse(&bytes, served).map_err(|e| RegistryError::Malformed {
            place: place.clone(),
            detail: e.to_string(),
        })?;
        Ok(FetchedManifest {
            digest: actual,
            media_type: manifest.media_type(served),
            bytes,
            manifest,
        })
    }
}
