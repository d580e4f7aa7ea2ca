//! lifecycle.md §2.6 Artifact Registry vectors and our own.

use super::*;
use crate::policy::testkit::*;

fn run(policy: &str, images: &[Image]) -> Vec<String> {
    let p = GarPolicy::parse(policy).unwrap_or_else(|e| panic!("{e}"));
    acted(
        images,
        &p.evaluate(images, now(), &Switches::default()),
        "delete",
    )
}

fn gar_x1_images() -> Vec<Image> {
    vec![
        img("webapp", "v1", &["alpha-1"], "90d"),
        img("webapp", "v2", &["v0.9"], "80d"),
        img("webapp", "v3", &["release-1", "alpha-2"], "70d"),
        img("webapp", "v4", &[], "60d"),
        img("webapp", "v5", &["beta-1"], "50d"),
        img("webapp", "v6", &["alpha-3"], "40d"),
        img("webapp", "v7", &["alpha-4"], "20d"),
        img("webapp", "v8", &["v0.10"], "10d"),
        img("webapp", "v9", &["1.0"], "5d"),
        img("webapp", "v10", &["alpha-5"], "1d"),
        img("other-svc", "o1", &["alpha-x"], "100d"),
        img("webapp-legacy", "w1", &["alpha-old"], "100d"),
    ]
}

const GAR_X1_POLICY: &str = r#"[
  {"name": "delete-prerelease", "action": {"type": "Delete"},
   "condition": {"tagState": "TAGGED", "tagPrefixes": ["alpha", "v0"], "olderThan": "30d"}},
  {"name": "keep-tagged-release", "action": {"type": "Keep"},
   "condition": {"tagState": "TAGGED", "tagPrefixes": ["release"], "packageNamePrefixes": ["webapp", "mobile"]}},
  {"name": "keep-minimum-versions", "action": {"type": "Keep"},
   "mostRecentVersions": {"packageNamePrefixes": ["webapp", "mobile", "sandbox"], "keepCount": 5}}
]"#;

#[test]
fn gar_x1_delete_and_keep_combined() {
    assert_eq!(run(GAR_X1_POLICY, &gar_x1_images()), ["o1", "v1", "v2"]);
}

#[test]
fn gar_d1_keep_most_recent_with_package_prefixes() {
    let images = vec![
        img("release-xyz-v1", "x370", &[], "10d"),
        img("release-xyz-v2", "x2", &["latest"], "10d"),
        img("release-v2", "r2", &["latest"], "10d"),
    ];
    let policy = r#"[
      {"name": "keep", "action": {"type": "Keep"}, "mostRecentVersions": {"packageNamePrefixes": ["release-xyz"], "keepCount": 3}},
      {"name": "all", "action": {"type": "Delete"}, "condition": {"tagState": "ANY"}}
    ]"#;
    assert_eq!(run(policy, &images), ["r2"]);
}

#[test]
fn gar_x2_or_inside_lists_and_across_fields() {
    let images = vec![
        img("p", "x", &["prod-1"], "10d"),
        img("p", "y", &["staging-2"], "3d"),
        img("p", "z", &["dev"], "10d"),
    ];
    let policy = r#"[{"name":"d","action":{"type":"Delete"},"condition":{"tagState":"TAGGED","tagPrefixes":["prod","staging"],"olderThan":"7d"}}]"#;
    assert_eq!(run(policy, &images), ["x"]);
}

#[test]
fn gar_x3_keep_only_deletes_nothing() {
    let images = vec![
        img("p", "a", &[], "100d"),
        img("p", "b", &[], "90d"),
        img("p", "c", &[], "80d"),
    ];
    let p = GarPolicy::parse(
        r#"[{"name":"k","action":{"type":"Keep"},"mostRecentVersions":{"keepCount":2}}]"#,
    )
    .unwrap();
    let ev = p.evaluate(&images, now(), &Switches::default());
    assert!(ev.decisions.is_empty());
    assert!(ev.warnings.iter().any(|w| w.contains("no Delete policy")));
}

#[test]
fn gar_x5_validation() {
    for (policy, needle) in [
        (
            r#"[{"name":"a","action":{"type":"Delete"},"condition":{"tagPrefixes":["v"]}}]"#,
            "condition.tagPrefixes: requires tagState TAGGED",
        ),
        (
            r#"[{"name":"a","action":{"type":"Delete"},"mostRecentVersions":{"keepCount":1}}]"#,
            "only allowed with action Keep",
        ),
        (
            r#"[{"name":"a","action":{"type":"Keep"},"condition":{},"mostRecentVersions":{"keepCount":1}}]"#,
            "not both",
        ),
        (
            r#"[{"name":"a","action":{"type":"Delete"},"condition":{"olderThan":"30"}}]"#,
            "condition.olderThan",
        ),
        (
            r#"[{"name":"a","action":{"type":"Delete"},"condition":{}},{"name":"a","action":{"type":"Keep"},"condition":{}}]"#,
            "unique",
        ),
        (
            r#"[{"action":{"type":"Delete"},"condition":{}}]"#,
            "name: is required",
        ),
        (r#"{"name":"a"}"#, "JSON list"),
    ] {
        let e = GarPolicy::parse(policy).unwrap_err().to_string();
        assert!(e.contains(needle), "{policy}: {e}");
    }
    let eleven: Vec<String> = (0..11)
        .map(|i| format!(r#"{{"name":"p{i}","action":{{"type":"Delete"}},"condition":{{}}}}"#))
        .collect();
    assert!(GarPolicy::parse(&format!("[{}]", eleven.join(",")))
        .unwrap_err()
        .to_string()
        .contains("at most 10"));
}

#[test]
fn own_durations_and_newer_than_and_version_prefixes() {
    assert_eq!(parse_duration("2592000s"), Ok(2_592_000));
    assert_eq!(parse_duration("30d"), Ok(2_592_000));
    assert_eq!(parse_duration("12h"), Ok(43_200));
    assert!(parse_duration("1w").is_err());
    let images = vec![img("p", "a", &[], "2d"), img("p", "b", &[], "20d")];
    let policy = r#"[{"name":"young","action":{"type":"Delete"},"condition":{"newerThan":"7d"}}]"#;
    assert_eq!(run(policy, &images), ["a"]);
    // Docker version names are digests: "sha256:" matches every version.
    let policy = r#"[{"name":"all","action":{"type":"Delete"},"condition":{"versionNamePrefixes":["sha256:"],"versionAge":"10d"}}]"#;
    assert_eq!(run(policy, &images), ["b"]);
}

#[test]
fn own_untagged_keepcount_switch() {
    let images = vec![
        img("p", "t1", &["a"], "30d"),
        img("p", "u1", &[], "1d"),
        img("p", "t2", &["b"], "40d"),
    ];
    let policy = r#"[{"name":"k","action":{"type":"Keep"},"mostRecentVersions":{"keepCount":2}},{"name":"d","action":{"type":"Delete"},"condition":{"olderThan":"0s"}}]"#;
    assert_eq!(run(policy, &images), ["t2"]);
    let p = GarPolicy::parse(policy).unwrap();
    let mut sw = Switches::default();
    sw.set("gar.untagged_counts_in_keepcount=false").unwrap();
    assert_eq!(
        acted(&images, &p.evaluate(&images, now(), &sw), "delete"),
        ["u1"]
    );
}
