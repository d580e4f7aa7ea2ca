//! dive's CI gate (`dive --ci` with a `.dive-ci` file), evaluated on dive's figures
//! ([`super::dive::DiveScore`]) so that `regscope layers REF --ci` passes and fails where
//! dive does. Written from dive's `cmd/dive/cli/internal/command/ci/rules.go` and
//! `evaluator.go` (rules, messages, the PASS/FAIL/SKIP lines), `options/ci.go` and
//! `ci_rules.go` (the file's keys and dive's defaults), and go-humanize's `ParseBytes`
//! (`highestWastedBytes` sizes). The file itself is read by [`super::dive_ci_file`].

use super::dive::DiveScore;
use std::fmt;

pub const LOWEST_EFFICIENCY: &str = "lowestEfficiency";
pub const HIGHEST_WASTED_BYTES: &str = "highestWastedBytes";
pub const HIGHEST_USER_WASTED_PERCENT: &str = "highestUserWastedPercent";

/// dive's defaults (`DefaultCIRules`), used for every key the file does not set.
pub const DEFAULTS: [(&str, &str); 3] = [
    (LOWEST_EFFICIENCY, "0.9"),
    (HIGHEST_WASTED_BYTES, "disabled"),
    (HIGHEST_USER_WASTED_PERCENT, "0.1"),
];

#[derive(Clone, Copy, Debug, PartialEq)]
enum Threshold {
    Disabled,
    /// A ratio in 0..=1 (NaN passes dive's range check too, and then never fails).
    Ratio(f64),
    Bytes(u64),
}

/// One configured rule: its key, the value as written (dive prints it on a PASS), and
/// the threshold parsed from it.
#[derive(Clone, Debug, PartialEq)]
pub struct CiRule {
    pub key: &'static str,
    pub config: String,
    threshold: Threshold,
}

/// A rule value dive would refuse: the key and dive's reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleError {
    pub key: String,
    /// 1-based line of the value in the file, when it came from one.
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(l) = self.line {
            write!(f, "line {l}: ")?;
        }
        if !self.key.is_empty() {
            write!(f, "rules.{}: ", self.key)?;
        }
        f.write_str(&self.message)
    }
}

/// dive's `isRuleDisabled`: empty, `disabled`, `off` or `false`, any case and padding.
fn is_disabled(value: &str) -> bool {
    matches!(
        value.trim().to_lowercase().as_str(),
        "" | "disabled" | "off" | "false"
    )
}

/// Go's `strconv.ParseFloat` for what a config value holds (decimal, exponent, sign,
/// `inf`/`nan`); Go's hex floats and digit underscores are not accepted here.
fn parse_go_float(s: &str) -> Option<f64> {
    if s.is_empty() || s.trim() != s || s.contains('_') {
        return None;
    }
    s.parse::<f64>().ok()
}

/// go-humanize's `ParseBytes`: leading digits, dots and commas (commas dropped) as a
/// float, then an optional unit, any case, SI (`kb`, `k`, `mb` = 1000²…) or IEC (`kib`,
/// `ki`…) up to exa; the product truncated. `20Mb` is 20,000,000 bytes, not bits.
pub fn parse_bytes(s: &str) -> Result<u64, String> {
    let digits = s
        .char_indices()
        .find(|(_, c)| !(c.is_numeric() || *c == '.' || *c == ','))
        .map(|(i, _)| i)
        .unwrap_or(s.len());
    let (num, unit) = s.split_at(digits);
    let num = num.replace(',', "");
    let f: f64 = num
        .parse()
        .ok()
        .filter(|_| num.bytes().all(|b| b.is_ascii_digit() || b == b'.'))
        .ok_or_else(|| format!("parsing {num:?}: invalid syntax"))?;
    let unit = unit.trim().to_lowercase();
    let m: u64 = match unit.as_str() {
        "" | "b" => 1,
        "k" | "kb" => 1000,
        "ki" | "kib" => 1 << 10,
        "m" | "mb" => 1000u64.pow(2),
        "mi" | "mib" => 1 << 20,
        "g" | "gb" => 1000u64.pow(3),
        "gi" | "gib" => 1 << 30,
        "t" | "tb" => 1000u64.pow(4),
        "ti" | "tib" => 1 << 40,
        "p" | "pb" => 1000u64.pow(5),
        "pi" | "pib" => 1 << 50,
        "e" | "eb" => 1000u64.pow(6),
        "ei" | "eib" => 1 << 60,
        other => return Err(format!("unhandled size name: {other}")),
    };
    let bytes = f * m as f64;
    if bytes >= u64::MAX as f64 {
        return Err(format!("too large: {s}"));
    }
    Ok(bytes as u64)
}

