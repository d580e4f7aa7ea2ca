//! The one integration-test binary (one link of the whole crate instead of one per file).
//! Each module tests against real servers on loopback, started by `support`.

mod ecr;
mod harness;
mod layers;
mod layout;
mod support;
