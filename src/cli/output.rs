//! Shared output for the commands: plain aligned tables, sizes, relative dates, traffic
//! statistics, progress on a terminal, and the exit codes every command uses.
//!
//! Output is plain text with no colour codes, so pipes and scripts see exactly the
//! columns. Progress goes to stderr and only when stderr is a terminal.

use crate::registry::TrafficStats;
use chrono::{DateTime, Datelike, Utc};
use std::io::{IsTerminal, Write};

/// Everything worked.
pub const EXIT_OK: i32 = 0;
/// The command could not do its job (bad target, registry unreachable, not found).
pub const EXIT_ERROR: i32 = 1;
/// The command line itself was wrong (clap uses 2 as well).
pub const EXIT_USAGE: i32 = 2;
/// The output is complete except for items listed as errors on stderr (and in
/// `errors` of the JSON document).
pub const EXIT_PARTIAL: i32 = 3;

/// A mistake in the command line or in a file it names (a reference that does not parse,
/// a policy or plan file that cannot be read or is invalid, a flag value, a missing
/// option): exit code [`EXIT_USAGE`]. Every other error of a command is [`EXIT_ERROR`].
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// `Err(usage(..))`: a [`UsageError`] as an `anyhow::Error`.
pub fn usage(message: impl std::fmt::Display) -> anyhow::Error {
    UsageError(message.to_string()).into()
}

/// The exit code for a command's error: 2 for a [`UsageError`] (however much context
/// was added on the way up), 1 for anything else.
pub fn exit_code_for(e: &anyhow::Error) -> i32 {
    if e.downcast_ref::<UsageError>().is_some() {
        EXIT_USAGE
    } else {
        EXIT_ERROR
    }
}

/// 0 when every item succeeded, 1 when none did, 3 when some did (a partial result).
pub fn exit_for_items(succeeded: usize, failed: usize) -> i32 {
    match (succeeded, failed) {
        (_, 0) => EXIT_OK,
        (0, _) => EXIT_ERROR,
        _ => EXIT_PARTIAL,
    }
}

/// Shown wherever a value is unknown; unknown is never zero.
pub const UNKNOWN: &str = "—";

