//! Vulnerability findings from every source, one rollup.
