//! Parsing and validation of ECR lifecycle policy text (lifecycle.md §1.2–§1.3). ECR's
//! service uses a strict JSON schema; we reject the same things and name the rule and field.
//! Every problem in the file is reported, not only the first.

use super::checks::{cross_rule_checks, parse_action};
use super::fields::*;
use super::{CountType, EcrAction, EcrPolicy, EcrRule, TagList, TagStatus};
use crate::model::StorageClass;
use crate::policy::PolicyError;
use serde_json::{Map, Value};

const MIN_LEN: usize = 100;
const MAX_LEN: usize = 30_720;
const MAX_RULES: usize = 50;

impl EcrPolicy {
    pub fn parse(text: &str) -> Result<EcrPolicy, PolicyError> {
        let value: Value = crate::policy::error::parse_json(text)?;
        let mut errs = Vec::new();
        let len = text.chars().count();
        if len < MIN_LEN {
            errs.push(PolicyError::policy(format!(
                "the policy text is {len} characters; ECR requires at least {MIN_LEN} (lifecyclePolicyText minimum length)"
            )));
        }
        if len > MAX_LEN {
            errs.push(PolicyError::policy(format!(
                "the policy text is {len} characters; ECR allows at most {MAX_LEN}"
            )));
        }
        let Some(top) = value.as_object() else {
            return Err(PolicyError::policy(
                "a lifecycle policy is a JSON object with a \"rules\" array",
            ));
        };
        for k in top.keys() {
            if k != "rules" {
                errs.push(PolicyError::new(None, Some(k), "unknown property"));
            }
        }
        let rules = match top.get("rules") {
            Some(Value::Array(a)) => a.as_slice(),
            Some(Value::Null) => {
                errs.push(null_error(None, "rules"));
                &[]
            }
            Some(_) => {
                errs.push(PolicyError::new(None, Some("rules"), "must be an array"));
                &[]
            }
            None => {
                errs.push(PolicyError::new(None, Some("rules"), "is required"));
                &[]
            }
        };
        if top.get("rules").is_some_and(Value::is_array) && rules.is_empty() {
            errs.push(PolicyError::new(
                None,
                Some("rules"),
                "needs at least one rule",
            ));
        }
        if rules.len() > MAX_RULES {
            errs.push(PolicyError::new(
                None,
                Some("rules"),
                // plural: never one: more than the maximum
                format!("{} rules; ECR allows at most {MAX_RULES}", rules.len()),
            ));
        }
        let mut parsed = Vec::new();
        for (i, r) in rules.iter().enumerate() {
            match parse_rule(i, r) {
                Ok(rule) => parsed.push(rule),
                Err(mut e) => errs.append(&mut e),
            }
        }
        cross_rule_checks(&parsed, &mut errs);
        if let Some(e) = PolicyError::collect(errs) {
            return Err(e);
        }
        parsed.sort_by_key(|r| r.priority);
        Ok(EcrPolicy { rules: parsed })
    }
}

