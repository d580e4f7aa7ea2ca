//! Harbor through its own API (`/api/v2.0`, per Harbor's published swagger): projects,
//! repositories, artifacts with their tags, push and pull times, immutability, scan
//! overviews, accessories (signatures, SBOMs) and index references; project metadata,
//! immutable-tag rules, quota usage, the project's tag-retention policy and the replication
//! policies.
//!
//! Browsing has no side effects: Harbor records a manifest GET through `/v2` as a pull and
//! moves the artifact's `pull_time`, so listings read this API only and never `/v2`.
//! Fetching a manifest is an explicit user action that counts as a pull
//! ([`OPENING_COUNTS_AS_PULL`]).

mod api;
mod client;
mod encode;
mod model;
mod project;
mod replication;
mod scan;

pub use client::{HarborClient, HarborOptions, PAGE_SIZE};
pub use encode::repository_path;
pub use model::{
    harbor_time, Accessory, Artifact, NativeReportSummary, Project, ProjectMetadata, Reference,
    Repository, Tag,
};
pub use project::{ImmutableRule, ProjectFacts, Quota};
pub use replication::{Coverage, ReplicationPolicy};
pub use scan::{VulnItem, VulnReport};

/// What the front ends say when the user opens a Harbor manifest.
pub const OPENING_COUNTS_AS_PULL: &str =
    "reading this manifest from Harbor counts as a pull: it moves the artifact's pull time (which pull-based retention rules use)";
