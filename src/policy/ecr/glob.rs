//! ECR tag patterns: `*` is the only wildcard (any run, including empty) and the whole tag
//! must match.

/// Whether `tag` matches `pattern` as ECR's `tagPatternList` does.
pub fn glob_match(pattern: &str, tag: &str, case_sensitive: bool) -> bool {
    if case_sensitive {
        glob_bytes(pattern.as_bytes(), tag.as_bytes())
    } else {
        glob_bytes(
            pattern.to_ascii_lowercase().as_bytes(),
            tag.to_ascii_lowercase().as_bytes(),
        )
    }
}

/// Iterative matcher with single backtrack point: linear in practice, no recursion.
fn glob_bytes(p: &[u8], t: &[u8]) -> bool {
    let (mut pi, mut ti) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && p[pi] == b'*' {
            star = Some((pi, ti));
            pi += 1;
        } else if pi < p.len() && p[pi] == t[ti] {
            pi += 1;
            ti += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == b'*')
}

#[cfg(test)]
mod tests {
    use super::glob_match;

    #[test]
    fn ecr_pattern_semantics_from_the_docs() {
        for t in ["prod", "prod1", "production-team1"] {
            assert!(glob_match("prod*", t, true), "{t}");
        }
        assert!(glob_match("*prod*", "repo-production", true));
        assert!(!glob_match("prod*", "xprod", true));
        assert!(glob_match("v1", "v1", true));
        assert!(!glob_match("v1", "v10", true));
        assert!(glob_match("*-rc*", "1.0-rc2", true));
        assert!(!glob_match("Prod*", "prod", true));
        assert!(glob_match("Prod*", "prod", false));
        assert!(glob_match("a*b*c", "aXbYbZc", true));
        assert!(!glob_match("a*b*c", "aXbYbZ", true));
    }
}
