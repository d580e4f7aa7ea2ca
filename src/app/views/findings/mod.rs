//! The findings tab of the detail pane: one image's vulnerability findings, sorted by
//! severity (or id, package), filtered by id or package, optionally only fixable ones.
//! "Not scanned" is said as such, never shown as an empty, clean list.
pub mod state;
pub mod update;
pub mod view;
