//! Every count printed next to a noun agrees with it: a format string of the form
//! `"{n} images"` prints `1 images` when `n` is 1, so it goes through `text::count` or
//! `text::plural` instead. Sites where the count can never be 1 (a tie has at least two
//! members; "more than the maximum of 10 rules") carry `plural: never one` on the line
//! or the line above.

use std::path::Path;

/// The nouns people read in output, plural forms as they would be misprinted.
const NOUNS: &[&str] = &[
    "images",
    "layers",
    "files",
    "tags",
    "repositories",
    "findings",
    "errors",
    "manifests",
    "blobs",
    "platforms",
    "referrers",
    "warnings",
    "rules",
    "requests",
    "retries",
    "days",
    "artifacts",
    "policies",
    "entries",
    "configs",
    "versions",
    "digests",
];

/// Words after a count that do not qualify the noun after them (`{} of files`).
const STOP: &[&str] = &[
    "of", "in", "and", "or", "to", "the", "for", "from", "with", "by", "at", "no", "frees",
    "reading",
];

/// `{x} nouns` where `{x}` is a placeholder (`{}`, `{n}`, `{a.len()}`), not an escaped `{{`.
/// One qualifying word may sit between (`{n} cleanup policies`, `{n} removed images`).
fn unagreed(line: &str) -> Option<&'static str> {
    for noun in NOUNS {
        let mut from = 0;
        while let Some(at) = line[from..].find("} ") {
            let close = from + at;
            from = close + 1;
            let rest = &line[close + 2..];
            let word_end = rest
                .find(|c: char| !(c.is_ascii_lowercase() || c == '-'))
                .unwrap_or(rest.len());
            let next = &rest[word_end..];
            let rest = match (&rest[..word_end], next.strip_prefix(' ')) {
                (w, Some(tail))
                    if !w.is_empty() && !STOP.contains(&w) && tail.starts_with(noun) =>
                {
                    tail
                }
                _ => rest,
            };
            let Some(after) = rest.strip_prefix(noun) else {
                continue;
            };
            if after.starts_with(|c: char| c.is_alphanumeric() || c == '_') {
                continue;
            }
            let Some(open) = line[..close].rfind('{') else {
                continue;
            };
            let inner = &line[open + 1..close];
            let placeholder = inner
                .chars()
                .all(|c| c.is_alphanumeric() || "_.():".contains(c));
            let escaped = line[..open].ends_with('{');
            if placeholder && !escaped {
                return Some(noun);
            }
        }
    }
    None
}

fn scan(dir: &Path, out: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).expect("read src") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            scan(&path, out);
            continue;
        }
        if path.extension().is_none_or(|e| e != "rs") || path.ends_with("text_agreement.rs") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("read source");
        let mut previous = "";
        for (i, line) in text.lines().enumerate() {
            let code = line.trim_start();
            let waived =
                line.contains("plural: never one") || previous.contains("plural: never one");
            previous = line;
            if code.starts_with("//") || waived {
                continue;
            }
            if let Some(noun) = unagreed(line) {
                out.push(format!(
                    "{}:{}: {{…}} {noun}: {}",
                    path.display(),
                    i + 1,
                    code
                ));
            }
        }
    }
}

#[test]
fn the_scanner_sees_a_bare_count() {
    assert_eq!(unagreed(r#"format!("{n} images in use")"#), Some("images"));
    assert_eq!(
        unagreed(r#"format!("{} tags, none close", tags.len())"#),
        Some("tags")
    );
    assert_eq!(
        unagreed(r#"format!("{}/{total} repositories")"#),
        Some("repositories")
    );
    assert_eq!(unagreed(r#"format!("{{literal}} images")"#), None);
    assert_eq!(unagreed(r#"format!("{}", count(n, "image"))"#), None);
    assert_eq!(unagreed(r#"format!("{x:?} imagesque")"#), None);
    assert_eq!(unagreed(r#""{} cleanup policies, dry""#), Some("policies"));
    assert_eq!(unagreed(r#""{} of files""#), None);
}

#[test]
fn every_count_in_output_agrees_with_its_noun() {
    let mut found = Vec::new();
    scan(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut found,
    );
    assert!(
        found.is_empty(),
        "counts printed without text::count/plural:\n{}",
        found.join("\n")
    );
}
