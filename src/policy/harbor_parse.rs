//! Reading a Harbor tag retention policy (`POST /api/v2.0/retentions` JSON) with the
//! validation Harbor applies (lifecycle.md §4.2); errors name the rule and field.

use super::*;

fn parse_selector(
    v: &Value,
    path: &str,
    rn: &str,
    errs: &mut Vec<PolicyError>,
) -> Option<Selector> {
    let o = v.as_object()?;
    // Harbor's selector index: an empty kind or decoration, an unknown kind or a decoration
    // the kind lacks fails the run (launch or build), so nothing is deleted; refuse it here.
    match o.get("kind").and_then(Value::as_str).unwrap_or("") {
        "doublestar" => {}
        "" => errs.push(PolicyError::new(
            Some(rn.into()),
            Some(&format!("{path}.kind")),
            "is required (\"doublestar\"); Harbor's run fails without it",
        )),
        k => errs.push(PolicyError::new(
            Some(rn.into()),
            Some(&format!("{path}.kind")),
            format!("{k:?}: only \"doublestar\" is supported"),
        )),
    }
    let deco = o.get("decoration").and_then(Value::as_str).unwrap_or("");
    if !Decoration::NAMES.iter().any(|(n, _)| *n == deco) {
        let names: Vec<&str> = Decoration::NAMES.iter().map(|(n, _)| *n).collect();
        errs.push(PolicyError::new(
            Some(rn.into()),
            Some(&format!("{path}.decoration")),
            format!("{deco:?} is not one of {}", names.join(", ")),
        ));
        return None;
    }
    // Harbor reads a non-string pattern as "" (match everything).
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
        Some(Value::String(s)) => s.clone(),
        Some(v @ Value::Object(_)) => v.to_string(),
        _ => String::new(),
    };
    Selector::doublestar(deco, &pattern, &extras)
}

impl Selector {
    /// Harbor's doublestar `New(decoration, pattern, extras)`; `None` for a decoration the
    /// selector index does not register.
    pub fn doublestar(decoration: &str, pattern: &str, extras: &str) -> Option<Selector> {
        let &(_, decoration) = Decoration::NAMES.iter().find(|(n, _)| *n == decoration)?;
        let default = decoration != Decoration::Excludes;
        Some(Selector {
            decoration,
            glob: doublestar::Pattern::new(pattern),
            pattern: pattern.to_string(),
            untagged: go_untagged(extras).unwrap_or(default),
        })
    }
}

/// What Go's `json.Unmarshal(extras, &struct{ Untagged bool `json:"untagged"` })` leaves in
/// `Untagged`, or `None` where it fails (Harbor then keeps its default): `""` and text that
/// is not JSON fail, `null` and objects without the key give false, keys match the field
/// name without regard to ASCII case and the last one wins, a null value leaves the field,
/// and a value of another type fails the whole call.
fn go_untagged(extras: &str) -> Option<bool> {
    match serde_json::from_str::<Value>(extras).ok()? {
        Value::Null => Some(false),
        Value::Object(_) => {
            // Go applies the keys in document order; serde_json's map sorts them.
            let Entries(entries) = serde_json::from_str(extras).ok()?;
            let mut untagged = false;
            for (k, v) in &entries {
                if !k.eq_ignore_ascii_case("untagged") {
                    continue;
                }
                match v {
                    Value::Bool(b) => untagged = *b,
                    Value::Null => {}
                    _ => return None,
                }
            }
            Some(untagged)
        }
        _ => None,
    }
}

/// A JSON object's entries in document order, duplicates kept.
struct Entries(Vec<(String, Value)>);

impl<'de> serde::Deserialize<'de> for Entries {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = Entries;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut m: A,
            ) -> Result<Entries, A::Error> {
                let mut v = Vec::new();
                while let Some(e) = m.next_entry::<String, Value>()? {
                    v.push(e);
                }
                Ok(Entries(v))
            }
        }
        d.deserialize_map(Visit)
    }
}

/// Go's `int(f)` on amd64: truncation toward zero, and the "integer indefinite" value
/// (i64::MIN) for a float out of range (JSON numbers reach Harbor as float64).
fn go_int(f: f64) -> i64 {
    let two_63 = -(i64::MIN as f64);
    if f > -two_63 && f < two_63 {
        f.trunc() as i64
    } else {
        i64::MIN
    }
}

/// A rule as Harbor's conflict check sees it: its Go struct marshalled with the id zeroed,
/// so unknown fields and the id do not count, absent fields are their zero values and
/// numbers in `params` are float64.
fn conflict_key(r: &Value) -> Value {
    fn numbers_as_floats(v: &Value) -> Value {
        match v {
            Value::Number(n) => n
                .as_f64()
                .and_then(serde_json::Number::from_f64)
                .map(Value::Number)
                .unwrap_or(Value::Null),
            Value::Array(a) => Value::Array(a.iter().map(numbers_as_floats).collect()),
            Value::Object(o) => Value::Object(
                o.iter()
                    .map(|(k, v)| (k.clone(), numbers_as_floats(v)))
                    .collect(),
            ),
            v => v.clone(),
        }
    }
    let str_of = |v: Option<&Value>| v.and_then(Value::as_str).unwrap_or("").to_string();
    let selectors = |v: Option<&Value>| -> Value {
        let list = v.and_then(Value::as_array).cloned().unwrap_or_default();
        Value::Array(
            list.iter()
                .map(|s| {
                    serde_json::json!([
                        str_of(s.get("kind")),
                        str_of(s.get("decoration")),
                        str_of(s.get("pattern")),
                        str_of(s.get("extras")),
                    ])
                })
                .collect(),
        )
    };
    let scopes: serde_json::Map<String, Value> = r
        .get("scope_selectors")
        .and_then(Value::as_object)
        .map(|o| {
            o.iter()
                .map(|(k, v)| (k.clone(), selectors(Some(v))))
                .collect()
        })
        .unwrap_or_default();
    serde_json::json!({
        "priority": r.get("priority").and_then(Value::as_i64).unwrap_or(0),
        "disabled": r.get("disabled").and_then(Value::as_bool).unwrap_or(false),
        "action": str_of(r.get("action")),
        "template": str_of(r.get("template")),
        "params": numbers_as_floats(r.get("params").unwrap_or(&Value::Null)),
        "tag_selectors": selectors(r.get("tag_selectors")),
        "scope_selectors": scopes,
    })
}

