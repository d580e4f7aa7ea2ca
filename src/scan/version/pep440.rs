//! PEP 440 version ordering (Python packages), as `packaging.version.Version` orders
//! them: epoch, release (trailing zeros ignored), then pre-release, post-release,
//! development release and local version, with the spec's normalisations (`alpha` = `a`,
//! `c` = `pre` = `preview` = `rc`, `rev` = `r` = `post`, `1.0-5` = `1.0.post5`).

use std::cmp::Ordering;
use std::sync::OnceLock;

/// The parts a version is ordered by. Numbers are kept as digit strings without leading
/// zeros, so a release segment of any length compares exactly.
#[derive(Debug)]
pub struct Pep440 {
    epoch: String,
    release: Vec<String>,
    /// (0 = a, 1 = b, 2 = rc, number)
    pre: Option<(u8, String)>,
    post: Option<String>,
    dev: Option<String>,
    local: Vec<String>,
}

fn pattern() -> &'static regex::Regex {
    static RE: OnceLock<regex::Regex> = OnceLock::new();
    RE.get_or_init(|| {
        // The pattern of PEP 440's appendix ("VERSION_PATTERN"), anchored.
        regex::Regex::new(
            r"(?ix)^\s*v?
            (?:(?P<epoch>[0-9]+)!)?
            (?P<release>[0-9]+(?:\.[0-9]+)*)
            (?P<pre>[-_.]?(?P<pre_l>alpha|a|beta|b|preview|pre|c|rc)[-_.]?(?P<pre_n>[0-9]+)?)?
            (?P<post>(?:-(?P<post_n1>[0-9]+))|(?:[-_.]?(?P<post_l>post|rev|r)[-_.]?(?P<post_n2>[0-9]+)?))?
            (?P<dev>[-_.]?(?P<dev_l>dev)[-_.]?(?P<dev_n>[0-9]+)?)?
            (?:\+(?P<local>[a-z0-9]+(?:[-_.][a-z0-9]+)*))?
            \s*$",
        )
        .expect("PEP 440 pattern")
    })
}

fn number(s: Option<&str>) -> String {
    let s = s.unwrap_or("0").trim_start_matches('0');
    if s.is_empty() { "0" } else { s }.to_string()
}

fn cmp_number(a: &str, b: &str) -> Ordering {
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

impl Pep440 {
    /// `None` when `v` is not a PEP 440 version.
    pub fn parse(v: &str) -> Option<Pep440> {
        let c = pattern().captures(v)?;
        let get = |n: &str| c.name(n).map(|m| m.as_str());
        let mut release: Vec<String> = get("release")?
            .split('.')
            .map(|p| number(Some(p)))
            .collect();
        while release.len() > 1 && release.last().is_some_and(|p| p == "0") {
            release.pop();
        }
        let pre = get("pre_l").map(|l| {
            let rank = match l.to_ascii_lowercase().as_str() {
                "a" | "alpha" => 0,
                "b" | "beta" => 1,
                _ => 2,
            };
            (rank, number(get("pre_n")))
        });
        let post = if let Some(n) = get("post_n1") {
            Some(number(Some(n)))
        } else {
            get("post_l").map(|_| number(get("post_n2")))
        };
        let dev = get("dev_l").map(|_| number(get("dev_n")));
        let local = get("local")
            .map(|l| {
                l.split(['-', '_', '.'])
                    .map(|s| s.to_ascii_lowercase())
                    .collect()
            })
            .unwrap_or_default();
        Some(Pep440 {
            epoch: number(get("epoch")),
            release,
            pre,
            post,
            dev,
            local,
        })
    }
}

impl Ord for Pep440 {
    fn cmp(&self, o: &Self) -> Ordering {
        cmp_number(&self.epoch, &o.epoch)
            .then_with(|| cmp_release(&self.release, &o.release))
            .then_with(|| pre_key(self).cmp(&pre_key(o)))
            .then_with(|| cmp_opt_number(self.post.as_deref(), o.post.as_deref(), false))
            .then_with(|| cmp_opt_number(self.dev.as_deref(), o.dev.as_deref(), true))
            .then_with(|| cmp_local(&self.local, &o.local))
    }
}

impl PartialOrd for Pep440 {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}

impl PartialEq for Pep440 {
    fn eq(&self, o: &Self) -> bool {
        self.cmp(o) == Ordering::Equal
    }
}

impl Eq for Pep440 {}

fn cmp_release(a: &[String], b: &[String]) -> Ordering {
    for i in 0..a.len().max(b.len()) {
        let (x, y) = (
            a.get(i).map_or("0", String::as_str),
            b.get(i).map_or("0", String::as_str),
        );
        let o = cmp_number(x, y);
        if o != Ordering::Equal {
            return o;
        }
    }
    Ordering::Equal
}

/// A development release of a final version (`1.0.dev1`) sorts before its pre-releases;
/// a final version after them. Encoded as (class, rank, number) with -1 / 1 classes.
fn pre_key(v: &Pep440) -> (i8, u8, (usize, &str)) {
    match &v.pre {
        None if v.post.is_none() && v.dev.is_some() => (-1, 0, (0, "")),
        None => (1, 0, (0, "")),
        Some((rank, n)) => (0, *rank, (n.len(), n.as_str())),
    }
}

/// Absent sorts first for post-releases and last for development releases.
fn cmp_opt_number(a: Option<&str>, b: Option<&str>, absent_last: bool) -> Ordering {
    match (a, b) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) if absent_last => Ordering::Greater,
        (None, Some(_)) => Ordering::Less,
        (Some(_), None) if absent_last => Ordering::Less,
        (Some(_), None) => Ordering::Greater,
        (Some(x), Some(y)) => cmp_number(x, y),
    }
}

/// Local versions: none sorts first; numeric segments sort after alphanumeric ones and
/// compare as numbers; a longer local version wins when one is a prefix of the other.
fn cmp_local(a: &[String], b: &[String]) -> Ordering {
    for (x, y) in a.iter().zip(b) {
        let (xn, yn) = (
            x.bytes().all(|c| c.is_ascii_digit()),
            y.bytes().all(|c| c.is_ascii_digit()),
        );
        let o = match (xn, yn) {
            (true, true) => cmp_number(&number(Some(x)), &number(Some(y))),
            (true, false) => Ordering::Greater,
            (false, true) => Ordering::Less,
            (false, false) => x.cmp(y),
        };
        if o != Ordering::Equal {
            return o;
        }
    }
    a.len().cmp(&b.len())
}
