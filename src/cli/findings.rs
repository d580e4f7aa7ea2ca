//! `regscope findings REF`: an image's vulnerabilities from every report attached to it
//! (or given with `--report`), or for ECR from ECR's own scan (`DescribeImageScanFindings`,
//! basic and enhanced). `--json` writes the stable document; `--fail-on SEVERITY` makes
//! the exit code a CI gate (1: a finding at or above it; 2: the image is not scanned).
//! The fleet questions (`--cve`, `--package`) live in `findings_fleet`.

use crate::model::{ScanStatus, Severity};
use crate::registry::ecr::{EcrClient, EcrConnectOptions};
use crate::registry::reference::Reference;
use crate::registry::{RegistryError, Target};
use crate::scan::{self, ReportFiles};
use anyhow::Context;
use std::io::Write;
use std::path::PathBuf;

/// Prints a line; a closed pipe (`| head`) ends output quietly instead of panicking.
macro_rules! out {
    ($($arg:tt)*) => {{
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

#[derive(Debug, clap::Args)]
pub struct FindingsArgs {
    /// Image reference ([HOST/]REPO[:TAG|@DIGEST], oci:DIR[:TAG|@DIGEST]); with --cve, a
    /// registry target (HOST[/PREFIX], oci:DIR).
    pub reference: String,
    /// Find the images containing this vulnerability id (CVE-..., GHSA-...).
    #[arg(long, value_name = "ID", conflicts_with = "package")]
    pub cve: Option<String>,
    /// Find the images whose findings name this package (exact name, any case).
    #[arg(long, value_name = "NAME")]
    pub package: Option<String>,
    /// With --package: only installed versions strictly below this one (dpkg/rpm/semver
    /// ordering; see the README).
    #[arg(long, value_name = "VERSION", requires = "package")]
    pub below: Option<String>,
    /// Order of fleet hits: newest (build time, else push time) or pulled (last pull).
    #[arg(long, value_name = "ORDER", default_value = "newest", value_parser = ["newest", "pulled"])]
    pub sort: String,
    /// Write JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Exit 1 when a finding at or above this severity exists, 2 when not scanned.
    #[arg(long, value_name = "SEVERITY", value_parser = parse_severity)]
    pub fail_on: Option<Severity>,
    /// A report file, or a directory of reports named by image digest (repeatable).
    #[arg(long, value_name = "PATH")]
    pub report: Vec<PathBuf>,
}

fn parse_severity(s: &str) -> Result<Severity, String> {
    match Severity::parse_loose(s) {
        Severity::Unknown if !s.eq_ignore_ascii_case("unknown") => Err(format!(
            "unknown severity {s:?}: use critical, high, medium, low, negligible or unknown"
        )),
        sev => Ok(sev),
    }
}

pub fn run(args: FindingsArgs) -> anyhow::Result<i32> {
    let rt = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    rt.block_on(execute(&args))
}

async fn execute(args: &FindingsArgs) -> anyhow::Result<i32> {
    if let Some(q) = super::findings_fleet::query(args)? {
        return super::findings_fleet::run(args, q).await;
    }
    let reference = Reference::parse(&args.reference).map_err(super::output::usage)?;
    let f = if let Target::Ecr { .. } = &reference.target {
        ecr_findings(args, &reference).await?
    } else {
        let source = super::source::open(&reference.target)
            .await
            .with_context(|| format!("cannot open {}", reference.registry))?;
        let files = ReportFiles {
            paths: args.report.clone(),
        };
        scan::image_findings(
            source.as_ref(),
            &reference.repository,
            &reference.reference(),
            &reference.to_string(),
            &files,
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e}\n  next step: {}", e.next_step()))?
    };
    for p in &f.problems {
        eprintln!("regscope findings: {p}");
    }
    if args.json {
        out!("{}", serde_json::to_string_pretty(&f)?);
    } else {
        print_table(&f);
    }
    Ok(match args.fail_on {
        None => 0,
        Some(_) if f.status != ScanStatus::Scanned => 2,
        Some(t) if scan::rollup::any_at_least(&f.findings, t) => 1,
        Some(_) => 0,
    })
}

/// ECR's own scan of one image: the reference resolved with `DescribeImages` and the
/// findings read with `DescribeImageScanFindings`, never a manifest (a pull in ECR).
async fn ecr_findings(
    args: &FindingsArgs,
    reference: &Reference,
) -> anyhow::Result<scan::ImageFindings> {
    if !args.report.is_empty() {
        return Err(super::output::usage(
            "--report is for registries without a scanner of their own; ECR reports its own scan",
        ));
    }
    let settings = super::source::settings_for(&reference.target.display_name());
    let client = EcrClient::connect(&reference.target, &settings, EcrConnectOptions::default())
        .await
        .map_err(|e| anyhow::anyhow!("{e}\n  next step: {}", e.next_step()))?;
    let next = |e: RegistryError| anyhow::anyhow!("{e}\n  next step: {}", e.next_step());
    let img = client
        .describe_image(&reference.repository, &reference.reference())
        .await
        .map_err(next)?;
    let report = client
        .scan_findings(&reference.repository, &img.digest)
        .await
        .map_err(next)?;
    Ok(scan::ecr::image_findings(
        &reference.to_string(),
        &img.digest,
        report,
    ))
}

pub fn status_word(s: &ScanStatus) -> &'static str {
    match s {
        ScanStatus::NotScanned => "not scanned",
        ScanStatus::Scanning => "scanning",
        ScanStatus::Failed => "scan failed",
        ScanStatus::Unsupported => "scanning unsupported",
        ScanStatus::Scanned => "scanned",
    }
}

fn print_table(f: &scan::ImageFindings) {
    out!("{}  {}", f.reference, f.digest);
    let when = f
        .scanned_at
        .map(|t| t.format(" %Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_default();
    out!("status: {}{when}", status_word(&f.status));
    for s in &f.sources {
        out!(
            "  source: {} ({} {}, {} findings)",
            s.scanner,
            match s.origin {
                scan::Origin::Referrer => "referrer",
                scan::Origin::FallbackTag => "referrer via fallback tag",
                scan::Origin::CosignTag => "cosign .att tag",
                scan::Origin::File => "file",
                scan::Origin::Registry => "the registry's scan API",
            },
            s.location,
            s.findings
        );
    }
    if f.status != ScanStatus::Scanned {
        out!(
            "{}: this image's vulnerabilities are unknown, not zero",
            match f.status {
                ScanStatus::NotScanned if f.sources.is_empty() => "no scan found",
                ScanStatus::Scanning => "the scan is still running",
                ScanStatus::Failed => "the scan failed",
                ScanStatus::Unsupported => "the scanner does not support this image",
                _ => "not scanned",
            }
        );
        return;
    }
    let c = &f.counts;
    out!(
        "critical {}  high {}  medium {}  low {}  negligible {}  unknown {}   fixable {}",
        c.critical,
        c.high,
        c.medium,
        c.low,
        c.negligible,
        c.unknown,
        f.fixable.total()
    );
    for p in &f.platforms {
        let worst = p.counts.worst().map(Severity::as_str).unwrap_or("none");
        out!(
            "  {}: {} (worst {worst}, {} findings)",
            p.platform,
            status_word(&p.status),
            p.counts.total()
        );
    }
    if f.findings.is_empty() {
        out!("no findings");
        return;
    }
    out!(
        "\n{:<10} {:<18} {:<16} {:<34} TITLE",
        "SEVERITY",
        "ID",
        "PACKAGE",
        "INSTALLED -> FIXED"
    );
    for x in &f.findings {
        let versions = format!(
            "{} -> {}",
            x.installed_version.as_deref().unwrap_or("?"),
            x.fixed_version.as_deref().unwrap_or("(no fix)")
        );
        out!(
            "{:<10} {:<18} {:<16} {:<34} {}",
            x.severity.as_str(),
            x.id,
            x.package.as_deref().unwrap_or("-"),
            versions,
            x.title.as_deref().unwrap_or("")
        );
    }
}
