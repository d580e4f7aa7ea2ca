//! The terminal UI (ratatui + crossterm). Nothing in the engine imports this.
//!
//! Entry point: [`run`]`(targets, RunOptions)` opens the explorer on `(Target,
//! RegistrySettings)` pairs and returns when the user quits. It is synchronous and builds
//! its own tokio runtime, so call it outside any runtime. `regscope [TARGET...]` and
//! `regscope demo` both end here.
//!
//! Shape (style.md): one [`state::State`] owned by the loop in `run.rs`; `update(&mut
//! State, Msg) -> Vec<Effect>` reducers per view (`views/<view>/{state,update,view}.rs`);
//! `tasks/` turns effects into background work whose results come back as ticketed or
//! generation-stamped messages; `ui::draw` is a pure function of the state. Keys map to
//! one action vocabulary (`action.rs`) shared by the keymap, help, hint bar and `:`
//! commands (`command.rs`).

pub mod action;
pub mod backend;
pub mod command;
pub mod complete;
pub mod config;
pub mod effect;
pub mod engine;
pub mod format;
pub mod goto;
#[doc(hidden)]
pub mod inventory_event;
pub mod keymap;
pub mod layout;
pub mod logging;
pub mod msg;
pub mod run;
pub mod short_digest;
pub mod state;
pub mod tasks;
#[doc(hidden)]
pub mod testing;
#[cfg(test)]
mod tests;
pub mod ui;
pub mod update;
pub mod views;
pub mod widgets;

pub use backend::Backend;
pub use config::AppConfig;

use std::sync::Arc;

/// How to run the explorer: where data comes from and the loaded config.
pub struct RunOptions {
    pub backend: Arc<dyn Backend>,
    pub config: AppConfig,
}

/// Opens the explorer; returns when the user quits.
pub fn run(
    targets: Vec<(crate::registry::Target, crate::config::RegistrySettings)>,
    opts: RunOptions,
) -> anyhow::Result<()> {
    run::run(targets, opts)
}
