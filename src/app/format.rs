//! How numbers and times read on screen. Unknown is `—`, never zero.

use chrono::{DateTime, Datelike, Utc};

pub const UNKNOWN: &str = "—";

/// Bytes as every command writes them (`532 MiB`, `1.2 GiB`: `text::size`); unknown `—`.
pub fn size(bytes: Option<u64>) -> String {
    bytes.map_or_else(|| UNKNOWN.into(), crate::text::size)
}

/// Build tools that zero timestamps for reproducibility write 1970 or 1980: flag them.
pub fn suspicious(t: DateTime<Utc>) -> bool {
    t.year() <= 1980
}

/// `3h ago`, `4d ago`, `11mo ago`; `—` when unknown; `⚠1970` for zeroed build dates.
pub fn ago(now: DateTime<Utc>, t: Option<DateTime<Utc>>) -> String {
    let Some(t) = t else {
        return UNKNOWN.into();
    };
    if suspicious(t) {
        return format!("⚠{}", t.year());
    }
    let s = (now - t).num_seconds();
    if s < 0 {
        return "future".into();
    }
    let (n, unit) = match s {
        0..60 => (s, "s"),
        60..3600 => (s / 60, "m"),
        3600..86_400 => (s / 3600, "h"),
        86_400..2_592_000 => (s / 86_400, "d"),
        2_592_000..31_536_000 => (s / 2_592_000, "mo"),
        _ => (s / 31_536_000, "y"),
    };
    format!("{n}{unit} ago")
}

pub fn absolute(t: Option<DateTime<Utc>>) -> String {
    match t {
        Some(t) if suspicious(t) => {
            format!("{} (suspicious build date)", t.format("%Y-%m-%d %H:%M UTC"))
        }
        Some(t) => t.format("%Y-%m-%d %H:%M UTC").to_string(),
        None => "unknown".into(),
    }
}

/// `1,234,567`.
pub fn count(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Cuts `s` to `width` columns with an ellipsis.
pub fn truncate(s: &str, width: usize) -> String {
    if s.chars().count() <= width {
        return s.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let mut out: String = s.chars().take(width - 1).collect();
    out.push('…');
    out
}

/// Cuts a repository path to `width` columns in the middle, where paths say the least:
/// `team-a/payments/api` → `team-a/…/api`; without room for that, its start and end
/// around a `…`.
pub fn middle(s: &str, width: usize) -> String {
    let n = s.chars().count();
    if n <= width {
        return s.to_string();
    }
    if width < 2 {
        return truncate(s, width);
    }
    if let (Some(a), Some(b)) = (s.find('/'), s.rfind('/')) {
        let short = format!("{}/…/{}", &s[..a], &s[b + 1..]);
        if a < b && short.chars().count() <= width {
            return short;
        }
    }
    let tail = (width - 1) / 2;
    let head = width - 1 - tail;
    let start: String = s.chars().take(head).collect();
    let end: String = s.chars().skip(n - tail).collect();
    format!("{start}…{end}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn sizes_and_unknowns() {
        assert_eq!(size(None), "—");
        assert_eq!(size(Some(0)), "0 B");
        assert_eq!(size(Some(1536)), "1.5 KiB");
        assert_eq!(size(Some(532 * 1024 * 1024)), "532 MiB");
        assert_eq!(count(1_234_567), "1,234,567");
        assert_eq!(truncate("abcdef", 4), "abc…");
        assert_eq!(middle("team-a/payments/api", 18), "team-a/…/api");
        assert_eq!(middle("team-a/api", 18), "team-a/api");
        assert_eq!(middle("platform/observability-service", 12), "platfo…rvice");
        assert_eq!(
            middle("platform/observability-service", 12).chars().count(),
            12
        );
    }

    #[test]
    fn relative_times_flag_zeroed_dates() {
        let now = Utc.with_ymd_and_hms(2026, 5, 1, 0, 0, 0).unwrap();
        assert_eq!(ago(now, Some(now - chrono::Duration::hours(3))), "3h ago");
        assert_eq!(ago(now, None), "—");
        let epoch = Utc.timestamp_opt(0, 0).unwrap();
        assert_eq!(ago(now, Some(epoch)), "⚠1970");
        assert!(absolute(Some(epoch)).contains("suspicious"));
    }
}
