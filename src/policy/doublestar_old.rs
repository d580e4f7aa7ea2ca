//! The reference matcher: recursive and exponential on `*a*a*a…b` and `**/**/…`, written
//! straight from doublestar v1.3.4's rules (doublestar.rs says which), that the compiled
//! matcher is checked against on small inputs.

/// Whether `name` matches `pattern`. Malformed patterns (unclosed `[` or `{`) match nothing,
/// as doublestar returns an error that Harbor treats as no match.
pub fn matches(pattern: &str, name: &str) -> bool {
    match expand_braces(pattern) {
        Some(alts) => alts.iter().any(|p| match_components(p, name)),
        None => false,
    }
}

/// Expands `{a,b}` alternatives (nested allowed) into plain patterns.
fn expand_braces(p: &str) -> Option<Vec<String>> {
    let b: Vec<char> = p.chars().collect();
    let mut i = 0;
    let mut depth = 0;
    let mut open = None;
    while i < b.len() {
        match b[i] {
            '\\' => i += 1,
            '{' => {
                if depth == 0 {
                    open = Some(i);
                }
                depth += 1;
            }
            '}' => {
                if depth == 0 {
                    return None;
                }
                depth -= 1;
                if depth == 0 {
                    let o = open?;
                    let head: String = b[..o].iter().collect();
                    let tail: String = b[i + 1..].iter().collect();
                    let mut parts = Vec::new();
                    let (mut d, mut start) = (0, o + 1);
                    let mut j = o + 1;
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
                    let mut out = Vec::new();
                    for part in parts {
                        out.extend(expand_braces(&format!("{head}{part}{tail}"))?);
                    }
                    return Some(out);
                }
            }
            _ => {}
        }
        i += 1;
    }
    (depth == 0).then(|| vec![p.to_string()])
}

fn match_components(pattern: &str, name: &str) -> bool {
    let p: Vec<&str> = pattern.split('/').collect();
    let n: Vec<&str> = name.split('/').collect();
    match_parts(&p, &n)
}

fn match_parts(p: &[&str], n: &[&str]) -> bool {
    let chars = |x: &str| x.chars().collect::<Vec<_>>();
    match p {
        [] => n.is_empty(),
        // Last, `**` needs a component to match: `a/**` does not match `a`.
        ["**"] => !n.is_empty(),
        ["**", rest @ ..] => (0..n.len()).any(|k| match_parts(rest, &n[k..])),
        [seg, rest @ ..] => {
            !n.is_empty() && match_segment(&chars(seg), &chars(n[0])) && match_parts(rest, &n[1..])
        }
    }
}

fn match_segment(p: &[char], s: &[char]) -> bool {
    if s.is_empty() {
        // Out of name, doublestar v1.3.4 takes exactly these as matching nothing.
        return matches!(p, [] | ['*'] | ['*', '*']);
    }
    match p {
        [] => false,
        ['*'] => true,
        // A `*` with more after it leaves at least one character to the rest.
        ['*', rest @ ..] => (0..s.len()).any(|k| match_segment(rest, &s[k..])),
        ['?', rest @ ..] => match_segment(rest, &s[1..]),
        ['[', ..] => match class(&p[1..], s[0]) {
            Some((hit, len)) => hit && match_segment(&p[1 + len..], &s[1..]),
            None => false,
        },
        ['\\', c, rest @ ..] => s[0] == *c && match_segment(rest, &s[1..]),
        ['\\'] => false,
        [c, rest @ ..] => s[0] == *c && match_segment(rest, &s[1..]),
    }
}

/// Whether `c` is in the class written at the start of `p` (just after `[`), and how many
/// characters the class takes with its `]`; `None` when it is malformed.
fn class(p: &[char], c: char) -> Option<(bool, usize)> {
    let end = (0..p.len()).find(|&j| p[j] == ']' && (j == 0 || p[j - 1] != '\\'))?;
    let (negated, mut body) = match &p[..end] {
        [] => return None,
        ['^', rest @ ..] => (true, rest),
        b => (false, b),
    };
    let mut hit = false;
    while !body.is_empty() {
        let (lo, after) = class_char(body)?;
        let (hi, after) = match after {
            ['-'] | ['-', '-', ..] => return None,
            ['-', more @ ..] => class_char(more)?,
            _ => (lo, after),
        };
        hit |= lo <= c && c <= hi;
        body = after;
    }
    Some((hit != negated, end + 1))
}

/// The first character of a class body (`\` escaping), and what follows it.
fn class_char(b: &[char]) -> Option<(char, &[char])> {
    match b {
        ['-', ..] => None,
        ['\\', c, rest @ ..] => Some((*c, rest)),
        ['\\'] => None,
        [c, rest @ ..] => Some((*c, rest)),
        [] => None,
    }
}
