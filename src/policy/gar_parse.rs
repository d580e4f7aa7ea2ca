//! Reading an Artifact Registry cleanup policy file (the gcloud list form) with the
//! validation gcloud and the API apply (lifecycle.md §2.2); errors name the policy and
//! the field.

use super::{Body, Condition, GarAction, GarPolicy, GarRule, TagState, MAX_POLICIES};
use crate::policy::PolicyError;
use serde_json::{Map, Value};
use std::collections::HashSet;

/// `30d`, `12h`, `5m`, `2592000s` (gcloud's forms) into seconds.
pub fn parse_duration(s: &str) -> Result<i64, String> {
    let s = s.trim();
    let (num, mult) = match s.chars().last() {
        Some('s') => (&s[..s.len() - 1], 1),
        Some('m') => (&s[..s.len() - 1], 60),
        Some('h') => (&s[..s.len() - 1], 3600),
        Some('d') => (&s[..s.len() - 1], 86_400),
        _ => return Err(format!("{s:?} needs a unit: s, m, h or d (as in \"30d\")")),
    };
    let n: i64 = num
        .parse()
        .map_err(|_| format!("{s:?} is not a whole number followed by s, m, h or d"))?;
    if n < 0 {
        return Err(format!("{s:?} is negative"));
    }
    Ok(n * mult)
}

fn prefixes(
    v: Option<&Value>,
    field: &str,
    rule: &str,
    errs: &mut Vec<PolicyError>,
) -> Vec<String> {
    match v {
        None => Vec::new(),
        Some(Value::Array(a)) => a
            .iter()
            .enumerate()
            .filter_map(|(j, x)| match x.as_str() {
                Some(s) => Some(s.to_string()),
                None => {
                    errs.push(PolicyError::new(
                        Some(rule.into()),
                        Some(&format!("{field}[{j}]")),
                        "must be a string",
                    ));
                    None
                }
            })
            .collect(),
        Some(_) => {
            errs.push(PolicyError::new(
                Some(rule.into()),
                Some(field),
                "must be a list of strings",
            ));
            Vec::new()
        }
    }
}

fn check_keys(
    o: &Map<String, Value>,
    allowed: &[&str],
    prefix: &str,
    rule: &str,
    errs: &mut Vec<PolicyError>,
) {
    for k in o.keys() {
        if !allowed.contains(&k.as_str()) {
            errs.push(PolicyError::new(
                Some(rule.into()),
                Some(&format!("{prefix}{k}")),
                format!("unknown property (allowed: {})", allowed.join(", ")),
            ));
        }
    }
}

impl GarPolicy {
    pub fn parse(text: &str) -> Result<GarPolicy, PolicyError> {
        let v: Value = crate::policy::error::parse_json(text)?;
        let Some(list) = v.as_array() else {
            return Err(PolicyError::policy(
                "a cleanup policy file is a JSON list of policies",
            ));
        };
        let mut errs = Vec::new();
        if list.len() > MAX_POLICIES {
            errs.push(PolicyError::policy(format!(
                // plural: never one: more than the maximum
                "{} policies; a repository holds at most {MAX_POLICIES}",
                list.len()
            )));
        }
        let mut names = HashSet::new();
        let mut rules = Vec::new();
        for (i, item) in list.iter().enumerate() {
            let Some(o) = item.as_object() else {
                errs.push(PolicyError::new(
                    Some(format!("policy {}", i + 1)),
                    None,
                    "must be an object",
                ));
                continue;
            };
            let name = o
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            let rn = if name.is_empty() {
                format!("policy {}", i + 1)
            } else {
                format!("policy {:?}", name)
            };
            check_keys(
                o,
                &["name", "action", "condition", "mostRecentVersions"],
                "",
                &rn,
                &mut errs,
            );
            if name.is_empty() {
                errs.push(PolicyError::new(
                    Some(rn.clone()),
                    Some("name"),
                    "is required",
                ));
            } else if name.len() >= 128 {
                errs.push(PolicyError::new(
                    Some(rn.clone()),
                    Some("name"),
                    "must be shorter than 128 characters",
                ));
            } else if !names.insert(name.clone()) {
                errs.push(PolicyError::new(
                    Some(rn.clone()),
                    Some("name"),
                    "is used by another policy; names must be unique",
                ));
            }
            let action = match o
                .get("action")
                .and_then(|a| a.get("type"))
                .and_then(Value::as_str)
            {
                Some(t) if t.eq_ignore_ascii_case("delete") => Some(GarAction::Delete),
                Some(t) if t.eq_ignore_ascii_case("keep") => Some(GarAction::Keep),
                Some(t) => {
                    errs.push(PolicyError::new(
                        Some(rn.clone()),
                        Some("action.type"),
                        format!("{t:?} is not Delete or Keep"),
                    ));
                    None
                }
                None => {
                    errs.push(PolicyError::new(
                        Some(rn.clone()),
                        Some("action.type"),
                        "is required (Delete or Keep)",
                    ));
                    None
                }
            };
            let body = match (o.get("condition"), o.get("mostRecentVersions")) {
                (Some(_), Some(_)) => {
                    errs.push(PolicyError::new(
                        Some(rn.clone()),
                        Some("mostRecentVersions"),
                        "give either condition or mostRecentVersions, not both",
                    ));
                    None
                }
                (None, None) => {
                    errs.push(PolicyError::new(
                        Some(rn.clone()),
                        Some("condition"),
                        "one of condition or mostRecentVersions is required",
                    ));
                    None
                }
                (Some(c), None) => parse_condition(c, &rn, &mut errs).map(Body::Condition),
                (None, Some(m)) => {
                    if action == Some(GarAction::Delete) {
                        errs.push(PolicyError::new(
                            Some(rn.clone()),
                            Some("mostRecentVersions"),
                            "is only allowed with action Keep",
                        ));
                    }
                    parse_most_recent(m, &rn, &mut errs)
                }
            };
            if let (Some(action), Some(body)) = (action, body) {
                rules.push(GarRule { name, action, body });
            }
        }
        match PolicyError::collect(errs) {
            Some(e) => Err(e),
            None => Ok(GarPolicy { rules }),
        }
    }
}

