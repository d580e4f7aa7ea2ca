//! AWS ECR through the cloud's own API (`aws-sdk-ecr`): what the OCI API does not know —
//! push time, last pull, scan results, lifecycle policy, replication — for `ecr://`
//! targets.
//!
//! Browsing has no side effects: listings use `DescribeRepositories` and `DescribeImages`
//! only. `BatchGetImage` (which moves "last pulled") is confined to
//! [`EcrClient::fetch_manifest_counting_as_pull`], for an explicit user action.

mod client;
mod delete;
mod error;
mod images;
mod manifest;
mod paginate;
mod policy;
mod pull;
mod region;
mod repos;
mod retry;
mod scan;
mod settings;
mod source;
mod token;
mod write;

pub use client::{api_endpoint, ApiCallCounter, CredentialSource, EcrClient, EcrConnectOptions};
pub use delete::{DeleteFailure, DeleteReport};
pub use error::{classify, missing_permission, FailureClass, RawFailure, RetryPolicy};
pub use images::{
    classify as classify_media_types, image_from_detail, DescribedImages, DESCRIBE_IMAGES_PAGE,
};
pub use manifest::OPENING_COUNTS_AS_PULL;
pub use paginate::{collect_pages, Page, PageSource};
pub use policy::{EcrLifecyclePolicy, EcrReplicationRule, EcrReplicationState};
pub use pull::{BlobAvailability, ImageRef};
pub use repos::EcrRepository;
pub use scan::{scan_status, EcrScanReport};
pub use settings::{wildcard, EcrRegistryScanning};
pub use source::EcrManifestSource;
pub use token::{EcrRegistryAuth, Secret, REFRESH_MARGIN};
