//! The `acr purge` argument grammar: a shell-like word list (quotes, `\` line joins, `#`
//! comments), the `--filter REPO:TAG` split and the `--ago` duration grammar.

use super::{parse_ago, AcrPurge, Filter};
use crate::policy::switches::AcrCliVersion;
use crate::policy::PolicyError;
use fancy_regex::Regex;

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

/// Splits `REPO:TAG` where acr-cli splits (`GetRepositoryAndTagRegex` in
/// `cmd/repository/image_functions.go`): at every `:` matched by
/// `(?<!\(\?[imsU-]{0,5}|\[*\^*\[\^*):(?!\]\]*)`, that is every colon that does not
/// follow a `(?flags` group opener or a `[`/`[^` class opener and does not precede a `]`.
/// Exactly two non-empty halves are accepted; `Err` carries acr-cli's own message.
pub fn split_filter(f: &str) -> Result<(&str, &str), &'static str> {
    let b = f.as_bytes();
    let flag = |c: u8| matches!(c, b'i' | b'm' | b's' | b'U' | b'-');
    let mut cuts = Vec::new();
    for (i, &c) in b.iter().enumerate() {
        if c != b':' {
            continue;
        }
        let run = b[..i].iter().rev().take_while(|&&c| flag(c)).count();
        let group = run <= 5 && i >= run + 2 && &b[i - run - 2..i - run] == b"(?";
        let carets = b[..i].iter().rev().take_while(|&&c| c == b'^').count();
        let class = i > carets && b[i - carets - 1] == b'[';
        let closes = b.get(i + 1) == Some(&b']');
        if !(group || class || closes) {
            cuts.push(i);
        }
    }
    let [cut] = cuts[..] else {
        return Err("unable to correctly parse filter flag");
    };
    let (repo, tag) = (&f[..cut], &f[cut + 1..]);
    if repo.is_empty() {
        return Err("missing repository name/expression");
    }
    if tag.is_empty() {
        return Err("missing tag name/expression");
    }
    Ok((repo, tag))
}

/// A regex as acr-cli compiles it (regexp2, a backtracking engine: look-around works).
pub fn compile(re: &str) -> Result<Regex, String> {
    Regex::new(re).map_err(|e| e.to_string())
}

/// acr-cli's one-letter flags that take a value (purge's `-f`, `-c`; the root's `-r`,
/// `-u`, `-p`).
const SHORT_WITH_VALUE: [&str; 5] = ["-f", "-c", "-r", "-u", "-p"];

/// Flags added after acr-cli 0.16, with the first release that has them: `--include-locked`
/// in 0.17 (cfadfa9), `--untagged-only` in 0.18 (4036745). (`--verbose` came after 0.18.1,
/// but `acr.cli_version` does not tell 0.18 from 0.19, and it changes no plan.)
const SINCE: [(&str, AcrCliVersion); 2] = [
    ("--include-locked", AcrCliVersion::V017),
    ("--untagged-only", AcrCliVersion::V019),
];

fn rank(v: AcrCliVersion) -> u8 {
    match v {
        AcrCliVersion::Before017 => 0,
        AcrCliVersion::V017 => 1,
        AcrCliVersion::V019 => 2,
    }
}

