//! The layers tab of the detail pane: per-layer size bars and `created_by`, a collapsible
//! tree of the selected layer's changes or of the whole filesystem as of that layer,
//! wasted bytes and hints, with progress while layers stream.

pub mod file_open;
pub mod state;
pub mod update;
pub mod view;
