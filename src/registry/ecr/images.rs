//! Images of a repository from `DescribeImages` (1,000 per page, the API's maximum), mapped
//! onto inventory records without touching a manifest: `BatchGetImage` would move the
//! "last pulled" time users triage by.
//!
//! What ECR does not say stays unknown: `unique_bytes` needs the manifests; an index's
//! `imageSizeInBytes` is the largest child's size, not the distinct bytes the inventory
//! schema means, so an index's size is unknown; a missing scan status is not "clean".

use super::error::{to_registry_error, with_retry};
use super::paginate::{collect_pages, Page, PageSource};
use super::scan::{scan_source, scan_summary};
use super::EcrClient;
use crate::model::{Digest, Image, ImageKind, StorageClass};
use crate::registry::{media, Place, RegistryError};
use async_trait::async_trait;
use aws_sdk_ecr::types::{ImageDetail, ImageIdentifier, ImageStatus};
use chrono::{DateTime, Utc};

/// The API's largest page: one `DescribeImages` call per 1,000 images.
pub const DESCRIBE_IMAGES_PAGE: i32 = 1000;

struct DescribeImagesPages<'a> {
    client: &'a EcrClient,
    repository: &'a str,
}

#[async_trait]
impl PageSource for DescribeImagesPages<'_> {
    type Item = ImageDetail;
    async fn page(&self, token: Option<String>) -> Result<Page<ImageDetail>, RegistryError> {
        let c = self.client;
        let out = with_retry(&c.retry, &c.counters, || {
            c.sdk
                .describe_images()
                .set_registry_id(c.account().map(str::to_string))
                .repository_name(self.repository)
                .max_results(DESCRIBE_IMAGES_PAGE)
                .set_next_token(token.clone())
                .send()
        })
        .await
        .map_err(|e| to_registry_error(&e, self.place(), "DescribeImages"))?;
        Ok(Page {
            next_token: out.next_token().map(str::to_string),
            items: out.image_details.unwrap_or_default(),
        })
    }
    fn place(&self) -> Place {
        self.client.place(Some(self.repository), None)
    }
}

/// One repository's images as ECR describes them, plus the records it could not map
/// (a malformed digest) as messages, so one bad record does not hide the rest.
#[derive(Clone, Debug, Default)]
pub struct DescribedImages {
    pub images: Vec<Image>,
    pub rejected: Vec<String>,
    /// `DescribeImages` pages it took.
    pub pages: usize,
}

impl EcrClient {
    /// Every image of `repository` from `DescribeImages`. Read-only and free of side
    /// effects: it never fetches a manifest.
    pub async fn describe_images(
        &self,
        repository: &str,
    ) -> Result<DescribedImages, RegistryError> {
        let (details, pages) = collect_pages(&DescribeImagesPages {
            client: self,
            repository,
        })
        .await?;
        let mut out = DescribedImages {
            pages,
            ..Default::default()
        };
        for d in &details {
            match image_from_detail(repository, d) {
                Ok(i) => out.images.push(i),
                Err(e) => out.rejected.push(e),
            }
        }
        out.images.sort_by(|a, b| a.digest.cmp(&b.digest));
        Ok(out)
    }
}

impl EcrClient {
    /// One image by tag or digest, from `DescribeImages` with an image id: what a command
    /// about one reference needs (its digest, scan status, push and pull times) without
    /// `BatchGetImage`, which ECR counts as a pull.
    pub async fn describe_image(
        &self,
        repository: &str,
        reference: &str,
    ) -> Result<Image, RegistryError> {
        let id = if reference.contains(':') {
            ImageIdentifier::builder().image_digest(reference).build()
        } else {
            ImageIdentifier::builder().image_tag(reference).build()
        };
        let place = self.place(Some(repository), Some(reference));
        let out = with_retry(&self.retry, &self.counters, || {
            self.sdk
                .describe_images()
                .set_registry_id(self.account().map(str::to_string))
                .repository_name(repository)
                .image_ids(id.clone())
                .send()
        })
        .await
        .map_err(|e| to_registry_error(&e, place.clone(), "DescribeImages"))?;
        let detail = out
            .image_details()
            .first()
            .ok_or_else(|| RegistryError::NotFound {
                place: place.clone(),
                code: crate::registry::CodeSuffix(Some("ImageNotFoundException".into())),
                detail: String::new(),
            })?;
        image_from_detail(repository, detail)
            .map_err(|why| RegistryError::Other { place, detail: why })
    }
}

