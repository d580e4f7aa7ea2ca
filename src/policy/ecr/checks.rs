//! ECR lifecycle policy validation beyond one field: the action block, and the checks
//! across rules (unique priorities, `any` last and one `untagged` rule per storage class,
//! unique tag lists), with ECR's own wording where it is known (lifecycle.md §1.3).

use super::fields::*;
use super::{CountType, EcrAction, EcrRule, TagList, TagStatus};
use crate::model::StorageClass;
use crate::policy::PolicyError;
use serde_json::{Map, Value};
use std::collections::{HashMap, HashSet};

pub(super) fn parse_action(
    obj: &Map<String, Value>,
    count_type: Option<CountType>,
    rn: &str,
    errs: &mut Vec<PolicyError>,
) -> Option<EcrAction> {
    let act = match get(obj, "action", "action", rn, errs) {
        Some(Value::Object(m)) => m,
        Some(_) => {
            errs.push(PolicyError::new(
                Some(rn.into()),
                Some("action"),
                "must be an object",
            ));
            return None;
        }
        None => {
            if !obj.contains_key("action") {
                errs.push(PolicyError::new(
                    Some(rn.into()),
                    Some("action"),
                    "is required",
                ));
            }
            return None;
        }
    };
    unknown_keys(act, &["type", "targetStorageClass"], "action.", rn, errs);
    let ty = enum_str(
        get(act, "type", "action.type", rn, errs),
        "action.type",
        &["expire", "transition"],
        rn,
        errs,
    );
    if !act.contains_key("type") {
        errs.push(PolicyError::new(
            Some(rn.into()),
            Some("action.type"),
            "is required",
        ));
    }
    let target = enum_str(
        get(
            act,
            "targetStorageClass",
            "action.targetStorageClass",
            rn,
            errs,
        ),
        "action.targetStorageClass",
        &["archive"],
        rn,
        errs,
    );
    let action = match ty? {
        "transition" => {
            if target.is_none() && !act.contains_key("targetStorageClass") {
                errs.push(PolicyError::new(
                    Some(rn.into()),
                    Some("action.targetStorageClass"),
                    "is required with action type transition (\"archive\")",
                ));
            }
            EcrAction::Transition
        }
        _ => {
            if act.get("targetStorageClass").is_some_and(|v| !v.is_null()) {
                errs.push(PolicyError::new(
                    Some(rn.into()),
                    Some("action.targetStorageClass"),
                    "must be absent with action type expire",
                ));
            }
            EcrAction::Expire
        }
    };
    match (count_type, action) {
        (Some(CountType::SinceImagePulled), EcrAction::Expire) => errs.push(PolicyError::new(
            Some(rn.into()),
            Some("action.type"),
            "sinceImagePulled can only transition (to archive), never expire",
        )),
        (Some(CountType::SinceImageTransitioned), EcrAction::Transition) => {
            errs.push(PolicyError::new(
                Some(rn.into()),
                Some("action.type"),
                "sinceImageTransitioned can only expire",
            ))
        }
        _ => {}
    }
    Some(action)
}

pub(super) fn class_name(c: StorageClass) -> &'static str {
    match c {
        StorageClass::Standard => "standard",
        StorageClass::Archive => "archive",
    }
}

/// Checks across rules: unique priorities; per storage class the `any` rule comes last,
/// one `untagged` rule, and no two rules with the same tag list.
pub(super) fn cross_rule_checks(rules: &[EcrRule], errs: &mut Vec<PolicyError>) {
    let mut seen: HashMap<i64, usize> = HashMap::new();
    for r in rules {
        *seen.entry(r.priority).or_default() += 1;
    }
    let mut dup: Vec<_> = seen.into_iter().filter(|(_, n)| *n > 1).collect();
    dup.sort();
    for (p, n) in dup {
        errs.push(PolicyError::new(
            Some(format!("rulePriority {p}")),
            Some("rulePriority"),
            // plural: never one: a duplicate is two at least
            format!("used by {n} rules; priorities must be unique"),
        ));
    }
    for class in [StorageClass::Standard, StorageClass::Archive] {
        let in_class: Vec<&EcrRule> = rules.iter().filter(|r| r.storage_class == class).collect();
        let cname = class_name(class);
        let max_prio = in_class.iter().map(|r| r.priority).max();
        for r in &in_class {
            if r.tag_status == TagStatus::Any && Some(r.priority) != max_prio {
                errs.push(PolicyError::new(
                    Some(format!("rulePriority {}", r.priority)),
                    Some("selection.tagStatus"),
                    // plural: never one: not a count
                    format!("Rule for tagStatus=ANY must have the lowest priority per storage class (the highest rulePriority number among {cname} rules, here {})", max_prio.unwrap_or(0)),
                ));
            }
        }
        let any_count = in_class
            .iter()
            .filter(|r| r.tag_status == TagStatus::Any)
            .count();
        if any_count > 1 {
            errs.push(PolicyError::new(
                None,
                Some("selection.tagStatus"),
                // plural: never one: more than one
                format!("{any_count} rules with tagStatus=ANY in storage class {cname}; only one can be last"),
            ));
        }
        let untagged: Vec<i64> = in_class
            .iter()
            .filter(|r| r.tag_status == TagStatus::Untagged)
            .map(|r| r.priority)
            .collect();
        if untagged.len() > 1 {
            errs.push(PolicyError::new(
                Some(format!("rulePriority {}", untagged[1])),
                Some("selection.tagStatus"),
                format!("Only one rule can select Untagged images per storage class ({cname}: rulePriority {untagged:?})"),
            ));
        }
        // "Unique set of prefixes" is undocumented; identical lists (as sets) are rejected.
        let mut lists: HashMap<(bool, Vec<&str>), i64> = HashMap::new();
        for r in &in_class {
            let key = match &r.tag_list {
                Some(TagList::Patterns(p)) => (true, sorted_set(p)),
                Some(TagList::Prefixes(p)) => (false, sorted_set(p)),
                None => continue,
            };
            if let Some(other) = lists.insert(key, r.priority) {
                errs.push(PolicyError::new(
                    Some(format!("rulePriority {}", r.priority)),
                    Some("selection.tagPatternList"),
                    format!("the same tag list as rulePriority {other} in storage class {cname}; the rules must contain a unique set of prefixes"),
                ));
            }
        }
    }
}

pub(super) fn sorted_set(v: &[String]) -> Vec<&str> {
    let s: HashSet<&str> = v.iter().map(String::as_str).collect();
    let mut out: Vec<&str> = s.into_iter().collect();
    out.sort_unstable();
    out
}
