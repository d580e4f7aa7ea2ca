//! Small time helpers shared by the evaluators: ages in days for reasons people read.

use chrono::{DateTime, Utc};

pub const DAY: i64 = 86_400;

/// Elapsed seconds from `t` to `now` (negative when `t` is in the future).
pub fn age_secs(now: DateTime<Utc>, t: DateTime<Utc>) -> i64 {
    (now - t).num_seconds()
}

/// `12d`, `23h`, `5m`: the age as a person reads it.
pub fn human_age(now: DateTime<Utc>, t: DateTime<Utc>) -> String {
    let s = age_secs(now, t);
    if s < 0 {
        return format!("in the future ({})", t.to_rfc3339());
    }
    human_secs(s)
}

/// As [`human_age`] for an elapsed time already in seconds (not negative).
pub fn human_secs(s: i64) -> String {
    let mut out = String::with_capacity(8);
    let _ = write_human_secs(&mut out, s);
    out
}

/// Writes [`human_secs`] into `f` without an intermediate string.
pub fn write_human_secs(f: &mut impl std::fmt::Write, s: i64) -> std::fmt::Result {
    if s >= DAY {
        let d = s / DAY;
        let h = (s % DAY) / 3600;
        if h > 0 && d < 10 {
            write!(f, "{d}d{h}h")
        } else {
            write!(f, "{d}d")
        }
    } else if s >= 3600 {
        write!(f, "{}h", s / 3600)
    } else {
        write!(f, "{}m", s / 60)
    }
}
