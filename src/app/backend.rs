//! The app's port to the engine: crawl a registry, and open a source for lazy detail
//! fetches. Production wires it to `crate::inventory`; tests and benchmarks plug in
//! synthetic data without a network.

use crate::config::RegistrySettings;
use crate::inventory::InventoryEvent;
use crate::registry::{ManifestSource, Target};
use futures::future::BoxFuture;
use std::sync::Arc;
use tokio::sync::mpsc;

pub trait Backend: Send + Sync + 'static {
    /// Crawls one registry, sending events until it is done (then returns).
    fn crawl(
        &self,
        target: Target,
        settings: RegistrySettings,
        tx: mpsc::Sender<InventoryEvent>,
    ) -> BoxFuture<'static, ()>;

    /// A source for manifests and configs of this registry.
    fn source(
        &self,
        target: &Target,
        settings: &RegistrySettings,
    ) -> Result<Arc<dyn ManifestSource>, String>;

    /// The findings of one image: ECR's own scan through its API for `ecr://` targets
    /// (never a manifest read, which ECR counts as a pull); elsewhere the scanner reports
    /// attached to the image.
    fn findings(
        &self,
        target: &Target,
        settings: &RegistrySettings,
        source: Result<Arc<dyn ManifestSource>, String>,
        req: &crate::app::tasks::findings::FindingsRequest,
    ) -> BoxFuture<'static, Result<crate::app::tasks::findings::FindingsReport, String>> {
        use crate::app::tasks::findings::FindingsReport;
        let (target, settings, req) = (target.clone(), settings.clone(), req.clone());
        Box::pin(async move {
            if !matches!(target, Target::Ecr { .. }) {
                // Scanner reports attached as referrers (or via the fallback tag).
                let src = source?;
                let f = crate::scan::image_findings(
                    src.as_ref(),
                    &req.repository,
                    req.digest.as_str(),
                    &req.shown_as,
                    &crate::scan::ReportFiles::default(),
                )
                .await
                .map_err(|e| format!("{e} ({})", e.next_step()))?;
                return Ok(FindingsReport {
                    status: f.status,
                    scanned_at: f.scanned_at,
                    sources: f
                        .sources
                        .iter()
                        .map(|s| match &s.scanner_version {
                            Some(v) => format!("{} {v}", s.scanner),
                            None => s.scanner.clone(),
                        })
                        .collect(),
                    findings: f.findings,
                    problems: f.problems,
                });
            }
            let client = shared_ecr_client(&target, &settings).await?;
            let r = client
                .scan_findings(&req.repository, &req.digest)
                .await
                .map_err(|e| format!("{e} ({})", e.next_step()))?;
            Ok(FindingsReport {
                status: r.summary.status.clone(),
                scanned_at: r.summary.scanned_at,
                sources: r.summary.source.iter().cloned().collect(),
                findings: r.findings,
                problems: r.status_description.into_iter().collect(),
            })
        })
    }

    /// Walks the pull path of `reference` (`doctor::diagnose`, the engine behind
    /// `regscope doctor`), telling `progress` about each step as it completes.
    fn doctor(
        &self,
        reference: crate::registry::Reference,
        options: crate::doctor::DoctorOptions,
        progress: Box<dyn Fn(&crate::doctor::Step) + Send + Sync>,
    ) -> BoxFuture<'static, crate::doctor::Report> {
        Box::pin(async move {
            // The walk's future is not `Send` for every lifetime it borrows, so it runs on a
            // blocking thread of its own, driven by the same runtime.
            let shown = reference.to_string();
            let rt = tokio::runtime::Handle::current();
            let run = tokio::task::spawn_blocking(move || {
                rt.block_on(crate::doctor::diagnose(&reference, &options, &*progress))
            });
            run.await.unwrap_or_else(|e| crate::doctor::Report {
                reference: shown,
                platform: None,
                verdict: crate::doctor::Verdict::RegistryError,
                summary: format!("the doctor stopped: {e}"),
                next_step: "see the log file".into(),
                steps: Vec::new(),
            })
        })
    }

    /// What a confirmed plan is deleted through: ECR through its API (`BatchDeleteImage`,
    /// checks with `DescribeImages`, so no check is a pull), every other registry
    /// through its manifests (`source`).
    fn deletion_target(
        &self,
        target: &Target,
        settings: &RegistrySettings,
        source: Result<Arc<dyn ManifestSource>, String>,
    ) -> BoxFuture<'static, Result<Box<dyn crate::policy::execute::DeletionTarget>, String>> {
        use crate::policy::execute::{EcrTarget, SourceTarget};
        let (target, settings) = (target.clone(), settings.clone());
        Box::pin(async move {
            if !matches!(target, Target::Ecr { .. }) {
                return Ok(Box::new(SourceTarget(source?)) as Box<_>);
            }
            let client = crate::registry::ecr::EcrClient::connect(
                &target,
                &settings,
                crate::registry::ecr::EcrConnectOptions::default(),
            )
            .await
            .map_err(|e| e.to_string())?;
            Ok(Box::new(EcrTarget(Arc::new(client))) as Box<_>)
        })
    }

    /// The lifecycle policy a registry keeps for `repository` (ECR's
    /// `GetLifecyclePolicy`), as text; `Ok(None)` when it has none or the registry keeps
    /// no such thing. The default asks ECR for `ecr://` targets and says none otherwise.
    fn lifecycle_policy(
        &self,
        target: &Target,
        settings: &RegistrySettings,
        repository: &str,
    ) -> BoxFuture<'static, Result<Option<String>, String>> {
        let (target, settings, repository) =
            (target.clone(), settings.clone(), repository.to_string());
        Box::pin(async move {
            if !matches!(target, Target::Ecr { .. }) {
                return Ok(None);
            }
            let client = crate::registry::ecr::EcrClient::connect(
                &target,
                &settings,
                crate::registry::ecr::EcrConnectOptions::default(),
            )
            .await
            .map_err(|e| e.to_string())?;
            client
                .lifecycle_policy(&repository)
                .await
                .map(|p| p.map(|p| p.text))
                .map_err(|e| format!("{e} ({})", e.next_step()))
        })
    }
}

/// One ECR client per registry for findings: a fleet sweep asks for hundreds of scans, and a
/// client per call would redo the credential chain and a TLS handshake each time. Keyed by
/// the target, its settings and the endpoint override (which tests point at moto).
async fn shared_ecr_client(
    target: &Target,
    settings: &RegistrySettings,
) -> Result<Arc<crate::registry::ecr::EcrClient>, String> {
    use std::collections::HashMap;
    use tokio::sync::Mutex;
    static CLIENTS: std::sync::OnceLock<
        Mutex<HashMap<String, Arc<crate::registry::ecr::EcrClient>>>,
    > = std::sync::OnceLock::new();
    let endpoint = std::env::var("AWS_ENDPOINT_URL_ECR")
        .or_else(|_| std::env::var("AWS_ENDPOINT_URL"))
        .unwrap_or_default();
    let key = format!("{target:?}|{settings:?}|{endpoint}");
    let mut clients = CLIENTS.get_or_init(Default::default).lock().await;
    if let Some(c) = clients.get(&key) {
        return Ok(c.clone());
    }
    let c = crate::registry::ecr::EcrClient::connect(
        target,
        settings,
        crate::registry::ecr::EcrConnectOptions::default(),
    )
    .await
    .map_err(|e| e.to_string())?;
    let c = Arc::new(c);
    clients.insert(key, c.clone());
    Ok(c)
}
