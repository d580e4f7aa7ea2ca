//! Harbor doublestar patterns: the compiled matcher against the recursive one it replaced
//! (the peer, measured in the same run), on the pathological patterns and on
//! everyday ones. Run: `cargo bench --bench doublestar` (release). Prints the median
//! time per match of several runs.

// The old matcher is test-only in the library; the bench includes its source.
#[path = "../src/policy/doublestar_old.rs"]
mod old;

use regscope::policy::doublestar as compiled;

use std::hint::black_box;
use std::time::Instant;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

/// Median seconds per call of `f` over `runs` runs of `reps` calls.
fn time(runs: usize, reps: usize, mut f: impl FnMut() -> bool) -> f64 {
    let mut per = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        for _ in 0..reps {
            black_box(f());
        }
        per.push(t.elapsed().as_secs_f64() / reps as f64);
    }
    median(per)
}

fn show(secs: f64) -> String {
    if secs >= 1e-3 {
        format!("{:.1} ms", secs * 1e3)
    } else {
        format!("{:.2} µs", secs * 1e6)
    }
}

fn main() {
    let runs: usize = std::env::args()
        .filter_map(|a| a.parse().ok())
        .next()
        .unwrap_or(5);
    let tag40 = "a".repeat(40);
    let deep = ["x"; 20].join("/");
    let stars = format!("{}/y", ["**"; 12].join("/"));
    let cases: Vec<(&str, String, String, usize)> = vec![
        (
            "*a*a*a*a*a*a*a*b vs 40 x 'a'",
            "*a*a*a*a*a*a*a*b".into(),
            tag40,
            1,
        ),
        ("12 x '**/' then 'y' vs 20 components", stars, deep, 1),
        (
            "release-* vs release-1.2.3",
            "release-*".into(),
            "release-1.2.3".into(),
            1000,
        ),
        (
            "{dev,rc}-*-[0-9]* vs rc-2024-7",
            "{dev,rc}-*-[0-9]*".into(),
            "rc-2024-7".into(),
            1000,
        ),
        (
            "team/** vs team/a/b/c",
            "team/**".into(),
            "team/a/b/c".into(),
            1000,
        ),
    ];
    println!(
        "{:<40} {:>14} {:>14} {:>14}",
        "case", "compiled", "compiled+new", "old (peer)"
    );
    for (name, pattern, subject, reps) in cases {
        let p = compiled::Pattern::new(&pattern);
        assert_eq!(
            p.matches(&subject),
            old::matches(&pattern, &subject),
            "{name}"
        );
        let pre = time(runs, reps * 100, || p.matches(&subject));
        let fresh = time(runs, reps * 10, || compiled::matches(&pattern, &subject));
        let peer = time(runs, reps, || old::matches(&pattern, &subject));
        println!(
            "{name:<40} {:>14} {:>14} {:>14}",
            show(pre),
            show(fresh),
            show(peer)
        );
    }
}
