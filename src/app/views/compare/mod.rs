//! Comparing two images (`=` on two marked images, `:diff REF`) and reading one file of an
//! image (`enter` on a file in the layers tree). Both ask the layer engine through
//! `tasks::compare`; these views only show what it answers.

pub mod diff_view;
pub mod file_view;
pub mod state;
pub mod update;
