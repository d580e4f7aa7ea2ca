//! lifecycle.md §4.7 Harbor vectors and our own.

use super::*;
use crate::model::ImageKind;
use crate::policy::testkit::*;

fn rule(template: &str, param: i64, tags: &str, untagged: Option<bool>, repos: &str) -> String {
    let extras = match untagged {
        Some(u) => format!(r#","extras":"{{\"untagged\":{u}}}""#),
        None => String::new(),
    };
    format!(
        r#"{{"priority":1,"disabled":false,"action":"retain","template":"{template}","params":{{"{template}":{param}}},
        "tag_selectors":[{{"kind":"doublestar","decoration":"matches","pattern":"{tags}"{extras}}}],
        "scope_selectors":{{"repository":[{{"kind":"doublestar","decoration":"repoMatches","pattern":"{repos}"}}]}}}}"#
    )
}

fn policy(rules: &[String]) -> HarborPolicy {
    let text = format!(
        r#"{{"algorithm":"or","scope":{{"level":"project","ref":12}},"trigger":{{"kind":"Schedule","settings":{{"cron":"0 0 0 * * *"}}}},"rules":[{}]}}"#,
        rules.join(",")
    );
    HarborPolicy::parse(&text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

fn deleted(p: &HarborPolicy, images: &[Image]) -> Vec<String> {
    acted(
        images,
        &p.evaluate(images, now(), &Switches::default()),
        ActionKind::Delete,
    )
}

/// Project `lib`: A has 100 tagged (pulled within the week) + 2 untagged; B..E 6 tagged + 1 untagged, not pulled in a month.
fn hb_project() -> Vec<Image> {
    let mut v = Vec::new();
    for i in 0..100 {
        let mut im = img("lib/A", &format!("A{i}"), &[&format!("t{i}")], "60d");
        im.last_pulled_at = Some(ago(&format!("{}h", 1 + i)));
        v.push(im);
    }
    for u in 0..2 {
        let mut im = img("lib/A", &format!("Au{u}"), &[], "60d");
        im.last_pulled_at = Some(ago("2d"));
        v.push(im);
    }
    for r in ["B", "C", "D", "E"] {
        for i in 0..6 {
            let mut im = img(
                &format!("lib/{r}"),
                &format!("{r}{i}"),
                &[&format!("t{i}")],
                "90d",
            );
            im.last_pulled_at = Some(ago(&format!("{}d", 40 + i)));
            v.push(im);
        }
        v.push(img(&format!("lib/{r}"), &format!("{r}u"), &[], "90d"));
    }
    v
}

#[test]
fn hb_d1_latest_pulled_n() {
    let images = hb_project();
    let d = deleted(
        &policy(&[rule("latestPulledN", 10, "**", Some(false), "**")]),
        &images,
    );
    let retained = images.len() - d.len();
    assert_eq!(retained, 34);
    for u in ["Au0", "Au1", "Bu", "Cu", "Du", "Eu"] {
        assert!(d.contains(&u.to_string()), "{u} should be deleted");
    }
    for k in 0..10 {
        assert!(
            !d.contains(&format!("A{k}")),
            "A{k} is among the 10 most recently pulled"
        );
    }
}

#[test]
fn hb_d2_days_since_last_pull_and_untagged_checkbox() {
    let images = hb_project();
    let d = deleted(
        &policy(&[rule("nDaysSinceLastPull", 7, "**", Some(false), "**")]),
        &images,
    );
    assert_eq!(
        images.len() - d.len(),
        100,
        "A keeps its 100 tagged; B-E keep nothing"
    );
    // Doc example 3: with untagged checked A keeps everything.
    let d = deleted(
        &policy(&[rule("nDaysSinceLastPull", 7, "**", Some(true), "**")]),
        &images,
    );
    assert!(!d.iter().any(|x| x.starts_with('A')), "{d:?}");
}

#[test]
fn hb_d3_one_artifact_with_many_tags_is_retained_whole() {
    let images = vec![img(
        "lib/harbor",
        "H",
        &[
            "harbor-1.8",
            "harbor-release",
            "harbor-nightly",
            "harbor-latest",
        ],
        "5d",
    )];
    assert!(deleted(
        &policy(&[rule("latestPushedK", 2, "harbor-*", Some(false), "**")]),
        &images
    )
    .is_empty());
}

#[test]
fn hb_d4_two_rules_or_combined() {
    let mut images = Vec::new();
    let mut age = 1;
    for v in ["2.1", "2.2", "3.1", "4.4"] {
        for s in ["prod", "rc", "release"] {
            let tag = format!("{v}-your_repo-{s}");
            images.push(img("lib/your_repo", &tag, &[&tag], &format!("{age}d")));
            age += 1;
        }
    }
    let p = policy(&[
        rule("latestPushedK", 10, "2*", Some(false), "**"),
        rule("latestPushedK", 10, "*-prod", Some(false), "**"),
    ]);
    assert_eq!(
        deleted(&p, &images),
        [
            "3.1-your_repo-rc",
            "3.1-your_repo-release",
            "4.4-your_repo-rc",
            "4.4-your_repo-release"
        ]
    );
}

#[test]
fn hb_x1_everything_else_is_deleted() {
    let images = vec![
        img("lib/svc", "a1", &["release-1"], "10d"),
        img("lib/svc", "a2", &["release-2"], "5d"),
        img("lib/svc", "a3", &["release-3"], "1d"),
        img("lib/svc", "a4", &["dev-1"], "2d"),
        img("lib/svc", "a5", &[], "3d"),
    ];
    assert_eq!(
        deleted(
            &policy(&[rule("latestPushedK", 2, "release-*", Some(false), "**")]),
            &images
        ),
        ["a1", "a4", "a5"]
    );
}

#[test]
fn hb_x4_never_pulled_is_not_recent() {
    let images = vec![img("lib/x", "d1", &["v"], "2d")];
    assert_eq!(
        deleted(
            &policy(&[rule("nDaysSinceLastPull", 30, "**", Some(true), "**")]),
            &images
        ),
        ["d1"]
    );
}

#[test]
fn hb_x5_repository_scoping() {
    let images = vec![
        img("lib/app", "p1", &["a"], "2d"),
        img("lib/app", "p2", &["b"], "1d"),
        img("lib/team/app", "q1", &["a"], "2d"),
        img("lib/team/app", "q2", &["b"], "1d"),
    ];
    assert_eq!(
        deleted(
            &policy(&[rule("latestPushedK", 1, "**", Some(true), "*")]),
            &images
        ),
        ["p1"]
    );
    assert_eq!(
        deleted(
            &policy(&[rule("latestPushedK", 1, "**", Some(true), "**")]),
            &images
        ),
        ["p1", "q1"]
    );
}

#[test]
fn own_excludes_with_untagged_flag_inverts_and_legacy_extras() {
    let images = vec![
        img("lib/s", "t", &["dev-1"], "1d"),
        img("lib/s", "u", &[], "1d"),
        img("lib/s", "p", &["prod"], "1d"),
    ];
    let excl = |extras: &str| {
        format!(
            r#"{{"action":"retain","template":"always","tag_selectors":[{{"kind":"doublestar","decoration":"excludes","pattern":"dev-*"{extras}}}],"scope_selectors":{{"repository":[{{"kind":"doublestar","decoration":"repoMatches","pattern":"**"}}]}}}}"#
        )
    };
    // untagged:true with excludes removes untagged artifacts from the retained set.
    assert_eq!(
        deleted(
            &policy(&[excl(r#","extras":"{\"untagged\":true}""#)]),
            &images
        ),
        ["t", "u"]
    );
    assert_eq!(
        deleted(
            &policy(&[excl(r#","extras":"{\"untagged\":false}""#)]),
            &images
        ),
        ["t"]
    );
    // extras absent: legacy default selects untagged artifacts.
    assert_eq!(deleted(&policy(&[excl("")]), &images), ["t"]);
}

#[test]
fn own_children_are_not_candidates_and_retag_refreshes_push_time() {
    let mut idx = img("lib/m", "I", &["v1"], "30d");
    idx.kind = ImageKind::Index;
    idx.children = vec![dg("c1")];
    let mut retagged = img("lib/m", "R", &["old"], "300d");
    retagged.tag_details = Some(vec![crate::model::TagDetail {
        name: "old".into(),
        pushed_at: Some(ago("1d")),
        ..Default::default()
    }]);
    let images = vec![idx, img("lib/m", "c1", &[], "30d"), retagged];
    let ev = policy(&[rule("latestPushedK", 1, "**", Some(true), "**")]).evaluate(
        &images,
        now(),
        &Switches::default(),
    );
    assert_eq!(
        acted(&images, &ev, ActionKind::Delete),
        ["I"],
        "R is the most recently pushed through its tag; c1 is not a candidate"
    );
    assert!(ev.children_follow_index);
}

#[test]
fn own_validation() {
    for (text, needle) in [
        (r#"{"algorithm":"and","rules":[]}"#, "algorithm"),
        (
            r#"{"rules":[{"template":"latestPushedK","params":{}}]}"#,
            "params.latestPushedK",
        ),
        (
            r#"{"rules":[{"template":"bogus"}]}"#,
            "not a registered template",
        ),
        (
            r#"{"rules":[{"template":"latestPushedK","params":{"latestPushedK":40000}}]}"#,
            "too large",
        ),
        (
            r#"{"rules":[{"template":"always","tag_selectors":[{"kind":"regex","decoration":"matches","pattern":"x"}]}]}"#,
            "doublestar",
        ),
        (
            r#"{"rules":[{"template":"always","tag_selectors":[{"kind":"doublestar","decoration":"matches","pattern":"v[1"}]}]}"#,
            "unclosed",
        ),
        (
            r#"{"rules":[{"template":"always"},{"template":"always"}]}"#,
            "identical",
        ),
        (
            r#"{"trigger":{"kind":"Schedule","settings":{"cron":"0 0 * * *"}},"rules":[]}"#,
            "6 fields",
        ),
    ] {
        let e = HarborPolicy::parse(text).unwrap_err().to_string();
        assert!(e.contains(needle), "{text}: {e}");
    }
    let sixteen: Vec<String> = (0..16)
        .map(|i| format!(r#"{{"template":"latestPushedK","params":{{"latestPushedK":{i}}}}}"#))
        .collect();
    assert!(
        HarborPolicy::parse(&format!(r#"{{"rules":[{}]}}"#, sixteen.join(",")))
            .unwrap_err()
            .to_string()
            .contains("at most 15")
    );
}
