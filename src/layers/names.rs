//! Names from tar headers made safe to show and to merge: control characters, backslashes
//! and invalid UTF-8 are escaped once, when the index is built, so no terminal, JSON
//! consumer or TUI cell ever sees a raw escape sequence from an untrusted layer.

/// The longest entry name or link target a layer may hold, in bytes of the tar header's
/// name (after PAX/GNU long-name records): Linux's `PATH_MAX`. Every runtime extracts through
/// path syscalls under its own root, which refuse longer paths (`ENAMETOOLONG`), so a longer
/// one means a layer nobody can run; past it a hostile name (the 1 MiB record bound allows
/// 500,000 levels) would cost the replay one directory per level. 4096 bytes also bounds the
/// depth: [`MAX_PATH_DEPTH`] levels. See docs/decisions.md "Layer paths are bounded".
pub const MAX_PATH_BYTES: usize = 4096;

/// The most components a name within [`MAX_PATH_BYTES`] can have (`a/a/…/a`).
pub const MAX_PATH_DEPTH: usize = MAX_PATH_BYTES / 2;

/// A raw tar name for an error message: escaped, cut to its first 60 characters, with its
/// length and depth (a hostile name can be a megabyte).
pub fn shown(raw: &[u8]) -> String {
    let head = escape_name(&raw[..raw.len().min(240)]);
    let depth = raw.split(|&b| b == b'/').filter(|c| !c.is_empty()).count();
    let cut: String = head.chars().take(60).collect();
    if raw.len() <= 240 && cut.len() == head.len() {
        return cut;
    }
    // plural: never one (a name cut here has more than 60 characters escaped: 16+ bytes)
    let bytes = raw.len();
    format!(
        "{cut}… ({bytes} bytes, {})",
        crate::text::count(depth, "level")
    )
}

/// Escapes `raw` injectively: `\\` for a backslash, `\xNN` for control bytes (C0, DEL) and
/// for bytes that are not valid UTF-8, `\u{NNNN}` for C1 controls and bidi overrides.
pub fn escape_name(raw: &[u8]) -> String {
    let mut out = String::with_capacity(raw.len());
    for chunk in raw.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '\\' => out.push_str("\\\\"),
                c if (c as u32) < 0x20 || c == '\x7f' => {
                    out.push_str(&format!("\\x{:02x}", c as u32));
                }
                // C1 controls and bidirectional overrides can reorder or hide text.
                '\u{80}'..='\u{9f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => {
                    out.push_str(&format!("\\u{{{:04x}}}", c as u32));
                }
                c => out.push(c),
            }
        }
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02x}"));
        }
    }
    out
}

/// A tar path as a filesystem path relative to the image root: no leading `/` or `./`, no
/// `.` or empty components, no trailing `/`. `..` is kept literally (nothing is extracted,
/// so it cannot escape anything; it just names an odd entry). The root itself is `""`.
pub fn normalize(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for part in path.split('/') {
        if part.is_empty() || part == "." {
            continue;
        }
        if !out.is_empty() {
            out.push('/');
        }
        out.push_str(part);
    }
    out
}

/// The parent of a normalized path (`""` for top-level names).
pub fn parent(path: &str) -> &str {
    path.rsplit_once('/').map(|(p, _)| p).unwrap_or("")
}

/// The last component of a normalized path.
pub fn base_name(path: &str) -> &str {
    path.rsplit_once('/').map(|(_, n)| n).unwrap_or(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_controls_backslashes_and_invalid_utf8() {
        assert_eq!(escape_name(b"etc/passwd"), "etc/passwd");
        assert_eq!(escape_name(b"a\x1b[31mred"), "a\\x1b[31mred");
        assert_eq!(escape_name(b"new\nline"), "new\\x0aline");
        assert_eq!(escape_name(b"back\\slash"), "back\\\\slash");
        assert_eq!(escape_name(b"bad\xffbyte"), "bad\\xffbyte");
        assert_eq!(escape_name("caf\u{e9}".as_bytes()), "caf\u{e9}");
        assert_eq!(escape_name("x\u{202e}y".as_bytes()), "x\\u{202e}y");
        // injective: an escaped control and a literal backslash-x never collide
        assert_ne!(escape_name(b"\x01"), escape_name(b"\\x01"));
    }

    #[test]
    fn normalizes_tar_paths() {
        assert_eq!(normalize("./etc/"), "etc");
        assert_eq!(normalize("/usr//lib/./x"), "usr/lib/x");
        assert_eq!(normalize("./"), "");
        assert_eq!(normalize("a/../b"), "a/../b");
        assert_eq!(parent("a/b/c"), "a/b");
        assert_eq!(parent("a"), "");
        assert_eq!(base_name("a/b/c"), "c");
    }

    #[test]
    fn long_names_are_cut_for_messages() {
        assert_eq!(shown(b"etc/passwd"), "etc/passwd");
        let deep = "d/".repeat(3000);
        let s = shown(deep.as_bytes());
        assert!(s.starts_with(&"d/".repeat(30)), "{s}");
        assert!(s.ends_with("… (6000 bytes, 3000 levels)"), "{s}");
        // escaped before it is cut: no raw control byte reaches a terminal
        assert!(!shown(&[b'\x1b'; 5000]).contains('\x1b'));
    }
}
