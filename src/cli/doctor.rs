//! `regscope doctor REF [--platform OS/ARCH[/VARIANT]] [--json]`: why can't this image be
//! pulled? Prints the checklist (✔/✖/–), the verdict, one sentence and a next step to copy.
//! Exit 0 when pullable, 1 when not, 2 for bad usage.

use crate::doctor::{diagnose, DoctorOptions, Report, Step, StepStatus};
use crate::model::Platform;

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct DoctorArgs {
    /// The image reference (`nginx`, `ghcr.io/org/app:v1`, `HOST/REPO@sha256:...`).
    pub reference: String,
    /// The platform to pull (default: this machine's), as OS/ARCH[/VARIANT].
    #[arg(long)]
    pub platform: Option<String>,
    /// Print the report as JSON (reference, verdict, summary, steps).
    #[arg(long)]
    pub json: bool,
    /// Extra PEM CA certificates to trust for this registry (overrides the config's `ca_file`).
    #[arg(long, value_name = "PEM")]
    pub ca_file: Option<PathBuf>,
    /// Allow plain HTTP and unverified TLS for this registry.
    #[arg(long)]
    pub insecure: bool,
}

pub async fn run(args: DoctorArgs) -> i32 {
    let (reference, configured) = match super::source::resolve_reference(&args.reference) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("regscope doctor: {e}");
            return 2;
        }
    };
    let platform = match args.platform.as_deref().map(Platform::parse).transpose() {
        Ok(p) => p,
        Err(e) => {
            eprintln!("regscope doctor: {e}");
            return 2;
        }
    };
    let kind = crate::session::kind_without_probe(&reference.target, &configured);
    // The doctor reads the manifest as a pull does; where that counts, say so first.
    if let Some(note) = kind.caps().opening_note(kind) {
        eprintln!("note: {note}");
    }
    let settings = match kind {
        crate::session::Kind::Layout => None,
        _ => {
            let mut s = configured;
            if args.ca_file.is_some() {
                s.ca_file = args.ca_file.clone();
            }
            s.insecure |= args.insecure;
            Some(s)
        }
    };
    let options = DoctorOptions {
        platform,
        settings,
        ..DoctorOptions::default()
    };
    // On a terminal, steps appear as they finish; in a pipe only the final report is printed.
    let live = !args.json && std::io::stderr().is_terminal();
    let progress = move |s: &Step| {
        if live && s.status != StepStatus::Skip {
            eprintln!("{} {}…", mark(s.status), s.name);
        }
    };
    let report = diagnose(&reference, &options, &progress).await;
    let mut out = std::io::stdout().lock();
    let written = if args.json {
        serde_json::to_writer_pretty(&mut out, &report)
            .map_err(std::io::Error::other)
            .and_then(|_| writeln!(out))
    } else {
        write!(out, "{}", render(&report))
    };
    if let Err(e) = written {
        eprintln!("regscope doctor: cannot write the report: {e}");
        return super::output::EXIT_ERROR;
    }
    if report.pullable() {
        0
    } else {
        1
    }
}

fn mark(s: StepStatus) -> &'static str {
    match s {
        StepStatus::Ok => "✔",
        StepStatus::Fail => "✖",
        StepStatus::Skip => "–",
    }
}

/// The human checklist.
pub fn render(r: &Report) -> String {
    let mut out = format!("doctor {}", r.reference);
    if let Some(p) = &r.platform {
        out.push_str(&format!(" ({p})"));
    }
    out.push('\n');
    for s in &r.steps {
        let mut raw = Vec::new();
        if let Some(h) = s.http_status {
            raw.push(format!("HTTP {h}"));
        }
        if let Some(c) = &s.error_code {
            raw.push(c.clone());
        }
        let raw = if raw.is_empty() || s.status != StepStatus::Fail {
            String::new()
        } else {
            format!(" [{}]", raw.join(", "))
        };
        let time = if s.status == StepStatus::Skip {
            String::new()
        } else {
            format!(" ({} ms)", s.elapsed_ms)
        };
        out.push_str(&format!(
            "  {} {:<10} {}{raw}{time}\n",
            mark(s.status),
            s.name,
            s.detail
        ));
        for l in &s.lines {
            out.push_str(&format!("      {l}\n"));
        }
    }
    out.push_str(&format!(
        "\nverdict: {}\n{}\nnext: {}\n",
        r.verdict, r.summary, r.next_step
    ));
    out
}