/// What an older acr-cli (`acr.cli_version`) does with a flag it does not know: cobra
/// refuses the whole command ("unknown flag"), so nothing is purged.
pub fn unknown_to(given: &[&'static str], v: AcrCliVersion) -> Option<String> {
    let (flag, since) = SINCE
        .iter()
        .find(|(f, since)| given.contains(f) && rank(v) < rank(*since))?;
    let name = |v: AcrCliVersion| match v {
        AcrCliVersion::Before017 => "before 0.17",
        AcrCliVersion::V017 => "0.17",
        AcrCliVersion::V019 => "0.18",
    };
    Some(format!(
        "acr-cli {} has no {flag} (it came in {}): it refuses the command as an unknown flag, so this plan purges nothing (acr.cli_version)",
        name(v),
        name(*since)
    ))
}

/// A boolean flag as pflag reads it: bare is true, `--flag=V` takes Go's
/// `strconv.ParseBool` (so `--include-locked=false` leaves locks honoured).
fn boolean(flag: &str, inline: Option<&str>) -> Result<bool, PolicyError> {
    match inline {
        None | Some("1" | "t" | "T" | "TRUE" | "true" | "True") => Ok(true),
        Some("0" | "f" | "F" | "FALSE" | "false" | "False") => Ok(false),
        Some(v) => Err(PolicyError::new(
            None,
            Some(flag),
            format!("{v:?} is not a boolean (acr-cli takes true, false, 1, 0, t or f)"),
        )),
    }
}

/// An integer as pflag reads one: Go's `strconv.ParseInt(v, 0, bits)`, so a base prefix
/// (`0x`, `0o`, `0b`), a leading `0` for octal (`010` is 8) and `_` between digits.
fn go_int(v: &str, bits: u32) -> Option<i64> {
    let (neg, body) = match v.as_bytes().first()? {
        b'+' => (false, &v[1..]),
        b'-' => (true, &v[1..]),
        _ => (false, v),
    };
    let b = body.as_bytes();
    let lower = |i: usize| b.get(i).map(u8::to_ascii_lowercase);
    let (radix, digits) = match (b.first(), lower(1)) {
        (Some(b'0'), Some(p @ (b'x' | b'o' | b'b'))) if b.len() >= 3 => (
            match p {
                b'x' => 16,
                b'o' => 8,
                _ => 2,
            },
            &body[2..],
        ),
        (Some(b'0'), _) => (8, &body[1..]),
        (Some(_), _) => (10, body),
        (None, _) => return None,
    };
    // Go's underscoreOK: an `_` stands between digits; the base prefix (or the leading
    // `0` of an octal number) counts as one.
    let mut prev_digit = radix != 10;
    let mut prev_under = false;
    for c in digits.chars() {
        if c == '_' {
            if !prev_digit {
                return None;
            }
            (prev_digit, prev_under) = (false, true);
        } else {
            (prev_digit, prev_under) = (true, false);
        }
    }
    if prev_under {
        return None;
    }
    let clean: String = digits.chars().filter(|&c| c != '_').collect();
    let n = if clean.is_empty() {
        // "0" alone (octal with no more digits) is zero; "+" or "" is no number.
        if radix == 8 && digits.is_empty() {
            0
        } else {
            return None;
        }
    } else {
        i128::from_str_radix(&clean, radix).ok()?
    };
    let n = if neg { -n } else { n };
    let (min, max) = (-(1i128 << (bits - 1)), (1i128 << (bits - 1)) - 1);
    (min..=max).contains(&n).then_some(n as i64)
}

/// An integer flag as cobra's IntVar (`bits` 64) or Int32Var (32) reads it.
fn int(flag: &str, v: &str, bits: u32) -> Result<i64, PolicyError> {
    go_int(v, bits).ok_or_else(|| {
        PolicyError::new(
            None,
            Some(flag),
            format!(
                "{v:?} is not an integer acr-cli reads (Go's strconv.ParseInt, base 0, {bits}-bit)"
            ),
        )
    })
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
    let mut notes = Vec::new();
    let mut filters_raw = Vec::new();
    // acr-cli reads an empty --ago as no --ago (its flag's default is "").
    let mut ago_text = String::new();
    let (mut keep, mut untagged, mut untagged_only, mut include_locked) =
        (0usize, false, false, false);
    let mut newer_flags: Vec<&'static str> = Vec::new();
    // cobra's mutual exclusion looks at whether a flag was given, not at its value.
    let (mut untagged_set, mut untagged_only_set) = (false, false);
    while let Some(arg) = it.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v.to_string())),
            // pflag's shorthands take their value glued on too: `-fapp:.*`, `-f=app:.*`.
            _ => match arg.get(..2).filter(|f| SHORT_WITH_VALUE.contains(f)) {
                Some(f) if arg.len() > 2 => {
                    let v = &arg[2..];
                    (f, Some(v.strip_prefix('=').unwrap_or(v).to_string()))
                }
                _ => (arg, None),
            },
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
            "--ago" => match value("--ago") {
                Ok(v) => ago_text = v,
                Err(e) => errs.push(e),
            },
            // acr-cli keeps the first `keep` of the eligible; a negative count keeps none.
            "--keep" => match value("--keep").and_then(|v| int("--keep", &v, 64)) {
                Ok(k) => keep = usize::try_from(k).unwrap_or(0),
                Err(e) => errs.push(e),
            },
            // Out-of-range values are clamped by acr-cli (to 1..=32); they change no plan.
            "--concurrency" | "--filter-timeout-seconds" | "--repository-page-size" => {
                let bits = if flag == "--repository-page-size" { 32 } else { 64 };
                if let Err(e) = value(flag).and_then(|v| int(flag, &v, bits)) {
                    errs.push(e);
                }
            }
            "--registry" | "-r" | "--username" | "-u" | "--password" | "-p" | "--config" | "-c" => {
                if let Err(e) = value(flag) {
                    errs.push(e);
                }
            }
            "--untagged" | "--untagged-only" | "--include-locked" | "--dry-run" | "--verbose" => {
                if let Some(&(f, _)) = SINCE.iter().find(|(f, _)| *f == flag) {
                    if !newer_flags.contains(&f) {
                        newer_flags.push(f);
                    }
                }
                match boolean(flag, inline.as_deref()) {
                    Ok(b) => match flag {
                        "--untagged" => (untagged, untagged_set) = (b, true),
                        "--untagged-only" => (untagged_only, untagged_only_set) = (b, true),
                        "--include-locked" => include_locked = b,
                        _ => {}
                    },
                    Err(e) => errs.push(e),
                }
            }
            // acr-cli ignores a word that is no flag, so `--untagged false` is --untagged;
            // such a word is refused here rather than silently dropped.
            other if !other.starts_with('-') => errs.push(PolicyError::new(
                None,
                Some(other),
                "is no flag; acr purge ignores it (a boolean takes its value as --flag=false, not --flag false)",
            )),
            other => errs.push(PolicyError::new(
                None,
                Some(other),
                "unknown flag for acr purge",
            )),
        }
    }
    if untagged_set && untagged_only_set {
        errs.push(PolicyError::new(
            None,
            Some("--untagged-only"),
            "cannot be combined with --untagged",
        ));
    }
    if filters_raw.is_empty() && !untagged_only {
        errs.push(PolicyError::new(
            None,
            Some("--filter"),
            "is required when not using --untagged-only (--filter REPO-REGEX:TAG-REGEX)",
        ));
    }
    let mut ago = None;
    if ago_text.is_empty() {
        if !untagged_only {
            errs.push(PolicyError::new(
                None,
                Some("--ago"),
                "is required when not using --untagged-only",
            ));
        }
    } else {
        // A value that does not parse is its own one error, not also "required".
        match parse_ago(&ago_text) {
            Ok(a) => {
                notes.extend(a.note);
                ago = Some(a.duration);
            }
            Err(e) => errs.push(PolicyError::new(None, Some("--ago"), e)),
        }
    }
    let mut filters = Vec::new();
    for (n, f) in filters_raw.iter().enumerate() {
        let rule = Some(format!("--filter #{} {f:?}", n + 1));
        // acr-cli splits every filter, with --untagged-only too: both halves are required.
        let (r, t) = match split_filter(f) {
            Ok(x) => x,
            Err(e) => {
                errs.push(PolicyError::new(
                    rule,
                    Some("--filter"),
                    format!("{e} (write REPO-REGEX:TAG-REGEX, as \"app:.*\")"),
                ));
                continue;
            }
        };
        // acr-cli anchors the repository half by concatenation, "^" + r + "$": a top-level
        // `|` leaves each side anchored at one end only, as it does there. With
        // --untagged-only it never compiles the tag half (only `purgeTags` does), so a tag
        // half that is no regex is no error there.
        let tag = if untagged_only {
            Ok(None)
        } else {
            compile(t).map(Some)
        };
        match (compile(&format!("^{r}$")), tag) {
            (Ok(repo), Ok(tag)) => filters.push(Filter {
                text: f.clone(),
                tag_regex: t.to_string(),
                repo,
                tag,
            }),
            (Err(e), _) => errs.push(PolicyError::new(
                rule,
                Some("--filter (repository regex)"),
                e,
            )),
            (_, Err(e)) => errs.push(PolicyError::new(rule, Some("--filter (tag regex)"), e)),
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
            notes,
            newer_flags,
        }),
    }
}

