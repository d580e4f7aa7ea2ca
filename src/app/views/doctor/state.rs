//! What the doctor view remembers: the reference being checked, the steps so far, the
//! report once the walk ends.

use crate::doctor::{Report, Step};
use crate::model::Platform;

#[derive(Debug, Default)]
pub struct DoctorState {
    /// Ticket of the newest run; events of older runs are dropped.
    pub ticket: u64,
    /// The reference as the user gave it (normalised once the report arrives).
    pub reference: Option<String>,
    pub platform: Option<Platform>,
    pub steps: Vec<Step>,
    pub report: Option<Report>,
    pub running: bool,
    pub scroll: u16,
}
