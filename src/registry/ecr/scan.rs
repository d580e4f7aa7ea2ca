//! Vulnerability scans as ECR keeps them: the status and severity counts `DescribeImages`
//! carries, and the findings of `DescribeImageScanFindings` (basic `findings` and Inspector
//! `enhancedFindings` alike) mapped onto one [`Finding`] model. Status stays distinct: not
//! scanned, in progress, complete, failed, unsupported image are different answers.

use super::error::{to_registry_error, with_retry};
use super::images::to_chrono;
use super::paginate::{collect_pages, Page, PageSource};
use super::EcrClient;
use crate::model::{Digest, Finding, ScanStatus, ScanSummary, Severity, SeverityCounts};
use crate::registry::{Place, RegistryError};
use async_trait::async_trait;
use aws_sdk_ecr::types::{
    EnhancedImageScanFinding, FindingSeverity, ImageIdentifier, ImageScanFinding,
    ScanStatus as EcrScan,
};
use std::collections::HashMap;
use std::sync::Mutex;

/// ECR's scan status on our scale. Enhanced scanning's "findings expired" and "no longer
/// eligible" are not a clean bill: they are "not scanned" (as of now).
pub fn scan_status(s: Option<&EcrScan>) -> ScanStatus {
    match s {
        Some(EcrScan::Complete | EcrScan::Active) => ScanStatus::Scanned,
        Some(EcrScan::InProgress | EcrScan::Pending) => ScanStatus::Scanning,
        Some(EcrScan::Failed | EcrScan::LimitExceeded) => ScanStatus::Failed,
        Some(EcrScan::UnsupportedImage) => ScanStatus::Unsupported,
        _ => ScanStatus::NotScanned,
    }
}

/// Which ECR scanner a status comes from: enhanced scanning (Inspector) uses its own set.
pub fn scan_source(s: Option<&EcrScan>) -> &'static str {
    match s {
        Some(
            EcrScan::Active
            | EcrScan::Pending
            | EcrScan::ScanEligibilityExpired
            | EcrScan::FindingsUnavailable,
        ) => "ecr-enhanced",
        Some(
            EcrScan::Complete | EcrScan::InProgress | EcrScan::Failed | EcrScan::UnsupportedImage,
        ) => "ecr-basic",
        _ => "ecr",
    }
}

pub fn severity(s: &str) -> Severity {
    match s.to_ascii_uppercase().as_str() {
        // UNDEFINED / UNTRIAGED: the scanner could not rate it.
        "UNDEFINED" | "UNTRIAGED" => Severity::Unknown,
        other => Severity::parse_loose(other),
    }
}

pub fn scan_summary(
    status: Option<&EcrScan>,
    counts: Option<&HashMap<FindingSeverity, i32>>,
) -> ScanSummary {
    let mut c = SeverityCounts::default();
    for (sev, n) in counts.into_iter().flatten() {
        c.add(severity(sev.as_str()), u32::try_from(*n).unwrap_or(0));
    }
    ScanSummary {
        status: scan_status(status),
        scanned_at: None,
        counts: c,
        source: None,
    }
}

/// Everything ECR knows about one image's scan.
#[derive(Clone, Debug, PartialEq)]
pub struct EcrScanReport {
    pub summary: ScanSummary,
    /// ECR's own words about the status ("The scan was completed successfully.").
    pub status_description: Option<String>,
    pub findings: Vec<Finding>,
}

/// Basic scanning: CVE id, severity, package name and version in `attributes`.
pub fn finding_from_basic(f: &ImageScanFinding) -> Finding {
    let attr = |k: &str| {
        f.attributes()
            .iter()
            .find(|a| a.key() == k)
            .and_then(|a| a.value())
            .map(str::to_string)
    };
    Finding {
        id: f.name().unwrap_or("unnamed").to_string(),
        severity: f
            .severity()
            .map(|s| severity(s.as_str()))
            .unwrap_or(Severity::Unknown),
        package: attr("package_name"),
        installed_version: attr("package_version"),
        fixed_version: None,
        title: f.description().map(str::to_string),
        url: f.uri().map(str::to_string),
        source: "ecr-basic".into(),
        // Basic scanning reports OS packages without naming the package manager.
        ecosystem: None,
    }
}

