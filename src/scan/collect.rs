//! Gathering the findings of one image: reports attached as OCI referrers (the referrers
//! API, else the `sha256-<hex>` fallback tag, plus cosign's `sha256-<hex>.att` tag) to the
//! image and, for an index, to each platform's manifest; and report files given by the
//! user. A report that cannot be used is named in `problems` while the rest still count.

use super::formats;
use super::report::ScanReport;
use super::rollup;
use crate::model::{Digest, Finding, ScanStatus, ScanSummary, SeverityCounts};
use crate::registry::{Descriptor, Manifest, ManifestSource, Referrers, RegistryError};
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// Reports bigger than this are refused (real Trivy reports of huge images stay well
/// under it).
pub const REPORT_LIMIT: u64 = 32 * 1024 * 1024;
/// Layers of one referrer inspected at most (reports have one).
const MAX_REPORT_LAYERS: usize = 16;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// Listed by the registry's referrers API (or an OCI layout's subject scan).
    Referrer,
    /// Listed in the `sha256-<hex>` fallback tag's index.
    FallbackTag,
    /// cosign's `sha256-<hex>.att` tag.
    CosignTag,
    /// A file given with `--report`.
    File,
    /// The registry's own scan (ECR `DescribeImageScanFindings`).
    Registry,
}

/// Where one report came from, for `sources` in the JSON.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ReportSource {
    pub scanner: String,
    pub scanner_version: Option<String>,
    pub origin: Origin,
    /// The referrer's digest or the file's path.
    pub location: String,
    /// The manifest the report is attached to (the image, or one platform of it).
    pub subject: Digest,
    pub scanned_at: Option<DateTime<Utc>>,
    pub findings: usize,
}

/// One platform of an index.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PlatformFindings {
    pub platform: String,
    pub digest: Digest,
    pub status: ScanStatus,
    pub counts: SeverityCounts,
}

/// Everything known about an image's vulnerabilities. Serialised as the stable
/// `regscope findings --json` document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ImageFindings {
    pub reference: String,
    pub digest: Digest,
    pub status: ScanStatus,
    pub scanned_at: Option<DateTime<Utc>>,
    pub sources: Vec<ReportSource>,
    pub counts: SeverityCounts,
    /// Of `counts`, the findings with a fixed version.
    pub fixable: SeverityCounts,
    pub findings: Vec<Finding>,
    /// Per platform for an index (reports attached to that platform's manifest); empty
    /// for a single-platform image.
    pub platforms: Vec<PlatformFindings>,
    /// Reports found but not usable, each naming its digest or file.
    pub problems: Vec<String>,
}

impl ImageFindings {
    /// The inventory's view of this.
    pub fn summary(&self) -> ScanSummary {
        ScanSummary {
            status: self.status.clone(),
            scanned_at: self.scanned_at,
            counts: self.counts,
            source: rollup::sources_label(self.sources.iter().map(|s| s.scanner.as_str())),
        }
    }
}

/// Where to look besides the registry.
#[derive(Clone, Debug, Default)]
pub struct ReportFiles {
    /// Files, or directories holding reports named by digest (`sha256:<hex>...`,
    /// `sha256-<hex>...` or `<hex>...`).
    pub paths: Vec<PathBuf>,
}

struct Found {
    report: ScanReport,
    source: ReportSource,
}

