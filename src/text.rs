//! How every command writes sizes, counts and times, so the CLI speaks with one voice:
//! IEC units (`12.30 MiB`, never `12.9 MB`), a noun that agrees with its count (`1 layer`,
//! `2 layers`), and one absolute time style (`2027-01-03 16:34 UTC`).

use chrono::{DateTime, Utc};

/// `12.30 MiB`: IEC units, as `du -h`, Docker and the TUI count.
pub fn size(bytes: u64) -> String {
    humansize::format_size(bytes, humansize::BINARY)
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
        assert_eq!(size(1_536), "1.50 KiB");
        assert_eq!(size(100_000_000), "95.37 MiB");
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