/// Enhanced scanning: one finding per vulnerable package, so "installed -> fixed" is per
/// package as people act on it.
pub fn findings_from_enhanced(f: &EnhancedImageScanFinding) -> Vec<Finding> {
    let details = f.package_vulnerability_details();
    let id = details
        .and_then(|d| d.vulnerability_id())
        .or(f.title())
        .unwrap_or("unnamed")
        .to_string();
    let url = details
        .and_then(|d| d.source_url())
        .or_else(|| details.and_then(|d| d.reference_urls().first().map(String::as_str)))
        .or_else(|| {
            f.remediation()
                .and_then(|r| r.recommendation())
                .and_then(|r| r.url())
        })
        .map(str::to_string);
    let base = Finding {
        id,
        severity: f.severity().map(severity).unwrap_or(Severity::Unknown),
        package: None,
        installed_version: None,
        fixed_version: None,
        title: f.title().or(f.description()).map(str::to_string),
        url,
        source: "ecr-enhanced".into(),
        ecosystem: None,
    };
    let packages = details.map(|d| d.vulnerable_packages()).unwrap_or_default();
    if packages.is_empty() {
        return vec![base];
    }
    packages
        .iter()
        .map(|p| Finding {
            package: p.name().map(str::to_string),
            installed_version: p.version().map(|v| match p.release() {
                Some(r) if !r.is_empty() => format!("{v}-{r}"),
                _ => v.to_string(),
            }),
            ecosystem: p
                .package_manager()
                .and_then(crate::model::Ecosystem::from_report),
            fixed_version: p
                .fixed_in_version()
                .filter(|v| !v.is_empty() && *v != "NotAvailable")
                .map(str::to_string),
            ..base.clone()
        })
        .collect()
}

struct FindingPages<'a> {
    client: &'a EcrClient,
    repository: &'a str,
    digest: &'a Digest,
    /// Status, counts and description, from the first page.
    head: Mutex<Option<(ScanSummary, Option<String>)>>,
}

#[async_trait]
impl PageSource for FindingPages<'_> {
    type Item = Finding;
    async fn page(&self, token: Option<String>) -> Result<Page<Finding>, RegistryError> {
        let c = self.client;
        let id = ImageIdentifier::builder()
            .image_digest(self.digest.as_str())
            .build();
        let out = with_retry(&c.retry, &c.counters, || {
            c.sdk
                .describe_image_scan_findings()
                .set_registry_id(c.account().map(str::to_string))
                .repository_name(self.repository)
                .image_id(id.clone())
                .max_results(1000)
                .set_next_token(token.clone())
                .send()
        })
        .await
        .map_err(|e| to_registry_error(&e, self.place(), "DescribeImageScanFindings"))?;
        let st = out.image_scan_status().and_then(|s| s.status());
        let body = out.image_scan_findings();
        if let Ok(mut head) = self.head.lock() {
            if head.is_none() {
                let mut s = scan_summary(st, body.and_then(|b| b.finding_severity_counts()));
                s.scanned_at = body
                    .and_then(|b| b.image_scan_completed_at())
                    .and_then(to_chrono);
                let enhanced = body.is_some_and(|b| !b.enhanced_findings().is_empty());
                s.source = Some(
                    if enhanced {
                        "ecr-enhanced"
                    } else {
                        scan_source(st)
                    }
                    .into(),
                );
                let desc = out
                    .image_scan_status()
                    .and_then(|s| s.description())
                    .map(str::to_string);
                *head = Some((s, desc));
            }
        }
        let mut items: Vec<Finding> = Vec::new();
        if let Some(b) = body {
            items.extend(b.findings().iter().map(finding_from_basic));
            items.extend(
                b.enhanced_findings()
                    .iter()
                    // Inspector keeps fixed findings as CLOSED; they are history, not risk.
                    .filter(|f| f.status() != Some("CLOSED"))
                    .flat_map(findings_from_enhanced),
            );
        }
        Ok(Page {
            items,
            next_token: out.next_token().map(str::to_string),
        })
    }
    fn place(&self) -> Place {
        self.client
            .place(Some(self.repository), Some(self.digest.as_str()))
    }
}

