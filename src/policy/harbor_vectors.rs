//! Harbor's own test vectors (goharbor/harbor, commit c50c7dd), ported case by case; each
//! names the Harbor file and test it comes from. Harbor's tests take `time.Now()`; these
//! take the fixed NOW of the vectors. Where regscope reads a policy through Harbor's API
//! shape, a Harbor `Parameters` map is the rule's `params` object.

use super::*;
use crate::policy::testkit::*;

/// Unix seconds as a time.
fn at(secs: i64) -> DateTime<Utc> {
    DateTime::<Utc>::from_timestamp(secs, 0).unwrap()
}

/// A candidate `id` in `lib/repo`: PushedTime and PulledTime in Unix seconds
/// (`None`: never pulled, Harbor's zero time).
fn cand(id: &str, tags: &[&str], push: i64, pull: Option<i64>) -> Image {
    let mut im = img("lib/repo", id, tags, "1d");
    im.pushed_at = Some(at(push));
    im.last_pulled_at = pull.map(at);
    im
}

fn rule_json(template: &str, params: &str, tag_selectors: &str, repos: &str) -> String {
    format!(
        r#"{{"action":"retain","template":"{template}","params":{params},"tag_selectors":{tag_selectors},"scope_selectors":{{"repository":{repos}}}}}"#
    )
}

/// Every tag and every untagged artifact, every repository: only the template decides.
fn all_rule(template: &str, params: &str) -> String {
    rule_json(
        template,
        params,
        r#"[{"kind":"doublestar","decoration":"matches","pattern":"**","extras":"{\"untagged\":true}"}]"#,
        r#"[{"kind":"doublestar","decoration":"repoMatches","pattern":"**"}]"#,
    )
}

fn policy_text(rules: &[String]) -> String {
    format!(
        r#"{{"algorithm":"or","scope":{{"level":"project","ref":1}},"trigger":{{"kind":"Schedule","settings":{{"cron":"0 0 0 * * *"}}}},"rules":[{}]}}"#,
        rules.join(",")
    )
}

fn parse(rules: &[String]) -> Result<HarborPolicy, PolicyError> {
    HarborPolicy::parse(&policy_text(rules))
}

fn eval(rules: &[String], images: &[Image]) -> Evaluation {
    let p = parse(rules).unwrap_or_else(|e| panic!("{e}\n{}", policy_text(rules)));
    p.evaluate(images, now(), &Switches::default())
}

/// Ids of the candidates the policy retains (neither deleted nor protected), sorted.
fn retained(rules: &[String], images: &[Image]) -> Vec<String> {
    let ev = eval(rules, images);
    assert!(ev.protected.is_empty(), "{:?}", ev.protected);
    let gone = acted(images, &ev, ActionKind::Delete);
    let mut ids: Vec<String> = (0..images.len())
        .map(|i| format!("c{i}"))
        .filter(|id| !gone.contains(id))
        .collect();
    ids.sort();
    ids
}

fn ids(v: &[usize]) -> Vec<String> {
    let mut v: Vec<String> = v.iter().map(|i| format!("c{i}")).collect();
    v.sort();
    v
}

fn parse_err(rules: &[String]) -> String {
    match parse(rules) {
        Ok(_) => panic!("accepted: {}", policy_text(rules)),
        Err(e) => e.to_string(),
    }
}

const NOW_S: i64 = 1_767_225_600; // testkit::now()
const HOUR: i64 = 3_600;

/// `daysAgo(now, n, offset)` of daysps/dayspl evaluator_test.go.
fn days_ago(n: i64, offset: i64) -> i64 {
    NOW_S - n * 24 * HOUR + offset
}

#[test]
fn now_is_the_vectors_now() {
    assert_eq!(now().timestamp(), NOW_S);
}

// --- rule/always/evaluator_test.go ---

#[test]
fn always_test_process_retains_every_candidate() {
    // always/evaluator_test.go TestProcess: PushedTime 0..3, all four retained.
    let images: Vec<Image> = (0..4)
        .map(|i| cand(&format!("c{i}"), &[], i, None))
        .collect();
    assert_eq!(
        retained(&[all_rule("always", "{}")], &images),
        ids(&[0, 1, 2, 3])
    );
}

