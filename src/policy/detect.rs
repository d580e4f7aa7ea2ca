//! Which policy format a file holds, when `--format` is not given. The guess is stated in
//! the output so nobody wonders which semantics were applied.

use serde_json::Value;
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PolicyFormat {
    Ecr,
    Gar,
    Acr,
    Harbor,
}

impl PolicyFormat {
    /// Every format, in the order the CLI lists them.
    pub const ALL: [PolicyFormat; 4] = [
        PolicyFormat::Ecr,
        PolicyFormat::Gar,
        PolicyFormat::Acr,
        PolicyFormat::Harbor,
    ];
    /// The names `--policy-format` accepts.
    pub fn names() -> [&'static str; 4] {
        Self::ALL.map(Self::as_str)
    }
    pub fn as_str(self) -> &'static str {
        match self {
            PolicyFormat::Ecr => "ecr",
            PolicyFormat::Gar => "gar",
            PolicyFormat::Acr => "acr",
            PolicyFormat::Harbor => "harbor",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == s)
    }
}

impl fmt::Display for PolicyFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Guesses the format of `text`; returns it with the evidence, or why no guess was possible.
pub fn detect_format(text: &str) -> Result<(PolicyFormat, String), String> {
    let json: Option<Value> = serde_json::from_str(text).ok();
    match &json {
        Some(Value::Object(o)) => {
            let rules = o.get("rules").and_then(Value::as_array);
            let first = rules.and_then(|r| r.first()).and_then(Value::as_object);
            if let Some(r) = first {
                if r.contains_key("template") || r.contains_key("tag_selectors") {
                    return Ok((
                        PolicyFormat::Harbor,
                        "rules carry \"template\"/\"tag_selectors\" (Harbor retention)".into(),
                    ));
                }
                if r.contains_key("rulePriority") || r.contains_key("selection") {
                    return Ok((
                        PolicyFormat::Ecr,
                        "rules carry \"rulePriority\"/\"selection\" (ECR lifecycle policy)".into(),
                    ));
                }
            }
            if o.contains_key("algorithm") || o.contains_key("scope") {
                return Ok((
                    PolicyFormat::Harbor,
                    "object with \"algorithm\"/\"scope\" (Harbor retention)".into(),
                ));
            }
            if o.contains_key("rules") {
                return Ok((
                    PolicyFormat::Ecr,
                    "object with \"rules\" (ECR lifecycle policy)".into(),
                ));
            }
            Err("a JSON object without \"rules\"; pass --format".into())
        }
        Some(Value::Array(a)) => {
            let gar = a.iter().filter_map(Value::as_object).any(|p| {
                p.contains_key("condition")
                    || p.contains_key("mostRecentVersions")
                    || p.contains_key("action")
            });
            if gar || a.is_empty() {
                Ok((PolicyFormat::Gar, "a JSON list of policies with \"action\"/\"condition\" (Artifact Registry cleanup policies)".into()))
            } else {
                Err(
                    "a JSON list that does not look like Artifact Registry policies; pass --format"
                        .into(),
                )
            }
        }
        Some(_) => Err("JSON that is neither an object nor a list; pass --format".into()),
        None => {
            let t = text.trim_start();
            let looks_acr = ["--filter", "--ago", "--untagged", "acr purge", "--keep"]
                .iter()
                .any(|f| text.contains(f));
            if looks_acr {
                Ok((
                    PolicyFormat::Acr,
                    "not JSON; holds `acr purge` flags".into(),
                ))
            } else if t.starts_with('{') || t.starts_with('[') {
                Err(
                    "looks like JSON but does not parse; pass --format to see the syntax error"
                        .into(),
                )
            } else {
                Err("neither JSON nor `acr purge` arguments; pass --format".into())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_each_format() {
        let ecr = r#"{"rules":[{"rulePriority":1,"selection":{}}]}"#;
        assert_eq!(detect_format(ecr).unwrap().0, PolicyFormat::Ecr);
        let harbor = r#"{"algorithm":"or","rules":[{"template":"always"}]}"#;
        assert_eq!(detect_format(harbor).unwrap().0, PolicyFormat::Harbor);
        let gar = r#"[{"name":"x","action":{"type":"Delete"},"condition":{}}]"#;
        assert_eq!(detect_format(gar).unwrap().0, PolicyFormat::Gar);
        assert_eq!(
            detect_format("acr purge --filter 'a:b' --ago 1d")
                .unwrap()
                .0,
            PolicyFormat::Acr
        );
        assert!(detect_format("{ broken")
            .unwrap_err()
            .contains("does not parse"));
        assert!(detect_format("hello").is_err());
    }
}
