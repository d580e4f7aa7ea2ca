//! The `/` filter and `:` command prompt.
pub mod update;
