//! The fleet query view: `:cve ID` and `:pkg NAME [< VERSION]` across every loaded
//! repository of every registry, answered as findings arrive, with how much is unknown.

pub mod state;
pub mod update;
pub mod view;