// --- rule/nothing/evaluator_test.go and rule/index/index.go ---

#[test]
fn nothing_is_not_a_registered_template() {
    // nothing/evaluator_test.go TestProcess retains nothing, but rule/index/index.go
    // leaves `nothing` unregistered (commented out), so a policy naming it cannot run;
    // index_test.go TestIndex counts 7 real templates (+ its fake = 8).
    let e = parse_err(&[all_rule("nothing", "{}")]);
    assert!(e.contains("not a registered template"), "{e}");
    for t in [
        "latestPushedK",
        "latestPulledN",
        "latestActiveK",
        "lastXDays",
        "nDaysSinceLastPull",
        "nDaysSinceLastPush",
    ] {
        parse(&[all_rule(t, &format!(r#"{{"{t}":1}}"#))]).unwrap();
    }
    parse(&[all_rule("always", "{}")]).unwrap();
    // index_test.go TestGet's fake template is not one of Harbor's.
    assert!(
        parse_err(&[all_rule("fakeEvaluator", r#"{"fakeParam":99}"#)])
            .contains("not a registered template")
    );
}

#[test]
fn index_get_requires_the_parameter_named_after_the_template() {
    // rule/index/index.go Get: "missing required parameter"; latestk evaluator_test.go
    // TestNew "Default If Wrong Key" ({"n": 5}) and "Default If Empty" reach New only
    // past this check, which refuses them.
    for params in [r#"{"n":5}"#, "{}"] {
        for t in [
            "latestActiveK",
            "lastXDays",
            "latestPushedK",
            "nDaysSinceLastPull",
        ] {
            let e = parse_err(&[all_rule(t, params)]);
            assert!(
                e.contains(&format!("params.{t}")) && e.contains("required"),
                "{e}"
            );
        }
    }
}

// --- rule/dayspl/evaluator_test.go ---

fn pulled_within_candidates() -> Vec<Image> {
    // dayspl TestProcess data: pulled 1,2,3,4,5,10,20,30 days ago plus one hour.
    [1, 2, 3, 4, 5, 10, 20, 30]
        .iter()
        .enumerate()
        .map(|(i, &d)| {
            cand(
                &format!("c{i}"),
                &["t"],
                days_ago(400, 0),
                Some(days_ago(d, HOUR)),
            )
        })
        .collect()
}

#[test]
fn dayspl_test_process() {
    // dayspl/evaluator_test.go TestProcess: n -> retained count, each pulled >= minPullTime.
    let images = pulled_within_candidates();
    for (n, expected) in [
        (0, 0),
        (1, 1),
        (2, 2),
        (3, 3),
        (4, 4),
        (5, 5),
        (15, 6),
        (90, 8),
    ] {
        let kept = retained(
            &[all_rule(
                "nDaysSinceLastPull",
                &format!(r#"{{"nDaysSinceLastPull":{n}}}"#),
            )],
            &images,
        );
        assert_eq!(kept, ids(&(0..expected).collect::<Vec<_>>()), "n={n}");
    }
}

#[test]
fn dayspl_test_valid_and_new() {
    // dayspl/evaluator_test.go TestValid: 5 valid, -1 "less than zero", 21000000 "too large".
    let r = |v: &str| {
        all_rule(
            "nDaysSinceLastPull",
            &format!(r#"{{"nDaysSinceLastPull":{v}}}"#),
        )
    };
    parse(&[r("5")]).unwrap();
    assert!(parse_err(&[r("-1")]).contains("less than zero"));
    assert!(parse_err(&[r("21000000")]).contains("too large"));
    // The bound is inclusive: Valid refuses only v > 20190904.
    parse(&[r("20190904")]).unwrap();
    assert!(parse_err(&[r("20190905")]).contains("too large"));
    // TestNew "Default If Wrong Type" ("foo"): Valid refuses it first ("type error").
    assert!(parse_err(&[r("\"foo\"")]).contains("type error"));
    // TestNew "Valid" float64(5): a JSON number is a float64 to Harbor; int() truncates.
    let p = parse(&[r("5.9")]).unwrap();
    assert_eq!(p.rules[0].param, 5);
}

#[test]
fn dayspl_never_pulled_is_outside_every_window() {
    // dep/client.go: PulledTime is the Unix time of Go's zero time for a never-pulled
    // artifact, far below any minPullTime, however many days (lifecycle.md HB-X4).
    let images = vec![cand("c0", &["t"], days_ago(1, 0), None)];
    for n in [30, 106_751] {
        let kept = retained(
            &[all_rule(
                "nDaysSinceLastPull",
                &format!(r#"{{"nDaysSinceLastPull":{n}}}"#),
            )],
            &images,
        );
        assert!(kept.is_empty(), "n={n}");
    }
}

// --- rule/daysps/evaluator_test.go ---

#[test]
fn daysps_test_process() {
    // daysps/evaluator_test.go TestProcess: pushed 1,2,3,4,5,10,20,30 days ago + 1h.
    let images: Vec<Image> = [1, 2, 3, 4, 5, 10, 20, 30]
        .iter()
        .enumerate()
        .map(|(i, &d)| cand(&format!("c{i}"), &["t"], days_ago(d, HOUR), None))
        .collect();
    for (n, expected) in [
        (0, 0),
        (1, 1),
        (2, 2),
        (3, 3),
        (4, 4),
        (5, 5),
        (15, 6),
        (90, 8),
    ] {
        let kept = retained(
            &[all_rule(
                "nDaysSinceLastPush",
                &format!(r#"{{"nDaysSinceLastPush":{n}}}"#),
            )],
            &images,
        );
        assert_eq!(kept, ids(&(0..expected).collect::<Vec<_>>()), "n={n}");
    }
}

#[test]
fn daysps_boundary_is_inclusive() {
    // daysps/evaluator.go: `a.PushedTime >= minPushTime`: pushed exactly n days ago stays.
    let images = vec![
        cand("c0", &["t"], days_ago(7, 0), None),
        cand("c1", &["t"], days_ago(7, 0) - 1, None),
    ];
    let kept = retained(
        &[all_rule(
            "nDaysSinceLastPush",
            r#"{"nDaysSinceLastPush":7}"#,
        )],
        &images,
    );
    assert_eq!(kept, ids(&[0]));
}

#[test]
fn daysps_test_valid() {
    // daysps/evaluator_test.go TestValid.
    let r = |v: &str| {
        all_rule(
            "nDaysSinceLastPush",
            &format!(r#"{{"nDaysSinceLastPush":{v}}}"#),
        )
    };
    parse(&[r("5")]).unwrap();
    assert!(parse_err(&[r("-1")]).contains("less than zero"));
    assert!(parse_err(&[r("21000000")]).contains("too large"));
    assert!(parse_err(&[r("\"foo\"")]).contains("type error"));
}

#[test]
fn days_past_go_duration_wrap_around_as_in_harbor() {
    // daysps/evaluator.go: time.Duration(-1*24*n) * time.Hour wraps for n > 106751 days
    // (int64 nanoseconds); Valid allows up to 20190904, whose cutoff lands ~252 years
    // ahead, so Harbor retains nothing by that rule. Go arithmetic reproduced by hand:
    // -24*20190904*3600e9 mod 2^64 = 7946581402407403520 ns = +7946581402 s.
    assert_eq!(go_cutoff(now(), 20_190_904), NOW_S + 7_946_581_402);
    assert_eq!(go_cutoff(now(), 106_751), NOW_S - 106_751 * 86_400);
    // 106752 days wraps to +9223371273 s (~292 years ahead).
    assert_eq!(go_cutoff(now(), 106_752), NOW_S + 9_223_371_273);
    let images = vec![cand("c0", &["t"], days_ago(1, 0), Some(days_ago(1, 0)))];
    for t in ["nDaysSinceLastPush", "nDaysSinceLastPull"] {
        let rules = [all_rule(t, &format!(r#"{{"{t}":20190904}}"#))];
        assert!(retained(&rules, &images).is_empty(), "{t}");
        let ev = eval(&rules, &images);
        assert!(
            ev.warnings.iter().any(|w| w.contains("wraps around")),
            "{:?}",
            ev.warnings
        );
        // 106751 days is still a real window: kept, and no warning.
        let rules = [all_rule(t, &format!(r#"{{"{t}":106751}}"#))];
        assert_eq!(retained(&rules, &images), ids(&[0]), "{t}");
        assert!(!eval(&rules, &images)
            .warnings
            .iter()
            .any(|w| w.contains("wraps around")));
    }
}

// --- rule/lastx/evaluator_test.go ---

#[test]
fn lastx_test_process() {
    // lastx/evaluator_test.go TestProcess: pushed exactly 1,2,3,4,5,99 days ago; the
    // cutoff is strict (`After`), so the artifact pushed exactly x days ago is not kept.
    let images: Vec<Image> = [1, 2, 3, 4, 5, 99]
        .iter()
        .enumerate()
        .map(|(i, &d)| cand(&format!("c{i}"), &["t"], days_ago(d, 0), None))
        .collect();
    for (days, expected) in [
        (0, 0),
        (1, 0),
        (2, 1),
        (3, 2),
        (4, 3),
        (5, 4),
        (6, 5),
        (7, 5),
    ] {
        let kept = retained(
            &[all_rule("lastXDays", &format!(r#"{{"lastXDays":{days}}}"#))],
            &images,
        );
        assert_eq!(kept, ids(&(0..expected).collect::<Vec<_>>()), "days={days}");
    }
}

#[test]
fn lastx_test_new_defaults() {
    // lastx/evaluator_test.go TestNew: 3 -> 3; "Default If Negative" -3 -> DefaultX 10.
    // lastXDays has no validator, so Harbor accepts the policy and runs it with 10.
    let p = parse(&[all_rule("lastXDays", r#"{"lastXDays":3}"#)]).unwrap();
    assert_eq!(
        (p.rules[0].param, p.rules[0].param_note.is_none()),
        (3, true)
    );
    for v in ["-3", "\"3\"", "null", "true"] {
        let rules = [all_rule("lastXDays", &format!(r#"{{"lastXDays":{v}}}"#))];
        let p = parse(&rules).unwrap();
        assert_eq!(p.rules[0].param, 10, "{v}");
        // Pushed 9 and 11 days ago: the default 10 keeps the first only.
        let images = vec![
            cand("c0", &["t"], days_ago(9, 0), None),
            cand("c1", &["t"], days_ago(11, 0), None),
        ];
        assert_eq!(retained(&rules, &images), ids(&[0]), "{v}");
        assert!(
            eval(&rules, &images)
                .warnings
                .iter()
                .any(|w| w.contains("default 10")),
            "{v}"
        );
    }
    // No validator, no upper bound either.
    assert_eq!(
        parse(&[all_rule("lastXDays", r#"{"lastXDays":40000000}"#)])
            .unwrap()
            .rules[0]
            .param,
        40_000_000
    );
}

// --- rule/latestk/evaluator_test.go ---

fn active_candidates() -> Vec<Image> {
    // latestk SetupSuite: (PulledTime, PushedTime); a pull of 0 is "never pulled".
    [(1, 2), (3, 4), (6, 5), (8, 7), (9, 9), (10, 10), (0, 11)]
        .iter()
        .enumerate()
        .map(|(i, &(pull, push))| cand(&format!("c{i}"), &["t"], push, (pull > 0).then_some(pull)))
        .collect()
}

#[test]
fn latestk_test_process() {
    // latestk/evaluator_test.go TestProcess: k -> count, each active time >= min.
    let images = active_candidates();
    // Active times by candidate: 2, 4, 6, 8, 9, 10, 11.
    for (k, want) in [
        (0, vec![]),
        (1, vec![6]),
        (2, vec![5, 6]),
        (5, vec![2, 3, 4, 5, 6]),
        (6, vec![1, 2, 3, 4, 5, 6]),
        (99, vec![0, 1, 2, 3, 4, 5, 6]),
    ] {
        let kept = retained(
            &[all_rule(
                "latestActiveK",
                &format!(r#"{{"latestActiveK":{k}}}"#),
            )],
            &images,
        );
        assert_eq!(kept, ids(&want), "k={k}");
    }
}

#[test]
fn latestk_test_new() {
    // latestk/evaluator_test.go TestNew: float64(5) -> 5; -5 and "5" -> DefaultK 10.
    let k = |v: &str| {
        parse(&[all_rule(
            "latestActiveK",
            &format!(r#"{{"latestActiveK":{v}}}"#),
        )])
        .unwrap()
        .rules[0]
            .param
    };
    assert_eq!(k("5"), 5);
    assert_eq!(k("5.0"), 5);
    assert_eq!(k("-5"), 10);
    assert_eq!(k("\"5\""), 10);
    // No validator: no upper bound (latestPushedK's 32766 does not apply).
    assert_eq!(k("40000"), 40_000);
    // Through evaluation: 12 candidates, k=-5 keeps the 10 most recently active.
    let images: Vec<Image> = (0..12)
        .map(|i| cand(&format!("c{i}"), &["t"], 1000 + i as i64, None))
        .collect();
    let kept = retained(
        &[all_rule("latestActiveK", r#"{"latestActiveK":-5}"#)],
        &images,
    );
    assert_eq!(kept, ids(&(2..12).collect::<Vec<_>>()));
}

// --- rule/latestpl/evaluator_test.go ---

#[test]
fn latestpl_test_process() {
    // latestpl/evaluator_test.go TestProcess: PulledTime 0..4 (shuffled there; the
    // order of the input does not matter without ties). A pull of 0 is never pulled.
    let images: Vec<Image> = [3, 0, 4, 1, 2]
        .iter()
        .map(|&p| cand(&format!("c{p}"), &["t"], 100, (p > 0).then_some(p)))
        .collect();
    for (n, want) in [
        (0, vec![]),
        (1, vec![4]),
        (3, vec![2, 3, 4]),
        (5, vec![0, 1, 2, 3, 4]),
        (6, vec![0, 1, 2, 3, 4]),
    ] {
        let kept = retained(
            &[all_rule(
                "latestPulledN",
                &format!(r#"{{"latestPulledN":{n}}}"#),
            )],
            &images,
        );
        assert_eq!(kept, ids(&want), "n={n}");
    }
}

#[test]
fn latestpl_test_valid() {
    // latestpl/evaluator_test.go TestValid: 5 valid, -1 less than zero, 40000 too large;
    // latestpl/evaluator.go: v >= math.MaxInt16 is too large, so 32766 is the largest.
    let r = |v: &str| all_rule("latestPulledN", &format!(r#"{{"latestPulledN":{v}}}"#));
    parse(&[r("5")]).unwrap();
    assert!(parse_err(&[r("-1")]).contains("less than zero"));
    assert!(parse_err(&[r("40000")]).contains("too large"));
    parse(&[r("32766")]).unwrap();
    assert!(parse_err(&[r("32767")]).contains("too large"));
    assert!(parse_err(&[r("\"foo\"")]).contains("type error"));
}

// --- rule/latestps/evaluator_test.go ---

#[test]
fn latestps_test_process() {
    // latestps/evaluator_test.go TestProcess: PushedTime 0..4 shuffled; k -> count.
    let images: Vec<Image> = [2, 4, 0, 3, 1]
        .iter()
        .map(|&p| cand(&format!("c{p}"), &["t"], p, None))
        .collect();
    for (k, want) in [
        (0, vec![]),
        (1, vec![4]),
        (3, vec![2, 3, 4]),
        (5, vec![0, 1, 2, 3, 4]),
        (6, vec![0, 1, 2, 3, 4]),
    ] {
        let kept = retained(
            &[all_rule(
                "latestPushedK",
                &format!(r#"{{"latestPushedK":{k}}}"#),
            )],
            &images,
        );
        assert_eq!(kept, ids(&want), "k={k}");
    }
}

#[test]
fn latestps_test_valid() {
    // latestps/evaluator_test.go TestValid; policy/models_test.go TestParamValid (-10).
    let r = |v: &str| all_rule("latestPushedK", &format!(r#"{{"latestPushedK":{v}}}"#));
    parse(&[r("5")]).unwrap();
    assert!(parse_err(&[r("-1")]).contains("less than zero"));
    assert!(parse_err(&[r("-10")]).contains("less than zero"));
    assert!(parse_err(&[r("40000")]).contains("too large"));
    // utils.ParseJSONInt truncates a float: -0.5 is int 0, valid.
    assert_eq!(parse(&[r("-0.5")]).unwrap().rules[0].param, 0);
    // int() of a float64 past int64 is 0x8000000000000000 on amd64: negative.
    assert!(parse_err(&[r("1e300")]).contains("less than zero"));
}

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
