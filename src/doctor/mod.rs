//! Pull-failure diagnosis: walks the pull path the way a container runtime does
//! (reference → reach → auth → resolve → platforms → blobs → history clues), read-only,
//! each step timed with its raw HTTP status and registry error code, and ends in one
//! verdict from a fixed set with a plain sentence and a copyable next step.
//!
//! Front ends call [`diagnose`] and may watch steps arrive through the `progress`
//! callback (the TUI draws its checklist from it; the CLI prints the final [`Report`]).

mod reach;
mod run;
mod verdict;

pub use crate::registry::cert::CertSummary;
pub use run::diagnose;
pub use verdict::Verdict;

use crate::config::RegistrySettings;
use crate::model::Platform;
use crate::registry::ecr::EcrConnectOptions;
use crate::registry::ClientOptions;
use chrono::{DateTime, Utc};
use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum StepStatus {
    Ok,
    Fail,
    Skip,
}

/// One checked step of the pull path.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Step {
    /// `reference`, `reach`, `auth`, `resolve`, `platforms`, `blobs`, `history`.
    pub name: &'static str,
    pub status: StepStatus,
    /// One line saying what was found.
    pub detail: String,
    pub elapsed_ms: u64,
    pub http_status: Option<u16>,
    pub error_code: Option<String>,
    /// Further lines (platform list, missing blobs, certificate fields), for display.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub lines: Vec<String>,
}

/// The doctor's answer for one reference.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Report {
    /// The normalised reference (`docker.io/library/nginx:latest`).
    pub reference: String,
    pub platform: Option<String>,
    pub verdict: Verdict,
    /// One sentence in plain words.
    pub summary: String,
    /// A command or action to copy.
    pub next_step: String,
    pub steps: Vec<Step>,
}

impl Report {
    /// Whether a runtime could pull the reference (exit code 0 of `regscope doctor`).
    pub fn pullable(&self) -> bool {
        self.verdict == Verdict::Ok
    }
}

/// What the doctor needs besides the reference.
#[derive(Clone, Debug, Default)]
pub struct DoctorOptions {
    /// The platform to pull; `None` means this machine's (as a runtime would).
    pub platform: Option<Platform>,
    /// The registry's settings (`ca_file`, `insecure`, timeouts); defaults when `None`.
    pub settings: Option<RegistrySettings>,
    /// Injected credentials or Docker config dir (tests, the TUI's session).
    pub client: ClientOptions,
    /// For ECR: the API endpoint, credentials or AWS config files to use instead of the
    /// SDK's discovery (tests, emulators). Defaults are the user's normal AWS setup.
    pub ecr: EcrConnectOptions,
    /// The clock lifecycle rules are evaluated at; `None` is now.
    pub now: Option<DateTime<Utc>>,
}
