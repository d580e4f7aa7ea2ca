//! The pull doctor for the TUI: runs `doctor::diagnose` (the engine behind
//! `regscope doctor`) and relays each step as it completes, then the report.

use crate::doctor::{Report, Step};
use crate::model::Platform;
use crate::registry::Reference;

#[derive(Clone, Debug)]
pub struct DoctorRequest {
    pub ticket: u64,
    pub reference: Reference,
    pub platform: Option<Platform>,
    /// Index of the registry in the fleet whose settings apply (CA file, insecure, ...).
    pub registry: Option<usize>,
}

#[derive(Clone, Debug)]
pub enum DoctorEvent {
    Step { ticket: u64, step: Step },
    Done { ticket: u64, report: Report },
}
