//! Totals by directory: what the paths below each directory add up to, for `diff`'s
//! directory sizes and growth. Each value goes to its path's directory once, then each
//! directory's total to its parent, deepest first: a directory is looked up once per child
//! directory instead of once per path below it. Walking every ancestor of every path cost
//! depth × name length per path: 2,000 files under a 2,040-level chain (names of 4 KB,
//! within `names::MAX_PATH_BYTES`) took 17.7 s in a debug build.

use super::names::parent;
use std::collections::HashMap;

/// Directories have no empty components, so `/` counts the levels (`""` is the root, 0).
fn depth(dir: &str) -> usize {
    match dir {
        "" => 0,
        d => d.bytes().filter(|&c| c == b'/').count() + 1,
    }
}

/// Every ancestor directory of the `items` paths (the root `""` included) with the sum of
/// the values of the paths below it, `add` summing.
pub fn roll_up<'a, T: Clone>(
    items: impl IntoIterator<Item = (&'a str, T)>,
    add: impl Fn(&mut T, &T),
) -> HashMap<String, T> {
    let mut levels: Vec<HashMap<String, T>> = Vec::new();
    let put = |levels: &mut Vec<HashMap<String, T>>, dir: &str, v: &T| {
        let k = depth(dir);
        if levels.len() <= k {
            levels.resize_with(k + 1, HashMap::new);
        }
        match levels[k].get_mut(dir) {
            Some(t) => add(t, v),
            None => {
                levels[k].insert(dir.to_string(), v.clone());
            }
        }
    };
    for (path, v) in items {
        put(&mut levels, parent(path), &v);
    }
    let mut out = HashMap::new();
    for k in (1..levels.len()).rev() {
        for (dir, total) in std::mem::take(&mut levels[k]) {
            put(&mut levels, parent(&dir), &total);
            out.insert(dir, total);
        }
    }
    out.extend(levels.into_iter().next().unwrap_or_default());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The same totals as walking every ancestor of every path (what `diff` did before).
    #[test]
    fn totals_match_walking_every_ancestor() {
        let items = [
            ("a/b/c/f", 1u64),
            ("a/b/g", 10),
            ("a/x", 100),
            ("top", 1000),
            ("a/b/c/d/e/h", 10000),
        ];
        let mut want: HashMap<String, u64> = HashMap::new();
        for (path, v) in items {
            let mut p = parent(path);
            loop {
                *want.entry(p.to_string()).or_default() += v;
                if p.is_empty() {
                    break;
                }
                p = parent(p);
            }
        }
        let got = roll_up(items, |t, v| *t += v);
        assert_eq!(got, want);
        assert_eq!(got[""], 11111);
        assert_eq!(got["a/b"], 10011);
        assert_eq!(
            got.len(),
            6,
            "the root, a, a/b, a/b/c, a/b/c/d and a/b/c/d/e; no file"
        );
        assert!(roll_up(std::iter::empty::<(&str, u64)>(), |t, v| *t += v).is_empty());
    }
}