impl EcrClient {
    /// The scan of one image, every finding page followed. An image never scanned is a
    /// report with status `NotScanned` and no findings, not an error.
    pub async fn scan_findings(
        &self,
        repository: &str,
        digest: &Digest,
    ) -> Result<EcrScanReport, RegistryError> {
        let src = FindingPages {
            client: self,
            repository,
            digest,
            head: Mutex::new(None),
        };
        match collect_pages(&src).await {
            Ok((findings, _)) => {
                let (summary, status_description) = src
                    .head
                    .into_inner()
                    .ok()
                    .flatten()
                    .unwrap_or_else(|| (scan_summary(None, None), None));
                Ok(EcrScanReport {
                    summary,
                    status_description,
                    findings,
                })
            }
            Err(RegistryError::NotFound { code, .. })
                if code.0.as_deref() == Some("ScanNotFoundException") =>
            {
                Ok(EcrScanReport {
                    summary: scan_summary(None, None),
                    status_description: None,
                    findings: Vec::new(),
                })
            }
            Err(e) => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_ecr::types::{Attribute, PackageVulnerabilityDetails, VulnerablePackage};

    #[test]
    fn statuses_stay_distinct() {
        assert_eq!(scan_status(None), ScanStatus::NotScanned);
        assert_eq!(
            scan_status(Some(&EcrScan::InProgress)),
            ScanStatus::Scanning
        );
        assert_eq!(scan_status(Some(&EcrScan::Complete)), ScanStatus::Scanned);
        assert_eq!(scan_status(Some(&EcrScan::Active)), ScanStatus::Scanned);
        assert_eq!(scan_status(Some(&EcrScan::Failed)), ScanStatus::Failed);
        assert_eq!(
            scan_status(Some(&EcrScan::UnsupportedImage)),
            ScanStatus::Unsupported
        );
        assert_eq!(
            scan_status(Some(&EcrScan::FindingsUnavailable)),
            ScanStatus::NotScanned
        );
        assert_eq!(severity("INFORMATIONAL"), Severity::Negligible);
        assert_eq!(severity("UNTRIAGED"), Severity::Unknown);
        assert_eq!(severity("CRITICAL"), Severity::Critical);
    }

    #[test]
    fn basic_and_enhanced_findings_share_one_model() {
        let b = ImageScanFinding::builder()
            .name("CVE-2024-1")
            .severity(FindingSeverity::High)
            .uri("https://example/cve")
            .attributes(
                Attribute::builder()
                    .key("package_name")
                    .value("openssl")
                    .build()
                    .unwrap(),
            )
            .attributes(
                Attribute::builder()
                    .key("package_version")
                    .value("3.0.1")
                    .build()
                    .unwrap(),
            )
            .build();
        let f = finding_from_basic(&b);
        assert_eq!((f.id.as_str(), f.severity), ("CVE-2024-1", Severity::High));
        assert_eq!(f.package.as_deref(), Some("openssl"));
        assert_eq!(f.installed_version.as_deref(), Some("3.0.1"));
        assert_eq!(f.fixed_version, None);

        let e = EnhancedImageScanFinding::builder()
            .severity("CRITICAL")
            .title("CVE-2024-2 - zlib")
            .package_vulnerability_details(
                PackageVulnerabilityDetails::builder()
                    .vulnerability_id("CVE-2024-2")
                    .source_url("https://nvd/CVE-2024-2")
                    .vulnerable_packages(
                        VulnerablePackage::builder()
                            .name("zlib")
                            .version("1.2.11")
                            .release("r0")
                            .fixed_in_version("1.2.12")
                            .build(),
                    )
                    .vulnerable_packages(
                        VulnerablePackage::builder()
                            .name("zlib-dev")
                            .version("1.2.11")
                            .fixed_in_version("NotAvailable")
                            .build(),
                    )
                    .build(),
            )
            .build();
        let fs = findings_from_enhanced(&e);
        assert_eq!(fs.len(), 2);
        assert_eq!(fs[0].id, "CVE-2024-2");
        assert_eq!(fs[0].severity, Severity::Critical);
        assert_eq!(fs[0].installed_version.as_deref(), Some("1.2.11-r0"));
        assert_eq!(fs[0].fixed_version.as_deref(), Some("1.2.12"));
        assert_eq!(fs[1].fixed_version, None);
        assert_eq!(fs[0].url.as_deref(), Some("https://nvd/CVE-2024-2"));
        assert_eq!(fs[0].source, "ecr-enhanced");
    }
}
