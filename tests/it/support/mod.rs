//! Test support: real servers on loopback and an independent client to seed them.
#![allow(dead_code)]

pub mod fake_acr;
pub mod fake_acr_api;
pub mod fake_acr_meta;
pub mod fake_acr_proxy;
pub mod fake_acr_routes;
pub mod fake_acr_token;
pub mod fake_ecr;
pub mod fake_gar;
pub mod fake_ghcr;
pub mod fake_google;
pub mod fake_harbor;
pub mod fake_hub;
pub mod faults;
pub mod fixtures;
pub mod fleet;
pub mod limited;
pub mod moto;
pub mod registry;
pub mod seed;
pub mod stub;
pub mod token_server;
pub mod vendor;

/// Finds a server binary. Under `CI=true` a missing binary fails the test run; elsewhere the
/// test is skipped with a message naming the install script.
pub fn require_binary(name: &str) -> Option<std::path::PathBuf> {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join(name))
            .find(|p| p.is_file())
    });
    if found.is_none() {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("{name} is not installed; run scripts/install-test-deps.sh (CI=true: a missing server is a failure)");
        }
        eprintln!("SKIP: {name} not installed; run scripts/install-test-deps.sh");
    }
    found
}

/// Skips the current test (outside CI) when a server binary is missing.
#[macro_export]
macro_rules! require {
    ($name:expr) => {
        match $crate::support::require_binary($name) {
            Some(p) => p,
            None => return,
        }
    };
}
