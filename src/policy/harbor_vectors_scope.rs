//! Harbor's own test vectors, continued: selectors, scoping, the OR processor, the retain
//! performer and policy validation (goharbor/harbor c50c7dd; each test names its source).

use super::vectors::*;
use super::*;
use crate::policy::testkit::*;

// --- lib/selector/selectors/doublestar/selector_test.go ---

/// RegExpSelectorTestSuite SetupSuite: (namespace, repository, tags).
const SELECTOR_CANDIDATES: [(&str, &str, &[&str]); 4] = [
    ("library", "harbor", &["latest"]),
    ("retention", "redis", &["4.0"]),
    ("retention", "redis", &["4.1"]),
    ("library", "special", &[]),
];

/// A selector as the policy JSON gives it (`extras` None: absent).
fn selector(decoration: &str, pattern: &str, extras: Option<&str>) -> Selector {
    let extras = extras
        .map(|e| format!(r#","extras":{}"#, Value::String(e.into())))
        .unwrap_or_default();
    let text = rule_json(
        "always",
        "{}",
        &format!(
            r#"[{{"kind":"doublestar","decoration":"{decoration}","pattern":"{pattern}"{extras}}}]"#
        ),
        "[]",
    );
    parse(&[text]).unwrap().rules[0].tag_selectors[0].clone()
}

/// Indexes of SELECTOR_CANDIDATES the selector selects.
fn selected(s: &Selector) -> Vec<usize> {
    SELECTOR_CANDIDATES
        .iter()
        .enumerate()
        .filter(|(_, (ns, repo, tags))| {
            let tags: Vec<String> = tags.iter().map(|t| t.to_string()).collect();
            s.selects(ns, repo, &tags)
        })
        .map(|(i, _)| i)
        .collect()
}

/// The Go tests build `&selector{...}` literals, whose `untagged` is false unless set:
/// the JSON equivalent is extras `{"untagged":false}` (or true).
const UNTAGGED_FALSE: Option<&str> = Some(r#"{"untagged":false}"#);
const UNTAGGED_TRUE: Option<&str> = Some(r#"{"untagged":true}"#);

#[test]
fn doublestar_test_tag_matches() {
    // selector_test.go TestTagMatches.
    assert_eq!(
        selected(&selector("matches", "{latest,4.*}", UNTAGGED_FALSE)),
        [0, 1, 2]
    );
    assert_eq!(
        selected(&selector("matches", "4.*", UNTAGGED_FALSE)),
        [1, 2]
    );
    // New(Matches, "4.*", ""): untagged defaults to true, so `special` joins.
    assert_eq!(selected(&selector("matches", "4.*", Some(""))), [1, 2, 3]);
    assert_eq!(selected(&selector("matches", "4.*", None)), [1, 2, 3]);
}

#[test]
fn doublestar_test_tag_excludes() {
    // selector_test.go TestTagExcludes.
    assert!(selected(&selector("excludes", "{latest,4.*}", UNTAGGED_TRUE)).is_empty());
    // New(Excludes, ..., ""): untagged defaults to false for excludes -> selected.
    assert_eq!(
        selected(&selector("excludes", "{latest,4.*}", Some(""))),
        [3]
    );
    assert_eq!(selected(&selector("excludes", "4.*", UNTAGGED_TRUE)), [0]);
}

#[test]
fn doublestar_test_repo_matches_and_excludes() {
    // selector_test.go TestRepoMatches / TestRepoExcludes.
    assert_eq!(selected(&selector("repoMatches", "{redis}", None)), [1, 2]);
    assert_eq!(selected(&selector("repoMatches", "har*", None)), [0]);
    assert_eq!(selected(&selector("repoExcludes", "{redis}", None)), [0, 3]);
    assert_eq!(selected(&selector("repoExcludes", "har*", None)), [1, 2, 3]);
}

#[test]
fn doublestar_test_ns_matches_and_excludes() {
    // selector_test.go TestNSMatches / TestNSExcludes.
    assert_eq!(selected(&selector("nsMatches", "{library}", None)), [0, 3]);
    assert_eq!(selected(&selector("repoMatches", "re*", None)), [1, 2]);
    assert_eq!(selected(&selector("nsExcludes", "{library}", None)), [1, 2]);
    assert_eq!(selected(&selector("nsExcludes", "re*", None)), [0, 3]);
}

#[test]
fn doublestar_new_reads_extras_as_go_json_does() {
    // selectors/doublestar/selector.go New: json.Unmarshal into {Untagged bool}; on error
    // the default stays (true, false for excludes).
    for (extras, matches_untagged) in [
        ("", true),      // not parsed
        ("{}", false),   // decodes, field zero
        ("null", false), // decodes, field zero
        (r#"{"untagged":true}"#, true),
        (r#"{"untagged":false}"#, false),
        (r#"{"Untagged":true}"#, true), // Go matches keys without regard to case
        (r#"{"UNTAGGED":false}"#, false),
        (r#"{"untagged":null}"#, false), // null leaves the zero value
        (r#"{"untagged":"yes"}"#, true), // type error: default
        (r#"{"untagged":1}"#, true),     // type error: default
        ("[true]", true),                // not an object: default
        ("true", true),                  // not an object: default
        ("not json", true),              // syntax error: default
        (r#"{"untagged":false,"untagged":true}"#, true), // the last key wins
        (r#"{"untagged":true,"Untagged":false}"#, false), // in document order
    ] {
        let m = selector("matches", "x", Some(extras));
        assert_eq!(m.untagged, matches_untagged, "matches {extras:?}");
        let e = selector("excludes", "x", Some(extras));
        let default_excludes = matches!(extras, "" | "[true]" | "true" | "not json")
            || extras.contains("\"yes\"")
            || extras.contains(":1}");
        let want = if default_excludes {
            false
        } else {
            matches_untagged
        };
        assert_eq!(e.untagged, want, "excludes {extras:?}");
    }
}

#[test]
fn doublestar_empty_pattern_matches_everything() {
    // selectors/doublestar/selector.go match: `len(pattern) == 0` -> true.
    assert_eq!(
        selected(&selector("matches", "", UNTAGGED_FALSE)),
        [0, 1, 2]
    );
    assert_eq!(selected(&selector("repoMatches", "", None)), [0, 1, 2, 3]);
    assert!(selected(&selector("repoExcludes", "", None)).is_empty());
}

// --- launcher.go scoping with the doublestar selector ---

#[test]
fn repository_selectors_see_the_path_without_the_project_and_chain() {
    // launcher.go getRepositories: utils.ParseRepository splits `lib/team/app` into
    // namespace `lib` and repository `team/app`; the selectors filter in turn (AND).
    let images = vec![cand("c0", &["a"], 10, None), {
        let mut im = cand("c1", &["a"], 10, None);
        im.repository = "lib/team/app".into();
        im
    }];
    let repos = |sel: &str| {
        rule_json(
            "latestPushedK",
            r#"{"latestPushedK":0}"#,
            r#"[{"kind":"doublestar","decoration":"matches","pattern":"**"}]"#,
            sel,
        )
    };
    let deleted = |sel: &str| acted(&images, &eval(&[repos(sel)], &images), ActionKind::Delete);
    assert_eq!(
        deleted(r#"[{"kind":"doublestar","decoration":"repoMatches","pattern":"team/*"}]"#),
        ["c1"]
    );
    assert_eq!(
        deleted(
            r#"[{"kind":"doublestar","decoration":"repoMatches","pattern":"**"},{"kind":"doublestar","decoration":"repoExcludes","pattern":"repo"}]"#
        ),
        ["c1"]
    );
    // nsMatches in a repository selector reads the project.
    assert_eq!(
        deleted(r#"[{"kind":"doublestar","decoration":"nsMatches","pattern":"lib"}]"#),
        ["c0", "c1"]
    );
    assert!(
        deleted(r#"[{"kind":"doublestar","decoration":"nsMatches","pattern":"other"}]"#).is_empty()
    );
    // A tag decoration on a repository (no tags): the untagged flag decides. Absent
    // extras select every repository (policy/models_test.go TestRule uses "matches" here).
    assert_eq!(
        deleted(r#"[{"kind":"doublestar","decoration":"matches","pattern":".+"}]"#),
        ["c0", "c1"]
    );
    assert!(deleted(
        r#"[{"kind":"doublestar","decoration":"matches","pattern":".+","extras":"{\"untagged\":false}"}]"#
    )
    .is_empty());
    // No repository selector: every repository of the project.
    assert_eq!(deleted("[]"), ["c0", "c1"]);
}

#[test]
fn launcher_test_launch_no_rules_and_disabled_rules() {
    // launcher_test.go TestLaunch: no rules -> no task; a disabled rule launches nothing.
    let images = vec![cand("c0", &["a"], 10, None)];
    let ev = HarborPolicy::parse(r#"{"algorithm":"or","rules":[]}"#)
        .unwrap()
        .evaluate(&images, now(), &Switches::default());
    assert!(ev.decisions.is_empty());
    let mut off = all_rule("latestPushedK", r#"{"latestPushedK":0}"#);
    off.insert_str(1, r#""disabled":true,"#);
    assert!(eval(&[off], &images).decisions.is_empty());
}

// --- policy/alg/or/processor.go and processor_test.go ---

#[test]
fn processor_test_process2_always_on_latest() {
    // processor_test.go TestProcess2: always, tag `latest` (the label selector "with no
    // labels" there selects everything): `dev` is the one result, deleted.
    let images = vec![
        cand("c0", &["latest"], 10, None),
        cand("c1", &["dev"], 10, None),
    ];
    let r = rule_json(
        "always",
        "{}",
        r#"[{"kind":"doublestar","decoration":"matches","pattern":"latest"}]"#,
        r#"[{"kind":"doublestar","decoration":"repoMatches","pattern":"**"}]"#,
    );
    assert_eq!(
        acted(&images, &eval(&[r], &images), ActionKind::Delete),
        ["c1"]
    );
}

#[test]
fn processor_skips_a_rule_without_tag_selectors() {
    // or/processor.go New: an evaluator joins only `if len(param.Selectors) > 0`. A rule
    // with no tag selectors retains nothing; where no other rule runs, nothing is
    // processed and nothing is deleted.
    let images = vec![cand("c0", &["a"], 10, None), cand("c1", &["b"], 20, None)];
    let bare = rule_json(
        "always",
        "{}",
        "[]",
        r#"[{"kind":"doublestar","decoration":"repoMatches","pattern":"**"}]"#,
    );
    let ev = eval(std::slice::from_ref(&bare), &images);
    assert!(ev.decisions.is_empty());
    assert!(
        ev.warnings.iter().any(|w| w.contains("no tag selectors")),
        "{:?}",
        ev.warnings
    );
    // With a rule that runs, the bare `always` keeps nothing: c0 goes.
    let k1 = rule_json(
        "latestPushedK",
        r#"{"latestPushedK":1}"#,
        r#"[{"kind":"doublestar","decoration":"matches","pattern":"**"}]"#,
        r#"[{"kind":"doublestar","decoration":"repoMatches","pattern":"**"}]"#,
    );
    assert_eq!(
        acted(&images, &eval(&[bare, k1], &images), ActionKind::Delete),
        ["c0"]
    );
}

// --- policy/models_test.go and server/v2.0/handler/retention.go ---

#[test]
fn models_test_rule_bad_kind_and_label_kind() {
    // models_test.go TestRule: kind "badkind" fails (first error on Kind). The label
    // selector exists in Harbor but lib/selector/selectors/index registers only doublestar.
    for kind in ["badkind", "label", ""] {
        let r = rule_json(
            "latestPushedK",
            r#"{"latestPushedK":10}"#,
            &format!(
                r#"[{{"kind":"{kind}","decoration":"matches","pattern":"release-[\\d\\.]+"}}]"#
            ),
            r#"[{"kind":"doublestar","decoration":"matches","pattern":".+"}]"#,
        );
        let e = parse_err(&[r]);
        assert!(e.contains("tag_selectors[0].kind"), "{kind}: {e}");
    }
    // A selector without `kind`: selectors/index Get refuses an empty kind.
    let r = rule_json(
        "always",
        "{}",
        r#"[{"decoration":"matches","pattern":"**"}]"#,
        "[]",
    );
    assert!(parse_err(&[r]).contains("tag_selectors[0].kind"));
    // selectors/index Get: a decoration the kind lacks is refused.
    let r = rule_json(
        "always",
        "{}",
        r#"[{"kind":"doublestar","decoration":"withLabels","pattern":"x"}]"#,
        "[]",
    );
    assert!(parse_err(&[r]).contains("decoration"));
}

#[test]
fn models_test_algorithm_and_cron() {
    // models_test.go TestAlgorithm: "bad" fails.
    assert!(HarborPolicy::parse(r#"{"algorithm":"bad","rules":[]}"#)
        .unwrap_err()
        .to_string()
        .contains("algorithm"));
    // models_test.go TestValidateRetentionPolicy: Schedule without cron, an empty cron and
    // "0 0 0 1 1 *" pass; "1 0 0 1 1 *" fails (the seconds field must be 0).
    let with = |trigger: &str| {
        HarborPolicy::parse(&format!(
            r#"{{"algorithm":"or","trigger":{trigger},"rules":[]}}"#
        ))
    };
    with(r#"{"kind":"Schedule"}"#).unwrap();
    with(r#"{"kind":"Schedule","settings":{}}"#).unwrap();
    with(r#"{"kind":"Schedule","settings":{"cron":""}}"#).unwrap();
    with(r#"{"kind":"Schedule","settings":{"cron":"0 0 0 1 1 *"}}"#).unwrap();
    let e = with(r#"{"kind":"Schedule","settings":{"cron":"1 0 0 1 1 *"}}"#)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("seconds") && e.contains("trigger.settings.cron"),
        "{e}"
    );
    // models.go: a cron that is not a string fails; a trigger that is not Schedule is
    // not checked at all.
    assert!(with(r#"{"kind":"Schedule","settings":{"cron":5}}"#).is_err());
    with(r#"{"kind":"","settings":{"cron":"whatever"}}"#).unwrap();
}

#[test]
fn handler_check_rule_conflict_ignores_the_id() {
    // server/v2.0/handler/retention.go checkRuleConflict: each rule is marshalled with
    // ID = 0 and compared; unknown fields and field order do not count, params numbers
    // are float64 (10 == 10.0).
    let a = r#"{"id":1,"priority":1,"action":"retain","template":"latestPushedK","params":{"latestPushedK":10},"tag_selectors":[{"kind":"doublestar","decoration":"matches","pattern":"**"}],"scope_selectors":{"repository":[{"kind":"doublestar","decoration":"repoMatches","pattern":"**"}]}}"#;
    let b = r#"{"template":"latestPushedK","id":2,"action":"retain","priority":1,"params":{"latestPushedK":10.0},"tag_selectors":[{"pattern":"**","kind":"doublestar","decoration":"matches"}],"scope_selectors":{"repository":[{"kind":"doublestar","decoration":"repoMatches","pattern":"**"}]},"note":"x"}"#;
    let e = parse_err(&[a.to_string(), b.to_string()]);
    assert!(e.contains("identical"), "{e}");
    // A different priority is a different rule.
    let c = b.replace(r#""priority":1"#, r#""priority":2"#);
    parse(&[a.to_string(), c]).unwrap();
}

// --- where regscope deliberately adds to Harbor ---

#[test]
fn ties_across_the_boundary_are_kept_where_harbor_picks_one() {
    // latestps/evaluator.go sorts with sort.Slice, which does not promise an order for
    // equal PushedTime: Harbor keeps one of c0/c1 by chance. regscope keeps both
    // (harbor.tie_break = keep_tied, docs/decisions.md) and says so.
    let images = vec![
        cand("c0", &["a"], 50, None),
        cand("c1", &["b"], 50, None),
        cand("c2", &["c"], 10, None),
    ];
    let rules = [all_rule("latestPushedK", r#"{"latestPushedK":1}"#)];
    assert_eq!(retained(&rules, &images), ids(&[0, 1]));
    assert!(eval(&rules, &images)
        .warnings
        .iter()
        .any(|w| w.contains("tie")));
}

// --- policy/action/performer_test.go ---

#[test]
fn performer_test_perform_immutable() {
    // performer_test.go TestPerformImmutable: `latest` (d0) retained, `dev` (d1) deleted,
    // d2 (tags `immute` and `samedig`, one artifact) matches a tag immutability rule and
    // is reported IMMUTABLE instead of deleted.
    let mut d2 = cand("c2", &["immute", "samedig"], 10, None);
    d2.repository = "library/test".into();
    d2.locked = Some(crate::model::Lock {
        write_enabled: false,
        delete_enabled: false,
    });
    let mut images = vec![
        cand("c0", &["latest"], 10, None),
        cand("c1", &["dev"], 10, None),
        d2,
    ];
    images[0].repository = "library/harbor".into();
    images[1].repository = "library/harbor".into();
    let r = rule_json(
        "always",
        "{}",
        r#"[{"kind":"doublestar","decoration":"matches","pattern":"latest"}]"#,
        r#"[{"kind":"doublestar","decoration":"repoMatches","pattern":"**"}]"#,
    );
    let ev = eval(&[r], &images);
    assert_eq!(acted(&images, &ev, ActionKind::Delete), ["c1"]);
    assert_eq!(ev.protected.len(), 1);
    assert_eq!(ev.protected[0].image, 2);
    assert!(ev.protected[0].why.starts_with("IMMUTABLE"));
}

// --- policy/action/index and policy/alg/index: what a job needs to be built ---

#[test]
fn action_and_algorithm_must_be_registered() {
    // action/index Get: "empty action" / "action %s is not registered"; alg/index Get:
    // "no processor registered with algorithm" (only "or" is). Either fails the job.
    let mut no_action = all_rule("always", "{}");
    no_action = no_action.replace(r#""action":"retain","#, "");
    let e = parse_err(&[no_action.clone()]);
    assert!(e.contains("action") && e.contains("required"), "{e}");
    let e = parse_err(&[all_rule("always", "{}").replace("retain", "delete")]);
    assert!(e.contains("the only action"), "{e}");
    // A disabled rule never reaches the builder.
    let mut off = no_action;
    off.insert_str(1, r#""disabled":true,"#);
    parse(&[off.clone()]).unwrap();
    // No algorithm: refused when an enabled rule would run, not otherwise.
    let text = format!(r#"{{"rules":[{}]}}"#, all_rule("always", "{}"));
    let e = HarborPolicy::parse(&text).unwrap_err().to_string();
    assert!(e.contains("algorithm") && e.contains("required"), "{e}");
    HarborPolicy::parse(&format!(r#"{{"rules":[{off}]}}"#)).unwrap();
    HarborPolicy::parse(r#"{"rules":[]}"#).unwrap();
}

// --- policy/builder_test.go and job_test.go ---

#[test]
fn builder_test_build_latest_pushed_k_on_latest() {
    // builder_test.go TestBuild: latestPushedK 10 on tag `latest`: the one result is `dev`.
    let images = vec![
        cand("c0", &["latest"], 10, None),
        cand("c1", &["dev"], 10, None),
    ];
    let r = rule_json(
        "latestPushedK",
        r#"{"latestPushedK":10}"#,
        r#"[{"kind":"doublestar","decoration":"matches","pattern":"latest"}]"#,
        r#"[{"kind":"doublestar","decoration":"repoMatches","pattern":"**"}]"#,
    );
    assert_eq!(
        acted(&images, &eval(&[r], &images), ActionKind::Delete),
        ["c1"]
    );
}

#[test]
fn job_test_run_success_project_scope_selectors_are_not_read() {
    // job_test.go TestRunSuccess: the rule's scope selectors are under "project", which a
    // project-level policy does not read (launcher.go reads them only at system level), so
    // every repository is in scope; latestPushedK 10 keeps both candidates.
    let images = vec![
        cand("c0", &["latest"], NOW_S - 11, Some(NOW_S - 2)),
        cand("c1", &["dev", "test"], NOW_S - 10, Some(NOW_S - 3)),
    ];
    let r = rule_json(
        "latestPushedK",
        r#"{"latestPushedK":10}"#,
        r#"[{"kind":"doublestar","decoration":"matches","pattern":"**"}]"#,
        "[]",
    )
    .replace(
        r#""scope_selectors":{"repository":[]}"#,
        r#""scope_selectors":{"project":[{"kind":"doublestar","decoration":"repoMatches","pattern":"{harbor}"}]}"#,
    );
    assert!(r.contains("\"project\""));
    assert!(eval(std::slice::from_ref(&r), &images).decisions.is_empty());
    // The same rule keeping 1: the older push (c0) goes, so the rule did run here.
    let one = r.replace(r#"{"latestPushedK":10}"#, r#"{"latestPushedK":1}"#);
    assert_eq!(
        acted(&images, &eval(&[one], &images), ActionKind::Delete),
        ["c0"]
    );
}

// --- dep/client.go GetCandidates ---

#[test]
fn candidate_times_are_the_latest_of_artifact_and_tags() {
    // dep/client.go GetCandidates: PulledTime and PushedTime start from the artifact's and
    // take any later tag time. c0's artifact was pulled 40 days ago but its tag `b` 2 days
    // ago; c1 was pulled 10 days ago; never-pulled c2 only pushed recently.
    let tag = |name: &str, push: i64, pull: Option<i64>| crate::model::TagDetail {
        name: name.into(),
        pushed_at: Some(at(push)),
        pulled_at: pull.map(at),
        ..Default::default()
    };
    let mut c0 = cand("c0", &["a", "b"], days_ago(50, 0), Some(days_ago(40, 0)));
    c0.tag_details = Some(vec![
        tag("a", days_ago(50, 0), None),
        tag("b", days_ago(45, 0), Some(days_ago(2, 0))),
    ]);
    let c1 = cand("c1", &["c"], days_ago(50, 0), Some(days_ago(10, 0)));
    let c2 = cand("c2", &["d"], days_ago(1, 0), None);
    let images = vec![c0, c1, c2];
    assert_eq!(
        retained(
            &[all_rule("latestPulledN", r#"{"latestPulledN":1}"#)],
            &images
        ),
        ids(&[0])
    );
    assert_eq!(
        retained(
            &[all_rule(
                "nDaysSinceLastPull",
                r#"{"nDaysSinceLastPull":5}"#
            )],
            &images
        ),
        ids(&[0])
    );
    // Push: c0's newest tag push (45 days) is still older than c2's push.
    assert_eq!(
        retained(
            &[all_rule("latestPushedK", r#"{"latestPushedK":1}"#)],
            &images
        ),
        ids(&[2])
    );
}