/// A table of left-aligned text columns; `right` marks columns to align right (numbers).
pub struct Table {
    headers: Vec<&'static str>,
    right: Vec<bool>,
    rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(headers: &[&'static str]) -> Self {
        Table {
            headers: headers.to_vec(),
            right: vec![false; headers.len()],
            rows: Vec::new(),
        }
    }

    pub fn right_align(mut self, columns: &[usize]) -> Self {
        for &c in columns {
            self.right[c] = true;
        }
        self
    }

    pub fn row(&mut self, cells: Vec<String>) {
        debug_assert_eq!(cells.len(), self.headers.len());
        self.rows.push(cells);
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    pub fn render(&self) -> String {
        let mut widths: Vec<usize> = self.headers.iter().map(|h| h.chars().count()).collect();
        for r in &self.rows {
            for (i, c) in r.iter().enumerate() {
                widths[i] = widths[i].max(c.chars().count());
            }
        }
        let mut out = String::new();
        let headers: Vec<String> = self.headers.iter().map(|h| h.to_string()).collect();
        for r in std::iter::once(&headers).chain(self.rows.iter()) {
            let mut line = String::new();
            for (i, c) in r.iter().enumerate() {
                let pad = widths[i] - c.chars().count();
                let last = i + 1 == r.len();
                if self.right[i] {
                    line.push_str(&" ".repeat(pad));
                    line.push_str(c);
                } else {
                    line.push_str(c);
                    if !last {
                        line.push_str(&" ".repeat(pad));
                    }
                }
                if !last {
                    line.push_str("  ");
                }
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }
}

/// `12.3 MiB`, or `—` when unknown.
pub fn size(bytes: Option<u64>) -> String {
    match bytes {
        Some(b) => crate::text::size(b),
        None => UNKNOWN.to_string(),
    }
}

/// `3 days ago`, `in 2 hours`; dates before 1990 (the 1970/1980 of reproducible builds)
/// are shown absolute and flagged, since "56 years ago" would mislead.
pub fn relative(when: Option<DateTime<Utc>>, now: DateTime<Utc>) -> String {
    let Some(t) = when else {
        return UNKNOWN.to_string();
    };
    if t.year() < 1990 {
        return format!("{} (suspect date)", t.format("%Y-%m-%d"));
    }
    let secs = (now - t).num_seconds();
    let (n, future) = if secs < 0 {
        (-secs, true)
    } else {
        (secs, false)
    };
    let (v, unit) = match n {
        0..=59 => {
            return if future {
                "in a moment".into()
            } else {
                "just now".into()
            }
        }
        60..=3599 => (n / 60, "minute"),
        3600..=86_399 => (n / 3600, "hour"),
        86_400..=2_591_999 => (n / 86_400, "day"),
        2_592_000..=31_535_999 => (n / 2_592_000, "month"),
        _ => (n / 31_536_000, "year"),
    };
    let s = if v == 1 { "" } else { "s" };
    if future {
        format!("in {v} {unit}{s}")
    } else {
        format!("{v} {unit}{s} ago")
    }
}

/// A list shortened to `max` items with `+N` for the rest; `—` when empty.
pub fn list(items: &[String], max: usize) -> String {
    if items.is_empty() {
        return UNKNOWN.to_string();
    }
    let mut s = items
        .iter()
        .take(max)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if items.len() > max {
        s.push_str(&format!(" +{}", items.len() - max));
    }
    s
}

/// One line for `--verbose`: what the crawl cost and what the registry said about limits.
pub fn traffic_line(registry: &str, s: &TrafficStats) -> String {
    let mut line = format!(
        "{registry}: {}, {} received, {} {}, {} throttled (429), {}",
        crate::text::count(s.requests, "request"),
        crate::text::size(s.bytes),
        s.retries,
        crate::text::plural(s.retries, "retry", "retries"),
        s.throttled,
        crate::text::count(s.errors, "error")
    );
    if s.challenges > 0 || s.fallbacks > 0 {
        line.push_str(&format!(
            " ({} auth challenges, {} probes answered absent)",
            s.challenges, s.fallbacks
        ));
    }
    if let Some(c) = &s.concurrency {
        line.push_str(&format!(
            "; in flight: {} now (peak {}, lowest {}, ceiling {}; grew {}×, backed off {}× throttled, {}× latency)",
            c.limit, c.peak, c.lowest, c.ceiling, c.increases, c.decreases_throttled, c.decreases_latency
        ));
    }
    if let Some(rl) = &s.rate_limit {
        let num = |v: Option<u64>| v.map(|v| v.to_string()).unwrap_or_else(|| UNKNOWN.into());
        line.push_str(&format!(
            "; rate limit {} of {} left",
            num(rl.remaining),
            num(rl.limit)
        ));
        if let Some(w) = rl.window_secs {
            line.push_str(&format!(" per {w} s"));
        }
        if let Some(src) = &rl.source {
            line.push_str(&format!(" (source {src})"));
        }
    }
    for w in &s.warnings {
        line.push_str(&format!("\n{registry}: registry warning: {w}"));
    }
    line
}

/// A one-line progress indicator on stderr whenever stderr is a terminal (also when stdout
/// is redirected: `images --json > file` shows the crawl moving), never with `--quiet`;
/// a redirected stderr sees no control characters at all.
pub struct Progress {
    enabled: bool,
    shown: bool,
}

impl Progress {
    pub fn new() -> Self {
        Progress {
            enabled: std::io::stderr().is_terminal() && !super::flags::quiet(),
            shown: false,
        }
    }

    pub fn update(&mut self, text: &str) {
        if self.enabled {
            let mut e = std::io::stderr().lock();
            let _ = write!(e, "\r\x1b[2K{text}");
            let _ = e.flush();
            self.shown = true;
        }
    }

    pub fn clear(&mut self) {
        if self.shown {
            let mut e = std::io::stderr().lock();
            let _ = write!(e, "\r\x1b[2K");
            let _ = e.flush();
            self.shown = false;
        }
    }
}

impl Default for Progress {
    fn default() -> Self {
        Self::new()
    }
}

/// Prints a credential warning (a broken helper, an unreadable auth file) once per run:
/// the engine hands them here, so anonymous access is never silently a fallback.
pub fn credential_warning(w: &str) {
    static SEEN: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());
    let mut seen = SEEN.lock().unwrap_or_else(|p| p.into_inner());
    if !seen.iter().any(|s| s == w) {
        seen.push(w.to_string());
        eprintln!("regscope: warning: {w}");
    }
}

/// Writes to stdout, treating a closed pipe (`| head`) as success rather than a panic.
pub fn print_stdout(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
}

#[cfg(test)]
mod tests {
    #[test]
    fn usage_errors_exit_2_through_added_context_and_items_make_partial_runs() {
        use anyhow::Context as _;
        let e = Err::<(), _>(usage("bad --now"))
            .context("plan")
            .unwrap_err();
        assert_eq!(exit_code_for(&e), EXIT_USAGE);
        assert_eq!(exit_code_for(&anyhow::anyhow!("unreachable")), EXIT_ERROR);
        assert_eq!(exit_for_items(3, 0), EXIT_OK);
        assert_eq!(exit_for_items(0, 0), EXIT_OK);
        assert_eq!(exit_for_items(2, 1), EXIT_PARTIAL);
        assert_eq!(exit_for_items(0, 2), EXIT_ERROR);
    }

    use super::*;

    #[test]
    fn table_aligns_columns_and_numbers_right() {
        let mut t = Table::new(&["NAME", "SIZE"]).right_align(&[1]);
        t.row(vec!["a".into(), "1 KiB".into()]);
        t.row(vec!["longer".into(), "10.5 MiB".into()]);
        assert_eq!(
            t.render(),
            "NAME        SIZE\na          1 KiB\nlonger  10.5 MiB\n"
        );
    }

    #[test]
    fn sizes_and_dates_say_unknown_and_flag_suspect_dates() {
        let now = DateTime::parse_from_rfc3339("2026-06-01T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(size(None), "—");
        assert_eq!(size(Some(0)), "0 B");
        assert_eq!(relative(None, now), "—");
        let d = |s: &str| Some(DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc));
        assert_eq!(relative(d("2026-05-29T00:00:00Z"), now), "3 days ago");
        assert_eq!(relative(d("2026-05-31T23:00:00Z"), now), "1 hour ago");
        assert_eq!(relative(d("2026-06-03T00:00:00Z"), now), "in 2 days");
        assert_eq!(
            relative(d("1970-01-01T00:00:00Z"), now),
            "1970-01-01 (suspect date)"
        );
        assert_eq!(list(&["a".into(), "b".into(), "c".into()], 2), "a, b +1");
    }
}
