//! The pull doctor view: one reference's pull path as a checklist (✔/✖ per step, timings,
//! raw status and error code), steps appearing as they complete, then the verdict in one
//! sentence and a next step to copy.
pub mod state;
pub mod update;
pub mod view;
