//! One folder per view: `state.rs` (what it remembers), `update.rs` (its reducer),
//! `view.rs` (how it draws). New views add a folder here.

pub mod audit;
pub mod charts;
pub mod compare;
pub mod detail;
pub mod doctor;
pub mod errors;
pub mod findings;
pub mod fleet;
pub mod help;
pub mod images;
pub mod layers;
pub mod list_filter;
pub mod plan;
pub mod prompt;
pub mod query;
