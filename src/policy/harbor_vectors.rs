//! Harbor's own test vectors (goharbor/harbor, commit c50c7dd), ported case by case; each
//! names the Harbor file and test it comes from. Harbor's tests take `time.Now()`; these
//! take the fixed NOW of the vectors. Where regscope reads a policy through Harbor's API
//! shape, a Harbor `Parameters` map is the rule's `params` object.

use super::*;
use crate::policy::testkit::*;

/// Unix seconds as a time.
pub(super) fn at(secs: i64) -> DateTime<Utc> {
    DateTime::<Utc>::from_timestamp(secs, 0).unwrap()
}

/// A candidate `id` in `lib/repo`: PushedTime and PulledTime in Unix seconds
/// (`None`: never pulled, Harbor's zero time).
pub(super) fn cand(id: &str, tags: &[&str], push: i64, pull: Option<i64>) -> Image {
    let mut im = img("lib/repo", id, tags, "1d");
    im.pushed_at = Some(at(push));
    im.last_pulled_at = pull.map(at);
    im
}

pub(super) fn rule_json(template: &str, params: &str, tag_selectors: &str, repos: &str) -> String {
    format!(
        r#"{{"action":"retain","template":"{template}","params":{params},"tag_selectors":{tag_selectors},"scope_selectors":{{"repository":{repos}}}}}"#
    )
}

/// Every tag and every untagged artifact, every repository: only the template decides.
pub(super) fn all_rule(template: &str, params: &str) -> String {
    rule_json(
        template,
        params,
        r#"[{"kind":"doublestar","decoration":"matches","pattern":"**","extras":"{\"untagged\":true}"}]"#,
        r#"[{"kind":"doublestar","decoration":"repoMatches","pattern":"**"}]"#,
    )
}

pub(super) fn policy_text(rules: &[String]) -> String {
    format!(
        r#"{{"algorithm":"or","scope":{{"level":"project","ref":1}},"trigger":{{"kind":"Schedule","settings":{{"cron":"0 0 0 * * *"}}}},"rules":[{}]}}"#,
        rules.join(",")
    )
}

pub(super) fn parse(rules: &[String]) -> Result<HarborPolicy, PolicyError> {
    HarborPolicy::parse(&policy_text(rules))
}

pub(super) fn eval(rules: &[String], images: &[Image]) -> Evaluation {
    let p = parse(rules).unwrap_or_else(|e| panic!("{e}\n{}", policy_text(rules)));
    p.evaluate(images, now(), &Switches::default())
}

/// Ids of the candidates the policy retains (neither deleted nor protected), sorted.
pub(super) fn retained(rules: &[String], images: &[Image]) -> Vec<String> {
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

pub(super) fn ids(v: &[usize]) -> Vec<String> {
    let mut v: Vec<String> = v.iter().map(|i| format!("c{i}")).collect();
    v.sort();
    v
}

pub(super) fn parse_err(rules: &[String]) -> String {
    match parse(rules) {
        Ok(_) => panic!("accepted: {}", policy_text(rules)),
        Err(e) => e.to_string(),
    }
}

pub(super) const NOW_S: i64 = 1_767_225_600; // testkit::now()
pub(super) const HOUR: i64 = 3_600;

/// `daysAgo(now, n, offset)` of daysps/dayspl evaluator_test.go.
pub(super) fn days_ago(n: i64, offset: i64) -> i64 {
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
    for t in ["nDaysSinceLastPush", "nDaysSinceLastPull", "lastXDays"] {
        // Harbor retains nothing by the rule and deletes c0; regscope keeps it, protected
        // with the reason, and warns (docs/decisions.md, Harbor day counts).
        let rules = [all_rule(t, &format!(r#"{{"{t}":20190904}}"#))];
        let ev = eval(&rules, &images);
        assert!(ev.decisions.is_empty(), "{t}");
        assert_eq!(ev.protected.len(), 1, "{t}");
        assert!(ev.protected[0].why.contains("Harbor deletes it"), "{t}");
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
    // What is outside the written window too is deleted as Harbor does: 106752 days back
    // from NOW is the year 1733; this was pushed in 1684.
    let old = vec![cand("c0", &["t"], -9_000_000_000, None)];
    let ev = eval(&[all_rule("lastXDays", r#"{"lastXDays":106752}"#)], &old);
    assert!(ev.protected.is_empty());
    assert_eq!(ev.decisions.len(), 1);
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
