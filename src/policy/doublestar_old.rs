//! The matcher Harbor patterns used before they were compiled (recursive, exponential on
//! `*a*a*a…b` and `**/**/…`): the reference the compiled matcher is checked against on
//! small inputs.

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
    match p.first() {
        None => n.is_empty(),
        Some(&"**") => (0..=n.len()).any(|k| match_parts(&p[1..], &n[k..])),
        Some(seg) => {
            !n.is_empty()
                && match_segment(
                    &seg.chars().collect::<Vec<_>>(),
                    &n[0].chars().collect::<Vec<_>>(),
                )
                && match_parts(&p[1..], &n[1..])
        }
    }
}

fn match_segment(p: &[char], s: &[char]) -> bool {
    match p.first() {
        None => s.is_empty(),
        Some('*') => {
            // `**` inside a component acts as `*`.
            let rest = if p.get(1) == Some(&'*') {
                &p[2..]
            } else {
                &p[1..]
            };
            (0..=s.len()).any(|k| match_segment(rest, &s[k..]))
        }
        Some('?') => !s.is_empty() && match_segment(&p[1..], &s[1..]),
        Some('[') => {
            let Some(close) = p.iter().skip(1).position(|&c| c == ']').map(|x| x + 1) else {
                return false;
            };
            let Some(&c) = s.first() else { return false };
            let class = &p[1..close];
            let (neg, class) = match class.first() {
                Some('^') | Some('!') => (true, &class[1..]),
                _ => (false, class),
            };
            let mut hit = false;
            let mut k = 0;
            while k < class.len() {
                if k + 2 < class.len() && class[k + 1] == '-' {
                    hit |= class[k] <= c && c <= class[k + 2];
                    k += 3;
                } else {
                    hit |= class[k] == c;
                    k += 1;
                }
            }
            hit != neg && match_segment(&p[close + 1..], &s[1..])
        }
        Some('\\') if p.len() > 1 => {
            !s.is_empty() && s[0] == p[1] && match_segment(&p[2..], &s[1..])
        }
        Some(&c) => !s.is_empty() && s[0] == c && match_segment(&p[1..], &s[1..]),
    }
}
