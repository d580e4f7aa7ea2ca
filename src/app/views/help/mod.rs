//! The help overlay.
pub mod view;