/// A rule's parameter as Harbor runs it, with a note where Harbor's template replaces it.
/// The key must be present (Harbor's rule index refuses to build the rule otherwise). The
/// four templates Harbor validates (`Valid` in latestps, latestpl, daysps, dayspl) refuse a
/// non-number, a negative and a too large value; latestActiveK and lastXDays have no
/// validator, and their `New` falls back to the default 10 instead.
fn read_param(
    template: Template,
    tname: &str,
    params: Option<&Value>,
) -> Result<(i64, Option<String>), String> {
    if template == Template::Always {
        return Ok((0, None));
    }
    let Some(v) = params.and_then(|p| p.get(tname)) else {
        return Err("is required".into());
    };
    // utils.ParseJSONInt: a JSON number arrives as float64 and is truncated by int().
    let n = v.as_f64().map(go_int);
    let max = match template {
        Template::LatestPushedK | Template::LatestPulledN => Some(i64::from(i16::MAX) - 1),
        Template::NDaysSinceLastPush | Template::NDaysSinceLastPull => Some(20_190_904),
        _ => None,
    };
    match (n, max) {
        (None, Some(_)) => Err(format!("{v}: type error, must be a number")),
        (Some(n), Some(_)) if n < 0 => Err(format!("{n} is less than zero")),
        (Some(n), Some(max)) if n > max => Err(format!("{n} is too large (at most {max})")),
        (Some(n), _) if n >= 0 => Ok((n, None)),
        _ => Ok((
            10,
            Some(format!(
                "{v} is not a count of zero or more; Harbor's {tname} then uses its default 10"
            )),
        )),
    }
}

/// Harbor's `ValidateRetentionPolicy`: only a `Schedule` trigger's cron is checked, and a
/// six-field cron must fire on second 0.
fn check_cron(v: &Value, errs: &mut Vec<PolicyError>) {
    if v.pointer("/trigger/kind").and_then(Value::as_str) != Some("Schedule") {
        return;
    }
    let Some(cron) = v.pointer("/trigger/settings/cron") else {
        return;
    };
    let Some(cron) = cron.as_str() else {
        errs.push(PolicyError::new(
            None,
            Some("trigger.settings.cron"),
            "must be a string",
        ));
        return;
    };
    if cron.is_empty() {
        return;
    }
    if cron.split_whitespace().count() != 6 {
        errs.push(PolicyError::new(
            None,
            Some("trigger.settings.cron"),
            format!("{cron:?}: Harbor cron has 6 fields (seconds first)"),
        ));
    } else if cron.split(' ').count() == 6 && !cron.starts_with("0 ") {
        errs.push(PolicyError::new(
            None,
            Some("trigger.settings.cron"),
            format!("{cron:?}: the 1st field (seconds) must be 0"),
        ));
    }
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
        // Harbor looks the algorithm up only when an enabled rule gives it a job to build;
        // without one registered ("or") that job fails and nothing is deleted.
        let runs = top.get("rules").and_then(Value::as_array).is_some_and(|r| {
            r.iter()
                .any(|r| r.get("disabled") != Some(&Value::Bool(true)))
        });
        match top.get("algorithm").and_then(Value::as_str) {
            Some("or") => {}
            None if !runs => {}
            None => errs.push(PolicyError::new(
                None,
                Some("algorithm"),
                "is required (\"or\"); Harbor's run fails without it",
            )),
            Some(a) => errs.push(PolicyError::new(
                None,
                Some("algorithm"),
                format!("{a:?}: only \"or\" is supported"),
            )),
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
        check_cron(&v, &mut errs);
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
            let key = conflict_key(r);
            if rules_v[..i].iter().any(|e| conflict_key(e) == key) {
                errs.push(PolicyError::new(
                    Some(rn.clone()),
                    None,
                    "is identical to an earlier rule (Harbor rejects this as a conflict)",
                ));
            }
            if r.get("disabled").and_then(Value::as_bool) == Some(true) {
                continue;
            }
            // Harbor's action index: an empty or unknown action fails the build of the job.
            match r.get("action").and_then(Value::as_str).unwrap_or("") {
                "retain" => {}
                "" => errs.push(PolicyError::new(
                    Some(rn.clone()),
                    Some("action"),
                    "is required (\"retain\"); Harbor's run fails without it",
                )),
                a => errs.push(PolicyError::new(
                    Some(rn.clone()),
                    Some("action"),
                    format!("{a:?}: the only action is \"retain\""),
                )),
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
            let (param, param_note) = match read_param(template, &tname, r.get("params")) {
                Ok(p) => p,
                Err(e) => {
                    errs.push(PolicyError::new(
                        Some(rn.clone()),
                        Some(&format!("params.{tname}")),
                        e,
                    ));
                    continue;
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
                                parse_selector(s, &format!("{key}[{j}]"), &rn, &mut errs)
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
                param_note,
            });
        }
        match PolicyError::collect(errs) {
            Some(e) => Err(e),
            None => Ok(HarborPolicy { rules }),
        }
    }
}
