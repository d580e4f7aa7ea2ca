//! lifecycle.md §2.6 Artifact Registry vectors and our own.

use super::*;
use crate::policy::testkit::*;

fn run(policy: &str, images: &[Image]) -> Vec<String> {
    let p = GarPolicy::parse(policy).unwrap_or_else(|e| panic!("{e}"));
    acted(
        images,
        &p.evaluate(images, now(), &Switches::default()),
        ActionKind::Delete,
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
        acted(
            &images,
            &p.evaluate(&images, now(), &sw),
            ActionKind::Delete
        ),
        ["u1"]
    );
}

/// Evaluates as a plan for `registry` would: switches settled for that host.
fn run_on(registry: &str, policy: &str, images: &[Image]) -> Vec<String> {
    let p = GarPolicy::parse(policy).unwrap_or_else(|e| panic!("{e}"));
    let mut sw = Switches::default();
    sw.resolve_for(registry);
    acted(images, &p.evaluate(images, now(), &sw), ActionKind::Delete)
}

/// GAR-X1 as Artifact Registry lists it: repository paths are
/// `PROJECT/REPOSITORY/IMAGE`, and `packageNamePrefixes` match the image path (the
/// package), not the full path (lifecycle.md §2.1, §8.8).
#[test]
fn gar_x1_on_artifact_registry_paths_matches_package_names() {
    let images: Vec<Image> = gar_x1_images()
        .into_iter()
        .map(|mut im| {
            im.repository = format!("my-proj/docker-repo/{}", im.repository);
            im
        })
        .collect();
    assert_eq!(
        run_on("europe-docker.pkg.dev", GAR_X1_POLICY, &images),
        ["o1", "v1", "v2"]
    );
    // Taking the whole path as the package, no Keep prefix would match and the Keep
    // policies would protect nothing: v3, v6 and w1 would go too.
    let p = GarPolicy::parse(GAR_X1_POLICY).unwrap();
    let mut sw = Switches::default();
    sw.set("gar.package_root=0").unwrap();
    assert_eq!(
        acted(
            &images,
            &p.evaluate(&images, now(), &sw),
            ActionKind::Delete
        ),
        ["o1", "v1", "v2", "v3", "v6", "w1"]
    );
}

/// A prefix naming the project or the repository matches no package, and a nested image
/// path is one package (`team/app`) whose prefix may hold a slash.
#[test]
fn gar_own_package_prefixes_never_see_project_or_repository() {
    let images = vec![
        img("proj/repo/team/app", "a", &["x"], "40d"),
        img("proj/repo/team/app", "b", &["y"], "30d"),
        img("proj/repo/other", "c", &["z"], "40d"),
    ];
    let delete_under = |prefix: &str| {
        format!(
            r#"[{{"name":"d","action":{{"type":"Delete"}},"condition":{{"packageNamePrefixes":["{prefix}"],"olderThan":"1d"}}}}]"#
        )
    };
    let host = "us-central1-docker.pkg.dev";
    assert!(run_on(host, &delete_under("proj"), &images).is_empty());
    assert!(run_on(host, &delete_under("repo"), &images).is_empty());
    assert_eq!(run_on(host, &delete_under("team/"), &images), ["a", "b"]);
    assert_eq!(run_on(host, &delete_under("oth"), &images), ["c"]);
    // keepCount is per package: team/app keeps its newest, other keeps its only one.
    let keep = r#"[{"name":"d","action":{"type":"Delete"},"condition":{"olderThan":"1d"}},
                   {"name":"k","action":{"type":"Keep"},"mostRecentVersions":{"packageNamePrefixes":["team"],"keepCount":1}}]"#;
    assert_eq!(run_on(host, keep, &images), ["a", "c"]);
}

/// gcr.io repositories on Artifact Registry: `gcr.io/PROJECT/IMAGE`, the package is IMAGE.
/// Any other registry has no Artifact Registry repository in its paths.
#[test]
fn gar_own_package_root_follows_the_registry_host() {
    use crate::policy::switches::PackageRoot;
    assert_eq!(PackageRoot::Auto.resolve("europe-docker.pkg.dev"), 2);
    assert_eq!(PackageRoot::Auto.resolve("eu.gcr.io"), 1);
    assert_eq!(PackageRoot::Auto.resolve("gcr.io/proj"), 1);
    assert_eq!(PackageRoot::Auto.resolve("127.0.0.1:5000"), 0);
    assert_eq!(PackageRoot::Strip(1).resolve("x.pkg.dev"), 1);
    assert_eq!(PackageRoot::package(2, "p/r/team/app"), "team/app");
    assert_eq!(
        PackageRoot::package(2, "p/app"),
        "app",
        "never less than the image name"
    );
    assert_eq!(PackageRoot::package(0, "p/r/app"), "p/r/app");
    let images = vec![img("proj/webapp", "a", &[], "40d")];
    let policy = r#"[{"name":"d","action":{"type":"Delete"},"condition":{"packageNamePrefixes":["web"],"olderThan":"1d"}}]"#;
    assert_eq!(run_on("gcr.io", policy, &images), ["a"]);
    assert!(run_on("127.0.0.1:5000", policy, &images).is_empty());
    let mut sw = Switches::default();
    sw.resolve_for("europe-docker.pkg.dev");
    assert!(sw
        .describe(crate::policy::PolicyFormat::Gar)
        .contains(&"gar.package_root=2".to_string()));
    assert!(sw.set("gar.package_root=9").is_err());
}
