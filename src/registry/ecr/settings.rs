//! Repository settings the audit reads: one repository's `DescribeRepositories` entry
//! (tag mutability with its exclusion filters, scan on push) and the registry scanning
//! configuration (`GetRegistryScanningConfiguration`: basic or enhanced, and which
//! repositories each rule scans on push or continuously).

use super::error::{to_registry_error, with_retry};
use super::repos::EcrRepository;
use super::EcrClient;
use crate::registry::RegistryError;
use serde::Serialize;

/// The registry's scanning configuration.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct EcrRegistryScanning {
    /// `BASIC` or `ENHANCED`; `None` when ECR did not say.
    pub scan_type: Option<String>,
    /// `(scanFrequency, wildcard filters)`: `SCAN_ON_PUSH`, `CONTINUOUS_SCAN`, `MANUAL`.
    pub rules: Vec<(String, Vec<String>)>,
}

impl EcrRegistryScanning {
    /// The frequencies of the rules whose filters match `repository`.
    pub fn frequencies_for(&self, repository: &str) -> Vec<&str> {
        self.rules
            .iter()
            .filter(|(_, filters)| filters.iter().any(|f| wildcard(f, repository)))
            .map(|(f, _)| f.as_str())
            .collect()
    }
}

/// ECR's `WILDCARD` filter: `*` matches any run of characters, everything else itself.
pub fn wildcard(pattern: &str, name: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == name;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !name.starts_with(first) || name.len() < first.len() + last.len() || !name.ends_with(last) {
        return false;
    }
    let mut rest = &name[first.len()..name.len() - last.len()];
    for p in &parts[1..parts.len() - 1] {
        match rest.find(p) {
            Some(i) => rest = &rest[i + p.len()..],
            None => return false,
        }
    }
    true
}

impl EcrClient {
    /// One repository's entry; `None` when ECR has no repository of that name.
    pub async fn repository(&self, name: &str) -> Result<Option<EcrRepository>, RegistryError> {
        let r = with_retry(&self.retry, &self.counters, || {
            self.sdk
                .describe_repositories()
                .set_registry_id(self.account().map(str::to_string))
                .repository_names(name)
                .send()
        })
        .await
        .map_err(|e| to_registry_error(&e, self.place(Some(name), None), "DescribeRepositories"));
        match r {
            Ok(out) => Ok(out.repositories().iter().find_map(EcrRepository::from_sdk)),
            Err(RegistryError::NotFound { code, .. })
                if code.0.as_deref() == Some("RepositoryNotFoundException") =>
            {
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    /// The registry scanning configuration of the caller's registry in this region.
    pub async fn registry_scanning(&self) -> Result<EcrRegistryScanning, RegistryError> {
        let out = with_retry(&self.retry, &self.counters, || {
            self.sdk.get_registry_scanning_configuration().send()
        })
        .await
        .map_err(|e| {
            to_registry_error(
                &e,
                self.place(None, None),
                "GetRegistryScanningConfiguration",
            )
        })?;
        let Some(c) = out.scanning_configuration() else {
            return Ok(EcrRegistryScanning::default());
        };
        Ok(EcrRegistryScanning {
            scan_type: c.scan_type().map(|t| t.as_str().to_string()),
            rules: c
                .rules()
                .iter()
                .map(|r| {
                    (
                        r.scan_frequency().as_str().to_string(),
                        r.repository_filters()
                            .iter()
                            .map(|f| f.filter().to_string())
                            .collect(),
                    )
                })
                .collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcard_filters_match_as_ecr_documents() {
        assert!(wildcard("*", "team/app"));
        assert!(wildcard("team/*", "team/app"));
        assert!(!wildcard("team/*", "other/app"));
        assert!(wildcard("*app", "team/app"));
        assert!(wildcard("t*m/*p", "team/app"));
        assert!(wildcard("prod", "prod"));
        assert!(!wildcard("prod", "prod2"));
        assert!(!wildcard("a*a", "a"));
        let s = EcrRegistryScanning {
            scan_type: Some("ENHANCED".into()),
            rules: vec![
                ("CONTINUOUS_SCAN".into(), vec!["prod/*".into()]),
                ("SCAN_ON_PUSH".into(), vec!["*".into()]),
            ],
        };
        assert_eq!(
            s.frequencies_for("prod/api"),
            vec!["CONTINUOUS_SCAN", "SCAN_ON_PUSH"]
        );
        assert_eq!(s.frequencies_for("dev/api"), vec!["SCAN_ON_PUSH"]);
    }
}
