//! The pull path of an AWS ECR image, through the ECR API the way a runtime's credential
//! helper and pull use it: reach the API endpoint, get credentials and a registry token
//! (`GetAuthorizationToken`), read the manifest (`BatchGetImage`, a pull in ECR's eyes),
//! pick the platform, check every blob (`BatchCheckLayerAvailability`), then history clues
//! (push time, last recorded pull, close tags, the current lifecycle policy's verdict).
//!
//! `DescribeImages` runs before `BatchGetImage`, so the "last pulled" clue is the time
//! before this check, not the pull the doctor itself makes.

mod clues;
mod explain;
mod image;

use super::{ms, Walk};
use crate::config::RegistrySettings;
use crate::doctor::reach;
use crate::doctor::{DoctorOptions, Report, Step, StepStatus};
use crate::model::Image;
use crate::registry::ecr::{CredentialSource, EcrClient, ImageRef, RawFailure};
use crate::registry::{Reference, RegistryError};
use std::time::{Duration, Instant};

/// What the ECR walk learns on the way, for later steps and the verdict's words.
pub(super) struct EcrWalk<'c> {
    client: &'c EcrClient,
    source: Option<CredentialSource>,
    /// `DescribeImages` for the reference, taken before the pull.
    described: Option<Result<Image, RegistryError>>,
    asked: ImageRef,
    /// The lifecycle policy and the repository's images, read before the pull.
    lifecycle: Option<clues::Lifecycle>,
    /// The manifest the reference resolved to and, for an index, its children.
    resolved: Option<(crate::model::Digest, Vec<crate::model::Digest>)>,
    now: chrono::DateTime<chrono::Utc>,
}

/// Runs the ECR walk after the `reference` step.
pub(super) async fn diagnose(
    w: &mut Walk<'_>,
    reference: &Reference,
    options: &DoctorOptions,
) -> Report {
    let t = Instant::now();
    let target = &reference.target;
    let settings = options
        .settings
        .clone()
        .unwrap_or_else(|| RegistrySettings::for_address(&target.display_name()));
    let client = match EcrClient::connect(target, &settings, options.ecr.clone()).await {
        Ok(c) => c,
        Err(e) => {
            w.fail("reach", t, &e);
            return w.finish(
                crate::doctor::Verdict::RegistryError,
                format!("{e}."),
                e.next_step(),
            );
        }
    };
    let asked = match &reference.digest {
        Some(d) => ImageRef::Digest(d.clone()),
        None => ImageRef::Tag(reference.tag.clone().unwrap_or_else(|| "latest".into())),
    };
    let mut e = EcrWalk {
        client: &client,
        source: None,
        described: None,
        asked,
        resolved: None,
        lifecycle: None,
        now: options.now.unwrap_or_else(chrono::Utc::now),
    };
    match e.walk(w).await {
        Ok(r) | Err(r) => r,
    }
}