impl CiRule {
    /// dive's `New…Rule` for `key` with `value` as written.
    pub fn new(key: &'static str, value: &str) -> Result<CiRule, String> {
        if is_disabled(value) {
            return Ok(CiRule {
                key,
                config: "disabled".into(),
                threshold: Threshold::Disabled,
            });
        }
        let threshold = if key == HIGHEST_WASTED_BYTES {
            Threshold::Bytes(
                parse_bytes(value)
                    .map_err(|e| format!("invalid {key} config value, given {value:?}: {e}"))?,
            )
        } else {
            let t = parse_go_float(value).ok_or_else(|| {
                format!("invalid {key} config value, given {value:?}: not a number")
            })?;
            // Two comparisons, as dive writes it: NaN passes this check (a range's
            // `contains` would refuse it).
            #[allow(clippy::manual_range_contains)]
            if t < 0.0 || t > 1.0 {
                return Err(format!(
                    "{key} config value is outside allowed range (0-1), given '{t:.6}'"
                ));
            }
            Threshold::Ratio(t)
        };
        Ok(CiRule {
            key,
            config: value.to_string(),
            threshold,
        })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CiStatus {
    Pass,
    Fail,
    Skip,
}

impl CiStatus {
    pub fn word(self) -> &'static str {
        match self {
            CiStatus::Pass => "PASS",
            CiStatus::Fail => "FAIL",
            CiStatus::Skip => "SKIP",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct CiResult {
    pub key: &'static str,
    pub status: CiStatus,
    pub message: String,
}

impl CiResult {
    /// dive's rule line: `  FAIL  lowestEfficiency (image efficiency is too low …)`.
    pub fn line(&self) -> String {
        format!("  {}  {} ({})", self.status.word(), self.key, self.message)
    }
}

/// Go's `%v` of a float64: shortest digits, `%e` style below 1e-4 or from 1e21 on.
fn go_v(f: f64) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "+Inf" } else { "-Inf" }.into();
    }
    let sci = format!("{f:e}");
    let (mantissa, exp) = sci.split_once('e').expect("{:e} has an exponent");
    let exp: i32 = exp.parse().expect("an integer exponent");
    if f != 0.0 && !(-4..21).contains(&exp) {
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{mantissa}e{sign}{:02}", exp.abs())
    } else {
        format!("{f}")
    }
}

/// Go's `%2.2f`.
fn go_2f(f: f64) -> String {
    if f.is_infinite() {
        return if f > 0.0 { "+Inf" } else { "-Inf" }.into();
    }
    format!("{f:.2}")
}

/// Every rule against `score`, sorted by key as dive prints them; `pass` is false when
/// one failed.
pub fn evaluate(rules: &[CiRule], score: &DiveScore) -> (Vec<CiResult>, bool) {
    let mut out: Vec<CiResult> = rules
        .iter()
        .map(|r| {
            let fail = match (r.key, r.threshold) {
                (_, Threshold::Disabled) => {
                    return CiResult {
                        key: r.key,
                        status: CiStatus::Skip,
                        message: "disabled".into(),
                    }
                }
                (LOWEST_EFFICIENCY, Threshold::Ratio(t)) => (t > score.efficiency).then(|| {
                    format!(
                        "image efficiency is too low (efficiency={} < threshold={})",
                        go_2f(score.efficiency),
                        go_v(t)
                    )
                }),
                (HIGHEST_WASTED_BYTES, Threshold::Bytes(t)) => {
                    (score.wasted_bytes > t).then(|| {
                        format!(
                            "too many bytes wasted (wasted-bytes={} > threshold={t})",
                            score.wasted_bytes
                        )
                    })
                }
                (_, Threshold::Ratio(t)) => {
                    // dive's float division: +Inf without user bytes fails, NaN passes.
                    let ratio = score.wasted_user_ratio();
                    (ratio > t).then(|| {
                        format!(
                            "too many bytes wasted, relative to the user bytes added \
                             (%-user-wasted-bytes={} > threshold={})",
                            go_2f(ratio),
                            go_v(t)
                        )
                    })
                }
                (_, Threshold::Bytes(_)) => unreachable!("only highestWastedBytes has bytes"),
            };
            match fail {
                Some(message) => CiResult {
                    key: r.key,
                    status: CiStatus::Fail,
                    message,
                },
                None => CiResult {
                    key: r.key,
                    status: CiStatus::Pass,
                    message: r.config.clone(),
                },
            }
        })
        .collect();
    out.sort_by_key(|r| r.key);
    let pass = out.iter().all(|r| r.status != CiStatus::Fail);
    (out, pass)
}

/// dive's closing line: `PASS [pass:2 skip:1]` / `FAIL [pass:1 fail:1 skip:1]`.
pub fn summary(results: &[CiResult], pass: bool) -> String {
    let n = |s: CiStatus| results.iter().filter(|r| r.status == s).count();
    let parts: Vec<String> = [
        ("pass", n(CiStatus::Pass)),
        ("fail", n(CiStatus::Fail)),
        ("skip", n(CiStatus::Skip)),
    ]
    .iter()
    .filter(|(_, v)| *v > 0)
    .map(|(k, v)| format!("{k}:{v}"))
    .collect();
    format!(
        "{} [{}]",
        if pass { "PASS" } else { "FAIL" },
        parts.join(" ")
    )
}

#[cfg(test)]
#[path = "dive_ci_tests.rs"]
mod tests;
