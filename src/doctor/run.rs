//! The walk itself. Each step is timed and reported as it finishes; the first failing
//! step decides the verdict and the steps after it are recorded as skipped.

use super::verdict::Verdict;
use super::{DoctorOptions, Report, Step, StepStatus};
use crate::config::RegistrySettings;
use crate::model::Platform;
use crate::registry::{DistributionClient, Place, Reference, RegistryError, Target};
use std::time::Instant;

mod access;
mod ecr;
mod explain;
mod image;
mod single;

use explain::rate_text;

const STEPS: [&str; 7] = [
    "reference",
    "reach",
    "auth",
    "resolve",
    "platforms",
    "blobs",
    "history",
];

/// Runs the doctor for `reference`. `progress` sees every step as it completes.
pub async fn diagnose(
    reference: &Reference,
    options: &DoctorOptions,
    progress: &(dyn Fn(&Step) + Send + Sync),
) -> Report {
    let mut w = Walk {
        steps: Vec::new(),
        progress,
        reference: reference.to_string(),
        platform: options.platform.clone(),
        repo: reference.repository.clone(),
        registry: reference.registry.clone(),
        ca_file: options.settings.as_ref().and_then(|s| s.ca_file.clone()),
        config: None,
    };
    let t = Instant::now();
    if let Target::Ecr {
        account, region, ..
    } = &reference.target
    {
        let what = wanted(reference);
        let account = account
            .as_deref()
            .map(|a| format!("account {a}"))
            .unwrap_or_else(|| "the caller's account".into());
        w.step(
            "reference",
            StepStatus::Ok,
            format!(
                "AWS ECR registry {} ({account}, region {region}), repository {}, {what}",
                reference.registry, reference.repository
            ),
            t,
            None,
        );
        return ecr::diagnose(&mut w, reference, options).await;
    }
    let Target::Distribution { host, .. } = &reference.target else {
        w.step(
            "reference",
            StepStatus::Fail,
            format!(
                "{} is an OCI image layout on disk, not a registry",
                reference.target.display_name()
            ),
            t,
            None,
        );
        return w.finish(Verdict::RegistryError, "The doctor walks the pull path of registries (OCI Distribution and AWS ECR); an image layout is read from disk, not pulled.".into(), format!("regscope inspect {reference}"));
    };
    w.step(
        "reference",
        StepStatus::Ok,
        describe(reference, host),
        t,
        None,
    );
    let settings = options
        .settings
        .clone()
        .unwrap_or_else(|| RegistrySettings::for_address(host));
    let client = match DistributionClient::with_options(host, &settings, options.client.clone()) {
        Ok(c) => c,
        Err(e) => {
            w.fail("reach", t, &e);
            return w.finish(Verdict::RegistryError, e.to_string(), e.next_step());
        }
    };
    match w.walk(&client, reference).await {
        Ok(report) | Err(report) => report,
    }
}

struct Walk<'a> {
    steps: Vec<Step>,
    progress: &'a (dyn Fn(&Step) + Send + Sync),
    reference: String,
    platform: Option<Platform>,
    repo: String,
    registry: String,
    /// The `ca_file` (or `--ca-file`) in force, so a TLS failure is not answered with
    /// advice to give the file that was given.
    ca_file: Option<std::path::PathBuf>,
    /// A single-platform image's config, read by the platforms step for history.
    config: Option<single::ImageConfig>,
}

type Outcome = Result<Report, Report>;

