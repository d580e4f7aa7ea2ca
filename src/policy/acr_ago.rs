//! `acr purge --ago`, read as acr-cli reads it (`parseDuration` in `cmd/acr/purge.go`):
//! `fmt.Sscanf(ago, "%dd%s")` when the text holds a `d`, then Go's `time.ParseDuration`
//! for the rest; the total is capped at 150 years, and a negative value puts the cutoff
//! in the future (every tag is old enough).
//!
//! Where acr-cli silently reads a text as something other than what it says (`d3h` and
//! a day count too large for an int become 0, "every tag"; `1h30d` becomes one day; an
//! unparseable rest such as `5days` becomes 150 years), regscope refuses the text and
//! says what acr-cli would do: a plan must not rest on a misreading.

use chrono::Duration;

/// 150 years of 365 days (acr-cli's `maxAgoDurationYears * 365` days).
const MAX_DAYS: i64 = 150 * 365;
const NANOS_PER_DAY: i128 = 86_400 * 1_000_000_000;
const MAX_NANOS: i128 = MAX_DAYS as i128 * NANOS_PER_DAY;

/// A parsed `--ago`: how far before now the cutoff lies (negative: after now).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ago {
    pub duration: Duration,
    /// Said in the plan when acr-cli would change the value (the 150-year cap).
    pub note: Option<String>,
}

/// Why Go's `time.ParseDuration` refused a text.
#[derive(Debug, PartialEq, Eq)]
enum GoError {
    /// `time: invalid duration` for a text Go cannot read at all.
    Malformed,
    /// `time: invalid duration` for a well-formed value beyond ~292 years.
    Overflow,
    /// `time: missing unit in duration`.
    MissingUnit,
    /// `time: unknown unit "u" in duration`.
    UnknownUnit(String),
}

impl GoError {
    fn text(&self, orig: &str) -> String {
        match self {
            GoError::Malformed | GoError::Overflow => format!("time: invalid duration {orig:?}"),
            GoError::MissingUnit => format!("time: missing unit in duration {orig:?}"),
            GoError::UnknownUnit(u) => format!("time: unknown unit {u:?} in duration {orig:?}"),
        }
    }
}

/// Go's `time.ParseDuration` in nanoseconds (Go 1.25 `time/format.go`).
fn go_duration(orig: &str) -> Result<i128, GoError> {
    let mut s = orig;
    let mut neg = false;
    if let Some(c) = s.chars().next() {
        if c == '-' || c == '+' {
            neg = c == '-';
            s = &s[1..];
        }
    }
    if s == "0" {
        return Ok(0);
    }
    if s.is_empty() {
        return Err(GoError::Malformed);
    }
    let mut total: u128 = 0;
    while !s.is_empty() {
        let b = s.as_bytes();
        if !(b[0] == b'.' || b[0].is_ascii_digit()) {
            return Err(GoError::Malformed);
        }
        let int_len = b.iter().take_while(|c| c.is_ascii_digit()).count();
        let (int_text, rest) = s.split_at(int_len);
        // Go's leadingInt overflows past 2^63; the value is then an "invalid duration".
        let v: u128 = if int_text.is_empty() {
            0
        } else {
            let v: u128 = int_text.parse().map_err(|_| GoError::Overflow)?;
            if v > 1u128 << 63 {
                return Err(GoError::Overflow);
            }
            v
        };
        s = rest;
        let mut frac = "";
        if let Some(r) = s.strip_prefix('.') {
            let n = r.bytes().take_while(|c| c.is_ascii_digit()).count();
            frac = &r[..n];
            s = &r[n..];
            if int_text.is_empty() && frac.is_empty() {
                return Err(GoError::Malformed);
            }
        } else if int_text.is_empty() {
            return Err(GoError::Malformed);
        }
        let unit_len = s
            .char_indices()
            .find(|&(_, c)| c == '.' || c.is_ascii_digit())
            .map_or(s.len(), |(i, _)| i);
        if unit_len == 0 {
            return Err(GoError::MissingUnit);
        }
        let (u, rest) = s.split_at(unit_len);
        s = rest;
        let unit: u128 = match u {
            "ns" => 1,
            "us" | "\u{b5}s" | "\u{3bc}s" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            _ => return Err(GoError::UnknownUnit(u.to_string())),
        };
        if v > (1u128 << 63) / unit {
            return Err(GoError::Overflow);
        }
        let mut part = v * unit;
        // Go scales the fraction in floating point and truncates.
        if !frac.is_empty() {
            let f: f64 = format!("0.{frac}").parse().unwrap_or(0.0);
            part += (f * unit as f64) as u128;
        }
        total += part;
        if total > 1u128 << 63 {
            return Err(GoError::Overflow);
        }
    }
    if !neg && total > (1u128 << 63) - 1 {
        return Err(GoError::Overflow);
    }
    Ok(if neg { -(total as i128) } else { total as i128 })
}

