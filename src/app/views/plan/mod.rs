//! The plan view: a deletion plan from marks, a policy file or a repository's own lifecycle
//! policy, reviewed row by row (grouped by action, protections and warnings after), with
//! naive vs reclaimed bytes, an "as of" date control, export to JSON, and a typed
//! confirmation before anything is deleted.
pub mod after;
pub mod confirm;
mod confirm_view;
pub mod run;
pub mod sort;
pub mod state;
mod summary;
pub mod update;
pub mod view;