/// The findings of `reference` in `repository`. Errors only when the image itself cannot
/// be read; unusable reports become `problems`.
pub async fn image_findings(
    src: &dyn ManifestSource,
    repository: &str,
    reference: &str,
    shown_as: &str,
    files: &ReportFiles,
) -> Result<ImageFindings, RegistryError> {
    let top = src.manifest(repository, reference).await?;
    let mut subjects: Vec<(Digest, Option<String>)> = vec![(top.digest.clone(), None)];
    if let Manifest::Index(idx) = &top.manifest {
        for d in idx.manifests.iter().filter(|d| !d.is_attestation_entry()) {
            let p = d.platform.as_ref().map(|p| p.to_platform().to_string());
            subjects.push((
                d.digest.clone(),
                Some(p.unwrap_or_else(|| "unknown".into())),
            ));
        }
    }
    let all_digests: Vec<String> = subjects.iter().map(|(d, _)| d.to_string()).collect();
    let mut found = Vec::new();
    let mut problems = Vec::new();
    for (subject, _) in &subjects {
        attached_reports(src, repository, subject, &mut found, &mut problems).await;
    }
    for f in report_files(files, &top.digest, &subjects, &mut problems) {
        found.push(f);
    }
    // A report about another image is not evidence about this one.
    found.retain(|f| match &f.report.subject {
        Some(s) if !all_digests.contains(s) => {
            problems.push(format!(
                "{}: the report is about {s}, not {}",
                f.source.location, f.source.subject
            ));
            false
        }
        _ => true,
    });
    let status = if !found.is_empty() {
        ScanStatus::Scanned
    } else if !problems.is_empty() {
        ScanStatus::Failed
    } else {
        ScanStatus::NotScanned
    };
    let platforms = subjects
        .iter()
        .filter_map(|(d, p)| Some((d, p.as_ref()?)))
        .map(|(d, p)| {
            // A report on the index covers the image as a whole, so every platform.
            let mine: Vec<&Found> = found
                .iter()
                .filter(|f| f.source.subject == *d || f.source.subject == top.digest)
                .collect();
            let merged = rollup::merge(mine.iter().flat_map(|f| f.report.findings.clone()));
            PlatformFindings {
                platform: p.clone(),
                digest: d.clone(),
                status: if mine.is_empty() {
                    ScanStatus::NotScanned
                } else {
                    ScanStatus::Scanned
                },
                counts: rollup::counts(&merged),
            }
        })
        .collect();
    let findings = rollup::merge(found.iter().flat_map(|f| f.report.findings.clone()));
    Ok(ImageFindings {
        reference: shown_as.to_string(),
        digest: top.digest,
        status,
        scanned_at: found.iter().filter_map(|f| f.report.scanned_at).max(),
        counts: rollup::counts(&findings),
        fixable: rollup::fixable(&findings),
        findings,
        platforms,
        sources: found.into_iter().map(|f| f.source).collect(),
        problems,
    })
}

/// The referrers of `subject` and where the list came from.
pub async fn referrer_list(
    src: &dyn ManifestSource,
    repository: &str,
    subject: &Digest,
) -> Result<(Vec<Descriptor>, Origin), RegistryError> {
    match src.referrers(repository, subject).await {
        Ok(Referrers::Listed(list)) => return Ok((list, Origin::Referrer)),
        Ok(Referrers::Unsupported) | Err(RegistryError::Unsupported { .. }) => {}
        Err(e) => return Err(e),
    }
    match src.manifest(repository, &subject.fallback_tag()).await {
        Ok(f) => match f.manifest {
            Manifest::Index(idx) => Ok((idx.manifests, Origin::FallbackTag)),
            Manifest::Image(_) => Ok((Vec::new(), Origin::FallbackTag)),
        },
        Err(RegistryError::NotFound { .. }) => Ok((Vec::new(), Origin::FallbackTag)),
        Err(e) => Err(e),
    }
}

async fn attached_reports(
    src: &dyn ManifestSource,
    repository: &str,
    subject: &Digest,
    found: &mut Vec<Found>,
    problems: &mut Vec<String>,
) {
    let mut candidates: Vec<(Descriptor, Origin)> = Vec::new();
    match referrer_list(src, repository, subject).await {
        Ok((list, origin)) => candidates.extend(list.into_iter().map(|d| (d, origin.clone()))),
        Err(e) => problems.push(format!("referrers of {subject}: {e}")),
    }
    let att = format!("{}.att", subject.fallback_tag());
    if let Ok(h) = src.head_manifest(repository, &att).await {
        candidates.push((
            Descriptor {
                media_type: h.media_type,
                digest: h.digest,
                size: h.size,
                platform: None,
                artifact_type: None,
                annotations: None,
                urls: None,
            },
            Origin::CosignTag,
        ));
    }
    for (desc, origin) in candidates {
        if !formats::may_be_report(desc.artifact_type.as_deref()) {
            continue;
        }
        let m = match src.manifest(repository, desc.digest.as_str()).await {
            Ok(m) => m,
            Err(e) => {
                problems.push(format!("referrer {}: {e}", desc.digest));
                continue;
            }
        };
        let Manifest::Image(img) = &m.manifest else {
            continue;
        };
        let artifact_type = m.manifest.artifact_type();
        if !formats::may_be_report(artifact_type.as_deref()) {
            continue;
        }
        for layer in img.layers.iter().take(MAX_REPORT_LAYERS) {
            if layer.media_type.contains(".tar") || layer.media_type.contains("rootfs") {
                continue;
            }
            let location = format!("referrer {} layer {}", desc.digest, layer.digest);
            let bytes = match src.blob(repository, &layer.digest, REPORT_LIMIT).await {
                Ok(b) => b,
                Err(e) => {
                    problems.push(format!("{location}: {e}"));
                    continue;
                }
            };
            let types = [
                artifact_type.as_deref().unwrap_or(""),
                layer.media_type.as_str(),
            ];
            match formats::parse(&bytes, &types) {
                Ok(Some(mut report)) => {
                    // A report that carries no time of its own (Trivy without CreatedAt) is
                    // dated by its artifact: `oras attach` and most attachers stamp
                    // `org.opencontainers.image.created` on the manifest.
                    if report.scanned_at.is_none() {
                        report.scanned_at = crate::scan::report::parse_time(
                            img.annotations
                                .as_ref()
                                .and_then(|a| a.get("org.opencontainers.image.created"))
                                .map(String::as_str),
                        );
                    }
                    found.push(Found {
                        source: ReportSource {
                            scanner: report.scanner.clone(),
                            scanner_version: report.scanner_version.clone(),
                            origin: origin.clone(),
                            location: desc.digest.to_string(),
                            subject: subject.clone(),
                            scanned_at: report.scanned_at,
                            findings: report.findings.len(),
                        },
                        report,
                    })
                }
                Ok(None) => {}
                Err(e) => problems.push(format!("{location}: malformed report: {e}")),
            }
        }
    }
}

