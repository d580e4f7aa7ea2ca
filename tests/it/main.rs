//! The one integration-test binary (one link of the whole crate instead of one per file).
//! Each module tests against real servers on loopback, started by `support`.

mod acr;
mod acr_cli;
mod distribution;
mod doctor;
mod doctor_cli;
mod doctor_ecr;
mod doctor_ecr_faults;
mod ecr;
mod ecr_cli;
mod ecr_faults;
mod ecr_findings_cli;
mod ecr_findings_same;
mod ecr_lifecycle;
mod ecr_lifecycle_actions;
mod ecr_oci;
mod ecr_scale;
mod ecr_scan;
mod exit_codes;
mod findings;
mod harbor;
mod harbor_client;
mod harbor_retention;
mod harbor_schema;
mod harbor_session;
mod harness;
mod hostile;
mod inventory;
mod layers;
mod layout;
mod lifecycle;
mod lifecycle_times;
mod registry_auth;
mod support;
mod tui;
mod tui_findings;
