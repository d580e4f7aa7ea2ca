//! The detail view.
pub mod raw;
pub mod state;
pub mod update;
pub mod view;
