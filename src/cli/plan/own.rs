//! `regscope plan ecr://...` without `--policy`: every repository under the lifecycle
//! policy ECR keeps for it (`GetLifecyclePolicy`); a repository without one is said so and
//! left alone.

use crate::cli::output::usage;
use crate::model::Image;
use crate::policy::{Policy, PolicyFormat, Switches};
use anyhow::{anyhow, Result};
use chrono::{DateTime, Utc};

/// For an ECR target without `--policy`: each repository's own lifecycle policy, read with
/// GetLifecyclePolicy; repositories without one are left alone (and said so).
pub fn ecr_repository_policies(
    rt: &tokio::runtime::Runtime,
    target: &str,
    repos: &[String],
) -> Result<Vec<(String, Option<String>)>> {
    let t = crate::registry::Target::parse(target)
        .map_err(|e| usage(format!("invalid target {target:?}: {e}")))?;
    if !matches!(t, crate::registry::Target::Ecr { .. }) {
        return Err(usage(
            "--policy FILE is required: only ECR keeps a lifecycle policy per repository",
        ));
    }
    rt.block_on(async {
        let settings = crate::cli::source::settings_for(target);
        let client = crate::registry::ecr::EcrClient::connect(
            &t,
            &settings,
            crate::registry::ecr::EcrConnectOptions::default(),
        )
        .await?;
        let mut out = Vec::new();
        for r in repos {
            let p = client.lifecycle_policy(r).await?;
            out.push((r.clone(), p.map(|p| p.text)));
        }
        Ok::<_, crate::registry::RegistryError>(out)
    })
    .map_err(|e| anyhow!("{e} ({})", e.next_step()))
}

/// Evaluates each repository's own policy over its images and merges the results.
pub fn evaluate_per_repository(
    images: &[Image],
    policies: &[(String, Option<String>)],
    now: DateTime<Utc>,
    sw: &Switches,
    warnings: &mut Vec<String>,
) -> Result<crate::policy::Evaluation> {
    let mut all = crate::policy::Evaluation::default();
    for (repo, text) in policies {
        let Some(text) = text else {
            warnings.push(format!(
                "repository {repo} has no lifecycle policy; nothing evaluated there"
            ));
            continue;
        };
        let policy = Policy::parse(
            PolicyFormat::Ecr,
            text,
            &format!("lifecycle policy of {repo}"),
        )
        .map_err(|e| anyhow!("policy refused, nothing evaluated:\n{e}"))?;
        let idx: Vec<usize> = (0..images.len())
            .filter(|&i| &images[i].repository == repo)
            .collect();
        let slice: Vec<Image> = idx.iter().map(|&i| images[i].clone()).collect();
        let ev = policy.evaluate(&slice, now, sw);
        all.decisions.extend(ev.decisions.into_iter().map(|mut d| {
            d.image = idx[d.image];
            d
        }));
        all.protected.extend(ev.protected.into_iter().map(|mut p| {
            p.image = idx[p.image];
            p
        }));
        all.warnings.extend(ev.warnings);
    }
    Ok(all)
}
