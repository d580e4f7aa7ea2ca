//! dive's CI rules: vectors from dive's own snapshot (cli_ci_test.snap, Test_CI_Fail), its
//! sample `.dive-ci` files, and go-humanize's size syntax.

use super::*;
use crate::layers::dive_ci_file::{defaults, parse};

fn score(efficiency: f64, wasted: u64, user: u64) -> DiveScore {
    DiveScore {
        efficiency,
        wasted_bytes: wasted,
        user_size_bytes: user,
        wasted_user_percent: (user > 0).then(|| wasted as f64 / user as f64),
        inefficient: vec![],
        size_bytes: user,
    }
}

fn lines(rules: &[CiRule], s: &DiveScore) -> Vec<String> {
    let (results, pass) = evaluate(rules, s);
    let mut out: Vec<String> = results.iter().map(CiResult::line).collect();
    out.push(summary(&results, pass));
    out
}

/// dive's snapshot of Test_CI_Fail (default rules): 131 bytes wasted, 71.98 % of the
/// user bytes, efficiency 100 %.
#[test]
fn default_rules_print_as_dive_prints_them() {
    assert_eq!(
        lines(&defaults(), &score(1.0, 131, 182)),
        [
            "  FAIL  highestUserWastedPercent (too many bytes wasted, relative to the user bytes added (%-user-wasted-bytes=0.72 > threshold=0.1))",
            "  SKIP  highestWastedBytes (disabled)",
            "  PASS  lowestEfficiency (0.9)",
            "FAIL [pass:1 fail:1 skip:1]",
        ]
    );
}

#[test]
fn every_rule_fails_and_passes_at_its_threshold() {
    let rules = parse("rules:\n  lowestEfficiency: 0.95\n  highestWastedBytes: 20KB\n  highestUserWastedPercent: 0.5\n").unwrap();
    assert_eq!(
        lines(&rules, &score(0.37641, 21_250, 6_320)),
        [
            "  FAIL  highestUserWastedPercent (too many bytes wasted, relative to the user bytes added (%-user-wasted-bytes=3.36 > threshold=0.5))",
            "  FAIL  highestWastedBytes (too many bytes wasted (wasted-bytes=21250 > threshold=20000))",
            "  FAIL  lowestEfficiency (image efficiency is too low (efficiency=0.38 < threshold=0.95))",
            "FAIL [fail:3]",
        ]
    );
    // equal to the threshold passes (dive compares strictly)
    let rules = parse("rules:\n  lowestEfficiency: 0.5\n  highestWastedBytes: 21250\n  highestUserWastedPercent: 0.5\n").unwrap();
    assert_eq!(
        lines(&rules, &score(0.5, 21_250, 42_500)),
        [
            "  PASS  highestUserWastedPercent (0.5)",
            "  PASS  highestWastedBytes (21250)",
            "  PASS  lowestEfficiency (0.5)",
            "PASS [pass:3]",
        ]
    );
}

#[test]
fn no_user_bytes_divides_by_zero_as_dive_does() {
    // +Inf fails, NaN passes
    let (r, pass) = evaluate(&defaults(), &score(1.0, 10, 0));
    assert!(!pass);
    assert!(r[0].message.contains("=+Inf > threshold=0.1"), "{:?}", r[0]);
    let (_, pass) = evaluate(&defaults(), &score(1.0, 0, 0));
    assert!(pass);
}

#[test]
fn sizes_parse_as_go_humanize_parses_them() {
    assert_eq!(parse_bytes("20MB"), Ok(20_000_000));
    assert_eq!(
        parse_bytes("20Mb"),
        Ok(20_000_000),
        "Mb is megabytes to dive"
    );
    assert_eq!(parse_bytes("19Mb"), Ok(19_000_000));
    assert_eq!(parse_bytes("20KiB"), Ok(20_480));
    assert_eq!(parse_bytes("21 kib"), Ok(21_504));
    assert_eq!(parse_bytes("1.5k"), Ok(1_500));
    assert_eq!(parse_bytes("1,000"), Ok(1_000));
    assert_eq!(parse_bytes("2gi"), Ok(2 << 30));
    assert_eq!(parse_bytes("5e"), Ok(5_000_000_000_000_000_000));
    assert_eq!(parse_bytes("42"), Ok(42));
    assert!(parse_bytes("20eb").unwrap_err().contains("too large"));
    assert!(parse_bytes("20 XB")
        .unwrap_err()
        .contains("unhandled size name: xb"));
    assert!(parse_bytes("MB").is_err());
    assert!(parse_bytes("1.2.3MB").is_err());
    assert!(parse_bytes("-5MB").is_err());
}

