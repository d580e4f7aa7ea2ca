//! Resolve (`BatchGetImage`), the platforms of an index, and blob presence
//! (`BatchCheckLayerAvailability`) for an ECR image.

use super::{EcrWalk, Walk};
use crate::doctor::run::ms;
use crate::doctor::verdict::Verdict;
use crate::doctor::{Report, Step, StepStatus};
use crate::model::{Digest, StorageClass};
use crate::registry::ecr::{ImageRef, RawFailure};
use crate::registry::{FetchedManifest, ImageManifest, Manifest, RegistryError};
use std::time::Instant;

/// What the blob check could say.
pub(super) enum BlobsChecked {
    Present,
    /// Not checked, and why (the endpoint lacks the API, or the caller the permission).
    Unchecked(String),
}

/// Whether a `NotFound` is about the image (tag or digest), not the repository.
pub(super) fn image_missing(e: &RegistryError) -> bool {
    matches!(e, RegistryError::NotFound { .. })
        && e.error_code()
            .is_some_and(|c| c.starts_with("ImageNotFound") || c == "ImageTagDoesNotMatchDigest")
}

impl EcrWalk<'_> {
    /// An image in ECR's archive storage class cannot be pulled until it is restored;
    /// `DescribeImages` says so without a pull attempt.
    pub(super) fn archived(&self, w: &mut Walk<'_>) -> Option<Report> {
        let Some(Ok(img)) = &self.described else {
            return None;
        };
        if img.storage_class != Some(StorageClass::Archive) {
            return None;
        }
        let t = Instant::now();
        let since = img
            .archived_at
            .map(|a| format!(" since {}", a.to_rfc3339()))
            .unwrap_or_default();
        let restoring = img
            .activated_at
            .is_some_and(|a| img.archived_at.is_none_or(|b| a > b));
        let detail = format!(
            "{} is in the archive storage class{since}{}",
            img.digest,
            if restoring {
                "; a restore is in progress"
            } else {
                ""
            }
        );
        w.push(Step {
            name: "resolve",
            status: StepStatus::Fail,
            detail: detail.clone(),
            elapsed_ms: ms(t),
            http_status: Some(200),
            error_code: Some("ARCHIVED".into()),
            lines: vec![],
        });
        Some(w.finish(
            Verdict::RegistryError,
            format!("{}: {detail}; ECR serves archived images only after they are restored to standard storage.", w.reference),
            format!(
                "aws ecr update-image-storage-class --repository-name {} --image-id imageDigest={} --target-storage-class STANDARD --region {}",
                w.repo,
                img.digest,
                self.client.region()
            ),
        ))
    }

    /// `BatchGetImage` for the tag or digest: what a runtime's first request does.
    pub(super) async fn resolve(&mut self, w: &mut Walk<'_>) -> Result<FetchedManifest, Report> {
        let t = Instant::now();
        match self.client.pull_manifest(&w.repo, &self.asked).await {
            Ok(m) => {
                let children = match &m.manifest {
                    Manifest::Index(i) => i.manifests.iter().map(|d| d.digest.clone()).collect(),
                    Manifest::Image(_) => Vec::new(),
                };
                self.resolved = Some((m.digest.clone(), children));
                w.push(Step {
                    name: "resolve",
                    status: StepStatus::Ok,
                    detail: format!(
                        "{} ({}, {} bytes) via BatchGetImage",
                        m.digest,
                        m.media_type,
                        m.bytes.len()
                    ),
                    elapsed_ms: ms(t),
                    http_status: Some(200),
                    error_code: None,
                    lines: vec![crate::registry::ecr::OPENING_COUNTS_AS_PULL.to_string()],
                });
                Ok(m)
            }
            Err(e) => {
                let raw = self.raw_of(&e);
                self.fail_with(w, "resolve", t, &e, raw, vec![]);
                if image_missing(&e) {
                    return Err(self.image_not_found(w).await);
                }
                if e.error_code() == Some("RepositoryNotFoundException") {
                    return Err(self.repository_not_found(w).await);
                }
                let (v, s, n) = self.explain(w, &e, "BatchGetImage");
                Err(w.finish(v, s, n))
            }
        }
    }

    /// For an index: the platforms, the wanted one picked and read (another pull, as a
    /// runtime makes). Returns the image manifest to check.
    pub(super) async fn platforms(
        &mut self,
        w: &mut Walk<'_>,
        pulled: FetchedManifest,
    ) -> Result<(Digest, ImageManifest), Report> {
        let t = Instant::now();
        let index = match pulled.manifest {
            Manifest::Image(m) => {
                w.step(
                    "platforms",
                    StepStatus::Skip,
                    format!("single-platform image ({})", pulled.media_type),
                    t,
                    None,
                );
                return Ok((pulled.digest, m));
            }
            Manifest::Index(i) => i,
        };
        let (wanted, chosen, lines, runnable) = w.platform_table(&index);
        let Some(chosen) = chosen else {
            return Err(w.platform_missing(t, &wanted, lines, &runnable));
        };
        let child = ImageRef::Digest(chosen.digest.clone());
        let child = match self.client.pull_manifest(&w.repo, &child).await {
            Ok(c) => c,
            Err(e) => {
                let raw = self.raw_of(&e);
                self.fail_with(w, "platforms", t, &e, raw, lines);
                if image_missing(&e) {
                    return Err(w.finish(
                        Verdict::BlobMissing,
                        format!(
                            "The index lists {} for {wanted}, but ECR no longer has that manifest (a lifecycle rule for untagged images may have expired it).",
                            chosen.digest
                        ),
                        format!("re-push the image: docker buildx imagetools create or docker push {}", w.reference),
                    ));
                }
                let (v, s, n) = self.explain(w, &e, "BatchGetImage");
                return Err(w.finish(v, s, n));
            }
        };
        let Manifest::Image(m) = child.manifest else {
            let e = RegistryError::Unsupported {
                place: self
                    .client
                    .place(Some(&w.repo), Some(chosen.digest.as_str())),
                what: "an index nested inside an index".into(),
            };
            return Err(self.failed(w, "platforms", t, &e, RawFailure::default()));
        };
        w.step(
            "platforms",
            StepStatus::Ok,
            format!(
                "{}; {wanted} → {}",
                crate::text::count(runnable.len(), "platform"),
                chosen.digest.short()
            ),
            t,
            Some(lines),
        );
        Ok((child.digest, m))
    }

    /// `BatchCheckLayerAvailability` for the config and every layer.
    pub(super) async fn blobs(
        &mut self,
        w: &mut Walk<'_>,
        digest: &Digest,
        m: &ImageManifest,
    ) -> Result<BlobsChecked, Report> {
        let t = Instant::now();
        let mut wanted = vec![("config".to_string(), &m.config)];
        for (i, l) in m.layers.iter().enumerate() {
            wanted.push((format!("layer {}", i + 1), l));
        }
        // Foreign layers (`urls`) are fetched from elsewhere, not from ECR.
        wanted.retain(|(_, d)| d.urls.as_ref().is_none_or(|u| u.is_empty()));
        let digests: Vec<Digest> = wanted.iter().map(|(_, d)| d.digest.clone()).collect();
        let found = match self.client.check_blobs(&w.repo, &digests).await {
            Ok(f) => f,
            Err(e) => {
                let raw = self.raw_of(&e);
                let why = match &e {
                    RegistryError::Unsupported { .. } => Some(format!(
                        "not checked: {} does not implement BatchCheckLayerAvailability",
                        self.client.endpoint()
                    )),
                    RegistryError::Forbidden { .. } => Some(
                        "not checked: the caller lacks ecr:BatchCheckLayerAvailability (a pull itself needs only ecr:GetDownloadUrlForLayer)".to_string(),
                    ),
                    _ => None,
                };
                if let Some(why) = why {
                    w.push(Step {
                        name: "blobs",
                        status: StepStatus::Skip,
                        detail: why.clone(),
                        elapsed_ms: ms(t),
                        http_status: raw.http_status,
                        error_code: raw.code,
                        lines: vec![],
                    });
                    return Ok(BlobsChecked::Unchecked(why));
                }
                self.fail_with(w, "blobs", t, &e, raw, vec![]);
                let (v, s, n) = self.explain(w, &e, "BatchCheckLayerAvailability");
                return Err(w.finish(v, s, n));
            }
        };
        let mut missing = Vec::new();
        let mut lines = Vec::new();
        for (label, d) in &wanted {
            let answer = found.iter().find(|f| f.digest == d.digest.as_str());
            let why = match answer {
                Some(a) if a.available => continue,
                Some(a) => a.failure.clone().unwrap_or_default(),
                None => "not in the answer".to_string(),
            };
            missing.push(d.digest.to_string());
            lines.push(format!(
                "missing: {label} {} ({} bytes): {why}",
                d.digest, d.size
            ));
        }
        if !missing.is_empty() {
            let code = found.iter().find_map(|f| f.failure.clone());
            w.push(Step {
                name: "blobs",
                status: StepStatus::Fail,
                detail: format!(
                    "{} of {} missing",
                    missing.len(),
                    crate::text::count(wanted.len(), "blob")
                ),
                elapsed_ms: ms(t),
                http_status: Some(200),
                error_code: code,
                lines,
            });
            return Err(w.finish(
                Verdict::BlobMissing,
                format!("The manifest {} references {} ECR no longer has ({}); a pull fails while downloading.", digest.short(), crate::text::count(missing.len(), "blob"), missing.join(", ")),
                format!("re-push the image from a machine that has it: docker push {}", w.reference),
            ));
        }
        let total = crate::model::saturating_sum(m.layers.iter().map(|l| l.size));
        w.push(Step {
            name: "blobs",
            status: StepStatus::Ok,
            detail: format!(
                "config and {} available ({} compressed)",
                crate::text::count(m.layers.len(), "layer"),
                crate::text::size(total)
            ),
            elapsed_ms: ms(t),
            http_status: Some(200),
            error_code: None,
            lines: vec![],
        });
        Ok(BlobsChecked::Present)
    }
}
