//! A single-platform image's own platform and build time, read from its config blob (a
//! small GET): the platform step checks it against the wanted platform, and the history
//! step reuses it for the build time.

use super::{ms, Walk};
use crate::doctor::verdict::Verdict;
use crate::doctor::{Report, Step, StepStatus};
use crate::model::Platform;
use crate::registry::{Descriptor, DistributionClient};
use std::time::Instant;

/// The fields of an image config the doctor reads.
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub(super) struct ImageConfig {
    pub created: Option<String>,
    pub os: Option<String>,
    pub architecture: Option<String>,
    pub variant: Option<String>,
}

impl ImageConfig {
    pub fn platform(&self) -> Option<Platform> {
        Some(Platform::new(
            self.os.as_deref()?,
            self.architecture.as_deref()?,
            self.variant.as_deref(),
        ))
    }
}

impl Walk<'_> {
    /// The config blob, parsed; `None` when it cannot be read (the blobs step says why).
    pub(super) async fn read_config(
        &self,
        client: &DistributionClient,
        config: &Descriptor,
    ) -> Option<ImageConfig> {
        let bytes = client
            .get_blob(&self.repo, &config.digest, 4 * 1024 * 1024)
            .await
            .ok()?;
        serde_json::from_slice(&bytes).ok()
    }

    /// The platforms step of a single-platform image: its platform against the wanted one
    /// (`platform-missing` when an explicit platform does not match). Without an explicit
    /// platform a runtime pulls it anyway, so a mismatch with this machine is a warning.
    pub(super) async fn single_platform(
        &mut self,
        client: &DistributionClient,
        t: Instant,
        media_type: &str,
        config: &Descriptor,
    ) -> Result<(), Report> {
        self.config = self.read_config(client, config).await;
        let Some(have) = self.config.as_ref().and_then(ImageConfig::platform) else {
            self.step(
                "platforms",
                StepStatus::Skip,
                format!("single-platform image ({media_type}); its config names no platform"),
                t,
                None,
            );
            return Ok(());
        };
        if let Some(wanted) = self.platform.clone() {
            if !have.satisfies(&wanted) {
                self.push(Step {
                    name: "platforms",
                    status: StepStatus::Fail,
                    detail: format!("single-platform image for {have}, not {wanted}"),
                    elapsed_ms: ms(t),
                    http_status: None,
                    error_code: None,
                    lines: vec![],
                });
                return Err(self.finish(
                    Verdict::PlatformMissing,
                    format!(
                        "{} is a single-platform image for {have}; there is no {wanted} variant.",
                        self.reference
                    ),
                    format!(
                        "rebuild for {wanted}: docker buildx build --platform {wanted},{have} ..."
                    ),
                ));
            }
        }
        let mut lines = Vec::new();
        let host = Platform::host();
        if self.platform.is_none() && !have.satisfies(&host) {
            lines.push(format!(
                "this machine is {host}: a runtime here pulls it, but it runs only under emulation"
            ));
        }
        self.step(
            "platforms",
            StepStatus::Ok,
            format!("single-platform image for {have} ({media_type})"),
            t,
            Some(lines),
        );
        Ok(())
    }
}
