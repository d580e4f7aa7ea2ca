//! Charts: bytes per repository, bytes over time (from the store) and builds per week.
pub mod history;
pub mod view;
