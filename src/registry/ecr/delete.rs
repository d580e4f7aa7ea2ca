//! Deleting images with `BatchDeleteImage`, by digest only: a tag in the request would
//! remove just that tag, or on a shared digest surprise someone. Every digest gets an
//! answer: deleted, or a failure with ECR's code and reason.

use super::error::{to_registry_error, with_retry};
use super::EcrClient;
use crate::model::Digest;
use aws_sdk_ecr::types::ImageIdentifier;
use serde::Serialize;

/// The API takes at most 100 image ids per call.
const BATCH: usize = 100;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DeleteFailure {
    pub digest: Digest,
    /// ECR's failure code (`ImageNotFound`, `ImageReferencedByManifestList`, ...) or the
    /// API error code when the whole call failed.
    pub code: Option<String>,
    pub reason: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct DeleteReport {
    pub deleted: Vec<Digest>,
    pub failed: Vec<DeleteFailure>,
}

impl EcrClient {
    /// Deletes each digest from `repository` (with all the tags on it). Callers must have
    /// built and confirmed a deletion plan first; this only carries it out and reports
    /// per image. A failed call fails only its own batch.
    pub async fn delete_images_by_digest(
        &self,
        repository: &str,
        digests: &[Digest],
    ) -> DeleteReport {
        let mut report = DeleteReport::default();
        for chunk in digests.chunks(BATCH) {
            let ids: Vec<ImageIdentifier> = chunk
                .iter()
                .map(|d| ImageIdentifier::builder().image_digest(d.as_str()).build())
                .collect();
            let r = with_retry(&self.retry, &self.counters, || {
                self.sdk
                    .batch_delete_image()
                    .set_registry_id(self.account().map(str::to_string))
                    .repository_name(repository)
                    .set_image_ids(Some(ids.clone()))
                    .send()
            })
            .await;
            let out = match r {
                Ok(out) => out,
                Err(e) => {
                    let err = to_registry_error(
                        &e,
                        self.place(Some(repository), None),
                        "BatchDeleteImage",
                    );
                    report.failed.extend(chunk.iter().map(|d| DeleteFailure {
                        digest: d.clone(),
                        code: err.error_code().map(str::to_string),
                        reason: err.to_string(),
                    }));
                    continue;
                }
            };
            let mut answered = std::collections::HashSet::new();
            for id in out.image_ids() {
                if let Some(d) = id.image_digest().and_then(|s| Digest::parse(s).ok()) {
                    if chunk.contains(&d) && answered.insert(d.clone()) {
                        report.deleted.push(d);
                    }
                }
            }
            for f in out.failures() {
                let Some(d) = f
                    .image_id()
                    .and_then(|i| i.image_digest())
                    .and_then(|s| Digest::parse(s).ok())
                else {
                    continue;
                };
                if answered.insert(d.clone()) {
                    report.failed.push(DeleteFailure {
                        digest: d,
                        code: f.failure_code().map(|c| c.as_str().to_string()),
                        reason: f.failure_reason().unwrap_or("no reason given").to_string(),
                    });
                }
            }
            // A digest ECR neither deleted nor reported must not pass as deleted.
            for d in chunk.iter().filter(|d| !answered.contains(*d)) {
                report.failed.push(DeleteFailure {
                    digest: d.clone(),
                    code: None,
                    reason: "ECR did not report this image as deleted".into(),
                });
            }
        }
        report
    }
}
