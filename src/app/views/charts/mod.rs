//! Charts: bytes per repository and builds per week.
pub mod view;
