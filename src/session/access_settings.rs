//! Who may pull, for the kinds whose API says it per repository: Docker Hub's
//! `is_private` (namespace repository listing) and GHCR's package `visibility` (GitHub's
//! packages API: `public` or `private`). Everything else those kinds keep stays as
//! [`RepoSettings::not_read`] says: unknown. GHCR's version listing also names its
//! untagged manifests, so `untagged-bytes` is known there.

use super::settings::Access;
use super::{RepoSettings, Setting};
use crate::registry::dockerhub::HubRepository;
use crate::registry::ghcr::Package;

/// `repository` is `NAMESPACE/NAME`; `rows` the namespace's listing (or why it failed).
pub fn hub(
    label: &str,
    rows: &Result<Vec<HubRepository>, String>,
    repository: &str,
) -> RepoSettings {
    let mut s = RepoSettings::not_read(label);
    // The Hub crawl reads no manifest: signatures are seen from cosign tags only.
    s.listing_links_referrers = false;
    let (ns, name) = repository.split_once('/').unwrap_or(("", repository));
    s.access = match rows {
        Err(e) => Setting::Unknown(format!("the repository listing could not be read: {e}")),
        Ok(rows) => match rows
            .iter()
            .find(|r| r.name == name && r.namespace.as_deref().is_none_or(|n| n == ns))
        {
            None => Setting::Unknown(format!(
                "the listing of namespace {ns} does not show {name}"
            )),
            Some(r) => flag(
                r.is_private.map(|p| !p),
                &format!(
                    "repository {repository}: is_private={}",
                    r.is_private.map_or("absent".into(), |p| p.to_string())
                ),
                &format!("repository {repository} is public: anyone may pull"),
            ),
        },
    };
    s
}

/// `repository` is `OWNER/PACKAGE` (the package name may hold `/`).
pub fn ghcr(label: &str, rows: &Result<Vec<Package>, String>, repository: &str) -> RepoSettings {
    let mut s = RepoSettings::not_read(label);
    // The crawl lists every package version through the API, untagged ones too
    // (`metadata.container.tags` empty), so no untagged manifest seen is none there.
    s.listing_lists_untagged = true;
    let package = repository.split_once('/').map_or(repository, |(_, p)| p);
    s.access = match rows {
        Err(e) => Setting::Unknown(format!("the package listing could not be read: {e}")),
        Ok(rows) => match rows.iter().find(|p| p.name == package) {
            None => Setting::Unknown(format!("GitHub lists no container package {package}")),
            Some(p) => {
                let v = p.visibility.as_deref();
                let public = match v {
                    Some("public") => Some(true),
                    Some("private" | "internal") => Some(false),
                    _ => None,
                };
                flag(
                    public,
                    &format!("package {package}: visibility={}", v.unwrap_or("absent")),
                    &format!("package {package} is public: anyone may pull"),
                )
            }
        },
    };
    s
}

/// Known from a public/private flag; unknown when the API did not say.
fn flag(public: Option<bool>, read: &str, grant: &str) -> Setting<Access> {
    match public {
        Some(true) => Setting::Known(Access {
            public_grants: vec![grant.to_string()],
            evidence: vec![read.to_string()],
        }),
        Some(false) => Setting::Known(Access {
            public_grants: vec![],
            evidence: vec![read.to_string()],
        }),
        None => Setting::Unknown(format!("the API does not say who may pull ({read})")),
    }
}
