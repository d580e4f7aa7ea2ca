//! Replication drift for the audit: the tag → digest pairs of a repository compared with
//! the same repository in each replication destination (`DescribeImages` there, with the
//! same credentials; never a manifest read, which ECR counts as a pull).

use super::settings::Replication;
use crate::model::Image;
use crate::registry::ecr::{EcrClient, EcrReplicationRule};
use crate::registry::RegistryError;
use std::collections::BTreeMap;

fn pairs(images: &[Image]) -> BTreeMap<&str, &str> {
    images
        .iter()
        .flat_map(|im| im.tags.iter().map(|t| (t.as_str(), im.digest.as_str())))
        .collect()
}

/// Lines for every source tag that the destination lacks or names another digest with.
pub fn differences(source: &[Image], destination: &[Image], at: &str) -> Vec<String> {
    let there = pairs(destination);
    pairs(source)
        .into_iter()
        .filter_map(|(tag, d)| match there.get(tag) {
            None => Some(format!("{tag} → {d} missing in {at}")),
            Some(t) if *t != d => Some(format!("{tag}: {d} here, {t} in {at}")),
            Some(_) => None,
        })
        .collect()
}

/// Fills `r.drift` from the destinations of the rules covering `repository`. A destination
/// that cannot be read leaves the drift unknown (`None`) and says why in the evidence.
pub async fn compare(
    client: &EcrClient,
    repository: &str,
    rules: &[EcrReplicationRule],
    r: &mut Replication,
) {
    let mut targets: Vec<(String, String)> = rules
        .iter()
        .filter(|rule| {
            rule.repository_prefixes.is_empty()
                || rule
                    .repository_prefixes
                    .iter()
                    .any(|p| repository.starts_with(p.as_str()))
        })
        .flat_map(|rule| rule.destinations.iter().cloned())
        .collect();
    targets.sort();
    targets.dedup();
    if targets.is_empty() {
        return;
    }
    let source = match client.describe_images(repository).await {
        Ok(d) => d.images,
        Err(e) => {
            r.evidence.push(format!(
                "the source images could not be read to compare: {e}"
            ));
            return;
        }
    };
    let mut drift = Vec::new();
    let mut complete = true;
    for (region, account) in targets {
        let at = format!("{region}/{account}");
        let there = client.in_region(&region, Some(&account));
        match there.describe_images(repository).await {
            Ok(d) => {
                let lines = differences(&source, &d.images, &at);
                r.evidence.push(format!(
                    "{at}: {} of {} {} (DescribeImages there)",
                    pairs(&source).len() - lines.len(),
                    crate::text::count(pairs(&source).len(), "tag"),
                    crate::text::plural(pairs(&source).len() - lines.len(), "matches", "match")
                ));
                drift.extend(lines);
            }
            Err(RegistryError::NotFound { .. }) => {
                r.evidence
                    .push(format!("repository {repository} missing in {at}"));
                let lines = differences(&source, &[], &at);
                if lines.is_empty() {
                    drift.push(format!("repository {repository} missing in {at}"));
                }
                drift.extend(lines);
            }
            Err(e) => {
                complete = false;
                r.evidence.push(format!("{at} could not be read: {e}"));
            }
        }
    }
    // Drift found anywhere is drift; "none" only when every destination was read.
    if !drift.is_empty() || complete {
        r.drift = Some(drift);
    }
}
