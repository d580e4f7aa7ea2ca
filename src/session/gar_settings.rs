//! Artifact Registry's repository settings for the audit, from `repositories.get`:
//! `vulnerabilityScanningConfig` (Artifact Analysis), `dockerConfig.immutableTags`, and the
//! cleanup policies with `cleanupPolicyDryRun`. Who may pull is IAM, which regscope does
//! not read: unknown. Replication does not exist as a repository setting: not applicable.

use super::settings::{Lifecycle, Scanning, TagImmutability};
use super::{RepoSettings, Setting};
use crate::registry::gar::{OwnCleanup, Repository};

pub fn from_repository(r: &Repository, own: Result<OwnCleanup, String>) -> RepoSettings {
    let name = r.id().to_string();
    let scanning = match r
        .vulnerability_scanning_config
        .as_ref()
        .and_then(|v| v.enablement_state.clone())
    {
        Some(state) => {
            let reason = r
                .vulnerability_scanning_config
                .as_ref()
                .and_then(|v| v.enablement_state_reason.clone())
                .map(|x| format!(" ({x})"))
                .unwrap_or_default();
            Setting::Known(Scanning {
                on_push: state == "SCANNING_ACTIVE",
                continuous: false,
                evidence: vec![format!(
                    "repository {name}: vulnerabilityScanningConfig.enablementState={state}{reason}"
                )],
            })
        }
        None => Setting::Unknown(format!(
            "repository {name} does not say whether Artifact Analysis scans it"
        )),
    };
    let immutable = r.docker_config.as_ref().map(|d| d.immutable_tags);
    let tag_immutability = Setting::Known(TagImmutability {
        all_immutable: immutable == Some(true),
        evidence: vec![format!(
            "repository {name}: dockerConfig.immutableTags={}",
            immutable.unwrap_or(false)
        )],
        ..Default::default()
    });
    let lifecycle = match own {
        Ok(o) => Setting::Known(Lifecycle {
            evidence: vec![format!(
                "repository {name}: {} {}, cleanupPolicyDryRun={}",
                r.cleanup_policies.len(),
                crate::text::plural(
                    r.cleanup_policies.len(),
                    "cleanup policy",
                    "cleanup policies"
                ),
                o.dry_run
            )],
            text: o.policy.is_some().then(|| o.file_form.to_string()),
            dry_run: Some(o.dry_run),
            inert: None,
        }),
        Err(e) => Setting::Unknown(format!("the cleanup policies cannot be read: {e}")),
    };
    RepoSettings {
        scanning,
        tag_immutability,
        lifecycle,
        access: Setting::Unknown(
            "who may pull is decided by IAM policies, which regscope does not read".into(),
        ),
        replication: Setting::NotApplicable(
            "Artifact Registry has no per-repository replication rules".into(),
        ),
        listing_links_referrers: true,
        listing_lists_untagged: true,
    }
}
