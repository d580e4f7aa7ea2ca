//! What a registry keeps about one repository beside its images: scanning, tag
//! immutability, lifecycle, access, replication. Read through the kind's [`super::Driver`]
//! for `regscope audit`; each value is known, unknown (with why), or not applicable to the
//! kind (with why), so a check never passes on a setting nobody read.

use serde::Serialize;

/// One setting as far as regscope could learn it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "state", content = "value", rename_all = "snake_case")]
pub enum Setting<T> {
    Known(T),
    /// The kind may have it, but regscope did not (or could not) read it; the reason.
    Unknown(String),
    /// The kind has no such setting; the reason.
    NotApplicable(String),
}

impl<T> Default for Setting<T> {
    fn default() -> Self {
        Setting::Unknown("not read".into())
    }
}

impl<T> Setting<T> {
    pub fn known(&self) -> Option<&T> {
        match self {
            Setting::Known(t) => Some(t),
            _ => None,
        }
    }
}

/// Whether images are scanned by the registry, and how.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Scanning {
    pub on_push: bool,
    /// Re-scanned as new vulnerabilities are published (ECR enhanced continuous scanning).
    pub continuous: bool,
    /// What was read, one line each (`scanOnPush=true (DescribeRepositories)`).
    pub evidence: Vec<String>,
}

/// Whether tags can move to another digest.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct TagImmutability {
    /// Every tag is immutable except those matching `exclusions`.
    pub all_immutable: bool,
    /// Tag filters exempt from immutability (ECR exclusion filters).
    pub exclusions: Vec<String>,
    /// Rules that make matching tags immutable (Harbor immutable rules), one line each.
    pub rules: Vec<String>,
    pub evidence: Vec<String>,
}

/// The registry's own lifecycle / cleanup / retention policy for the repository.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Lifecycle {
    /// The policy text as the registry stores it; `None` when it keeps none.
    pub text: Option<String>,
    /// Cleanup runs as a dry run only (Artifact Registry `cleanupPolicyDryRun`).
    pub dry_run: Option<bool>,
    /// Why the policy, though set, deletes nothing by itself (a Harbor retention policy
    /// with no schedule, or with every rule disabled); `None` when it runs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inert: Option<String>,
    pub evidence: Vec<String>,
}

/// Who may pull without credentials.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Access {
    /// Statements or flags that let anyone pull (an unconditioned `Principal: "*"` Allow,
    /// a public Harbor project), one line each; empty when none.
    pub public_grants: Vec<String>,
    pub evidence: Vec<String>,
}

/// Replication rules that copy the repository elsewhere.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Replication {
    /// Whether the registry has any replication rule at all.
    pub any_rules: bool,
    /// Destinations of the rules that cover this repository (`eu-central-1/123456789012`).
    pub destinations: Vec<String>,
    /// Tag → digest pairs that differ in a destination, one line each; `None` when not
    /// compared.
    pub drift: Option<Vec<String>>,
    pub evidence: Vec<String>,
}

/// Everything a registry keeps about one repository that the audit asks about.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct RepoSettings {
    pub scanning: Setting<Scanning>,
    pub tag_immutability: Setting<TagImmutability>,
    pub lifecycle: Setting<Lifecycle>,
    pub access: Setting<Access>,
    pub replication: Setting<Replication>,
    /// The listing links signatures and other referrers to their subjects (OCI crawl,
    /// Harbor accessories); false where it cannot (ECR's DescribeImages names no subject),
    /// so "no signature found" is not read as "unsigned".
    pub listing_links_referrers: bool,
    /// The listing enumerates untagged manifests (registry APIs, OCI layouts); false for
    /// the distribution API, which lists tags only, so "no untagged manifest seen" is not
    /// "none there".
    pub listing_lists_untagged: bool,
}

impl RepoSettings {
    /// Plain OCI: a Distribution registry or layout keeps none of these settings.
    pub fn plain_oci(label: &str, listing_lists_untagged: bool) -> RepoSettings {
        let na = |what: &str| format!("{label} has no {what} setting");
        RepoSettings {
            scanning: Setting::NotApplicable(na("scanning")),
            tag_immutability: Setting::NotApplicable(na("tag-immutability")),
            lifecycle: Setting::NotApplicable(na("lifecycle-policy")),
            access: Setting::Unknown(format!(
                "the OCI distribution API does not say who may pull from {label}"
            )),
            replication: Setting::NotApplicable(na("replication")),
            listing_links_referrers: true,
            listing_lists_untagged,
        }
    }

    /// A kind whose settings regscope does not read (yet): everything unknown.
    pub fn not_read(label: &str) -> RepoSettings {
        let unknown = |what: &str| format!("regscope does not read {label}'s {what}");
        RepoSettings {
            scanning: Setting::Unknown(unknown("scanning settings")),
            tag_immutability: Setting::Unknown(unknown("tag-immutability settings")),
            lifecycle: Setting::Unknown(unknown("cleanup settings")),
            access: Setting::Unknown(unknown("access settings")),
            replication: Setting::Unknown(unknown("replication settings")),
            listing_links_referrers: true,
            listing_lists_untagged: false,
        }
    }
}
