//! ECR's repository settings for the audit, all through the API (never a manifest read):
//! `DescribeRepositories` (tag mutability, exclusions, scan on push),
//! `GetRegistryScanningConfiguration`, `GetLifecyclePolicy`, `GetRepositoryPolicy` and
//! `DescribeRegistry` (replication rules with their repository prefix filters).

use super::settings::{Access, Lifecycle, Replication, Scanning, TagImmutability};
use super::{RepoSettings, Setting};
use crate::registry::ecr::{EcrClient, EcrReplicationRule};
use crate::registry::RegistryError;

fn unknown<T>(what: &str, e: &RegistryError) -> Setting<T> {
    Setting::Unknown(format!("{what} could not be read: {e}"))
}

/// Reads every setting of `repository`; a setting that cannot be read is unknown with the
/// error, the others are still read. `lifecycle` is the session's own-policy reading.
pub async fn read(
    client: &EcrClient,
    repository: &str,
    lifecycle: Result<Option<String>, RegistryError>,
) -> RepoSettings {
    let repo = client.repository(repository).await;
    let registry_scanning = client.registry_scanning().await;
    let scanning = match (&repo, &registry_scanning) {
        (Ok(Some(r)), Ok(reg)) => {
            let freqs = reg.frequencies_for(repository);
            let continuous =
                reg.scan_type.as_deref() == Some("ENHANCED") && freqs.contains(&"CONTINUOUS_SCAN");
            let on_push = r.scan_on_push == Some(true)
                || freqs
                    .iter()
                    .any(|f| *f == "SCAN_ON_PUSH" || *f == "CONTINUOUS_SCAN");
            let mut evidence = vec![format!(
                "repository scanOnPush={} (DescribeRepositories)",
                r.scan_on_push.map_or("unset".into(), |b| b.to_string())
            )];
            evidence.push(format!(
                "registry scanning {} (GetRegistryScanningConfiguration){}",
                reg.scan_type.as_deref().unwrap_or("type unset"),
                if freqs.is_empty() {
                    ": no rule matches this repository".to_string()
                } else {
                    format!(": rules matching this repository scan {}", freqs.join(", "))
                }
            ));
            Setting::Known(Scanning {
                on_push,
                continuous,
                evidence,
            })
        }
        // The repository alone says it is scanned on push.
        (Ok(Some(r)), Err(e)) if r.scan_on_push == Some(true) => Setting::Known(Scanning {
            on_push: true,
            continuous: false,
            evidence: vec![
                "repository scanOnPush=true (DescribeRepositories)".into(),
                format!("registry scanning configuration not read: {e}"),
            ],
        }),
        (Ok(Some(_)), Err(e)) => unknown("the registry scanning configuration", e),
        (Ok(None), _) => Setting::Unknown(format!("ECR has no repository {repository}")),
        (Err(e), _) => unknown("the repository", e),
    };
    let tag_immutability = match &repo {
        Ok(Some(r)) => {
            let m = r.tag_mutability.clone().unwrap_or_else(|| "unset".into());
            // IMMUTABLE_WITH_EXCLUSION: the filters name mutable tags; MUTABLE_WITH_EXCLUSION:
            // the filters name the immutable ones.
            let (exclusions, rules) = if r.is_immutable() {
                (r.tag_mutability_exclusions.clone(), Vec::new())
            } else {
                let rules = r
                    .tag_mutability_exclusions
                    .iter()
                    .map(|f| format!("tags matching {f} are immutable"))
                    .collect();
                (Vec::new(), rules)
            };
            Setting::Known(TagImmutability {
                all_immutable: r.is_immutable(),
                exclusions,
                rules,
                evidence: vec![format!("imageTagMutability={m} (DescribeRepositories)")],
            })
        }
        Ok(None) => Setting::Unknown(format!("ECR has no repository {repository}")),
        Err(e) => unknown("the repository", e),
    };
    let lifecycle = match lifecycle {
        Ok(text) => Setting::Known(Lifecycle {
            evidence: vec![if text.is_some() {
                "lifecycle policy set (GetLifecyclePolicy)".into()
            } else {
                "GetLifecyclePolicy: LifecyclePolicyNotFoundException".into()
            }],
            text,
            dry_run: None,
            inert: None,
        }),
        Err(e) => unknown("the lifecycle policy", &e),
    };
    let access = match client.repository_policy(repository).await {
        Ok(None) => Setting::Known(Access {
            public_grants: Vec::new(),
            evidence: vec![
                "no repository policy (GetRepositoryPolicy): only the account's IAM principals"
                    .into(),
            ],
        }),
        Ok(Some(text)) => match crate::hygiene::public_grants(&text) {
            Ok(grants) => Setting::Known(Access {
                public_grants: grants,
                evidence: vec!["repository policy read (GetRepositoryPolicy)".into()],
            }),
            Err(why) => Setting::Unknown(why),
        },
        Err(e) => unknown("the repository policy", &e),
    };
    let replication = match client.replication_rules().await {
        Ok(rules) => {
            let mut r = replication(&rules, repository);
            super::ecr_drift::compare(client, repository, &rules, &mut r).await;
            Setting::Known(r)
        }
        Err(e) => unknown("the replication configuration", &e),
    };
    RepoSettings {
        scanning,
        tag_immutability,
        lifecycle,
        access,
        replication,
        listing_links_referrers: true,
        listing_lists_untagged: true,
    }
}

/// Which rules cover `repository` (a rule without filters covers every repository; ECR's
/// filters are `PREFIX_MATCH`).
pub fn replication(rules: &[EcrReplicationRule], repository: &str) -> Replication {
    let mut destinations = Vec::new();
    let mut evidence = Vec::new();
    for (n, r) in rules.iter().enumerate() {
        let covers = r.repository_prefixes.is_empty()
            || r.repository_prefixes
                .iter()
                .any(|p| repository.starts_with(p.as_str()));
        let to: Vec<String> = r
            .destinations
            .iter()
            .map(|(region, id)| format!("{region}/{id}"))
            .collect();
        let filters = if r.repository_prefixes.is_empty() {
            "every repository".to_string()
        } else {
            format!("prefixes {}", r.repository_prefixes.join(", "))
        };
        evidence.push(format!(
            "rule {}: {filters} → {} ({})",
            n + 1,
            to.join(", "),
            if covers {
                "covers it"
            } else {
                "does not cover it"
            }
        ));
        if covers {
            destinations.extend(to);
        }
    }
    destinations.sort();
    destinations.dedup();
    if rules.is_empty() {
        evidence.push("no replication rules (DescribeRegistry)".into());
    }
    Replication {
        any_rules: !rules.is_empty(),
        destinations,
        drift: None,
        evidence,
    }
}