/// Report files for this image: every `--report` file, and files in `--report` dirs
/// named after one of the image's digests. A report file's own subject, when it names a
/// platform's digest, attaches it to that platform.
fn report_files(
    files: &ReportFiles,
    top: &Digest,
    subjects: &[(Digest, Option<String>)],
    problems: &mut Vec<String>,
) -> Vec<Found> {
    let mut paths: Vec<PathBuf> = Vec::new();
    for p in &files.paths {
        if p.is_dir() {
            let Ok(rd) = std::fs::read_dir(p) else {
                problems.push(format!("{}: cannot list the directory", p.display()));
                continue;
            };
            let mut names: Vec<PathBuf> = rd.filter_map(Result::ok).map(|e| e.path()).collect();
            names.sort();
            paths.extend(names.into_iter().filter(|f| {
                let n = f
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                subjects.iter().any(|(d, _)| n.contains(d.hex()))
            }));
        } else {
            paths.push(p.clone());
        }
    }
    let mut out = Vec::new();
    for p in paths {
        match read_report_file(&p) {
            Ok(report) => {
                let subject = report
                    .subject
                    .as_deref()
                    .and_then(|s| subjects.iter().find(|(d, _)| d.as_str() == s))
                    .map(|(d, _)| d.clone())
                    .or_else(|| {
                        let n = p.file_name()?.to_string_lossy().into_owned();
                        subjects
                            .iter()
                            .find(|(d, _)| n.contains(d.hex()))
                            .map(|(d, _)| d.clone())
                    })
                    .unwrap_or_else(|| top.clone());
                out.push(Found {
                    source: ReportSource {
                        scanner: report.scanner.clone(),
                        scanner_version: report.scanner_version.clone(),
                        origin: Origin::File,
                        location: p.display().to_string(),
                        subject,
                        scanned_at: report.scanned_at,
                        findings: report.findings.len(),
                    },
                    report,
                });
            }
            Err(e) => problems.push(e),
        }
    }
    out
}

/// Reads a report file the user named: it must be a report (strict detection).
pub fn read_report_file(p: &Path) -> Result<ScanReport, String> {
    let bytes = crate::files::read_capped(p, REPORT_LIMIT).map_err(|e| match e {
        crate::files::CappedError::TooLarge(_) => {
            format!("{}: larger than {REPORT_LIMIT} bytes", p.display())
        }
        e => format!("{}: {e}", p.display()),
    })?;
    let v: serde_json::Value = serde_json::from_slice(&bytes)
        .map_err(|e| format!("{}: malformed report: not valid JSON: {e}", p.display()))?;
    match formats::parse_value(v, true) {
        Ok(Some(r)) => Ok(r),
        Ok(None) => Err(format!("{}: not a vulnerability report", p.display())),
        Err(e) => Err(format!("{}: malformed report: {e}", p.display())),
    }
}
