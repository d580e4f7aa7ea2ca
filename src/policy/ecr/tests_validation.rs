//! lifecycle.md §1.3 validation vectors (ECR-D7..D11) and each rule of §1.3.

use super::tests::rule;
use super::EcrPolicy;

fn check(rules: &[String]) -> Result<EcrPolicy, String> {
    EcrPolicy::parse(&format!(r#"{{"rules":[{}]}}"#, rules.join(","))).map_err(|e| e.to_string())
}

fn rejects(rules: &[String], needle: &str) {
    match check(rules) {
        Ok(_) => panic!("accepted, expected an error mentioning {needle:?}: {rules:?}"),
        Err(e) => assert!(e.contains(needle), "error {e:?} lacks {needle:?}"),
    }
}

const ANY: &str = r#""tagStatus":"any""#;
const UNTAGGED: &str = r#""tagStatus":"untagged""#;

#[test]
fn ecr_d7_at_most_four_wildcards() {
    let ok = r#""tagStatus":"tagged","tagPatternList":["*test*1*2*3","test*1*2*3*"]"#;
    check(&[rule(1, ok, "imageCountMoreThan", 5, "expire")]).unwrap();
    let bad = r#""tagStatus":"tagged","tagPatternList":["test*1*2*3*4*5*6"]"#;
    rejects(
        &[rule(1, bad, "imageCountMoreThan", 5, "expire")],
        "selection.tagPatternList[0]",
    );
}

#[test]
fn ecr_d8_any_must_be_last_per_storage_class() {
    let v = r#""tagStatus":"tagged","tagPatternList":["v*"]"#;
    rejects(
        &[
            rule(1, ANY, "imageCountMoreThan", 5, "expire"),
            rule(2, v, "imageCountMoreThan", 3, "expire"),
        ],
        "tagStatus=ANY must have the lowest priority",
    );
}

#[test]
fn ecr_d9_one_untagged_rule_per_storage_class() {
    rejects(
        &[
            rule(1, UNTAGGED, "imageCountMoreThan", 5, "expire"),
            rule(2, UNTAGGED, "sinceImagePushed", 3, "expire"),
        ],
        "Only one rule can select Untagged images per storage class",
    );
}

#[test]
fn ecr_d10_pulled_needs_transition_and_transitioned_needs_90_days() {
    rejects(
        &[rule(1, ANY, "sinceImagePulled", 90, "expire")],
        "sinceImagePulled can only transition",
    );
    let archive = r#""tagStatus":"any","storageClass":"archive""#;
    rejects(
        &[rule(1, archive, "sinceImageTransitioned", 30, "expire")],
        "90-day minimum",
    );
}

#[test]
fn ecr_d11_valid_two_class_policy() {
    let archive = r#""tagStatus":"any","storageClass":"archive""#;
    let p = check(&[
        rule(1, ANY, "sinceImagePushed", 30, "transition"),
        rule(2, archive, "sinceImageTransitioned", 365, "expire"),
    ])
    .unwrap();
    assert_eq!(p.rules.len(), 2);
}

#[test]
fn own_minimum_length_is_100_characters() {
    let short = r#"{"rules":[{"rulePriority":1,"selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":1},"action":{"type":"expire"}}]}"#;
    assert!(short.len() >= 100);
    EcrPolicy::parse(short).unwrap();
    let tiny = r#"{"rules":[]}"#;
    let e = EcrPolicy::parse(tiny).unwrap_err().to_string();
    assert!(e.contains("at least 100"), "{e}");
}

#[test]
fn own_at_most_50_rules() {
    let mut rules: Vec<String> = (1..=51)
        .map(|i| {
            rule(
                i,
                &format!(r#""tagStatus":"tagged","tagPatternList":["t{i}-*"]"#),
                "imageCountMoreThan",
                5,
                "expire",
            )
        })
        .collect();
    let e = check(&rules).unwrap_err();
    assert!(e.contains("at most 50"), "{e}");
    rules.pop();
    check(&rules).unwrap();
}

#[test]
fn own_null_and_unknown_properties_are_rejected() {
    let with_null = r#"{"rulePriority":1,"selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":3},"action":{"type":"expire","targetStorageClass":null}}"#;
    let e = check(&[with_null.to_string()]).unwrap_err();
    assert!(
        e.contains("rule 1 (rulePriority 1): action.targetStorageClass: null"),
        "{e}"
    );
    let unknown = r#"{"rulePriority":1,"selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":3,"colour":"red"},"action":{"type":"expire"}}"#;
    let e = check(&[unknown.to_string()]).unwrap_err();
    assert!(e.contains("selection.colour: unknown property"), "{e}");
}

#[test]
fn own_field_rules() {
    // countUnit forbidden with imageCountMoreThan
    let r = r#"{"rulePriority":1,"selection":{"tagStatus":"any","countType":"imageCountMoreThan","countUnit":"days","countNumber":3},"action":{"type":"expire"}}"#;
    rejects(&[r.to_string()], "countUnit: must not be given");
    // countUnit required for time-based
    let r = r#"{"rulePriority":1,"selection":{"tagStatus":"any","countType":"sinceImagePushed","countNumber":3},"action":{"type":"expire"}}"#;
    rejects(&[r.to_string()], "selection.countUnit: is required");
    // countNumber >= 1
    rejects(
        &[rule(1, ANY, "imageCountMoreThan", 0, "expire")],
        "selection.countNumber",
    );
    // tagged needs a list; untagged/any forbid one
    rejects(
        &[rule(
            1,
            r#""tagStatus":"tagged""#,
            "imageCountMoreThan",
            1,
            "expire",
        )],
        "Must specify tagPrefixList or tagPatternList",
    );
    rejects(
        &[rule(
            1,
            r#""tagStatus":"any","tagPrefixList":["x"]"#,
            "imageCountMoreThan",
            1,
            "expire",
        )],
        "only allowed with tagStatus",
    );
    rejects(
        &[rule(
            1,
            r#""tagStatus":"tagged","tagPrefixList":["x"],"tagPatternList":["y*"]"#,
            "imageCountMoreThan",
            1,
            "expire",
        )],
        "cannot both",
    );
    // archive only with sinceImageTransitioned; transitioned needs archive
    rejects(
        &[rule(
            1,
            r#""tagStatus":"any","storageClass":"archive""#,
            "sinceImagePushed",
            100,
            "expire",
        )],
        "only allowed with sinceImageTransitioned",
    );
    rejects(
        &[rule(1, ANY, "sinceImageTransitioned", 100, "expire")],
        "requires storageClass",
    );
    // transition needs targetStorageClass; expire forbids it
    let r = r#"{"rulePriority":1,"selection":{"tagStatus":"any","countType":"sinceImagePushed","countUnit":"days","countNumber":3},"action":{"type":"transition"}}"#;
    rejects(&[r.to_string()], "action.targetStorageClass: is required");
    let r = r#"{"rulePriority":1,"selection":{"tagStatus":"any","countType":"sinceImagePushed","countUnit":"days","countNumber":3},"action":{"type":"expire","targetStorageClass":"archive"}}"#;
    rejects(&[r.to_string()], "must be absent");
    // priorities unique and >= 1
    let v = |p| {
        rule(
            p,
            &format!(r#""tagStatus":"tagged","tagPatternList":["v{p}*"]"#),
            "imageCountMoreThan",
            1,
            "expire",
        )
    };
    rejects(
        &[v(1), v(1).replace("v1*", "w*")],
        "priorities must be unique",
    );
    rejects(&[v(0)], "must be 1 or more");
    // identical tag lists in the same class
    let same = r#""tagStatus":"tagged","tagPatternList":["a*","b*"]"#;
    let same2 = r#""tagStatus":"tagged","tagPatternList":["b*","a*"]"#;
    rejects(
        &[
            rule(1, same, "imageCountMoreThan", 1, "expire"),
            rule(2, same2, "sinceImagePushed", 3, "expire"),
        ],
        "unique set of prefixes",
    );
    // one untagged + one any is fine (AWS example)
    check(&[
        rule(1, UNTAGGED, "sinceImagePushed", 1, "expire"),
        rule(2, ANY, "imageCountMoreThan", 1, "expire"),
    ])
    .unwrap();
}

#[test]
fn own_every_problem_is_reported_with_rule_and_field() {
    let e = check(&[
        rule(1, ANY, "sinceImagePulled", 90, "expire"),
        rule(2, UNTAGGED, "imageCountMoreThan", 0, "expire"),
    ])
    .unwrap_err();
    assert!(e.contains("rule 1 (rulePriority 1): action.type"), "{e}");
    assert!(
        e.contains("rule 2 (rulePriority 2): selection.countNumber"),
        "{e}"
    );
}

#[test]
fn own_syntax_error_names_line_and_column() {
    let e = EcrPolicy::parse("{\"rules\": [\n  {,}\n]}")
        .unwrap_err()
        .to_string();
    assert!(e.contains("not valid JSON") && e.contains("line 2"), "{e}");
}
