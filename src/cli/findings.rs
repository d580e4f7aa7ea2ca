//! `regscope findings REF`: an image's vulnerabilities from every report attached to it
//! (or given with `--report`), or where the registry scans images itself, from its own scan
//! through its API (`session::Session::findings`, the call the TUI makes too). `--json` writes the stable document; `--fail-on SEVERITY` makes
//! the exit code a CI gate (1: a finding at or above it; 2: the image is not scanned).
//! The fleet questions (`--cve`, `--package`) live in `findings_fleet`.

use crate::model::{ScanStatus, Severity};
use crate::scan::{self, ReportFiles};
use crate::session::FindingsQuery;
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
    let (mut reference, settings) =
        super::source::resolve_reference(&args.reference).map_err(super::output::usage)?;
    let session = super::source::open_reference(&reference, &settings).await;
    match super::source::resolve_short_digest(&session, &mut reference).await {
        Ok(()) => {}
        Err(super::source::OpenError::Usage(e)) => return Err(super::output::usage(e)),
        Err(e) => return Err(anyhow::anyhow!("{e}")),
    }
    if !args.report.is_empty() && session.caps().own_scans {
        return Err(super::output::usage(format!(
            "--report is for registries without a scanner of their own; {} reports its own scan",
            session.kind().label()
        )));
    }
    let q = FindingsQuery {
        repository: reference.repository.clone(),
        reference: reference.reference(),
        shown_as: reference.to_string(),
        files: ReportFiles {
            paths: args.report.clone(),
        },
    };
    let f = session
        .findings(&q)
        .await
        .map_err(|e| anyhow::anyhow!("{e}\n  next step: {}", e.next_step()))?;
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
            "  source: {} ({} {}, {})",
            s.scanner,
            match s.origin {
                scan::Origin::Referrer => "referrer",
                scan::Origin::FallbackTag => "referrer via fallback tag",
                scan::Origin::CosignTag => "cosign .att tag",
                scan::Origin::File => "file",
                scan::Origin::Registry => "the registry's scan API",
            },
            s.location,
            crate::text::count(s.findings, "finding")
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
            "  {}: {} (worst {worst}, {})",
            p.platform,
            status_word(&p.status),
            crate::text::count(p.counts.total(), "finding")
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