#[cfg(test)]
mod tests {
    /// Go's `strconv.ParseInt(s, 0, bits)` on the forms its own tests (atoi_test.go,
    /// base 0) list: prefixes, octal by a leading zero, underscores between digits only.
    #[test]
    fn go_int_reads_as_parse_int_base_0() {
        let ok: &[(&str, i64)] = &[
            ("0", 0),
            ("-0", 0),
            ("+5", 5),
            ("12", 12),
            ("010", 8),
            ("0x10", 16),
            ("0X1f", 31),
            ("0o17", 15),
            ("0b101", 5),
            ("1_000", 1000),
            ("0x_1f", 31),
            ("0_7", 7),
            ("-0x8000000000000000", i64::MIN),
            ("9223372036854775807", i64::MAX),
        ];
        for (s, want) in ok {
            assert_eq!(super::go_int(s, 64), Some(*want), "{s}");
        }
        for s in [
            "",
            "+",
            "-",
            "08",
            "0x",
            "0b",
            "1__0",
            "_1",
            "1_",
            "0x_",
            "1e3",
            " 1",
            "abc",
            "9223372036854775808",
        ] {
            assert_eq!(super::go_int(s, 64), None, "{s:?}");
        }
        assert_eq!(super::go_int("2147483647", 32), Some(i64::from(i32::MAX)));
        assert_eq!(super::go_int("2147483648", 32), None);
    }
}