fn parse_rule(i: usize, r: &Value) -> Result<EcrRule, Vec<PolicyError>> {
    let mut errs = Vec::new();
    let Some(obj) = r.as_object() else {
        return Err(vec![PolicyError::new(
            Some(rule_name(i, None)),
            None,
            "a rule must be a JSON object",
        )]);
    };
    let prio_v = obj.get("rulePriority");
    let prio = prio_v.and_then(Value::as_i64);
    let rn = rule_name(i, prio);
    unknown_keys(
        obj,
        &["rulePriority", "description", "selection", "action"],
        "",
        &rn,
        &mut errs,
    );
    match prio_v {
        None => errs.push(PolicyError::new(
            Some(rn.clone()),
            Some("rulePriority"),
            "is required",
        )),
        Some(Value::Null) => errs.push(null_error(Some(rn.clone()), "rulePriority")),
        Some(v) if prio.is_none() || v.is_f64() => errs.push(PolicyError::new(
            Some(rn.clone()),
            Some("rulePriority"),
            format!("{v} is not an integer"),
        )),
        // Whether 0 or negatives pass ECR is undocumented; we accept >= 1 (lifecycle.md §1.3.4).
        Some(_) if prio.unwrap_or(0) < 1 => errs.push(PolicyError::new(
            Some(rn.clone()),
            Some("rulePriority"),
            "must be 1 or more",
        )),
        _ => {}
    }
    let description = match get(obj, "description", "description", &rn, &mut errs) {
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => {
            errs.push(PolicyError::new(
                Some(rn.clone()),
                Some("description"),
                "must be a string",
            ));
            None
        }
        None => None,
    };
    let empty = Map::new();
    let sel = match get(obj, "selection", "selection", &rn, &mut errs) {
        Some(Value::Object(m)) => m,
        Some(_) => {
            errs.push(PolicyError::new(
                Some(rn.clone()),
                Some("selection"),
                "must be an object",
            ));
            &empty
        }
        None => {
            if !obj.contains_key("selection") {
                errs.push(PolicyError::new(
                    Some(rn.clone()),
                    Some("selection"),
                    "is required",
                ));
            }
            &empty
        }
    };
    unknown_keys(
        sel,
        &[
            "tagStatus",
            "tagPatternList",
            "tagPrefixList",
            "storageClass",
            "countType",
            "countUnit",
            "countNumber",
        ],
        "selection.",
        &rn,
        &mut errs,
    );
    let tag_status = enum_str(
        get(sel, "tagStatus", "selection.tagStatus", &rn, &mut errs),
        "selection.tagStatus",
        &["tagged", "untagged", "any"],
        &rn,
        &mut errs,
    )
    .map(|s| match s {
        "tagged" => TagStatus::Tagged,
        "untagged" => TagStatus::Untagged,
        _ => TagStatus::Any,
    });
    if !sel.contains_key("tagStatus") && !sel.is_empty() {
        errs.push(PolicyError::new(
            Some(rn.clone()),
            Some("selection.tagStatus"),
            "is required",
        ));
    }
    let patterns = string_list(
        get(
            sel,
            "tagPatternList",
            "selection.tagPatternList",
            &rn,
            &mut errs,
        ),
        "selection.tagPatternList",
        &rn,
        &mut errs,
    );
    let prefixes = string_list(
        get(
            sel,
            "tagPrefixList",
            "selection.tagPrefixList",
            &rn,
            &mut errs,
        ),
        "selection.tagPrefixList",
        &rn,
        &mut errs,
    );
    if let Some(p) = &patterns {
        for (j, pat) in p.iter().enumerate() {
            let stars = pat.matches('*').count();
            if stars > 4 {
                errs.push(PolicyError::new(
                    Some(rn.clone()),
                    Some(&format!("selection.tagPatternList[{j}]")),
                    format!("{pat:?} has {stars} wildcards; ECR allows at most 4 '*' per pattern"),
                ));
            }
        }
    }
    let has_list = sel.contains_key("tagPatternList") || sel.contains_key("tagPrefixList");
    match tag_status {
        Some(TagStatus::Tagged) => {
            if sel.contains_key("tagPatternList") && sel.contains_key("tagPrefixList") {
                errs.push(PolicyError::new(
                    Some(rn.clone()),
                    Some("selection.tagPatternList"),
                    "tagPatternList and tagPrefixList cannot both be given; use one",
                ));
            } else if !has_list {
                errs.push(PolicyError::new(
                    Some(rn.clone()),
                    Some("selection.tagStatus"),
                    "Must specify tagPrefixList or tagPatternList when tagStatus=TAGGED.",
                ));
            }
        }
        Some(s) if has_list => errs.push(PolicyError::new(
            Some(rn.clone()),
            Some(if sel.contains_key("tagPatternList") {
                "selection.tagPatternList"
            } else {
                "selection.tagPrefixList"
            }),
            format!(
                "tag lists are only allowed with tagStatus \"tagged\", not {:?}",
                if s == TagStatus::Any {
                    "any"
                } else {
                    "untagged"
                }
            ),
        )),
        _ => {}
    }
    let storage_class_given = enum_str(
        get(
            sel,
            "storageClass",
            "selection.storageClass",
            &rn,
            &mut errs,
        ),
        "selection.storageClass",
        &["standard", "archive"],
        &rn,
        &mut errs,
    );
    let storage_class = match storage_class_given {
        Some("archive") => StorageClass::Archive,
        _ => StorageClass::Standard,
    };
    let count_type = enum_str(
        get(sel, "countType", "selection.countType", &rn, &mut errs),
        "selection.countType",
        &[
            "imageCountMoreThan",
            "sinceImagePushed",
            "sinceImagePulled",
            "sinceImageTransitioned",
        ],
        &rn,
        &mut errs,
    )
    .map(|s| match s {
        "imageCountMoreThan" => CountType::ImageCountMoreThan,
        "sinceImagePushed" => CountType::SinceImagePushed,
        "sinceImagePulled" => CountType::SinceImagePulled,
        _ => CountType::SinceImageTransitioned,
    });
    if !sel.contains_key("countType") && !sel.is_empty() {
        errs.push(PolicyError::new(
            Some(rn.clone()),
            Some("selection.countType"),
            "is required",
        ));
    }
    let unit = enum_str(
        get(sel, "countUnit", "selection.countUnit", &rn, &mut errs),
        "selection.countUnit",
        &["days"],
        &rn,
        &mut errs,
    );
    let count_number = match get(sel, "countNumber", "selection.countNumber", &rn, &mut errs) {
        Some(v) => match v.as_u64() {
            Some(n) if n >= 1 && !v.is_f64() => Some(n),
            _ => {
                errs.push(PolicyError::new(
                    Some(rn.clone()),
                    Some("selection.countNumber"),
                    format!("{v} is not a positive integer (minimum 1)"),
                ));
                None
            }
        },
        None => {
            if !sel.contains_key("countNumber") && !sel.is_empty() {
                errs.push(PolicyError::new(
                    Some(rn.clone()),
                    Some("selection.countNumber"),
                    "is required",
                ));
            }
            None
        }
    };
    if let Some(ct) = count_type {
        let time_based = ct != CountType::ImageCountMoreThan;
        if time_based && !sel.contains_key("countUnit") {
            errs.push(PolicyError::new(
                Some(rn.clone()),
                Some("selection.countUnit"),
                format!("is required with countType {} (\"days\")", ct.as_str()),
            ));
        }
        if !time_based && unit.is_some() {
            errs.push(PolicyError::new(
                Some(rn.clone()),
                Some("selection.countUnit"),
                "must not be given with countType imageCountMoreThan",
            ));
        }
        if ct == CountType::SinceImageTransitioned {
            if storage_class_given != Some("archive") {
                errs.push(PolicyError::new(
                    Some(rn.clone()),
                    Some("selection.storageClass"),
                    "sinceImageTransitioned requires storageClass \"archive\"",
                ));
            }
            if let Some(n) = count_number {
                if n < 90 {
                    errs.push(PolicyError::new(
                        Some(rn.clone()),
                        Some("selection.countNumber"),
                        format!(
                            "{} is below the 90-day minimum storage duration of archived images",
                            crate::text::count(n, "day")
                        ),
                    ));
                }
            }
        } else if storage_class_given == Some("archive") {
            errs.push(PolicyError::new(
                Some(rn.clone()),
                Some("selection.storageClass"),
                format!(
                    "\"archive\" is only allowed with sinceImageTransitioned, not {}",
                    ct.as_str()
                ),
            ));
        }
    }
    let action = parse_action(obj, count_type, &rn, &mut errs);
    if !errs.is_empty() {
        return Err(errs);
    }
    Ok(EcrRule {
        priority: prio.unwrap_or(0),
        description,
        tag_status: tag_status.unwrap_or(TagStatus::Any),
        tag_list: patterns
            .map(TagList::Patterns)
            .or(prefixes.map(TagList::Prefixes)),
        storage_class,
        count_type: count_type.unwrap_or(CountType::ImageCountMoreThan),
        count_number: count_number.unwrap_or(1),
        action: action.unwrap_or(EcrAction::Expire),
    })
}
