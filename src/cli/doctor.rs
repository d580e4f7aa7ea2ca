//! `regscope doctor REF [--platform OS/ARCH[/VARIANT]] [--json]`: why can't this image be
//! pulled? Prints the checklist (✔/✖/–), the verdict, one sentence and a next step to copy.
//! Exit 0 when pullable, 1 when not, 2 for bad usage.

use crate::doctor::{diagnose, DoctorOptions, Report, Step, StepStatus};
use crate::model::Platform;

use std::io::Write;

#[derive(Debug, clap::Args)]
pub struct DoctorArgs {
    /// The image reference (`nginx`, `ghcr.io/org/app:v1`, `HOST/REPO@sha256:...`; a short
    /// digest, at least 8 hex, is resolved in the repository).
    pub reference: String,
    /// The platform to pull (default: this machine's), as OS/ARCH[/VARIANT].
    #[arg(long)]
    pub platform: Option<String>,
    /// Print the report as JSON (reference, verdict, summary, steps).
    #[arg(long)]
    pub json: bool,
}

pub async fn run(args: DoctorArgs) -> i32 {
    let (mut reference, configured) = match super::source::resolve_reference(&args.reference) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("regscope doctor: {e}");
            return 2;
        }
    };
    // A short digest is resolved in its repository first (ambiguous: 2; no such digest: 1,
    // the image cannot be pulled); a full digest or a tag opens nothing here.
    if reference.short_digest.is_some() {
        let session = super::source::open_reference(&reference, &configured).await;
        match super::source::resolve_short_digest(&session, &mut reference).await {
            Ok(()) => {}
            Err(e @ super::source::OpenError::Usage(_)) => {
                eprintln!("regscope doctor: {e}");
                return 2;
            }
            Err(e) => {
                eprintln!("regscope doctor: {e}");
                return 1;
            }
        }
    }
    let platform = match args.platform.as_deref().map(Platform::parse).transpose() {
        Ok(p) => p,
        Err(e) => {
            eprintln!("regscope doctor: {e}");
            return 2;
        }
    };
    let kind = crate::session::kind_without_probe(&reference.target, &configured);
    // The doctor reads the manifest as a pull does; where that counts, say so first.
    if let Some(note) = kind
        .caps()
        .opening_note(kind)
        .filter(|_| !super::flags::quiet())
    {
        eprintln!("note: {note}");
    }
    let settings = match kind {
        crate::session::Kind::Layout => None,
        // `--ca-file` and `--insecure` are already applied (cli::flags).
        _ => Some(configured),
    };
    let options = DoctorOptions {
        platform,
        settings,
        ..DoctorOptions::default()
    };
    // On a terminal, the step that just finished shows on one progress line that the
    // report replaces, so each step is printed once; in a pipe only the report is printed.
    let live = std::sync::Mutex::new(super::output::Progress::new());
    let progress = |s: &Step| {
        if s.status != StepStatus::Skip {
            let mut p = live.lock().unwrap_or_else(|p| p.into_inner());
            p.update(&format!("{} {}…", mark(s.status), s.name));
        }
    };
    let report = diagnose(&reference, &options, &progress).await;
    live.lock().unwrap_or_else(|p| p.into_inner()).clear();
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
