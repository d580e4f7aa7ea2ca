//! `regscope findings REF`: an image's vulnerabilities from every report attached to it
//! (or given with `--report`), and `regscope findings TARGET --cve ID`: which images in a
//! registry contain a CVE. `--json` writes the stable document; `--fail-on SEVERITY` makes
//! the exit code a CI gate (1: a finding at or above it; 2: the image is not scanned).

use crate::model::{ScanStatus, Severity};
use crate::registry::reference::Reference;
use crate::registry::Target;
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
    #[arg(long, value_name = "ID")]
    pub cve: Option<String>,
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
    if let Some(id) = &args.cve {
        return cve(args, id).await;
    }
    let reference = Reference::parse(&args.reference)?;
    let source = super::source::open(&reference.target)
        .await
        .with_context(|| format!("cannot open {}", reference.registry))?;
    let files = ReportFiles {
        paths: args.report.clone(),
    };
    let f = scan::image_findings(
        source.as_ref(),
        &reference.repository,
        &reference.reference(),
        &reference.to_string(),
        &files,
    )
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

fn status_word(s: &ScanStatus) -> &'static str {
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
            },
            s.location,
            s.findings
        );
    }
    if f.status != ScanStatus::Scanned {
        out!("no report found: this image's vulnerabilities are unknown, not zero");
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

async fn cve(args: &FindingsArgs, id: &str) -> anyhow::Result<i32> {
    let target = Target::parse(&args.reference).map_err(anyhow::Error::msg)?;
    let source = super::source::open(&target)
        .await
        .with_context(|| format!("cannot open {}", target.display_name()))?;
    let ans = scan::fleet::search_cve(source.as_ref(), target.prefix(), id).await;
    for p in &ans.problems {
        eprintln!("regscope findings: {p}");
    }
    if args.json {
        out!("{}", serde_json::to_string_pretty(&ans)?);
    } else {
        out!(
            "{id}: {} of {} images affected; {} scanned, {} not scanned (unknown), {} failed",
            ans.hits.len(),
            ans.images,
            ans.scanned,
            ans.not_scanned,
            ans.failed
        );
        for h in &ans.hits {
            out!(
                "  {:<26} {}  {:<28} {} {} -> {}  {}",
                h.repository,
                h.digest.short(),
                h.tags.join(","),
                h.finding.package.as_deref().unwrap_or("-"),
                h.finding.installed_version.as_deref().unwrap_or("?"),
                h.finding.fixed_version.as_deref().unwrap_or("(no fix)"),
                h.created_at
                    .map(|t| t.format("%Y-%m-%d").to_string())
                    .unwrap_or_else(|| "created —".into())
            );
        }
    }
    Ok(match args.fail_on {
        Some(_) if !ans.hits.is_empty() => 1,
        _ => 0,
    })
}
