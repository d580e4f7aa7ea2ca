//! `regscope layers REF --ci`: dive's CI gate (`dive --ci`, `.dive-ci`) on dive's figures
//! of the image (`layers::dive`), so a pipeline gating on dive can switch without its
//! verdict changing. The rules are read before any network, a broken file is bad usage
//! (exit 2); a failed rule exits 1, as a failed `dive --ci` does.

use crate::layers::dive::DiveScore;
use crate::layers::dive_ci::{evaluate, summary, CiRule};
use crate::layers::dive_ci_file;
use std::io::Write;
use std::path::Path;

/// dive's default file, looked for in the current directory as dive does.
const DEFAULT_FILE: &str = ".dive-ci";

/// The rules and where they came from, for the report.
pub struct Gate {
    pub rules: Vec<CiRule>,
    pub source: String,
}

/// Reads the rules: `--ci-config FILE` must be readable; without it `.dive-ci` is used
/// when present, dive's defaults otherwise.
pub fn load(explicit: Option<&Path>) -> anyhow::Result<Gate> {
    let path = explicit.unwrap_or(Path::new(DEFAULT_FILE));
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if explicit.is_none() && e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(Gate {
                rules: dive_ci_file::defaults(),
                source: format!("dive's defaults (no {DEFAULT_FILE} here)"),
            });
        }
        Err(e) => {
            return Err(super::output::usage(format!(
                "--ci-config {}: cannot read it: {e}",
                path.display()
            )))
        }
    };
    match dive_ci_file::parse(&text) {
        Ok(rules) => Ok(Gate {
            rules,
            source: path.display().to_string(),
        }),
        Err(errors) => {
            let all: Vec<String> = errors
                .iter()
                .map(|e| format!("{}: {e}", path.display()))
                .collect();
            Err(super::output::usage(all.join("\n")))
        }
    }
}

/// Prints dive's report (analysis, inefficient files, evaluation) and returns the exit
/// code: 0 when every enabled rule passes, 1 when one fails.
pub fn report(out: &mut impl Write, gate: &Gate, d: &DiveScore) -> std::io::Result<i32> {
    let (results, pass) = evaluate(&gate.rules, d);
    writeln!(out, "Analysis (dive's figures):")?;
    writeln!(out, "  efficiency:        {:.2} %", d.efficiency * 100.0)?;
    writeln!(
        out,
        "  wastedBytes:       {} bytes ({})",
        d.wasted_bytes,
        crate::text::size(d.wasted_bytes)
    )?;
    let user = match d.wasted_user_percent {
        Some(p) => format!("{:.2} %", p * 100.0),
        None => "unknown (no user bytes)".to_string(),
    };
    writeln!(out, "  userWastedPercent: {user}\n")?;
    if d.inefficient.is_empty() {
        writeln!(out, "Inefficient Files: (None)\n")?;
    } else {
        writeln!(out, "Inefficient Files:")?;
        writeln!(out, "  {:<5}  {:<12}  File Path", "Count", "Wasted Space")?;
        for i in &d.inefficient {
            writeln!(
                out,
                "  {:<5}  {:<12}  {}",
                i.layers.len(),
                crate::text::size(i.cumulative_size),
                i.path
            )?;
        }
        writeln!(out)?;
    }
    writeln!(out, "Evaluation (rules: {}):", gate.source)?;
    for r in &results {
        writeln!(out, "{}", r.line())?;
    }
    writeln!(out, "\n{}", summary(&results, pass))?;
    Ok(if pass { 0 } else { 1 })
}