/// `fmt.Sscanf(text, "%d")`: an optional sign and decimal digits at the start; `None`
/// when there are none or they overflow Go's int (acr-cli then keeps days = 0).
fn scan_int(text: &str) -> (Option<i64>, &str) {
    let sign = usize::from(text.starts_with(['+', '-']));
    let digits = text[sign..].bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return (None, text);
    }
    let end = sign + digits;
    (text[..end].parse().ok(), &text[end..])
}

fn capped_note(text: &str) -> String {
    format!(
        "--ago {text}: more than 150 years; acr-cli caps --ago at 150 years, and so does this plan"
    )
}

/// `--ago` as acr-cli reads it. `Err` is one line naming the problem (after "--ago: ").
pub fn parse_ago(text: &str) -> Result<Ago, String> {
    let hint = "(acr-cli takes days then a Go duration: 7d, 2d3h6m, 1.5h, 30m; a negative value puts the cutoff in the future)";
    let (days, go_text) = if text.contains('d') {
        match scan_int(text) {
            (Some(d), rest) if rest.starts_with('d') => {
                // `%s` takes the rest up to white space.
                let rest = &rest[1..];
                let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
                (d, &rest[..end])
            }
            (None, rest) if rest.len() < text.len() => {
                return Err(format!("{text:?}: the day count is too large for acr-cli, which then reads it as 0 (every tag is old enough); write at most {MAX_DAYS}d"));
            }
            (None, _) => {
                return Err(format!("{text:?}: no day count before 'd'; acr-cli would read this as 0 (every tag is old enough) {hint}"));
            }
            (Some(d), _) => {
                return Err(format!("{text:?}: a 'd' that does not follow the leading number; acr-cli would read this as {} {hint}", crate::text::count(d, "day")));
            }
        }
    } else {
        (0, text.split_whitespace().next().unwrap_or(""))
    };
    if text.is_empty() || (days == 0 && go_text.is_empty() && !text.contains('d')) {
        return Err(format!("{text:?}: needs a value {hint}"));
    }
    let mut capped = days > MAX_DAYS;
    let days = days.min(MAX_DAYS);
    let mut nanos = days as i128 * NANOS_PER_DAY;
    if !go_text.is_empty() {
        let extra = match go_duration(go_text) {
            Ok(n) => n,
            Err(GoError::Overflow) => {
                capped = true;
                MAX_NANOS
            }
            Err(GoError::Malformed) => {
                return Err(format!("{text:?}: {}; acr-cli would take it for an overflow and read 150 years (nothing is old enough) {hint}", GoError::Malformed.text(go_text)));
            }
            Err(e) => return Err(format!("{text:?}: {} {hint}", e.text(go_text))),
        };
        if extra > MAX_NANOS {
            capped = true;
        }
        nanos += extra.min(MAX_NANOS);
    }
    if nanos > MAX_NANOS {
        capped = true;
        nanos = MAX_NANOS;
    }
    // acr-cli does not cap a negative value; past -150 years it selects the same tags.
    nanos = nanos.max(-MAX_NANOS);
    Ok(Ago {
        duration: Duration::nanoseconds(nanos as i64),
        note: capped.then(|| capped_note(text)),
    })
}
