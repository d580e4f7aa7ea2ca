//! What a failure means for the person who cannot pull: the verdict, one sentence, and a
//! next step to copy; plus the small text helpers the steps share.

use super::Walk;
use crate::doctor::verdict::Verdict;
use crate::registry::credentials::CredentialSource;
use crate::registry::{DistributionClient, RegistryError};
use std::time::Duration;

impl Walk<'_> {
    pub(super) fn explain(
        &self,
        e: &RegistryError,
        client: &DistributionClient,
    ) -> (Verdict, String, String) {
        let host = &self.registry;
        let source = client.auth_info().source;
        let anonymous = matches!(source, CredentialSource::Anonymous);
        match e {
            RegistryError::Unreachable { detail, .. } => (
                Verdict::Unreachable,
                format!("regscope cannot reach {host}: {detail}."),
                format!("check DNS, VPN and proxy settings, then: curl -v https://{}/v2/", client.api_host()),
            ),
            RegistryError::Timeout { after, during, .. } => (
                Verdict::Unreachable,
                format!("{host} did not answer within {}s ({during}).", after.as_secs()),
                format!("check the network path to {host}, then: curl -v https://{}/v2/", client.api_host()),
            ),
            RegistryError::Tls { detail, .. } if self.ca_file.is_some() => {
                let ca = self.ca_file.as_deref().unwrap_or(std::path::Path::new("")).display();
                (
                    Verdict::Tls,
                    format!("The TLS certificate of {host} is not trusted even with ca_file {ca}: {detail}."),
                    format!("check that {ca} holds the certificate of the CA that issued {host}'s certificate, or that certificate itself, as PEM: openssl s_client -connect {} -CAfile {ca}", client.api_host()),
                )
            }
            RegistryError::Tls { detail, .. } => (
                Verdict::Tls,
                format!("The TLS certificate of {host} is not trusted: {detail}."),
                format!("add the registry's CA: ca_file = \"/path/to/ca.pem\" under [[registry]] for {host} in config.toml (or regscope doctor --ca-file /path/to/ca.pem {})", self.reference),
            ),
            RegistryError::Unauthorized { .. } if anonymous => (
                Verdict::Unauthorized,
                format!("{host} requires credentials for {} and none were found.", self.repo),
                format!("regscope login {host}   # or docker login: both store where the other reads"),
            ),
            RegistryError::Unauthorized { .. } => (
                Verdict::Unauthorized,
                format!("{host} refused the credentials from {source}."),
                format!("regscope login {host}   # the stored credentials are wrong or expired"),
            ),
            RegistryError::Forbidden { .. } => (
                Verdict::Forbidden,
                format!("The credentials from {source} are accepted but do not grant pull on {} (or the repository does not exist; registries do not tell those who may not see it).", self.repo),
                format!("ask for pull permission on {host}/{} or check the repository name", self.repo),
            ),
            RegistryError::RateLimited { retry_after, .. } => {
                let rl = client.transport().stats().rate_limit.map(rate_text).unwrap_or_default();
                let wait = retry_after.map(|d| format!(" Retry after {}.", human(d))).unwrap_or_default();
                (
                    Verdict::RateLimited,
                    format!("{host} is rate limiting pulls{rl}.{wait}"),
                    if anonymous { format!("regscope login {host}   # authenticated pulls get a higher limit; or wait for the window") } else { "wait for the rate-limit window, or pull through a mirror/cache".into() },
                )
            }
            RegistryError::NotFound { .. } => (
                Verdict::RepositoryNotFound,
                format!("{host} has no repository {}.", self.repo),
                format!("regscope repos {host}"),
            ),
            other => (Verdict::RegistryError, format!("{other}."), other.next_step()),
        }
    }
}

pub(super) fn rate_text(r: crate::registry::RateLimit) -> String {
    let window = r
        .window_secs
        .map(|w| format!(" per {}", human(Duration::from_secs(w))))
        .unwrap_or_default();
    match (r.remaining, r.limit) {
        (Some(rem), Some(l)) => format!(": {rem} of {l} remaining{window}"),
        (Some(rem), None) => format!(": {rem} remaining{window}"),
        (None, Some(l)) => format!(": limit {l}{window}"),
        (None, None) => String::new(),
    }
}

pub(super) fn human(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        0..=119 => format!("{s}s"),
        120..=7199 => format!("{}m", s / 60),
        7200..=172_799 => format!("{}h", s / 3600),
        _ => format!("{}d", s / 86400),
    }
}

/// Up to three tags nearest to `asked` (edit distance, then shared prefix).
pub(super) fn closest(asked: &str, tags: &[String]) -> Vec<String> {
    let mut scored: Vec<(usize, &String)> = tags
        .iter()
        .map(|t| (distance(asked, t), t))
        .filter(|(d, t)| *d <= asked.len().max(t.len()) / 2 + 1)
        .collect();
    scored.sort();
    scored.into_iter().take(3).map(|(_, t)| t.clone()).collect()
}

fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            cur.push(
                (prev[j] + usize::from(ca != *cb))
                    .min(prev[j + 1] + 1)
                    .min(cur[j] + 1),
            );
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn close_tags_are_found_and_durations_are_short() {
        let tags: Vec<String> = ["v1.2.3", "v1.2.4", "latest", "v2.0.0"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(closest("v1.2.5", &tags), vec!["v1.2.3", "v1.2.4", "v2.0.0"]);
        assert!(closest("zzzzzzzzzz", &tags).is_empty());
        assert_eq!(human(Duration::from_secs(21600)), "6h");
    }
}