impl Walk<'_> {
    fn step(
        &mut self,
        name: &'static str,
        status: StepStatus,
        detail: String,
        t: Instant,
        lines: Option<Vec<String>>,
    ) {
        self.push(Step {
            name,
            status,
            detail,
            elapsed_ms: ms(t),
            http_status: None,
            error_code: None,
            lines: lines.unwrap_or_default(),
        });
    }

    fn push(&mut self, s: Step) {
        (self.progress)(&s);
        self.steps.push(s);
    }

    fn fail(&mut self, name: &'static str, t: Instant, e: &RegistryError) {
        self.push(Step {
            name,
            status: StepStatus::Fail,
            detail: e.to_string(),
            elapsed_ms: ms(t),
            http_status: e.http_status(),
            error_code: e.error_code().map(str::to_string),
            lines: vec![],
        });
    }

    fn finish(&mut self, verdict: Verdict, summary: String, next_step: String) -> Report {
        for name in STEPS {
            if !self.steps.iter().any(|s| s.name == name) {
                let skip = Step {
                    name,
                    status: StepStatus::Skip,
                    detail: "not reached".into(),
                    elapsed_ms: 0,
                    http_status: None,
                    error_code: None,
                    lines: vec![],
                };
                (self.progress)(&skip);
                self.steps.push(skip);
            }
        }
        // Clues found early (close tags) still print in pull-path order.
        self.steps
            .sort_by_key(|s| STEPS.iter().position(|n| *n == s.name));
        Report {
            reference: self.reference.clone(),
            platform: self.platform.as_ref().map(|p| p.to_string()),
            verdict,
            summary,
            next_step,
            steps: std::mem::take(&mut self.steps),
        }
    }

    /// A failed step and the verdict its error means.
    fn failed(
        &mut self,
        name: &'static str,
        t: Instant,
        e: &RegistryError,
        client: &DistributionClient,
    ) -> Report {
        self.fail(name, t, e);
        let (v, summary, next) = self.explain(e, client);
        self.finish(v, summary, next)
    }
    async fn walk(&mut self, client: &DistributionClient, reference: &Reference) -> Outcome {
        let ping = self.reach(client).await?;
        self.auth(client, &ping).await?;
        let asked = reference.reference();
        let t = Instant::now();
        let head = match client.head_manifest(&self.repo, &asked).await {
            Ok(h) => h,
            Err(e) if e.http_status() == Some(404) => {
                return Err(self.not_found(client, t, &e, &asked).await)
            }
            Err(e) => return Err(self.failed("resolve", t, &e, client)),
        };
        let rl = client
            .transport()
            .stats()
            .rate_limit
            .map(|r| format!("; rate limit{}", rate_text(r)))
            .unwrap_or_else(|| "; no rate-limit headers".into());
        let resolve = Step {
            name: "resolve",
            status: StepStatus::Ok,
            detail: format!(
                "{} ({}, {} bytes){rl}",
                head.digest, head.media_type, head.size
            ),
            elapsed_ms: ms(t),
            http_status: Some(200),
            error_code: None,
            lines: vec![],
        };
        self.push(resolve);
        let image = self
            .platforms(client, &head.digest, &head.media_type)
            .await?;
        let config = self.blobs(client, &image).await?;
        self.history(client, &config).await
    }
}

/// `tag v1`, `digest sha256:…` (a digest wins: it is what a runtime pulls).
fn wanted(reference: &Reference) -> String {
    match (&reference.digest, &reference.tag) {
        (Some(d), _) => format!("digest {d}"),
        (None, Some(tag)) => format!("tag {tag}"),
        (None, None) => "tag latest".into(),
    }
}

/// The normalised reference in words, with the API host when it differs from the name
/// people write (Docker Hub).
fn describe(reference: &Reference, host: &str) -> String {
    let api = if host != reference.registry {
        format!(" (API host {host})")
    } else {
        String::new()
    };
    format!(
        "registry {}{api}, repository {}, {}",
        reference.registry,
        reference.repository,
        wanted(reference)
    )
}

fn place(client: &DistributionClient) -> Place {
    Place {
        registry: client.host().to_string(),
        ..Place::default()
    }
}

fn ms(t: Instant) -> u64 {
    t.elapsed().as_millis() as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docker_hub_short_names_are_shown_normalised() {
        let r = Reference::parse("nginx").unwrap();
        let Target::Distribution { host, .. } = &r.target else {
            panic!("{r:?}")
        };
        assert_eq!(
            describe(&r, host),
            "registry docker.io (API host registry-1.docker.io), repository library/nginx, tag latest"
        );
        assert_eq!(r.to_string(), "docker.io/library/nginx:latest");
        let d = format!("sha256:{}", "a".repeat(64));
        let r = Reference::parse(&format!("ghcr.io/org/app:v1@{d}")).unwrap();
        assert_eq!(
            describe(&r, "ghcr.io"),
            format!("registry ghcr.io, repository org/app, digest {d}")
        );
    }
}