impl EcrWalk<'_> {
    async fn walk(&mut self, w: &mut Walk<'_>) -> Result<Report, Report> {
        self.reach(w).await?;
        self.auth(w).await?;
        // Before the pull: DescribeImages leaves "last pulled" alone.
        self.described = Some(
            self.client
                .describe_image(&w.repo, self.asked.as_str())
                .await,
        );
        if let Some(stop) = self.archived(w) {
            return Err(stop);
        }
        self.lifecycle = Some(self.read_lifecycle(&w.repo).await);
        let pulled = self.resolve(w).await?;
        let (digest, image) = self.platforms(w, pulled).await?;
        let checked = self.blobs(w, &digest, &image).await?;
        Ok(self.history(w, checked).await)
    }

    /// The raw status and AWS code of the API call that just failed; a call that answered
    /// 200 but named a failure (`BatchGetImage`'s `failures`) reports 200 and that code.
    fn raw_of(&self, e: &RegistryError) -> RawFailure {
        self.client.last_failure().unwrap_or(RawFailure {
            http_status: Some(200),
            code: e.error_code().map(str::to_string),
        })
    }

    fn fail_with(
        &self,
        w: &mut Walk<'_>,
        name: &'static str,
        t: Instant,
        e: &RegistryError,
        raw: RawFailure,
        lines: Vec<String>,
    ) {
        w.push(Step {
            name,
            status: StepStatus::Fail,
            detail: api_detail(e),
            elapsed_ms: ms(t),
            http_status: raw.http_status,
            error_code: raw.code.or(e.error_code().map(str::to_string)),
            lines,
        });
    }

    /// DNS and TCP to the API endpoint; TLS is checked by the first call (auth).
    async fn reach(&self, w: &mut Walk<'_>) -> Result<(), Report> {
        let t = Instant::now();
        let endpoint = self.client.endpoint().to_string();
        let wait = Duration::from_secs(10);
        let parsed = url::Url::parse(&endpoint).ok();
        let host = parsed
            .as_ref()
            .and_then(|u| u.host_str())
            .map(|h| h.trim_start_matches('[').trim_end_matches(']').to_string());
        let port = parsed.as_ref().and_then(|u| u.port_or_known_default());
        let (Some(host), Some(port)) = (host, port) else {
            let e = RegistryError::Unreachable {
                place: self.client.place(None, None),
                detail: format!("the ECR endpoint {endpoint:?} is not a URL"),
            };
            return Err(self.failed(w, "reach", t, &e, RawFailure::default()));
        };
        let addrs = reach::resolve(&host, port, wait).await;
        let connected = match &addrs {
            Ok(a) => reach::connect(a, wait)
                .await
                .map_err(|d| format!("TCP connection failed: {d}")),
            Err(d) => Err(d.clone()),
        };
        match (addrs, connected) {
            (Ok(addrs), Ok(peer)) => {
                let tls = if endpoint.starts_with("https://") {
                    "TLS is checked by the first API call"
                } else {
                    "plain HTTP (an endpoint override)"
                };
                w.push(Step {
                    name: "reach",
                    status: StepStatus::Ok,
                    detail: format!(
                        "ECR API {endpoint}: DNS {host} → {}, TCP {peer} connected; {tls}",
                        addrs[0].ip()
                    ),
                    elapsed_ms: ms(t),
                    http_status: None,
                    error_code: None,
                    lines: vec![],
                });
                Ok(())
            }
            (_, Err(detail)) | (Err(detail), _) => {
                let e = RegistryError::Unreachable {
                    place: self.client.place(None, None),
                    detail: format!("ECR API {endpoint}: {detail}"),
                };
                Err(self.failed(w, "reach", t, &e, RawFailure::default()))
            }
        }
    }

    /// The credential chain, then `GetAuthorizationToken` (its expiry, never the token).
    async fn auth(&mut self, w: &mut Walk<'_>) -> Result<(), Report> {
        let t = Instant::now();
        let source = match self.client.credential_source().await {
            Ok(s) => s,
            Err(e) => return Err(self.failed(w, "auth", t, &e, RawFailure::default())),
        };
        let mut lines = vec![format!("credentials: {}", source.describe())];
        lines.push(match source.expires_at {
            Some(at) => format!(
                "credentials expire {} ({})",
                at.to_rfc3339(),
                relative(self.now, at)
            ),
            None => "credentials: long-lived keys (no expiry)".into(),
        });
        self.source = Some(source);
        let auth = match self.client.registry_auth().await {
            Ok(a) => a,
            Err(e) => {
                let raw = self.raw_of(&e);
                self.fail_with(w, "auth", t, &e, raw, lines);
                let (v, s, n) = self.explain(w, &e, "GetAuthorizationToken");
                return Err(w.finish(v, s, n));
            }
        };
        if let Some(p) = &auth.endpoint {
            lines.push(format!("registry endpoint: {p}"));
        }
        let expiry = if auth.expires_at <= self.now {
            format!(
                "registry token expired at issue ({}): a runtime's login would be refused",
                auth.expires_at.to_rfc3339()
            )
        } else {
            format!(
                "registry token valid until {} ({})",
                auth.expires_at.to_rfc3339(),
                relative(self.now, auth.expires_at)
            )
        };
        w.push(Step {
            name: "auth",
            status: StepStatus::Ok,
            detail: format!(
                "GetAuthorizationToken answered for {}; {expiry}",
                self.source
                    .as_ref()
                    .map(|s| s.describe())
                    .unwrap_or_default()
            ),
            elapsed_ms: ms(t),
            http_status: Some(200),
            error_code: None,
            lines,
        });
        Ok(())
    }

    /// A failed step and the report its error means.
    fn failed(
        &self,
        w: &mut Walk<'_>,
        name: &'static str,
        t: Instant,
        e: &RegistryError,
        raw: RawFailure,
    ) -> Report {
        self.fail_with(w, name, t, e, raw, vec![]);
        let (v, s, n) = self.explain(w, e, name);
        w.finish(v, s, n)
    }
}

/// An API error in words, without the HTTP status the error type implies for OCI
/// registries (ECR answers 400 for most errors; the step carries the real status).
fn api_detail(e: &RegistryError) -> String {
    let code = |c: &crate::registry::CodeSuffix| {
        c.0.as_deref()
            .map(|c| format!(" ({c})"))
            .unwrap_or_default()
    };
    match e {
        RegistryError::Unauthorized {
            place,
            code: c,
            detail,
        } => format!("{place}: credentials rejected{}{detail}", code(c)),
        RegistryError::Forbidden {
            place,
            code: c,
            detail,
        } => format!("{place}: access denied{}{detail}", code(c)),
        RegistryError::NotFound {
            place,
            code: c,
            detail,
        } => format!("{place}: not found{}{detail}", code(c)),
        RegistryError::RateLimited { place, detail, .. } => format!("{place}: throttled{detail}"),
        other => other.to_string(),
    }
}

/// `in 11h` / `3d ago`, relative to `now`.
fn relative(now: chrono::DateTime<chrono::Utc>, at: chrono::DateTime<chrono::Utc>) -> String {
    let secs = (at - now).num_seconds();
    let d = super::explain::human(Duration::from_secs(secs.unsigned_abs()));
    if secs >= 0 {
        format!("in {d}")
    } else {
        format!("{d} ago")
    }
}
