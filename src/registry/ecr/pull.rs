//! The ECR API calls a pull makes, for the pull doctor: the manifest by tag or digest
//! (`BatchGetImage`, which IS a pull; `describe_image` in images.rs has none), layer
//! presence (`BatchCheckLayerAvailability`), and the repository's tag names (`ListImages`).
//! After a failure, [`EcrClient::last_failure`] holds the raw status and AWS error code.

use super::error::{to_registry_error, with_retry};
use super::paginate::{collect_pages, Page, PageSource};
use super::EcrClient;
use crate::model::Digest;
use crate::registry::{media, CodeSuffix, FetchedManifest, Manifest, Place, RegistryError};
use async_trait::async_trait;
use aws_sdk_ecr::types::{ImageIdentifier, LayerAvailability, ListImagesFilter, TagStatus};

/// A tag or a digest, as the API's `imageId` takes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ImageRef {
    Tag(String),
    Digest(Digest),
}

impl ImageRef {
    fn id(&self) -> ImageIdentifier {
        match self {
            ImageRef::Tag(t) => ImageIdentifier::builder().image_tag(t).build(),
            ImageRef::Digest(d) => ImageIdentifier::builder().image_digest(d.as_str()).build(),
        }
    }
    pub fn as_str(&self) -> &str {
        match self {
            ImageRef::Tag(t) => t,
            ImageRef::Digest(d) => d.as_str(),
        }
    }
}

/// One blob as `BatchCheckLayerAvailability` saw it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlobAvailability {
    pub digest: String,
    pub available: bool,
    /// `MissingLayerDigest`, `InvalidLayerDigest`, or `UNAVAILABLE`.
    pub failure: Option<String>,
}

impl EcrClient {
    /// Reads the manifest `reference` names with `BatchGetImage`, verified against a
    /// digest reference. THIS IS A PULL: it moves the image's "last pulled" time. A
    /// per-image failure (`ImageNotFound`, `ImageTagDoesNotMatchDigest`, ...) is
    /// `RegistryError::NotFound` with that code.
    pub async fn pull_manifest(
        &self,
        repository: &str,
        reference: &ImageRef,
    ) -> Result<FetchedManifest, RegistryError> {
        let place = self.place(Some(repository), Some(reference.as_str()));
        let accept: Vec<String> = media::ACCEPT_MANIFESTS
            .iter()
            .map(|s| s.to_string())
            .collect();
        let out = with_retry(&self.retry, &self.counters, || {
            self.sdk
                .batch_get_image()
                .set_registry_id(self.account().map(str::to_string))
                .repository_name(repository)
                .image_ids(reference.id())
                .set_accepted_media_types(Some(accept.clone()))
                .send()
        })
        .await
        .map_err(|e| to_registry_error(&e, place.clone(), "BatchGetImage"))?;
        let Some(image) = out.images().first() else {
            let f = out.failures().first();
            let code = f
                .and_then(|f| f.failure_code())
                .map(|c| c.as_str().to_string());
            let reason = f.and_then(|f| f.failure_reason()).unwrap_or("no image");
            return Err(RegistryError::NotFound {
                place,
                code: CodeSuffix(code),
                detail: format!(": {reason}"),
            });
        };
        let text = image
            .image_manifest()
            .ok_or_else(|| RegistryError::Malformed {
                place: place.clone(),
                detail: "BatchGetImage returned an image without a manifest".into(),
            })?;
        let bytes = text.as_bytes().to_vec();
        let digest = Digest::sha256_of(&bytes);
        if let ImageRef::Digest(d) = reference {
            if d != &digest {
                return Err(RegistryError::DigestMismatch {
                    place,
                    expected: d.to_string(),
                    actual: digest.to_string(),
                });
            }
        }
        let served = image.image_manifest_media_type().unwrap_or_default();
        let manifest = Manifest::parse(&bytes, served).map_err(|e| RegistryError::Malformed {
            place: place.clone(),
            detail: e.to_string(),
        })?;
        Ok(FetchedManifest {
            media_type: manifest.media_type(served),
            digest,
            bytes,
            manifest,
        })
    }

    /// Whether the registry holds each blob (`BatchCheckLayerAvailability`, no side effect).
    pub async fn check_blobs(
        &self,
        repository: &str,
        digests: &[Digest],
    ) -> Result<Vec<BlobAvailability>, RegistryError> {
        let place = self.place(Some(repository), None);
        let mut found = Vec::new();
        // The API takes at most 100 digests per call.
        for chunk in digests.chunks(100) {
            let ids: Vec<String> = chunk.iter().map(|d| d.to_string()).collect();
            let out = with_retry(&self.retry, &self.counters, || {
                self.sdk
                    .batch_check_layer_availability()
                    .set_registry_id(self.account().map(str::to_string))
                    .repository_name(repository)
                    .set_layer_digests(Some(ids.clone()))
                    .send()
            })
            .await
            .map_err(|e| to_registry_error(&e, place.clone(), "BatchCheckLayerAvailability"))?;
            for l in out.layers() {
                let available = l.layer_availability() == Some(&LayerAvailability::Available);
                found.push(BlobAvailability {
                    digest: l.layer_digest().unwrap_or_default().to_string(),
                    available,
                    failure: (!available).then(|| "UNAVAILABLE".to_string()),
                });
            }
            for f in out.failures() {
                found.push(BlobAvailability {
                    digest: f.layer_digest().unwrap_or_default().to_string(),
                    available: false,
                    failure: Some(
                        f.failure_code()
                            .map(|c| c.as_str().to_string())
                            .unwrap_or_else(|| "unknown failure".into()),
                    ),
                });
            }
        }
        Ok(found)
    }

    /// Every tag in `repository` (`ListImages`, tagged only, 1,000 per page).
    pub async fn tag_names(&self, repository: &str) -> Result<Vec<String>, RegistryError> {
        let (ids, _) = collect_pages(&ListImagesPages {
            client: self,
            repository,
        })
        .await?;
        let mut tags: Vec<String> = ids.into_iter().flatten().collect();
        tags.sort();
        tags.dedup();
        Ok(tags)
    }
}

struct ListImagesPages<'a> {
    client: &'a EcrClient,
    repository: &'a str,
}

#[async_trait]
impl PageSource for ListImagesPages<'_> {
    type Item = Option<String>;
    async fn page(&self, token: Option<String>) -> Result<Page<Option<String>>, RegistryError> {
        let c = self.client;
        let out = with_retry(&c.retry, &c.counters, || {
            c.sdk
                .list_images()
                .set_registry_id(c.account().map(str::to_string))
                .repository_name(self.repository)
                .filter(
                    ListImagesFilter::builder()
                        .tag_status(TagStatus::Tagged)
                        .build(),
                )
                .max_results(1000)
                .set_next_token(token.clone())
                .send()
        })
        .await
        .map_err(|e| to_registry_error(&e, self.place(), "ListImages"))?;
        Ok(Page {
            next_token: out.next_token().map(str::to_string),
            items: out
                .image_ids()
                .iter()
                .map(|i| i.image_tag().map(str::to_string))
                .collect(),
        })
    }
    fn place(&self) -> Place {
        self.client.place(Some(self.repository), None)
    }
}
