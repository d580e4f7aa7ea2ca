//! The detail view.
pub mod state;
pub mod update;
pub mod view;
