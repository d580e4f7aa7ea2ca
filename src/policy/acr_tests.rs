//! lifecycle.md §3.5 ACR vectors (acr-cli >= 0.18 semantics) and our own.

use super::*;
use crate::model::{ImageKind, Lock, TagDetail};
use crate::policy::testkit::*;

fn acr_img(repo: &str, id: &str, tags: &[&str], age: &str) -> Image {
    let mut im = img(repo, id, tags, age);
    im.updated_at = Some(ago(age));
    im.tag_details = Some(
        tags.iter()
            .map(|t| TagDetail {
                name: t.to_string(),
                last_update: Some(ago(age)),
                ..Default::default()
            })
            .collect(),
    );
    im
}

fn registry() -> Vec<Image> {
    vec![
        acr_img("app", "m1", &["v1"], "40d"),
        acr_img("app", "m2", &["v2"], "20d"),
        acr_img("app", "m3", &["test-1"], "15d"),
        acr_img("app", "m5", &["contest"], "30d"),
        acr_img("app", "m6", &["v3-test"], "10d"),
        acr_img("app", "m4", &["latest"], "1d"),
        acr_img("app2", "a9", &["test-9"], "30d"),
        acr_img("team/app", "t8", &["test-8"], "30d"),
    ]
}

fn untagged_tags(images: &[Image], ev: &Evaluation) -> Vec<String> {
    let mut v: Vec<String> = ev
        .decisions
        .iter()
        .filter(|d| d.action == ActionKind::Untag)
        .map(|d| format!("{}:{}", images[d.image].repository, d.tag.clone().unwrap()))
        .collect();
    v.sort();
    v
}

fn eval(args: &str, images: &[Image]) -> Evaluation {
    AcrPurge::parse(args)
        .unwrap_or_else(|e| panic!("{e}"))
        .evaluate(images, now(), &Switches::default())
}

