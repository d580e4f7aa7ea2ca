//! Fleet-wide questions: which images contain CVE-X, newest first, and how much of the
//! fleet is unknown (never scanned, or unreadable) so a short answer is not mistaken for a
//! complete one.

use super::collect::{image_findings, ImageFindings, ReportFiles};
use crate::model::{Digest, Finding, ScanStatus};
use crate::registry::{Manifest, ManifestSource, RegistryError};
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Clone, Debug, Serialize)]
pub struct CveHit {
    pub repository: String,
    pub digest: Digest,
    pub tags: Vec<String>,
    /// From the manifest annotation or the image config; `None` when neither says.
    pub created_at: Option<DateTime<Utc>>,
    pub finding: Finding,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct CveAnswer {
    pub id: String,
    pub hits: Vec<CveHit>,
    pub images: usize,
    pub scanned: usize,
    pub not_scanned: usize,
    pub failed: usize,
    /// Repositories or images that could not be read.
    pub problems: Vec<String>,
}

/// The images of `repository` as (digest, tags): every manifest a layout lists, else
/// every tag resolved. Fallback and cosign tags (`sha256-...`) are not images.
async fn images_of(
    src: &dyn ManifestSource,
    repository: &str,
) -> Result<BTreeMap<Digest, Vec<String>>, RegistryError> {
    let mut out: BTreeMap<Digest, Vec<String>> = BTreeMap::new();
    if let Some(list) = src.list_manifests(repository).await? {
        for d in list {
            let tags = out.entry(d.digest.clone()).or_default();
            if let Some(t) = d.annotation(crate::registry::layout::REF_NAME) {
                if !t.starts_with("sha256-") {
                    tags.push(t.to_string());
                }
            }
        }
        return Ok(out);
    }
    for t in src.tags(repository).await? {
        if t.starts_with("sha256-") {
            continue;
        }
        let h = src.head_manifest(repository, &t).await?;
        out.entry(h.digest).or_default().push(t);
    }
    Ok(out)
}

/// Searches every repository under `prefix` for `id` (case-insensitive).
pub async fn search_cve(src: &dyn ManifestSource, prefix: Option<&str>, id: &str) -> CveAnswer {
    let mut ans = CveAnswer {
        id: id.to_string(),
        ..CveAnswer::default()
    };
    let repos = match src.repositories(prefix).await {
        Ok(r) => r,
        Err(e) => {
            ans.problems.push(format!("listing repositories: {e}"));
            return ans;
        }
    };
    for repo in repos {
        let images = match images_of(src, &repo).await {
            Ok(i) => i,
            Err(e) => {
                ans.problems.push(format!("{repo}: {e}"));
                continue;
            }
        };
        for (digest, mut tags) in images {
            let fetched = match src.manifest(&repo, digest.as_str()).await {
                Ok(f) => f,
                Err(e) => {
                    ans.problems.push(format!("{repo}@{digest}: {e}"));
                    continue;
                }
            };
            // Referrers (signatures, reports, SBOMs) are about images, not images.
            if fetched.manifest.subject().is_some()
                || !matches!(
                    fetched.manifest.kind(&tags),
                    crate::model::ImageKind::Image | crate::model::ImageKind::Index
                )
            {
                continue;
            }
            ans.images += 1;
            let shown = format!("{repo}@{digest}");
            let f: ImageFindings =
                match image_findings(src, &repo, digest.as_str(), &shown, &ReportFiles::default())
                    .await
                {
                    Ok(f) => f,
                    Err(e) => {
                        ans.problems.push(format!("{shown}: {e}"));
                        continue;
                    }
                };
            match f.status {
                ScanStatus::Scanned => ans.scanned += 1,
                ScanStatus::Failed => ans.failed += 1,
                _ => ans.not_scanned += 1,
            }
            ans.problems
                .extend(f.problems.iter().map(|p| format!("{shown}: {p}")));
            let Some(hit) = f
                .findings
                .into_iter()
                .find(|x| x.id.eq_ignore_ascii_case(id))
            else {
                continue;
            };
            tags.sort();
            ans.hits.push(CveHit {
                created_at: created_at(src, &repo, &fetched.manifest).await,
                repository: repo.clone(),
                digest,
                tags,
                finding: hit,
            });
        }
    }
    // Newest first; unknown creation times last.
    ans.hits.sort_by(|a, b| {
        b.created_at
            .cmp(&a.created_at)
            .then(a.repository.cmp(&b.repository))
    });
    ans
}

async fn created_at(src: &dyn ManifestSource, repo: &str, m: &Manifest) -> Option<DateTime<Utc>> {
    let annotations = match m {
        Manifest::Image(i) => i.annotations.as_ref(),
        Manifest::Index(i) => i.annotations.as_ref(),
    };
    let from_annotation = annotations
        .and_then(|a| a.get("org.opencontainers.image.created"))
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|d| d.with_timezone(&Utc));
    if from_annotation.is_some() {
        return from_annotation;
    }
    let Manifest::Image(img) = m else { return None };
    let cfg = src
        .blob(repo, &img.config.digest, 4 * 1024 * 1024)
        .await
        .ok()?;
    let v: serde_json::Value = serde_json::from_slice(&cfg).ok()?;
    DateTime::parse_from_rfc3339(v.get("created")?.as_str()?)
        .ok()
        .map(|d| d.with_timezone(&Utc))
}
