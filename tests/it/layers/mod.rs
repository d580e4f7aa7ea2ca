//! The layer explorer: the streaming walk on in-memory blobs, checked against an
//! independent model built from `tar -tv` listings, and the whole path against a real
//! registry (see `registry.rs`).

mod cat;
mod cli;
mod diff;
mod dive;
mod engine;
mod model;
mod paths;
mod platforms;
mod ranged;
mod real;
mod registry;
mod sbom;
