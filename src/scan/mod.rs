//! Vulnerability findings from every source, one rollup: scanner reports attached to
//! images as OCI referrers or given as files (Trivy JSON, Grype JSON, SARIF, cosign
//! vulnerability attestations), and ECR's own findings (mapped by `registry::ecr::scan`
//! into the same `model::Finding`). "Not scanned" never reads as "clean".

pub mod artifact;
pub mod collect;
pub mod ecr;
pub mod fleet;
pub mod formats;
pub mod harbor;
pub mod report;
pub mod rollup;
pub mod version;

pub use collect::{image_findings, ImageFindings, Origin, ReportFiles, ReportSource};
pub use report::{ReportError, ScanReport};

#[cfg(test)]
mod fleet_tests;
#[cfg(test)]
mod tests;
