//! A repository's own cleanup policies, as `repositories.get` returns them, turned into
//! the gcloud policy-file form the GAR evaluator reads (lifecycle.md §2.2), so the
//! registry's policy and a policy file go through one parser and one evaluator.
//!
//! API form: `{"ID": {"id", "action": "DELETE"|"KEEP", "condition"|"mostRecentVersions"}}`
//! with durations in seconds (`"2592000s"`); file form: `[{"name", "action": {"type":
//! "Delete"}, ...}]`.

use super::api::Repository;
use crate::policy::gar::GarPolicy;
use crate::policy::PolicyError;
use serde_json::{json, Map, Value};

/// What the repository itself says about cleanup.
#[derive(Clone, Debug)]
pub struct OwnCleanup {
    /// `None` when the repository has no cleanup policy.
    pub policy: Option<GarPolicy>,
    /// The policies in the file form (for `--json`, review and tests).
    pub file_form: Value,
    /// `cleanupPolicyDryRun`: the registry evaluates but deletes nothing.
    pub dry_run: bool,
}

/// Reads `repo`'s cleanup policies. A policy the evaluator cannot read is an error naming
/// the repository and the policy (the registry accepted it, so regscope is behind).
pub fn own_cleanup(repo: &Repository) -> Result<OwnCleanup, PolicyError> {
    let list: Vec<Value> = repo
        .cleanup_policies
        .iter()
        .map(|(key, p)| to_file_form(key, p))
        .collect();
    let file_form = Value::Array(list);
    let policy = if repo.cleanup_policies.is_empty() {
        None
    } else {
        Some(GarPolicy::parse(&file_form.to_string())?)
    };
    Ok(OwnCleanup {
        policy,
        file_form,
        dry_run: repo.cleanup_policy_dry_run,
    })
}

fn to_file_form(key: &str, p: &Value) -> Value {
    let name = p["id"].as_str().filter(|s| !s.is_empty()).unwrap_or(key);
    let action = match p["action"].as_str() {
        Some(a) if a.eq_ignore_ascii_case("delete") => "Delete",
        Some(a) if a.eq_ignore_ascii_case("keep") => "Keep",
        // Left as sent, so the parser names the policy and the odd value.
        Some(a) => a,
        None => "",
    };
    let mut out = Map::new();
    out.insert("name".into(), json!(name));
    out.insert("action".into(), json!({ "type": action }));
    if let Some(c) = p.get("condition").and_then(Value::as_object) {
        let mut c = c.clone();
        // The enum's zero value means "not set", which the file form writes as absent.
        if c.get("tagState").and_then(Value::as_str) == Some("TAG_STATE_UNSPECIFIED") {
            c.remove("tagState");
        }
        out.insert("condition".into(), Value::Object(c));
    }
    if let Some(m) = p.get("mostRecentVersions") {
        out.insert("mostRecentVersions".into(), m.clone());
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_api_map_reads_as_the_policy_file_would() {
        let repo: Repository = serde_json::from_str(
            r#"{"name":"projects/p/locations/us/repositories/r","cleanupPolicyDryRun":true,"cleanupPolicies":{
              "delete-old":{"id":"delete-old","action":"DELETE","condition":{"tagState":"TAGGED","tagPrefixes":["alpha","v0"],"olderThan":"2592000s"}},
              "keep-5":{"id":"keep-5","action":"KEEP","mostRecentVersions":{"packageNamePrefixes":["webapp"],"keepCount":5}},
              "untagged":{"id":"untagged","action":"DELETE","condition":{"tagState":"UNTAGGED","newerThan":"0s"}}}}"#,
        )
        .unwrap();
        let own = own_cleanup(&repo).unwrap();
        assert!(own.dry_run);
        let p = own.policy.unwrap();
        assert_eq!(p.rules.len(), 3);
        let names: Vec<&str> = p.rules.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["delete-old", "keep-5", "untagged"]);
        assert_eq!(own.file_form[0]["action"]["type"], "Delete");
    }

    #[test]
    fn no_policies_is_no_policy_and_a_bad_one_is_named() {
        let repo: Repository =
            serde_json::from_str(r#"{"name":"projects/p/locations/us/repositories/r"}"#).unwrap();
        assert!(own_cleanup(&repo).unwrap().policy.is_none());
        let bad: Repository = serde_json::from_str(
            r#"{"name":"x","cleanupPolicies":{"p1":{"id":"p1","action":"ARCHIVE","condition":{}}}}"#,
        )
        .unwrap();
        let e = own_cleanup(&bad).unwrap_err().to_string();
        assert!(e.contains("p1") && e.contains("ARCHIVE"), "{e}");
    }
}
