//! How every command writes sizes, counts and times, so the CLI speaks with one voice:
//! IEC units (`12 MiB`, `9.5 MiB`, never `12.9 MB`), a noun that agrees with its count (`1 layer`,
//! `2 layers`), and one absolute time style (`2027-01-03 16:34 UTC`).

use chrono::{DateTime, Utc};

/// `532 MiB`, `9.5 MiB`, `1000 B`: IEC units with the precision of `du -h` and `ls -lh`,
/// one decimal below 10 of a unit and whole units above, the same in the CLI and the TUI
/// (docs/decisions.md, "One size rule"). Exact bytes are in every `--json`.
pub fn size(bytes: u64) -> String {
    const UNITS: [&str; 7] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut v = bytes as f64;
    let mut u = 0;
    // A value that rounds up to 1024 of a unit reads as 1.0 of the next one.
    while u < UNITS.len() - 1 && (v >= 1024.0 || (u > 0 && v.round() >= 1024.0)) {
        v /= 1024.0;
        u += 1;
    }
    if (v * 10.0).round() < 100.0 {
        format!("{v:.1} {}", UNITS[u])
    } else {
        format!("{v:.0} {}", UNITS[u])
    }
}

/// `1 image`, `3 images`: `n` with `noun`, plural by adding `s`.
pub fn count<N: TryInto<u64> + std::fmt::Display + Copy>(n: N, noun: &str) -> String {
    format!("{n} {}", plural(n, noun, &format!("{noun}s")))
}

/// `one` when `n` is 1, else `many` (for nouns that do not take an `s`: `repository`).
pub fn plural<'a, N: TryInto<u64> + Copy>(n: N, one: &'a str, many: &'a str) -> &'a str {
    if n.try_into().ok() == Some(1) {
        one
    } else {
        many
    }
}

/// `2027-01-03 16:34 UTC`: the absolute time of every command and of the TUI.
pub fn date(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// `2027-01-03`: where only the day matters (table columns, "as of" a day).
pub fn day(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_iec() {
        assert_eq!(size(0), "0 B");
        assert_eq!(size(1_000), "1000 B");
        assert_eq!(size(1_023), "1023 B");
        assert_eq!(size(1_024), "1.0 KiB");
        assert_eq!(size(1_536), "1.5 KiB");
        assert_eq!(size(10_188), "9.9 KiB");
        assert_eq!(size(10_200), "10 KiB");
        assert_eq!(size(12_897_485), "12 MiB");
        assert_eq!(size(100_000_000), "95 MiB");
        assert_eq!(size(1_048_575), "1.0 MiB");
        assert_eq!(size(1_288_490_189), "1.2 GiB");
        assert_eq!(size(u64::MAX), "16 EiB");
    }

    #[test]
    fn nouns_agree_with_their_counts() {
        assert_eq!(count(0, "layer"), "0 layers");
        assert_eq!(count(1, "layer"), "1 layer");
        assert_eq!(count(2, "image"), "2 images");
        assert_eq!(count(1u64, "file"), "1 file");
        assert_eq!(plural(1, "repository", "repositories"), "repository");
        assert_eq!(plural(3, "repository", "repositories"), "repositories");
    }

    #[test]
    fn one_date_style() {
        let t: DateTime<Utc> = "2027-01-03T16:34:49Z".parse().unwrap();
        assert_eq!(date(t), "2027-01-03 16:34 UTC");
        assert_eq!(day(t), "2027-01-03");
    }
}

#[cfg(test)]
#[path = "text_agreement.rs"]
mod agreement;
