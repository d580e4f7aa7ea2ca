//! The `acr purge` argument grammar: a shell-like word list (quotes, `\` line joins, `#`
//! comments), the `--filter REPO:TAG` split and the `--ago` duration grammar.

use super::{AcrPurge, Filter};
use crate::policy::PolicyError;
use chrono::Duration;
use regex::Regex;

/// 150 years, acr-cli's cap.
const MAX_AGO_SECS: f64 = 150.0 * 365.0 * 86_400.0;

fn words(text: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut has = false;
    let mut chars = text.chars().peekable();
    let mut quote: Option<char> = None;
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some('"'), '\\') => {
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
            }
            (Some(_), c) => cur.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                has = true;
            }
            (None, '\\') => match chars.next() {
                Some('\n') | None => {}
                Some(n) => {
                    cur.push(n);
                    has = true;
                }
            },
            (None, '#') if !has => {
                for n in chars.by_ref() {
                    if n == '\n' {
                        break;
                    }
                }
            }
            (None, c) if c.is_whitespace() => {
                if has {
                    out.push(std::mem::take(&mut cur));
                    has = false;
                }
            }
            (None, c) => {
                cur.push(c);
                has = true;
            }
        }
    }
    if quote.is_some() {
        return Err("unterminated quote".into());
    }
    if has {
        out.push(cur);
    }
    Ok(out)
}

/// Splits `REPO:TAG` at the first `:` that does not close a `(?flags:` group opener.
pub fn split_filter(f: &str) -> Option<(&str, &str)> {
    let b = f.as_bytes();
    for (i, &c) in b.iter().enumerate() {
        if c != b':' {
            continue;
        }
        let mut j = i;
        while j > 0 && (b[j - 1].is_ascii_alphabetic() || b[j - 1] == b'-') {
            j -= 1;
        }
        let group = j >= 2 && &b[j - 2..j] == b"(?";
        if !group {
            return Some((&f[..i], &f[i + 1..]));
        }
    }
    None
}

/// `--ago`: `<int>d<GoDuration>?` or a Go duration (`ns us µs ms s m h`, fractions allowed).
pub fn parse_ago(s: &str) -> Result<Duration, String> {
    let mut secs = 0f64;
    let mut rest = s;
    if let Some(i) = s.find('d') {
        let days: u64 = s[..i]
            .parse()
            .map_err(|_| format!("{s:?}: days must be a whole number before 'd' (as in 2d3h)"))?;
        secs += days as f64 * 86_400.0;
        rest = &s[i + 1..];
        if rest.is_empty() {
            return finish(s, secs);
        }
    }
    if rest == "0" {
        return finish(s, secs); // Go accepts a bare "0"
    }
    if rest.is_empty() {
        return Err("--ago needs a value such as 7d, 2d3h or 1.5h".into());
    }
    let b = rest.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let start = i;
        while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'.') {
            i += 1;
        }
        if start == i {
            return Err(format!("{s:?}: expected a number at {:?}", &rest[start..]));
        }
        let n: f64 = rest[start..i]
            .parse()
            .map_err(|_| format!("{s:?}: bad number {:?}", &rest[start..i]))?;
        let ustart = i;
        while i < b.len() && !(b[i].is_ascii_digit() || b[i] == b'.') {
            i += 1;
        }
        let mult = match &rest[ustart..i] {
            "ns" => 1e-9,
            "us" | "µs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            "" => return Err(format!("{s:?}: missing unit (use d, h, m, s; w, mo and y are not accepted)")),
            u => return Err(format!("{s:?}: unknown unit {u:?} (use d, h, m, s, ms, us, ns; w, mo and y are not accepted)")),
        };
        secs += n * mult;
    }
    finish(s, secs)
}

fn finish(s: &str, secs: f64) -> Result<Duration, String> {
    if secs > MAX_AGO_SECS {
        return Err(format!("{s:?} is more than 150 years"));
    }
    Ok(Duration::milliseconds((secs * 1000.0).round() as i64))
}

