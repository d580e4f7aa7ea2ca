//! What `regscope delete` and `regscope restore` need from the ECR API beyond deleting:
//! one image looked up by digest or tag (`DescribeImages` with image ids: no manifest
//! read, so no pull), and a manifest pushed back (`PutImage`, by digest and under a tag).

use super::error::{to_registry_error, with_retry};
use super::EcrClient;
use crate::model::{Digest, Image};
use crate::registry::RegistryError;

fn missing(e: &RegistryError) -> bool {
    matches!(e, RegistryError::NotFound { code, .. }
        if matches!(code.0.as_deref(), Some("ImageNotFoundException" | "RepositoryNotFoundException")))
}

impl EcrClient {
    /// As [`EcrClient::describe_image`] (a tag, or a digest), `None` when there is no
    /// such image (or repository). Never a pull.
    pub async fn find_image(
        &self,
        repository: &str,
        reference: &str,
    ) -> Result<Option<Image>, RegistryError> {
        match self.describe_image(repository, reference).await {
            Ok(im) => Ok(Some(im)),
            Err(e) if missing(&e) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Pushes `manifest` back into `repository` under its digest, and under `tag` when
    /// given. ECR checks that every layer and config it names is still stored.
    pub async fn put_image(
        &self,
        repository: &str,
        manifest: &[u8],
        media_type: &str,
        tag: Option<&str>,
    ) -> Result<Digest, RegistryError> {
        let digest = Digest::sha256_of(manifest);
        let place = self.place(Some(repository), Some(tag.unwrap_or(digest.as_str())));
        let text = std::str::from_utf8(manifest).map_err(|_| RegistryError::Malformed {
            place: place.clone(),
            detail: "the manifest is not UTF-8 text, which PutImage requires".into(),
        })?;
        with_retry(&self.retry, &self.counters, || {
            self.sdk
                .put_image()
                .set_registry_id(self.account().map(str::to_string))
                .repository_name(repository)
                .image_manifest(text)
                .image_manifest_media_type(media_type)
                .image_digest(digest.as_str())
                .set_image_tag(tag.map(str::to_string))
                .send()
        })
        .await
        .map_err(|e| to_registry_error(&e, place.clone(), "PutImage"))?;
        Ok(digest)
    }
}