#[test]
fn acr_x1_tag_regex_is_a_search_and_repo_regex_anchored() {
    let images = registry();
    let ev = eval(r#"acr purge --filter "app:test" --ago 7d"#, &images);
    assert_eq!(
        untagged_tags(&images, &ev),
        ["app:contest", "app:test-1", "app:v3-test"]
    );
    assert!(
        acted(&images, &ev, ActionKind::Delete).is_empty(),
        "no manifest deleted without --untagged"
    );
}

#[test]
fn acr_x2_anchored_tag_regex() {
    let images = registry();
    let ev = eval(r#"--filter "app:^test" --ago 7d"#, &images);
    assert_eq!(untagged_tags(&images, &ev), ["app:test-1"]);
}

#[test]
fn acr_x3_keep_among_eligible() {
    let images = registry();
    let ev = eval(r#"--filter "app:test" --ago 7d --keep 1"#, &images);
    assert_eq!(untagged_tags(&images, &ev), ["app:contest", "app:test-1"]);
}

#[test]
fn acr_x4_untagged_deletes_dangling_manifests() {
    let images = registry();
    let ev = eval(r#"--filter "app:test" --ago 7d --untagged"#, &images);
    assert_eq!(
        untagged_tags(&images, &ev),
        ["app:contest", "app:test-1", "app:v3-test"]
    );
    assert_eq!(acted(&images, &ev, ActionKind::Delete), ["m3", "m5", "m6"]);
    // acr.untag_refreshes_manifest_time=true: freed manifests survive until the next run.
    let mut sw = Switches::default();
    sw.set("acr.untag_refreshes_manifest_time=true").unwrap();
    let ev = AcrPurge::parse(r#"--filter "app:test" --ago 7d --untagged"#)
        .unwrap()
        .evaluate(&images, now(), &sw);
    assert!(acted(&images, &ev, ActionKind::Delete).is_empty());
}

#[test]
fn acr_x8_ago_grammar() {
    let d = |s: &str| parse_ago(s).unwrap().duration;
    assert_eq!(d("1d"), Duration::hours(24));
    assert_eq!(d("2d3h6m"), Duration::hours(51) + Duration::minutes(6));
    assert_eq!(d("1.5h"), Duration::minutes(90));
    assert_eq!(d("0d"), Duration::zero());
    assert!(parse_ago("10").unwrap_err().contains("missing unit"));
    assert!(parse_ago("1w").unwrap_err().contains("unknown unit"));
    assert!(parse_ago("1y").is_err());
    // acr-cli caps at 150 years (it does not refuse); the plan says so.
    let capped = parse_ago("60000d").unwrap();
    assert_eq!(capped.duration, Duration::days(150 * 365));
    assert!(capped.note.unwrap().contains("150 years"));
}

#[test]
fn own_filter_split_and_validation() {
    assert_eq!(split_filter("app:v1"), Ok(("app", "v1")));
    assert_eq!(split_filter("(?i:app):v1"), Ok(("(?i:app)", "v1")));
    assert_eq!(split_filter("app:(?i:TEST)"), Ok(("app", "(?i:TEST)")));
    for (args, needle) in [
        ("--filter app:v1", "--ago: is required"),
        ("--ago 1d", "--filter"),
        ("--filter app: --ago 1d", "missing tag name/expression"),
        (
            "--filter app:v1 --ago 1d --untagged --untagged-only",
            "cannot be combined",
        ),
        ("--filter app:v1 --ago 1w", "--ago: \"1w\""),
        ("--filter 'app:(' --ago 1d", "tag regex"),
        (
            "--filter app:v1 --ago 1d --frobnicate",
            "--frobnicate: unknown flag",
        ),
        ("--filter \"app:v1 --ago 1d", "unterminated quote"),
    ] {
        let e = AcrPurge::parse(args).unwrap_err().to_string();
        assert!(e.contains(needle), "{args}: {e}");
    }
    // Multi-line file with comments and continuations.
    let p = AcrPurge::parse(
        "# nightly\nacr purge \\\n  --filter 'app:.*' \\\n  --ago 2d3h --keep 3 --untagged\n",
    )
    .unwrap();
    assert_eq!((p.keep, p.untagged, p.filters.len()), (3, true, 1));
}

#[test]
fn own_locked_tags_and_manifests_are_skipped_unless_include_locked() {
    let mut locked = acr_img("app", "L", &["old"], "30d");
    locked.tag_details.as_mut().unwrap()[0].write_enabled = Some(false);
    let mut lm = acr_img("app", "LM", &[], "30d");
    lm.locked = Some(Lock {
        write_enabled: true,
        delete_enabled: false,
    });
    let images = vec![locked, lm];
    let ev = eval("--filter app:.* --ago 1d --untagged", &images);
    assert!(ev.decisions.is_empty(), "{:?}", ev.decisions);
    assert_eq!(ev.protected.len(), 2);
    let p = AcrPurge::parse("--filter app:.* --ago 1d --untagged --include-locked").unwrap();
    let ev = p.evaluate(&images, now(), &Switches::default());
    assert_eq!(untagged_tags(&images, &ev), ["app:old"]);
    assert_eq!(acted(&images, &ev, ActionKind::Delete), ["L", "LM"]);
}

#[test]
fn own_untagged_only_keep_and_children_of_kept_indexes() {
    let mut idx = acr_img("app", "I", &["multi"], "1d");
    idx.kind = ImageKind::Index;
    idx.children = vec![dg("c1")];
    let mut sig = acr_img("app", "sig", &[], "50d");
    sig.subject = Some(dg("I"));
    let images = vec![
        idx,
        acr_img("app", "c1", &[], "50d"),
        acr_img("app", "d1", &[], "50d"),
        acr_img("app", "d2", &[], "40d"),
        acr_img("app", "d3", &[], "2h"),
        sig,
    ];
    let ev = eval("--untagged-only --ago 1d --keep 1", &images);
    // c1 is a child of a tagged index, sig a referrer, d3 too young, d2 kept by --keep 1.
    assert_eq!(acted(&images, &ev, ActionKind::Delete), ["d1"]);
    // Releases before 0.18 have no --untagged-only: --untagged with a filter that
    // finds no tag does the same there.
    let mut sw = Switches::default();
    sw.set("acr.cli_version=0.17").unwrap();
    let ev = AcrPurge::parse("--filter 'app:^none$' --untagged --ago 1d --keep 1")
        .unwrap()
        .evaluate(&images, now(), &sw);
    assert_eq!(
        acted(&images, &ev, ActionKind::Delete),
        ["d1", "d2"],
        "0.17 applies no keep to manifests"
    );
    sw.set("acr.cli_version=<0.17").unwrap();
    let ev = AcrPurge::parse("--filter 'app:^none$' --untagged --ago 1d")
        .unwrap()
        .evaluate(&images, now(), &sw);
    assert_eq!(
        acted(&images, &ev, ActionKind::Delete),
        ["d1", "d2", "d3"],
        "before 0.17 ago is ignored for manifests"
    );
    // --untagged-only itself is an unknown flag there: acr-cli refuses the command.
    let ev = AcrPurge::parse("--untagged-only --ago 1d")
        .unwrap()
        .evaluate(&images, now(), &sw);
    assert!(ev.decisions.is_empty(), "{:?}", ev.decisions);
    assert!(
        ev.warnings
            .iter()
            .any(|w| w.contains("has no --untagged-only (it came in 0.18)")),
        "{:?}",
        ev.warnings
    );
}

#[test]
fn own_locked_index_does_not_protect_children_in_acr_but_warns() {
    let mut idx = acr_img("app", "I", &[], "1h");
    idx.kind = ImageKind::Index;
    idx.children = vec![dg("c1")];
    idx.locked = Some(Lock {
        write_enabled: false,
        delete_enabled: true,
    });
    let images = vec![idx, acr_img("app", "c1", &[], "50d")];
    let ev = eval("--untagged-only --ago 1d", &images);
    assert_eq!(acted(&images, &ev, ActionKind::Delete), ["c1"]);
    assert!(
        ev.warnings.iter().any(|w| w.contains("is locked")),
        "{:?}",
        ev.warnings
    );
}

/// `--include-locked` came in acr-cli 0.17 (cfadfa9): an older acr-cli refuses the whole
/// command as an unknown flag, `=false` included, so nothing is purged; 0.17 reads it.
#[test]
fn own_flags_an_older_acr_cli_does_not_know_purge_nothing() {
    let mut locked = acr_img("app", "L", &["old"], "30d");
    locked.tag_details.as_mut().unwrap()[0].write_enabled = Some(false);
    let images = vec![locked, acr_img("app", "m", &["v1"], "30d")];
    let mut sw = Switches::default();
    sw.set("acr.cli_version=<0.17").unwrap();
    for args in [
        "--filter app:.* --ago 1d --include-locked",
        "--filter app:.* --ago 1d --include-locked=false",
    ] {
        let ev = AcrPurge::parse(args).unwrap().evaluate(&images, now(), &sw);
        assert!(ev.decisions.is_empty(), "{args}: {:?}", ev.decisions);
        assert!(
            ev.warnings.iter().any(
                |w| w.contains("acr-cli before 0.17 has no --include-locked (it came in 0.17)")
            ),
            "{:?}",
            ev.warnings
        );
    }
    sw.set("acr.cli_version=0.17").unwrap();
    let ev = AcrPurge::parse("--filter app:.* --ago 1d --include-locked")
        .unwrap()
        .evaluate(&images, now(), &sw);
    assert_eq!(untagged_tags(&images, &ev), ["app:old", "app:v1"]);
}

/// A tag ACR listed without a time of its own (inventory/acr.rs: it moved between the tag
/// and manifest listings, so it was just updated) is not aged by its manifest's
/// lastUpdateTime: its time is unknown and --ago cannot select it. A registry that lists
/// no tag details at all still ages tags by the manifest's time.
#[test]
fn own_a_tag_listed_without_time_is_not_aged_by_its_manifest() {
    let mut moved = acr_img("app", "M", &["v1"], "30d");
    moved.tag_details.as_mut().unwrap()[0].last_update = None;
    let images = vec![moved.clone()];
    let ev = eval("--filter app:.* --ago 1d", &images);
    assert!(ev.decisions.is_empty(), "{:?}", ev.decisions);
    assert!(
        ev.warnings
            .iter()
            .any(|w| w.contains("--ago cannot select a tag there")),
        "{:?}",
        ev.warnings
    );
    moved.tag_details = None;
    let ev = eval("--filter app:.* --ago 1d", &[moved.clone()]);
    assert_eq!(untagged_tags(&[moved], &ev), ["app:v1"]);
}