pub fn parse(text: &str) -> Result<AcrPurge, PolicyError> {
    let w = words(text).map_err(PolicyError::policy)?;
    let mut it = w.iter().map(String::as_str).peekable();
    // Accept the command as it appears in `az acr run --cmd "acr purge ..."`.
    while let Some(&x) = it.peek() {
        if x == "acr" || x == "purge" {
            it.next();
        } else {
            break;
        }
    }
    let mut errs = Vec::new();
    let mut filters_raw = Vec::new();
    let (mut ago, mut keep, mut untagged, mut untagged_only, mut include_locked) =
        (None, 0usize, false, false, false);
    while let Some(arg) = it.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v.to_string())),
            _ => (arg, None),
        };
        let mut value = |name: &str| {
            inline
                .clone()
                .or_else(|| it.next().map(str::to_string))
                .ok_or_else(|| PolicyError::new(None, Some(name), "needs a value"))
        };
        match flag {
            "--filter" | "-f" => match value("--filter") {
                Ok(v) => filters_raw.push(v),
                Err(e) => errs.push(e),
            },
            "--ago" => match value("--ago")
                .and_then(|v| parse_ago(&v).map_err(|e| PolicyError::new(None, Some("--ago"), e)))
            {
                Ok(d) => ago = Some(d),
                Err(e) => errs.push(e),
            },
            "--keep" => match value("--keep").and_then(|v| {
                v.parse::<usize>().map_err(|_| {
                    PolicyError::new(
                        None,
                        Some("--keep"),
                        format!("{v:?} is not a non-negative integer"),
                    )
                })
            }) {
                Ok(k) => keep = k,
                Err(e) => errs.push(e),
            },
            "--concurrency" => match value("--concurrency").map(|v| v.parse::<u32>()) {
                Ok(Ok(1..=32)) => {}
                Ok(_) => errs.push(PolicyError::new(
                    None,
                    Some("--concurrency"),
                    "must be 1 to 32",
                )),
                Err(e) => errs.push(e),
            },
            "--filter-timeout-seconds"
            | "--registry"
            | "-r"
            | "--username"
            | "-u"
            | "--password"
            | "-p" => {
                if let Err(e) = value(flag) {
                    errs.push(e);
                }
            }
            "--untagged" => untagged = true,
            "--untagged-only" => untagged_only = true,
            "--include-locked" => include_locked = true,
            "--dry-run" => {}
            other => errs.push(PolicyError::new(
                None,
                Some(other),
                "unknown flag for acr purge",
            )),
        }
    }
    if untagged && untagged_only {
        errs.push(PolicyError::new(
            None,
            Some("--untagged-only"),
            "cannot be combined with --untagged",
        ));
    }
    if ago.is_none() && !untagged_only {
        errs.push(PolicyError::new(
            None,
            Some("--ago"),
            "is required (unless --untagged-only)",
        ));
    }
    if filters_raw.is_empty() && !untagged_only {
        errs.push(PolicyError::new(
            None,
            Some("--filter"),
            "at least one --filter REPO:TAG is required",
        ));
    }
    let mut filters = Vec::new();
    for (n, f) in filters_raw.iter().enumerate() {
        let rule = Some(format!("--filter #{} {f:?}", n + 1));
        let Some((r, t)) = split_filter(f) else {
            errs.push(PolicyError::new(
                rule,
                Some("--filter"),
                "must be REPO-REGEX:TAG-REGEX",
            ));
            continue;
        };
        if r.is_empty() || (t.is_empty() && !untagged_only) {
            errs.push(PolicyError::new(
                rule,
                Some("--filter"),
                "both the repository and the tag regex must be non-empty",
            ));
            continue;
        }
        let repo = Regex::new(&format!("^(?:{r})$"));
        let tag = Regex::new(if t.is_empty() { ".*" } else { t });
        match (repo, tag) {
            (Ok(repo), Ok(tag)) => filters.push(Filter {
                text: f.clone(),
                repo,
                tag,
            }),
            (Err(e), _) => errs.push(PolicyError::new(
                rule,
                Some("--filter (repository regex)"),
                e.to_string(),
            )),
            (_, Err(e)) => errs.push(PolicyError::new(
                rule,
                Some("--filter (tag regex)"),
                e.to_string(),
            )),
        }
    }
    match PolicyError::collect(errs) {
        Some(e) => Err(e),
        None => Ok(AcrPurge {
            filters,
            ago,
            keep,
            untagged,
            untagged_only,
            include_locked,
        }),
    }
}
