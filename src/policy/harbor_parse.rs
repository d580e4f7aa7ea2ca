//! Reading a Harbor tag retention policy (`POST /api/v2.0/retentions` JSON) with the
//! validation Harbor applies (lifecycle.md §4.2); errors name the rule and field.

use super::*;

fn parse_selector(
    v: &Value,
    path: &str,
    rn: &str,
    repo: bool,
    errs: &mut Vec<PolicyError>,
) -> Option<Selector> {
    let o = v.as_object()?;
    if let Some(k) = o.get("kind").and_then(Value::as_str) {
        if k != "doublestar" {
            errs.push(PolicyError::new(
                Some(rn.into()),
                Some(&format!("{path}.kind")),
                format!("{k:?}: only \"doublestar\" is supported"),
            ));
        }
    }
    let deco = o.get("decoration").and_then(Value::as_str).unwrap_or("");
    let matches = match (repo, deco) {
        (true, "repoMatches") | (false, "matches") => true,
        (true, "repoExcludes") | (false, "excludes") => false,
        _ => {
            errs.push(PolicyError::new(
                Some(rn.into()),
                Some(&format!("{path}.decoration")),
                format!(
                    "{deco:?} is not {}",
                    if repo {
                        "repoMatches or repoExcludes"
                    } else {
                        "matches or excludes"
                    }
                ),
            ));
            return None;
        }
    };
    let pattern = o
        .get("pattern")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    if let Err(e) = doublestar::check(&pattern) {
        errs.push(PolicyError::new(
            Some(rn.into()),
            Some(&format!("{path}.pattern")),
            e,
        ));
    }
    // `extras` is a JSON string in the API (`"{\"untagged\":true}"`); accept an object too.
    let extras = match o.get("extras") {
        Some(Value::String(s)) if !s.is_empty() => serde_json::from_str::<Value>(s).ok(),
        Some(v @ Value::Object(_)) => Some(v.clone()),
        _ => None,
    };
    let untagged = extras
        .as_ref()
        .map(|e| e.get("untagged").and_then(Value::as_bool).unwrap_or(false));
    Some(Selector {
        matches,
        glob: doublestar::Pattern::new(&pattern),
        pattern,
        untagged,
    })
}

impl HarborPolicy {
    pub fn parse(text: &str) -> Result<HarborPolicy, PolicyError> {
        let v: Value = crate::policy::error::parse_json(text)?;
        let Some(top) = v.as_object() else {
            return Err(PolicyError::policy(
                "a retention policy is a JSON object with \"rules\"",
            ));
        };
        let mut errs = Vec::new();
        if let Some(a) = top.get("algorithm").and_then(Value::as_str) {
            if a != "or" {
                errs.push(PolicyError::new(
                    None,
                    Some("algorithm"),
                    format!("{a:?}: only \"or\" is supported"),
                ));
            }
        }
        if let Some(l) = v.pointer("/scope/level").and_then(Value::as_str) {
            if l != "project" {
                errs.push(PolicyError::new(
                    None,
                    Some("scope.level"),
                    format!("{l:?}: must be \"project\""),
                ));
            }
        }
        if let Some(cron) = v.pointer("/trigger/settings/cron").and_then(Value::as_str) {
            if !cron.is_empty() && cron.split_whitespace().count() != 6 {
                errs.push(PolicyError::new(
                    None,
                    Some("trigger.settings.cron"),
                    format!("{cron:?}: Harbor cron has 6 fields (seconds first)"),
                ));
            }
        }
        let rules_v = top
            .get("rules")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        if top.get("rules").is_none() {
            errs.push(PolicyError::new(None, Some("rules"), "is required"));
        }
        if rules_v.len() > MAX_RULES {
            errs.push(PolicyError::new(
                None,
                Some("rules"),
                // plural: never one: more than the maximum
                format!("{} rules; Harbor allows at most {MAX_RULES}", rules_v.len()),
            ));
        }
        let mut rules = Vec::new();
        for (i, r) in rules_v.iter().enumerate() {
            let rn = format!("rule {}", i + 1);
            if rules_v[..i].contains(r) {
                errs.push(PolicyError::new(
                    Some(rn.clone()),
                    None,
                    "is identical to an earlier rule (Harbor rejects this as a conflict)",
                ));
            }
            if r.get("disabled").and_then(Value::as_bool) == Some(true) {
                continue;
            }
            if let Some(a) = r.get("action").and_then(Value::as_str) {
                if a != "retain" {
                    errs.push(PolicyError::new(
                        Some(rn.clone()),
                        Some("action"),
                        format!("{a:?}: the only action is \"retain\""),
                    ));
                }
            }
            let tname = r
                .get("template")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            let Some(template) = Template::parse(&tname) else {
                errs.push(PolicyError::new(
                    Some(rn.clone()),
                    Some("template"),
                    format!("{tname:?} is not a registered template"),
                ));
                continue;
            };
            let param = if template == Template::Always {
                0
            } else {
                match r
                    .get("params")
                    .and_then(|p| p.get(&tname))
                    .and_then(Value::as_i64)
                {
                    Some(n) if template.is_days() && (0..=20_190_904).contains(&n) => n,
                    Some(n) if !template.is_days() && (0..32_767).contains(&n) => n,
                    Some(n) => {
                        errs.push(PolicyError::new(
                            Some(rn.clone()),
                            Some(&format!("params.{tname}")),
                            format!("{n} is out of range"),
                        ));
                        continue;
                    }
                    None => {
                        errs.push(PolicyError::new(
                            Some(rn.clone()),
                            Some(&format!("params.{tname}")),
                            "is required and must be an integer",
                        ));
                        continue;
                    }
                }
            };
            let mut sel = |key: &str, repo: bool| -> Vec<Selector> {
                let arr = if repo {
                    r.pointer("/scope_selectors/repository")
                } else {
                    r.get(key)
                };
                arr.and_then(Value::as_array)
                    .map(|a| {
                        a.iter()
                            .enumerate()
                            .filter_map(|(j, s)| {
                                parse_selector(s, &format!("{key}[{j}]"), &rn, repo, &mut errs)
                            })
                            .collect()
                    })
                    .unwrap_or_default()
            };
            let tag_selectors = sel("tag_selectors", false);
            let repo_selectors = sel("scope_selectors.repository", true);
            let id = r
                .get("id")
                .map(|v| v.to_string())
                .or_else(|| r.get("priority").map(|p| format!("priority {p}")))
                .unwrap_or_else(|| format!("{}", i + 1));
            rules.push(HarborRule {
                id: format!("rule {id} ({tname})"),
                template,
                template_name: tname,
                param,
                tag_selectors,
                repo_selectors,
            });
        }
        match PolicyError::collect(errs) {
            Some(e) => Err(e),
            None => Ok(HarborPolicy { rules }),
        }
    }
}
