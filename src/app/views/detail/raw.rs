//! The raw tab: the manifest (or config) exactly as the registry served it — the bytes
//! the digest was computed over, shown as they are, long lines broken at the pane's
//! width — and, on request (`p`), an indented copy that keeps every key, value and
//! escape in the served order (it re-indents; it never parses into a map and writes back,
//! which would sort keys and change numbers and escapes).

use super::state::DetailState;
use crate::app::action::Action;
use crate::app::config::theme::Role;
use crate::app::state::State;
use crate::app::tasks::detail::DetailData;
use crate::model::Digest;
use ratatui::text::{Line, Span};

/// The raw tab's lines at `width`: a note saying what is shown, then the text.
pub fn lines(state: &State, d: &DetailState, data: &DetailData, width: u16) -> Vec<Line<'static>> {
    let t = &state.theme;
    let (what, bytes, digest): (&str, Option<&[u8]>, Option<&Digest>) = if d.raw_config {
        (
            "config",
            data.config_bytes.as_deref(),
            data.config_digest.as_ref(),
        )
    } else {
        (
            "manifest",
            Some(&data.manifest_bytes[..]),
            Some(&data.digest),
        )
    };
    let Some(bytes) = bytes else {
        let why = if data.config_digest.is_none() {
            "no config: this is an index (its platforms have one each)"
        } else {
            "the config could not be read from the registry"
        };
        return vec![Line::from(Span::styled(why, t.fg(Role::Muted)))];
    };
    let key = state.keymap.label(Action::RawPretty);
    // The exact bytes are only "the registry's" when they are what the digest covers.
    let verified = digest.is_some_and(|dg| dg.verifies(bytes));
    let (mut note, role) = if !verified {
        (
            format!(
                "⚠ these {} bytes do not match the {what}'s digest: not the registry's exact {what}",
                crate::app::format::count(bytes.len())
            ),
            Role::Warning,
        )
    } else {
        (
            format!(
                "the {what} exactly as served: {} bytes, digest verified",
                crate::app::format::count(bytes.len())
            ),
            Role::Muted,
        )
    };
    let text = match (d.raw_pretty, indent_json(bytes)) {
        (true, Some(p)) => {
            note = format!(
                "indented copy of the {what} (served key order; only whitespace changed) · {key}: exact bytes"
            );
            p.into_bytes()
        }
        (true, None) => {
            note.push_str(" · not JSON, so not indented");
            bytes.to_vec()
        }
        (false, _) => {
            note.push_str(&format!(" · {key}: indent"));
            bytes.to_vec()
        }
    };
    let w = width as usize;
    let mut out: Vec<Line> = crate::app::widgets::wrap(&note, w)
        .into_iter()
        .map(|l| Line::from(Span::styled(l, t.fg(role))))
        .collect();
    out.extend(
        screen_lines(&text, w)
            .into_iter()
            .map(|l| Line::from(Span::styled(l, t.fg(Role::Text)))),
    );
    out
}

/// `bytes` re-indented with two spaces per level, or `None` when they are not JSON.
/// Only whitespace outside strings changes.
pub fn indent_json(bytes: &[u8]) -> Option<String> {
    serde_json::from_slice::<serde::de::IgnoredAny>(bytes).ok()?;
    let text = std::str::from_utf8(bytes).ok()?;
    let mut out = String::with_capacity(text.len() * 2);
    let mut depth = 0usize;
    let (mut in_str, mut escaped) = (false, false);
    let mut chars = text.chars().peekable();
    let newline = |out: &mut String, depth: usize| {
        out.push('\n');
        out.push_str(&"  ".repeat(depth));
    };
    while let Some(c) = chars.next() {
        if in_str {
            out.push(c);
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_str = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => {
                in_str = true;
                out.push(c);
            }
            '{' | '[' => {
                out.push(c);
                // `{}` and `[]` stay on one line.
                while chars.peek().is_some_and(|c| c.is_ascii_whitespace()) {
                    chars.next();
                }
                if matches!(chars.peek(), Some('}') | Some(']')) {
                    out.push(chars.next().unwrap_or(' '));
                } else {
                    depth += 1;
                    newline(&mut out, depth);
                }
            }
            '}' | ']' => {
                depth = depth.saturating_sub(1);
                newline(&mut out, depth);
                out.push(c);
            }
            ',' => {
                out.push(c);
                newline(&mut out, depth);
            }
            ':' => out.push_str(": "),
            c if c.is_ascii_whitespace() => {}
            c => out.push(c),
        }
    }
    Some(out)
}

/// The bytes as text for the screen: lines as served, each broken into pieces of at most
/// `width` characters (nothing dropped); bytes that are not UTF-8 and control characters
/// other than the line break show as visible stand-ins.
pub fn screen_lines(bytes: &[u8], width: usize) -> Vec<String> {
    let width = width.max(1);
    let text = String::from_utf8_lossy(bytes);
    let mut out = Vec::new();
    for line in text.split('\n') {
        let shown: Vec<char> = line
            .chars()
            .map(|c| match c {
                // Control pictures (␍, ␉, …): there, but not acting on the terminal.
                c if (c as u32) < 0x20 => char::from_u32(0x2400 + c as u32).unwrap_or('?'),
                '\u{7f}' => '␡',
                c => c,
            })
            .collect();
        if shown.is_empty() {
            out.push(String::new());
        }
        for piece in shown.chunks(width) {
            out.push(piece.iter().collect());
        }
    }
    // A final newline in the bytes is not an extra empty line on screen.
    if bytes.ends_with(b"\n") {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indenting_keeps_order_numbers_and_escapes() {
        let served =
            br#"{"schemaVersion":2,"z":1.50,"a":"x\"y,{}:","e":{},"l":[1,[]],"u":"\u00e9"}"#;
        let pretty = indent_json(served).unwrap();
        assert_eq!(
            pretty,
            "{\n  \"schemaVersion\": 2,\n  \"z\": 1.50,\n  \"a\": \"x\\\"y,{}:\",\n  \"e\": {},\n  \"l\": [\n    1,\n    []\n  ],\n  \"u\": \"\\u00e9\"\n}"
        );
        // Only whitespace outside strings changed.
        let strip = |s: &str| {
            s.split('"')
                .step_by(2)
                .collect::<String>()
                .replace([' ', '\n'], "")
        };
        assert_eq!(strip(&pretty), strip(std::str::from_utf8(served).unwrap()));
        assert!(indent_json(b"{not json").is_none());
    }

    #[test]
    fn screen_lines_break_long_lines_and_keep_every_character() {
        let bytes = b"{\"a\":\"0123456789\"}\n";
        let lines = screen_lines(bytes, 8);
        assert_eq!(lines, ["{\"a\":\"01", "23456789", "\"}"]);
        assert_eq!(lines.concat(), "{\"a\":\"0123456789\"}");
        assert_eq!(screen_lines(b"a\r\n\tb", 10), ["a␍", "␉b"]);
    }
}
