//! regscope: explore container registries across clouds.
//!
//! The engine (`model`, `registry`, `inventory`, `policy`, `layers`, `scan`, `doctor`,
//! `config`, `paths`, `session`) never imports ratatui or crossterm; `app` (the TUI) and `cli` both call it.

pub mod app;
pub mod cli;
pub mod config;
pub mod demo;
pub mod doctor;
pub mod files;
pub mod hygiene;
pub mod inventory;
pub mod layers;
pub mod model;
pub mod paths;
pub mod policy;
pub mod registry;
pub mod sbom;
pub mod scan;
pub mod session;
pub mod store;
pub mod text;