pub(crate) fn to_chrono(t: &aws_smithy_types::DateTime) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(t.secs(), t.subsec_nanos())
}

/// Maps one `ImageDetail` onto an inventory record.
pub fn image_from_detail(repository: &str, d: &ImageDetail) -> Result<Image, String> {
    let raw = d.image_digest().unwrap_or_default();
    let digest = Digest::parse(raw).map_err(|e| format!("{repository}: {e}"))?;
    let media_type = d.image_manifest_media_type().unwrap_or_default();
    let mut tags: Vec<String> = d.image_tags().to_vec();
    tags.sort();
    tags.dedup();
    let (kind, artifact_type) = classify(media_type, d.artifact_media_type(), &tags);
    let mut img = Image::new(repository, digest, media_type, kind);
    img.tags = tags;
    img.artifact_type = artifact_type;
    img.size_bytes = match kind {
        ImageKind::Index => None,
        _ => d.image_size_in_bytes().and_then(|s| u64::try_from(s).ok()),
    };
    img.pushed_at = d.image_pushed_at().and_then(to_chrono);
    img.last_pulled_at = d.last_recorded_pull_time().and_then(to_chrono);
    img.storage_class = d.image_status().and_then(|s| match s {
        ImageStatus::Active => Some(StorageClass::Standard),
        // Restoring: the bytes are still in the archive tier until it finishes.
        ImageStatus::Archived | ImageStatus::Activating => Some(StorageClass::Archive),
        _ => None,
    });
    img.archived_at = d.last_archived_at().and_then(to_chrono);
    img.activated_at = d.last_activated_at().and_then(to_chrono);
    img.subject = d
        .subject_manifest_digest()
        .and_then(|s| Digest::parse(s).ok());
    img.scan = d.image_scan_status().map(|st| {
        let mut s = scan_summary(
            st.status(),
            d.image_scan_findings_summary()
                .and_then(|f| f.finding_severity_counts()),
        );
        s.scanned_at = d
            .image_scan_findings_summary()
            .and_then(|f| f.image_scan_completed_at())
            .and_then(to_chrono);
        s.source = Some(scan_source(st.status()).to_string());
        s
    });
    Ok(img)
}