fn parse_condition(c: &Value, rn: &str, errs: &mut Vec<PolicyError>) -> Option<Condition> {
    let Some(o) = c.as_object() else {
        errs.push(PolicyError::new(
            Some(rn.into()),
            Some("condition"),
            "must be an object",
        ));
        return None;
    };
    check_keys(
        o,
        &[
            "tagState",
            "tagPrefixes",
            "versionNamePrefixes",
            "packageNamePrefixes",
            "olderThan",
            "newerThan",
            "versionAge",
        ],
        "condition.",
        rn,
        errs,
    );
    let tag_state = match o
        .get("tagState")
        .and_then(Value::as_str)
        .map(str::to_ascii_uppercase)
        .as_deref()
    {
        None | Some("ANY") => TagState::Any,
        Some("TAGGED") => TagState::Tagged,
        Some("UNTAGGED") => TagState::Untagged,
        Some(other) => {
            errs.push(PolicyError::new(
                Some(rn.into()),
                Some("condition.tagState"),
                format!("{other:?} is not TAGGED, UNTAGGED or ANY"),
            ));
            TagState::Any
        }
    };
    let tag_prefixes = prefixes(o.get("tagPrefixes"), "condition.tagPrefixes", rn, errs);
    if !tag_prefixes.is_empty() && tag_state != TagState::Tagged {
        errs.push(PolicyError::new(
            Some(rn.into()),
            Some("condition.tagPrefixes"),
            "requires tagState TAGGED",
        ));
    }
    let mut dur = |key: &str| -> Option<i64> {
        let v = o.get(key)?;
        match v.as_str().map(parse_duration) {
            Some(Ok(s)) => Some(s),
            Some(Err(e)) => {
                errs.push(PolicyError::new(
                    Some(rn.into()),
                    Some(&format!("condition.{key}")),
                    e,
                ));
                None
            }
            None => {
                errs.push(PolicyError::new(
                    Some(rn.into()),
                    Some(&format!("condition.{key}")),
                    "must be a string such as \"30d\"",
                ));
                None
            }
        }
    };
    let older = dur("olderThan").or_else(|| dur("versionAge"));
    let newer = dur("newerThan");
    Some(Condition {
        tag_state,
        tag_prefixes,
        version_prefixes: prefixes(
            o.get("versionNamePrefixes"),
            "condition.versionNamePrefixes",
            rn,
            errs,
        ),
        package_prefixes: prefixes(
            o.get("packageNamePrefixes"),
            "condition.packageNamePrefixes",
            rn,
            errs,
        ),
        older_than_secs: older,
        newer_than_secs: newer,
    })
}

fn parse_most_recent(m: &Value, rn: &str, errs: &mut Vec<PolicyError>) -> Option<Body> {
    let Some(o) = m.as_object() else {
        errs.push(PolicyError::new(
            Some(rn.into()),
            Some("mostRecentVersions"),
            "must be an object",
        ));
        return None;
    };
    check_keys(
        o,
        &["packageNamePrefixes", "keepCount"],
        "mostRecentVersions.",
        rn,
        errs,
    );
    let keep = match o.get("keepCount").map(|v| v.as_u64()) {
        Some(Some(n)) => n as usize,
        Some(None) => {
            errs.push(PolicyError::new(
                Some(rn.into()),
                Some("mostRecentVersions.keepCount"),
                "must be a non-negative integer",
            ));
            0
        }
        None => {
            errs.push(PolicyError::new(
                Some(rn.into()),
                Some("mostRecentVersions.keepCount"),
                "is required",
            ));
            0
        }
    };
    Some(Body::MostRecent {
        package_prefixes: prefixes(
            o.get("packageNamePrefixes"),
            "mostRecentVersions.packageNamePrefixes",
            rn,
            errs,
        ),
        keep_count: keep,
    })
}
