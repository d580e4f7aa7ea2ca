//! What a kind of registry is, as facts the front ends can ask without naming it: "does
//! this registry record pull times?", not "is this ECR?". One table, one row per kind;
//! a kind's engineer fills its row when the native driver reads what the row promises.

use super::Kind;
use crate::policy::reclaim::ReclaimScope;
use crate::policy::PolicyFormat;

/// Pure facts about a kind of registry (no network, no settings).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Caps {
    /// The registry says when each image (or tag) was pushed.
    pub records_push_time: bool,
    /// The registry says when each image was last pulled.
    pub records_pull_time: bool,
    /// The registry says when an image or tag last changed (ACR `lastUpdateTime`).
    pub records_update_time: bool,
    /// Manifest GETs are metered (rate-limited per pull): resolve tags with HEAD first.
    pub meters_gets: bool,
    /// Reading a manifest counts as a pull (moves "last pulled"): never while listing,
    /// and say so before the user opens one.
    pub manifest_read_counts_as_pull: bool,
    /// Deletion goes through the registry's own API rather than OCI manifest DELETE.
    pub deletion_api: bool,
    /// The registry keeps a lifecycle policy of its own, in this format, that
    /// `plan` without `--policy` evaluates.
    pub own_policy: Option<PolicyFormat>,
    /// The registry runs its own vulnerability scans (read through its API, not from
    /// attached reports).
    pub own_scans: bool,
    /// The registry frees unreferenced layers itself after a deletion (no garbage
    /// collection for an operator to run).
    pub frees_layers_itself: bool,
    /// Where blob storage is shared, for reclaimed bytes.
    pub reclaim_scope: ReclaimScope,
}

const OCI: Caps = Caps {
    records_push_time: false,
    records_pull_time: false,
    records_update_time: false,
    meters_gets: false,
    manifest_read_counts_as_pull: false,
    deletion_api: false,
    own_policy: None,
    own_scans: false,
    frees_layers_itself: false,
    reclaim_scope: ReclaimScope::Registry,
};

impl Kind {
    /// This kind's row. Rows promise only what regscope reads today: a kind whose native
    /// driver has not landed yet keeps the OCI row, except for facts that protect the user
    /// (metered GETs, reads that count as pulls), which hold whatever regscope reads.
    pub fn caps(self) -> Caps {
        match self {
            Kind::Distribution => OCI,
            Kind::Layout => Caps {
                reclaim_scope: ReclaimScope::Repository,
                ..OCI
            },
            Kind::Ecr => Caps {
                records_push_time: true,
                records_pull_time: true,
                manifest_read_counts_as_pull: true,
                deletion_api: true,
                own_policy: Some(PolicyFormat::Ecr),
                own_scans: true,
                frees_layers_itself: true,
                // Registry-wide is the conservative reading of ECR's storage.
                ..OCI
            },
            // Harbor records a manifest GET through /v2 as a pull.
            // Harbor's API gives artifact and tag push and pull times, its own scans and the
            // project's tag-retention policy.
            Kind::Harbor => Caps {
                records_push_time: true,
                records_pull_time: true,
                manifest_read_counts_as_pull: true,
                own_policy: Some(PolicyFormat::Harbor),
                own_scans: true,
                ..OCI
            },
            // ACR's /acr/v1 gives manifest created and last-update times (no pull time).
            Kind::Acr => Caps {
                records_push_time: true,
                records_update_time: true,
                ..OCI
            },
            // Artifact Registry's API gives upload and update times (pulls are not
            // recorded) and each repository's cleanup policies.
            Kind::Gar => Caps {
                records_push_time: true,
                records_update_time: true,
                own_policy: Some(PolicyFormat::Gar),
                ..OCI
            },
            // GitHub's packages API gives each version's created and updated times, and is
            // how a version is deleted (GHCR refuses OCI DELETE); GitHub frees the storage.
            Kind::Ghcr => Caps {
                records_push_time: true,
                records_update_time: true,
                deletion_api: true,
                frees_layers_itself: true,
                ..OCI
            },
            // Docker Hub counts manifest GETs against the pull rate limit (so reading one is
            // a pull); the Hub API gives tag and platform push and pull times. Deletion: none
            // (plans are review-only, decisions.md).
            Kind::DockerHub => Caps {
                records_push_time: true,
                records_pull_time: true,
                meters_gets: true,
                manifest_read_counts_as_pull: true,
                ..OCI
            },
        }
    }
}

impl Caps {
    /// The sentence shown before the user opens an image's manifest where that counts as
    /// a pull; `None` where reading is free.
    pub fn opening_note(&self, kind: Kind) -> Option<String> {
        self.manifest_read_counts_as_pull.then(|| {
            format!(
                "opening this image counts as a pull in {}: it updates the image's \"last pulled\" time",
                kind.label()
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ecr_says_what_it_records_and_warns_before_a_pull() {
        let c = Kind::Ecr.caps();
        assert!(c.records_pull_time && c.manifest_read_counts_as_pull && c.deletion_api);
        assert_eq!(c.own_policy, Some(PolicyFormat::Ecr));
        assert_eq!(
            c.opening_note(Kind::Ecr).unwrap(),
            crate::registry::ecr::OPENING_COUNTS_AS_PULL
        );
        assert_eq!(
            Kind::Distribution.caps().opening_note(Kind::Distribution),
            None
        );
    }

    #[test]
    fn only_layouts_keep_blobs_per_repository() {
        for k in Kind::ALL {
            let want = if k == Kind::Layout {
                ReclaimScope::Repository
            } else {
                ReclaimScope::Registry
            };
            assert_eq!(k.caps().reclaim_scope, want, "{k}");
        }
        assert!(Kind::DockerHub.caps().meters_gets);
    }
}
