//! The production [`Backend`]: registries open through `crate::session`, and the doctor is
//! `crate::doctor::diagnose`.

use super::backend::Backend;
use crate::config::RegistrySettings;
use crate::registry::Target;
use crate::session::Session;
use futures::future::BoxFuture;

#[derive(Clone, Debug, Default)]
pub struct EngineBackend;

impl Backend for EngineBackend {
    fn open(&self, target: Target, settings: RegistrySettings) -> BoxFuture<'static, Session> {
        Box::pin(async move { crate::session::open(&target, &settings).await })
    }

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
}
