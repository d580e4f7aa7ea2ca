//! `public-access` and `replication`: who may pull without credentials (an ECR repository
//! policy that allows `Principal: "*"` without conditions, a public Harbor project), and
//! whether replication rules cover the repository (and the destination holds the same
//! tags).

use super::{Check, CheckId, RepoInputs, Status};
use crate::session::Setting;
use serde_json::Value;

/// The statements of an IAM-style resource policy (ECR repository policy) that let anyone
/// in: `Effect: Allow`, a principal of `"*"` (also `{"AWS": "*"}`), and no `Condition`.
/// A `Deny`, or a statement with conditions, is not a public grant.
pub fn public_grants(policy: &str) -> Result<Vec<String>, String> {
    let doc: Value = serde_json::from_str(policy)
        .map_err(|e| format!("the repository policy is not JSON: {e}"))?;
    let statements: Vec<&Value> = match doc.get("Statement") {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(v @ Value::Object(_)) => vec![v],
        _ => return Err("the repository policy has no Statement".into()),
    };
    let star = |v: &Value| match v {
        Value::String(s) => s == "*",
        Value::Array(a) => a.iter().any(|x| x.as_str() == Some("*")),
        _ => false,
    };
    let mut out = Vec::new();
    for (n, s) in statements.iter().enumerate() {
        if s.get("Effect").and_then(Value::as_str) != Some("Allow") {
            continue;
        }
        let anyone = match s.get("Principal") {
            Some(p @ Value::String(_)) => star(p),
            Some(Value::Object(m)) => m.values().any(star),
            _ => false,
        };
        let conditioned = match s.get("Condition") {
            None | Some(Value::Null) => false,
            Some(Value::Object(m)) => !m.is_empty(),
            Some(_) => true,
        };
        if anyone && !conditioned {
            let sid = s
                .get("Sid")
                .and_then(Value::as_str)
                .map(|x| format!("{x:?}"))
                .unwrap_or_else(|| format!("#{}", n + 1));
            let action = match s.get("Action") {
                Some(Value::String(a)) => a.clone(),
                Some(Value::Array(a)) => a
                    .iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join(", "),
                _ => "every action".into(),
            };
            out.push(format!(
                "statement {sid} allows Principal \"*\" ({action}) without conditions"
            ));
        }
    }
    Ok(out)
}

pub fn public_access(i: &RepoInputs) -> Check {
    let id = CheckId::PublicAccess;
    match &i.settings.access {
        Setting::Known(a) if a.public_grants.is_empty() => Check::new(
            id,
            Status::Pass,
            "nothing lets anyone pull without credentials",
        )
        .with(a.evidence.clone()),
        Setting::Known(a) => Check::new(id, Status::Fail, "anyone may pull without credentials")
            .with(a.public_grants.clone())
            .with(a.evidence.clone()),
        Setting::Unknown(why) => Check::new(id, Status::Unknown, why.clone()),
        Setting::NotApplicable(why) => Check::new(id, Status::NotApplicable, why.clone()),
    }
}

pub fn replication(i: &RepoInputs) -> Check {
    let id = CheckId::Replication;
    let r = match &i.settings.replication {
        Setting::Known(r) => r,
        Setting::Unknown(why) => return Check::new(id, Status::Unknown, why.clone()),
        Setting::NotApplicable(why) => return Check::new(id, Status::NotApplicable, why.clone()),
    };
    let ev = r.evidence.clone();
    if !r.any_rules {
        return Check::new(
            id,
            Status::NotApplicable,
            "the registry replicates nothing (regscope cannot tell where your clusters run)",
        )
        .with(ev);
    }
    if r.destinations.is_empty() {
        return Check::new(
            id,
            Status::Warn,
            "no replication rule covers this repository",
        )
        .with(ev);
    }
    let to = r.destinations.join(", ");
    match &r.drift {
        Some(d) if !d.is_empty() => Check::new(
            id,
            Status::Warn,
            format!(
                "replicated to {to}, but {} {} there",
                crate::text::count(d.len(), "tag"),
                crate::text::plural(d.len(), "differs", "differ")
            ),
        )
        .with(super::capped(d.clone(), 10))
        .with(ev),
        Some(_) => Check::new(
            id,
            Status::Pass,
            format!("replicated to {to}; tags match there"),
        )
        .with(ev),
        None => Check::new(
            id,
            Status::Pass,
            format!("replication rules copy it to {to}"),
        )
        .with(ev)
        .with(["tags in the destination were not compared".to_string()]),
    }
}
