//! The audit view (`:audit`): the registry guides' hygiene checklist, a row per repository
//! and a column per check (glyphs readable without colour), the registry's totals on top,
//! `enter` for the selected check's evidence.
pub mod state;
pub mod update;
pub mod view;
