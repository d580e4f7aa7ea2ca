//! Fetching a manifest through the ECR API (`BatchGetImage`). In ECR this is a pull: it
//! moves the image's "last pulled" time, the signal lifecycle rules and people triage by.
//! So it is never part of a listing; only an explicit user action (opening an image's
//! layers or raw view) may call it, and the UI says so first with [`OPENING_COUNTS_AS_PULL`].

use super::{EcrClient, ImageRef};
use crate::model::Digest;
use crate::registry::{FetchedManifest, RegistryError};

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
        self.pull_manifest(repository, &ImageRef::Digest(digest.clone()))
            .await
    }
}
