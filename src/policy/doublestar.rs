//! Harbor's selector patterns: bmatcuk/doublestar v1.3.4 semantics with `/` as separator,
//! whole-string match. `*` is any run without `/`; `**` as a whole path component matches
//! any number of components, but at the end of the pattern at least one (`a/**` does not
//! match `a`); `?`, `[class]`, `[^class]` (only `^` negates: `!` is a literal), `{a,b}` and
//! `\` escapes, inside classes too. v1.3.4's quirks kept: a class may not start a range
//! with `-` nor end with one (`[-x]`, `[x-]`, `[a-b-c]` are malformed, `[\-x]` is not), and
//! a component whose name runs out before a run of three or more `*` does not match
//! (`a***` matches `ab` but not `a`). Vectors: doublestar_vectors.rs.

/// At most this many plain patterns after `{a,b}` expansion: each brace group multiplies
/// them, and 12 two-way groups are already 4096. Harbor itself backtracks instead of
/// expanding; a pattern past this bound is refused when the policy is read.
pub const MAX_ALTERNATIVES: usize = 4096;

/// A pattern compiled once: its brace alternatives, each a list of `/` components.
/// Matching is linear in the pattern times the name (no backtracking over `*` or `**`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pattern {
    /// Empty when the pattern is malformed: it then matches nothing, as doublestar's
    /// error is no match to Harbor.
    alternatives: Vec<Vec<Component>>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Component {
    /// `**` as a whole component: any number of components.
    AnyPath,
    /// The tokens, and whether they end in a run of three or more `*`: doublestar takes
    /// only "", `*` and `**` as matching nothing once the name runs out.
    Segment(Vec<Token>, bool),
    /// A component with an unclosed `[`: matches no component.
    Never,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Token {
    /// `*` (and `**` inside a component): any run of characters without `/`.
    Star,
    /// `?`
    One,
    Lit(char),
    Class {
        negated: bool,
        /// Inclusive ranges; a single character is `(c, c)`.
        ranges: Vec<(char, char)>,
    },
}

impl Token {
    fn takes(&self, c: char) -> bool {
        match self {
            Token::Star => false,
            Token::One => true,
            Token::Lit(l) => *l == c,
            Token::Class { negated, ranges } => {
                ranges.iter().any(|&(lo, hi)| lo <= c && c <= hi) != *negated
            }
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
enum ExpandError {
    Unbalanced,
    TooMany,
}

impl Pattern {
    /// Compiles `pattern`; a malformed one (unbalanced braces, more than
    /// [`MAX_ALTERNATIVES`]) compiles to a pattern that matches nothing: [`check`] says why.
    pub fn new(pattern: &str) -> Pattern {
        let mut alts = Vec::new();
        if expand_braces(pattern, &mut alts).is_err() {
            alts.clear();
        }
        Pattern {
            alternatives: alts.iter().map(|a| compile_path(a)).collect(),
        }
    }

    /// Whether `name` matches (the whole of it).
    pub fn matches(&self, name: &str) -> bool {
        if self.alternatives.is_empty() {
            return false;
        }
        let parts: Vec<Vec<char>> = name.split('/').map(|c| c.chars().collect()).collect();
        self.alternatives.iter().any(|a| match_path(a, &parts))
    }
}

/// Whether `name` matches `pattern`. Malformed patterns (unclosed `[` or `{`) match nothing,
/// as doublestar returns an error that Harbor treats as no match.
pub fn matches(pattern: &str, name: &str) -> bool {
    Pattern::new(pattern).matches(name)
}

/// Validates a pattern: `Err` names the problem.
pub fn check(pattern: &str) -> Result<(), String> {
    let mut alts = Vec::new();
    match expand_braces(pattern, &mut alts) {
        Ok(()) => {}
        Err(ExpandError::Unbalanced) => {
            return Err(format!("{pattern:?}: unbalanced '{{' or '}}'"));
        }
        Err(ExpandError::TooMany) => {
            return Err(format!(
                "{pattern:?}: its {{a,b}} alternatives expand to more than {MAX_ALTERNATIVES} patterns; write fewer brace groups"
            ));
        }
    }
    for a in alts {
        for seg in a.split('/') {
            segment_tokens(&seg.chars().collect::<Vec<_>>())
                .map_err(|e| format!("{pattern:?}: {e}"))?;
        }
    }
    Ok(())
}

/// Expands `{a,b}` alternatives (nested allowed) into plain patterns, at most
/// [`MAX_ALTERNATIVES`] of them.
fn expand_braces(p: &str, out: &mut Vec<String>) -> Result<(), ExpandError> {
    let b: Vec<char> = p.chars().collect();
    let mut i = 0;
    let mut depth = 0;
    let mut open = 0;
    while i < b.len() {
        match b[i] {
            '\\' => i += 1,
            '{' => {
                if depth == 0 {
                    open = i;
                }
                depth += 1;
            }
            '}' => {
                if depth == 0 {
                    return Err(ExpandError::Unbalanced);
                }
                depth -= 1;
                if depth == 0 {
                    let head: String = b[..open].iter().collect();
                    let tail: String = b[i + 1..].iter().collect();
                    let (mut d, mut start) = (0, open + 1);
                    let mut j = open + 1;
                    let mut parts = Vec::new();
                    while j < i {
                        match b[j] {
                            '\\' => j += 1,
                            '{' => d += 1,
                            '}' => d -= 1,
                            ',' if d == 0 => {
                                parts.push(b[start..j].iter().collect::<String>());
                                start = j + 1;
                            }
                            _ => {}
                        }
                        j += 1;
                    }
                    parts.push(b[start..i].iter().collect::<String>());
                    for part in parts {
                        expand_braces(&format!("{head}{part}{tail}"), out)?;
                    }
                    return Ok(());
                }
            }
            _ => {}
        }
        i += 1;
    }
    if depth != 0 {
        return Err(ExpandError::Unbalanced);
    }
    if out.len() >= MAX_ALTERNATIVES {
        return Err(ExpandError::TooMany);
    }
    out.push(p.to_string());
    Ok(())
}

fn compile_path(pattern: &str) -> Vec<Component> {
    pattern
        .split('/')
        .map(|seg| {
            if seg == "**" {
                Component::AnyPath
            } else {
                compile_segment(&seg.chars().collect::<Vec<_>>())
            }
        })
        .collect()
}

fn compile_segment(p: &[char]) -> Component {
    match segment_tokens(p) {
        Ok((toks, tail)) => Component::Segment(toks, tail >= 3),
        Err(_) => Component::Never,
    }
}

/// One component's tokens and how many unescaped `*` end it, or why doublestar v1.3.4
/// calls it a bad pattern.
fn segment_tokens(p: &[char]) -> Result<(Vec<Token>, usize), &'static str> {
    let mut toks = Vec::new();
    let mut k = 0;
    let mut run = 0;
    while k < p.len() {
        if p[k] != '*' {
            run = 0;
        }
        match p[k] {
            '*' => {
                if toks.last() != Some(&Token::Star) {
                    toks.push(Token::Star);
                }
                run += 1;
                k += 1;
            }
            '?' => {
                toks.push(Token::One);
                k += 1;
            }
            '[' => {
                let (class, next) = class_token(p, k + 1)?;
                toks.push(class);
                k = next;
            }
            '\\' if k + 1 < p.len() => {
                toks.push(Token::Lit(p[k + 1]));
                k += 2;
            }
            '\\' => return Err("ends with an escaping '\\'"),
            c => {
                toks.push(Token::Lit(c));
                k += 1;
            }
        }
    }
    Ok((toks, run))
}

/// The class whose text starts at `from` (after `[`), and the index after its `]`. It ends
/// at the first `]` not right after a `\`; `^` first negates; `\` escapes the next
/// character; `-` between two characters makes a range, anywhere else it is malformed.
fn class_token(p: &[char], from: usize) -> Result<(Token, usize), &'static str> {
    let close = (from..p.len())
        .find(|&j| p[j] == ']' && p[j - 1] != '\\')
        .ok_or("unclosed '['")?;
    let body = &p[from..close];
    if body.is_empty() {
        return Err("empty '[]'");
    }
    let negated = body[0] == '^';
    let mut ranges = Vec::new();
    let mut c = usize::from(negated);
    // One class character, `\` escapes included.
    let one = |c: &mut usize| -> Result<char, &'static str> {
        let mut ch = body[*c];
        *c += 1;
        if ch == '\\' {
            ch = *body.get(*c).ok_or("'\\' ends a class")?;
            *c += 1;
        }
        Ok(ch)
    };
    while c < body.len() {
        if body[c] == '-' {
            return Err("'-' with nothing before it in a class");
        }
        let lo = one(&mut c)?;
        let mut hi = lo;
        if body.get(c) == Some(&'-') {
            c += 1;
            match body.get(c) {
                None => return Err("'-' with nothing after it in a class"),
                Some('-') => return Err("'-' after '-' in a class"),
                Some(_) => hi = one(&mut c)?,
            }
        }
        ranges.push((lo, hi));
    }
    Ok((Token::Class { negated, ranges }, close + 1))
}

/// The components reachable after each pattern component, as a set of name positions:
/// O(pattern components × name components) segment matches.
fn match_path(pattern: &[Component], name: &[Vec<char>]) -> bool {
    let n = name.len();
    let mut reach = vec![false; n + 1];
    reach[0] = true;
    for (k, comp) in pattern.iter().enumerate() {
        let mut next = vec![false; n + 1];
        match comp {
            // Last, `**` takes at least one component: doublestar answers `**` only with
            // a component left to match (`a/**` does not match `a`).
            Component::AnyPath if k + 1 == pattern.len() => {
                let mut any = false;
                for j in 0..=n {
                    next[j] = any;
                    any |= reach[j];
                }
            }
            Component::AnyPath => {
                let mut any = false;
                for j in 0..=n {
                    any |= reach[j];
                    next[j] = any;
                }
            }
            Component::Segment(toks, long_tail) => {
                for j in 0..n {
                    next[j + 1] = reach[j] && match_segment(toks, *long_tail, &name[j]);
                }
            }
            Component::Never => {}
        }
        if !next.contains(&true) {
            return false;
        }
        reach = next;
    }
    reach[n]
}

/// Glob match of one component: on a mismatch, the last `*` takes one more character
/// (each `*` is resumed at most once per character: O(pattern × name)).
fn match_segment(toks: &[Token], long_tail: bool, s: &[char]) -> bool {
    let (mut p, mut i) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while i < s.len() {
        if p < toks.len() {
            if toks[p] == Token::Star {
                star = Some((p, i));
                p += 1;
                continue;
            }
            if toks[p].takes(s[i]) {
                p += 1;
                i += 1;
                continue;
            }
        }
        match star {
            Some((sp, si)) => {
                p = sp + 1;
                i = si + 1;
                star = Some((sp, si + 1));
            }
            None => return false,
        }
    }
    // Out of name: what is left must match nothing. Stars only (one token after
    // collapsing), and doublestar refuses a trailing run of three or more here.
    match &toks[p..] {
        [] => true,
        [Token::Star] => !long_tail,
        _ => false,
    }
}

#[cfg(test)]
#[path = "doublestar_old.rs"]
mod old;

#[cfg(test)]
#[path = "doublestar_vectors.rs"]
mod vectors;

#[cfg(test)]
mod tests {
    use super::{check, matches, old, Pattern, MAX_ALTERNATIVES};
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4096))]

        /// The compiled matcher agrees with the recursive one it replaced, on small
        /// patterns over every metacharacter and small names.
        #[test]
        fn compiled_matches_like_the_old_matcher(
            pattern in r"[ab/*?\[\]^!{},\\-]{0,10}",
            name in r"[ab/\-]{0,8}",
        ) {
            prop_assert_eq!(
                matches(&pattern, &name),
                old::matches(&pattern, &name),
                "pattern {:?} name {:?}", pattern, name
            );
        }

        /// Star-heavy patterns, where the old matcher backtracked, still agree.
        #[test]
        fn star_heavy_patterns_agree(
            pattern in r"(\*|\*\*|a|b|/|\*\*/){0,8}",
            name in r"[ab/]{0,10}",
        ) {
            prop_assert_eq!(matches(&pattern, &name), old::matches(&pattern, &name));
        }
    }

    #[test]
    fn pathological_patterns_give_the_right_answer() {
        let tag = "a".repeat(40);
        assert!(!matches("*a*a*a*a*a*a*a*b", &tag));
        assert!(matches("*a*a*a*a*a*a*a*", &tag));
        let deep = ["x"; 20].join("/");
        let stars = ["**"; 12].join("/");
        assert!(matches(&stars, &deep));
        assert!(!matches(&format!("{stars}/y"), &deep));
    }

    #[test]
    fn brace_expansion_is_bounded() {
        let twelve = "{a,b}".repeat(12);
        assert_eq!(1 << 12, MAX_ALTERNATIVES);
        assert!(check(&twelve).is_ok());
        assert!(matches(&twelve, &"ab".repeat(6)));
        let e = check(&"{a,b}".repeat(13)).unwrap_err();
        assert!(e.contains("more than 4096"), "{e}");
        // Refused when read; compiled anyway, it matches nothing.
        assert!(!Pattern::new(&"{a,b}".repeat(13)).matches(&"a".repeat(13)));
    }

    #[test]
    fn doublestar_semantics() {
        assert!(matches("*", "app"));
        assert!(!matches("*", "team/app"));
        assert!(matches("**", "app"));
        assert!(matches("**", "team/app"));
        assert!(matches("team/**", "team/a/b"));
        assert!(matches("**/app", "app"));
        assert!(matches("**/app", "x/y/app"));
        assert!(matches("harbor-*", "harbor-1.8"));
        assert!(matches("2*", "2.1-your_repo-prod"));
        assert!(matches("*-prod", "3.1-your_repo-prod"));
        assert!(!matches("*-prod", "3.1-your_repo-rc"));
        assert!(matches("{a,b}", "b"));
        assert!(matches("v{1,2}.{0,1}", "v2.1"));
        assert!(matches("v?", "v1"));
        assert!(!matches("v?", "v10"));
        assert!(matches("v[0-9]", "v7"));
        assert!(!matches("v[^0-9]", "v7"));
        // v1.3.4 negates with `^` only: `!` is one of the class's characters.
        assert!(!matches("v[!a]", "v7"));
        assert!(matches("v[!a]", "v!"));
        assert!(matches(r"a\*", "a*"));
        assert!(!matches(r"a\*", "ab"));
        assert!(!matches("v[0-9", "v1"));
        assert!(!matches("{a,b", "a"));
    }
}
