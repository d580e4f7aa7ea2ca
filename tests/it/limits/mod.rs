//! Hostile inputs under a memory limit (`support::limited`): a broken `--in-use` file,
//! lying sizes, huge tar headers, looping layouts, unbounded files. Each must give a
//! clear error or a bounded answer, never an abort or an unbounded allocation.

mod config;
mod inuse;
mod layouts;
mod sizes;