#[test]
fn rule_values_are_checked_as_dive_checks_them() {
    for off in ["", "off", "FALSE", " Disabled ", "false"] {
        let r = CiRule::new(LOWEST_EFFICIENCY, off).unwrap();
        assert_eq!(r.config, "disabled", "{off:?}");
    }
    assert_eq!(
        CiRule::new(LOWEST_EFFICIENCY, "1.5").unwrap_err(),
        "lowestEfficiency config value is outside allowed range (0-1), given '1.500000'"
    );
    assert!(CiRule::new(HIGHEST_USER_WASTED_PERCENT, "ten")
        .unwrap_err()
        .starts_with("invalid highestUserWastedPercent config value, given \"ten\""));
    assert!(CiRule::new(HIGHEST_WASTED_BYTES, "lots")
        .unwrap_err()
        .starts_with("invalid highestWastedBytes config value, given \"lots\""));
    // Go's ParseFloat takes NaN, the range check lets it through, and it never fails.
    let nan = CiRule::new(LOWEST_EFFICIENCY, "NaN").unwrap();
    assert!(evaluate(&[nan], &score(0.0, 0, 1)).1);
    assert_eq!(go_v(0.1), "0.1");
    assert_eq!(go_v(1.0), "1");
    assert_eq!(go_v(0.0001), "0.0001");
    assert_eq!(go_v(0.00001), "1e-05");
}

/// dive's own sample files: `.data/.dive-ci` (with a plugin list and a plugin rule that
/// dive ignores) and the legacy config of its tests.
#[test]
fn dive_sample_files_parse() {
    let sample = "---\nplugins:\n  - plugin1\n\nrules:\n  # If the efficiency is measured below X%, mark as failed.\n  lowestEfficiency: 0.95\n\n  highestWastedBytes: 20Mb\n\n  highestUserWastedPercent: 0.5\n\n  plugin1/rule1: error\n";
    let r = parse(sample).unwrap();
    let got: Vec<(&str, &str)> = r.iter().map(|r| (r.key, r.config.as_str())).collect();
    assert_eq!(
        got,
        [
            (LOWEST_EFFICIENCY, "0.95"),
            (HIGHEST_WASTED_BYTES, "20Mb"),
            (HIGHEST_USER_WASTED_PERCENT, "0.5")
        ]
    );
    let legacy = "rules:\n  lowestEfficiency: 0.95\n  highestWastedBytes: 20MB\n  highestUserWastedPercent: 0.20\n";
    assert_eq!(parse(legacy).unwrap()[2].config, "0.20", "taken as written");
}

#[test]
fn missing_and_null_keys_keep_dive_defaults() {
    for text in [
        "",
        "rules:\n",
        "rules: ~\n",
        "other: 1\n",
        "rules:\n  lowestEfficiency:\n  highestUserWastedPercent: null\n",
    ] {
        assert_eq!(parse(text).unwrap(), defaults(), "{text:?}");
    }
    // an empty quoted string is not null: it disables the rule
    let r = parse("rules:\n  lowestEfficiency: \"\"\n").unwrap();
    assert_eq!(r[0].config, "disabled");
    // an alias is its anchor's value
    let r = parse("x: &t 0.42\nrules:\n  lowestEfficiency: *t\n").unwrap();
    assert_eq!(r[0].config, "0.42");
}

#[test]
fn a_broken_file_names_the_key_and_line() {
    let e = parse("rules:\n  lowestEfficiency: [0.9]\n  highestWastedBytes: 20 XB\n").unwrap_err();
    let shown: Vec<String> = e.iter().map(ToString::to_string).collect();
    assert_eq!(
        shown,
        [
            "line 2: rules.lowestEfficiency: expected a single value, found a list or mapping",
            "line 3: rules.highestWastedBytes: invalid highestWastedBytes config value, given \"20 XB\": unhandled size name: xb",
        ]
    );
    let e = parse("rules:\n  lowestEfficiency: 0.9\n  lowestEfficiency: 0.8\n").unwrap_err();
    assert_eq!(
        e[0].to_string(),
        "line 3: rules.lowestEfficiency: given more than once"
    );
    let e = parse("rules: strict\n").unwrap_err();
    assert_eq!(e[0].to_string(), "line 1: `rules` is not a mapping");
    let e = parse("- rules\n").unwrap_err();
    assert!(e[0].to_string().contains("not a mapping"), "{:?}", e);
    let e = parse("rules:\n  lowestEfficiency: \"0.9\n").unwrap_err();
    assert!(e[0].message.starts_with("not YAML"), "{:?}", e);
}
