//! The images of one repository: compact table, view, reducer, drawing.
pub mod column;
pub mod records;
pub mod row;
pub mod scans;
pub mod sort;
pub mod state;
pub mod table;
pub mod update;
pub mod view;
