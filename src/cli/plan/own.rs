//! `regscope plan TARGET` without `--policy`: every repository under the lifecycle policy
//! the registry keeps for it (read through the session); a repository without one is said
//! so and left alone.

use crate::cli::output::usage;
use crate::model::Image;
use crate::policy::{Policy, PolicyFormat, Switches};
use crate::session::Session;
use anyhow::{anyhow, Result};
use chrono::{DateTime, Utc};

/// The format of a registry's own policies, how they were read, and each repository's
/// policy text (`None`: it keeps none).
pub type OwnPolicies = (PolicyFormat, String, Vec<(String, Option<String>)>);

/// For a target without `--policy`: each repository's own lifecycle policy, as the registry
/// keeps it (where the session's caps say the kind keeps one); repositories without one are
/// left alone (and said so).
pub fn repository_policies(
    rt: &tokio::runtime::Runtime,
    session: &Session,
    repos: &[String],
) -> Result<OwnPolicies> {
    let Some(format) = session.caps().own_policy else {
        return Err(usage(format!(
            "--policy FILE is required: {} ({}) keeps no lifecycle policy regscope can read",
            session.name(),
            session.kind().label()
        )));
    };
    rt.block_on(async {
        let mut out = Vec::new();
        let mut how = None;
        for r in repos {
            let p = session.own_policy(r).await?;
            if let Some(p) = &p {
                how.get_or_insert_with(|| p.source.clone());
            }
            out.push((r.clone(), p.map(|p| p.text)));
        }
        let how = how.unwrap_or_else(|| session.kind().label().to_string());
        Ok::<_, crate::registry::RegistryError>((format, how, out))
    })
    .map_err(|e| anyhow!("{e} ({})", e.next_step()))
}

/// Evaluates each repository's own policy over its images and merges the results.
pub fn evaluate_per_repository(
    images: &[Image],
    format: PolicyFormat,
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
        let policy = Policy::parse(format, text, &format!("lifecycle policy of {repo}"))
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
