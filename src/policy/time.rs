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
    if s >= DAY {
        let d = s / DAY;
        let h = (s % DAY) / 3600;
        if h > 0 && d < 10 {
            format!("{d}d{h}h")
        } else {
            format!("{d}d")
        }
    } else if s >= 3600 {
        format!("{}h", s / 3600)
    } else {
        format!("{}m", s / 60)
    }
}
