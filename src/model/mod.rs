//! Plain data shared by every part of regscope: images, digests, platforms, findings.
//!
//! Nothing here talks to a network or a terminal. The inventory record (`Image`) is the
//! stable `regscope.inventory/v1` JSON contract of design.md; field names are the wire names.

mod digest;
pub mod digest_prefix;
mod ecosystem;
mod finding;
mod image;
mod platform;
mod repository;
mod role;
mod size;

pub use digest::{Digest, DigestError};
pub use digest_prefix::{DigestPrefix, TypedDigest};
pub use ecosystem::Ecosystem;
pub use finding::{Finding, ScanStatus, ScanSummary, Severity, SeverityCounts};
pub use image::{
    referrer_label, BlobRef, Image, ImageKind, Inventory, InventoryIssue, Lock, ReferrerRef,
    StorageClass, TagDetail, INVENTORY_SCHEMA,
};
pub use platform::Platform;
pub use repository::RepositorySummary;
pub use role::{count_images, links, roles, roles_in_repository, Links, Role, NO_RECORD};
pub use size::{add_known, declared_size, saturating_sum, MAX_DECLARED_SIZE};
