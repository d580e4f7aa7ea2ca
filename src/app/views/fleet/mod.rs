//! The fleet view.
pub mod state;
pub mod update;
pub mod view;
