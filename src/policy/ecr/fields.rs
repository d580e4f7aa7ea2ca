//! Reading the fields of an ECR lifecycle policy document the way ECR's strict schema
//! does: unknown keys, JSON nulls, enums and string lists are refused with the rule and
//! field named.

use crate::policy::PolicyError;
use serde_json::{Map, Value};

pub(super) fn rule_name(i: usize, prio: Option<i64>) -> String {
    match prio {
        Some(p) => format!("rule {} (rulePriority {p})", i + 1),
        None => format!("rule {}", i + 1),
    }
}

pub(super) fn null_error(rule: Option<String>, field: &str) -> PolicyError {
    PolicyError::new(
        rule,
        Some(field),
        "null is not accepted; omit the property instead (ECR: instance failed to match exactly one schema)",
    )
}

/// Reads `obj[key]`, refusing JSON null; `None` when absent.
pub(super) fn get<'a>(
    obj: &'a Map<String, Value>,
    key: &str,
    path: &str,
    rule: &str,
    errs: &mut Vec<PolicyError>,
) -> Option<&'a Value> {
    match obj.get(key) {
        Some(Value::Null) => {
            errs.push(null_error(Some(rule.into()), path));
            None
        }
        v => v,
    }
}

pub(super) fn unknown_keys(
    obj: &Map<String, Value>,
    allowed: &[&str],
    prefix: &str,
    rule: &str,
    errs: &mut Vec<PolicyError>,
) {
    for k in obj.keys() {
        if !allowed.contains(&k.as_str()) {
            errs.push(PolicyError::new(
                Some(rule.into()),
                Some(&format!("{prefix}{k}")),
                format!("unknown property (allowed: {})", allowed.join(", ")),
            ));
        }
    }
}

pub(super) fn enum_str<'a>(
    v: Option<&'a Value>,
    path: &str,
    allowed: &[&str],
    rule: &str,
    errs: &mut Vec<PolicyError>,
) -> Option<&'a str> {
    let v = v?;
    match v.as_str() {
        Some(s) if allowed.contains(&s) => Some(s),
        _ => {
            errs.push(PolicyError::new(
                Some(rule.into()),
                Some(path),
                format!("{v} is not one of {}", allowed.join(", ")),
            ));
            None
        }
    }
}

pub(super) fn string_list(
    v: Option<&Value>,
    path: &str,
    rule: &str,
    errs: &mut Vec<PolicyError>,
) -> Option<Vec<String>> {
    let v = v?;
    let Some(a) = v.as_array() else {
        errs.push(PolicyError::new(
            Some(rule.into()),
            Some(path),
            "must be an array of strings",
        ));
        return None;
    };
    if a.is_empty() {
        errs.push(PolicyError::new(
            Some(rule.into()),
            Some(path),
            "must hold at least one entry",
        ));
        return None;
    }
    let mut out = Vec::new();
    for (j, x) in a.iter().enumerate() {
        match x.as_str() {
            Some(s) if !s.is_empty() => out.push(s.to_string()),
            _ => errs.push(PolicyError::new(
                Some(rule.into()),
                Some(&format!("{path}[{j}]")),
                "must be a non-empty string",
            )),
        }
    }
    Some(out)
}