/// What a manifest is, from the two media types `DescribeImages` gives. ECR reports the
/// config media type (or `artifactType`) as `artifactMediaType`.
pub fn classify(
    manifest_media_type: &str,
    artifact_media_type: Option<&str>,
    tags: &[String],
) -> (ImageKind, Option<String>) {
    let at = artifact_media_type.unwrap_or("");
    let plain_config = at.is_empty() || at == media::OCI_CONFIG || at == media::DOCKER_CONFIG;
    let artifact_type = (!plain_config).then(|| at.to_string());
    let tag_suffix = |s: &str| {
        tags.iter()
            .any(|t| t.starts_with("sha256-") && t.ends_with(s))
    };
    let kind = if tag_suffix(".sig")
        || at.contains("signature")
        || at.contains("cosign.simplesigning")
        || at.contains("cosign.artifact.sig")
        || at.contains("notary")
    {
        ImageKind::Signature
    } else if tag_suffix(".att")
        || tag_suffix(".sbom")
        || ["in-toto", "dsse", "spdx", "cyclonedx", "sbom"]
            .iter()
            .any(|k| at.contains(k))
    {
        ImageKind::Attestation
    } else if media::is_index(manifest_media_type) {
        ImageKind::Index
    } else if plain_config {
        ImageKind::Image
    } else {
        ImageKind::Artifact
    };
    (kind, artifact_type)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ScanStatus, Severity};
    use aws_sdk_ecr::types::{
        FindingSeverity, ImageScanFindingsSummary, ImageScanStatus, ScanStatus as EcrScan,
    };

    fn dg(c: char) -> String {
        format!("sha256:{}", c.to_string().repeat(64))
    }
    fn t(secs: i64) -> aws_smithy_types::DateTime {
        aws_smithy_types::DateTime::from_secs(secs)
    }

    #[test]
    fn a_full_detail_maps_every_field() {
        let d = ImageDetail::builder()
            .image_digest(dg('a'))
            .image_tags("v2")
            .image_tags("latest")
            .image_size_in_bytes(1234)
            .image_pushed_at(t(1_700_000_000))
            .last_recorded_pull_time(t(1_700_100_000))
            .image_manifest_media_type(media::OCI_MANIFEST)
            .artifact_media_type(media::OCI_CONFIG)
            .image_status(ImageStatus::Archived)
            .last_archived_at(t(1_700_200_000))
            .image_scan_status(ImageScanStatus::builder().status(EcrScan::Complete).build())
            .image_scan_findings_summary(
                ImageScanFindingsSummary::builder()
                    .image_scan_completed_at(t(1_700_000_100))
                    .finding_severity_counts(FindingSeverity::Critical, 2)
                    .finding_severity_counts(FindingSeverity::Informational, 5)
                    .finding_severity_counts(FindingSeverity::from("UNTRIAGED"), 1)
                    .build(),
            )
            .build();
        let i = image_from_detail("team/api", &d).unwrap();
        assert_eq!(i.tags, vec!["latest", "v2"]);
        assert_eq!(i.kind, ImageKind::Image);
        assert_eq!(i.size_bytes, Some(1234));
        assert_eq!(i.unique_bytes, None, "unknown without manifests");
        assert_eq!(i.pushed_at.unwrap().timestamp(), 1_700_000_000);
        assert_eq!(i.last_pulled_at.unwrap().timestamp(), 1_700_100_000);
        assert_eq!(i.storage_class, Some(StorageClass::Archive));
        assert_eq!(i.archived_at.unwrap().timestamp(), 1_700_200_000);
        assert_eq!(i.activated_at, None);
        let s = i.scan.unwrap();
        assert_eq!(s.status, ScanStatus::Scanned);
        assert_eq!(s.counts.get(Severity::Critical), 2);
        assert_eq!(s.counts.get(Severity::Negligible), 5);
        assert_eq!(s.counts.get(Severity::Unknown), 1);
        assert_eq!(s.scanned_at.unwrap().timestamp(), 1_700_000_100);
    }

    #[test]
    fn what_ecr_omits_stays_unknown() {
        let d = ImageDetail::builder()
            .image_digest(dg('b'))
            .image_manifest_media_type(media::DOCKER_MANIFEST)
            .build();
        let i = image_from_detail("r", &d).unwrap();
        assert!(i.tags.is_empty());
        assert_eq!(i.size_bytes, None);
        assert_eq!(i.pushed_at, None);
        assert_eq!(i.last_pulled_at, None, "never pulled is not what ECR said");
        assert_eq!(i.storage_class, None);
        assert_eq!(i.scan, None, "no scan status is not clean");
        let j = serde_json::to_value(&i).unwrap();
        assert!(j["size_bytes"].is_null() && j["last_pulled_at"].is_null());
    }

    #[test]
    fn an_index_size_is_unknown_and_kinds_come_from_media_types() {
        let d = ImageDetail::builder()
            .image_digest(dg('c'))
            .image_size_in_bytes(999)
            .image_manifest_media_type(media::OCI_INDEX)
            .build();
        let i = image_from_detail("r", &d).unwrap();
        assert_eq!((i.kind, i.size_bytes), (ImageKind::Index, None));

        let k = |m: &str, a: Option<&str>| classify(m, a, &[]).0;
        assert_eq!(
            k(
                media::OCI_MANIFEST,
                Some("application/vnd.dev.cosign.artifact.sig.v1+json")
            ),
            ImageKind::Signature
        );
        assert_eq!(
            k(media::OCI_MANIFEST, Some("application/spdx+json")),
            ImageKind::Attestation
        );
        assert_eq!(
            k(media::OCI_MANIFEST, Some("application/vnd.example.thing")),
            ImageKind::Artifact
        );
        assert_eq!(
            k(media::DOCKER_MANIFEST, Some(media::DOCKER_CONFIG)),
            ImageKind::Image
        );
        assert_eq!(
            classify(
                media::OCI_MANIFEST,
                Some(media::OCI_CONFIG),
                &["sha256-abc.sig".into()]
            )
            .0,
            ImageKind::Signature
        );
    }

    #[test]
    fn a_bad_digest_is_rejected_by_name() {
        let d = ImageDetail::builder().image_digest("md5:zz").build();
        let e = image_from_detail("team/api", &d).unwrap_err();
        assert!(e.contains("team/api") && e.contains("md5:zz"), "{e}");
    }
}
