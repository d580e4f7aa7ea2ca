//! `regscope plan` on an Artifact Registry without `--policy`: each repository under the
//! cleanup policies it keeps itself (`repositories.get`), and a word on whether the
//! registry runs them for real or as a dry run (`cleanupPolicyDryRun`).

use crate::model::Image;
use crate::policy::gar::GarPolicy;
use crate::policy::switches::PackageRoot;
use crate::policy::{Evaluation, Switches};
use chrono::{DateTime, Utc};

/// One Artifact Registry repository's own cleanup settings.
#[derive(Clone, Debug)]
pub struct RepositoryCleanup {
    /// `PROJECT/REPOSITORY`: the OCI path prefix of the repository's images.
    pub path: String,
    /// `None`: the repository has no cleanup policy.
    pub policy: Option<GarPolicy>,
    pub dry_run: bool,
}

impl RepositoryCleanup {
    /// What the registry itself does with these policies, in one sentence.
    pub fn verdict(&self) -> String {
        match (&self.policy, self.dry_run) {
            (None, _) => format!("repository {} has no cleanup policy; nothing evaluated there", self.path),
            (Some(p), true) => format!(
                "repository {}: {} cleanup {} run as a DRY RUN (cleanupPolicyDryRun): Artifact Registry deletes nothing; this plan shows what they would delete",
                self.path,
                p.rules.len(),
                if p.rules.len() == 1 { "policy is" } else { "policies are" }
            ),
            (Some(p), false) => format!(
                "repository {}: {} cleanup {} ACTIVE: Artifact Registry deletes what they match itself, within about a day",
                self.path,
                p.rules.len(),
                if p.rules.len() == 1 { "policy is" } else { "policies are" }
            ),
        }
    }
}

/// Evaluates each repository's own policy over its images (the package is the image path
/// inside the repository) and merges the results; the verdicts lead the warnings.
pub fn evaluate_own(
    images: &[Image],
    repositories: &[RepositoryCleanup],
    now: DateTime<Utc>,
    sw: &Switches,
) -> Evaluation {
    let mut sw = sw.clone();
    // `PROJECT/REPOSITORY/` is never part of the package, whatever the host looks like.
    sw.gar_package_root = PackageRoot::Strip(2);
    let mut all = Evaluation::default();
    for repo in repositories {
        all.warnings.push(repo.verdict());
        let Some(policy) = &repo.policy else {
            continue;
        };
        let inside = format!("{}/", repo.path);
        let idx: Vec<usize> = (0..images.len())
            .filter(|&i| images[i].repository.starts_with(&inside))
            .collect();
        let slice: Vec<Image> = idx.iter().map(|&i| images[i].clone()).collect();
        let ev = policy.evaluate(&slice, now, &sw);
        all.decisions.extend(ev.decisions.into_iter().map(|mut d| {
            d.image = idx[d.image];
            d
        }));
        all.protected.extend(ev.protected.into_iter().map(|mut p| {
            p.image = idx[p.image];
            p
        }));
        all.warnings.extend(
            ev.warnings
                .into_iter()
                .map(|w| format!("repository {}: {w}", repo.path)),
        );
    }
    all
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Digest, ImageKind};

    fn img(repo: &str, n: u8, tags: &[&str], pushed: &str) -> Image {
        let d = Digest::parse(&format!("sha256:{}", format!("{n:02x}").repeat(32))).unwrap();
        let mut i = Image::new(
            repo,
            d,
            "application/vnd.oci.image.manifest.v1+json",
            ImageKind::Image,
        );
        i.tags = tags.iter().map(|t| t.to_string()).collect();
        i.pushed_at = Some(
            DateTime::parse_from_rfc3339(pushed)
                .unwrap()
                .with_timezone(&Utc),
        );
        i
    }

    #[test]
    fn each_repository_under_its_own_policy_with_the_dry_run_said() {
        let images = vec![
            img("p/a/web", 1, &[], "2026-01-01T00:00:00Z"),
            img("p/a/web", 2, &["v1"], "2026-01-01T00:00:00Z"),
            img("p/b/web", 3, &[], "2026-01-01T00:00:00Z"),
        ];
        let untagged = GarPolicy::parse(
            r#"[{"name":"untagged","action":{"type":"Delete"},"condition":{"tagState":"UNTAGGED","olderThan":"2592000s"}}]"#,
        )
        .unwrap();
        let repos = vec![
            RepositoryCleanup {
                path: "p/a".into(),
                policy: Some(untagged),
                dry_run: true,
            },
            RepositoryCleanup {
                path: "p/b".into(),
                policy: None,
                dry_run: false,
            },
        ];
        let now = DateTime::parse_from_rfc3339("2026-06-01T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let ev = evaluate_own(&images, &repos, now, &Switches::default());
        let chosen: Vec<usize> = ev.decisions.iter().map(|d| d.image).collect();
        assert_eq!(chosen, [0], "only p/a's untagged image; p/b has no policy");
        assert!(ev.warnings[0].contains("DRY RUN"), "{:?}", ev.warnings);
        assert!(
            ev.warnings[1].contains("no cleanup policy"),
            "{:?}",
            ev.warnings
        );
        assert!(
            !ev.warnings.iter().any(|w| w.contains("package_root")),
            "{:?}",
            ev.warnings
        );
    }
}
