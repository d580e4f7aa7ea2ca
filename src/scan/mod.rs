//! Vulnerability findings from every source, one rollup.

pub mod artifact;
