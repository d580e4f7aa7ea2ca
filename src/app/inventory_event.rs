//! Builders for synthetic `InventoryEvent`s (tests, benchmarks, screenshots).

use crate::inventory::InventoryEvent;
use crate::model::{Image, InventoryIssue};
use crate::registry::{CodeSuffix, Place, RegistryError, TrafficStats};

pub fn listed(registry: &str, repos: &[&str]) -> InventoryEvent {
    InventoryEvent::RepositoriesListed {
        registry: registry.into(),
        repositories: repos.iter().map(|r| r.to_string()).collect(),
    }
}

pub fn images(registry: &str, repo: &str, images: Vec<Image>) -> InventoryEvent {
    InventoryEvent::RepositoryImages {
        registry: registry.into(),
        repository: repo.into(),
        images,
    }
}

/// An issue with only a message (what an engine reports when the registry gave no answer).
pub fn issue(registry: &str, repo: &str, message: &str) -> InventoryEvent {
    InventoryEvent::Issue {
        registry: registry.into(),
        issue: InventoryIssue::new(Some(repo), None, message),
    }
}

/// A registry's answer `status` with error `code` for `repo`, as the engine reports it
/// (status, code and next step as fields).
pub fn refused(registry: &str, repo: &str, status: u16, code: &str) -> InventoryEvent {
    let place = Place {
        registry: registry.into(),
        repository: Some(repo.into()),
        reference: None,
    };
    let code = CodeSuffix(Some(code.into()));
    let detail = String::new();
    let e = match status {
        401 => RegistryError::Unauthorized {
            place,
            code,
            detail,
        },
        403 => RegistryError::Forbidden {
            place,
            code,
            detail,
        },
        404 => RegistryError::NotFound {
            place,
            code,
            detail,
        },
        status => RegistryError::Http {
            place,
            status,
            code,
            detail,
        },
    };
    InventoryEvent::Issue {
        registry: registry.into(),
        issue: crate::inventory::issue_at(Some(repo), None, &e),
    }
}

pub fn progress(registry: &str, done: usize, total: usize, requests: u64) -> InventoryEvent {
    InventoryEvent::Progress {
        registry: registry.into(),
        repositories_done: done,
        repositories_total: total,
        stats: TrafficStats {
            requests,
            retries: 2,
            ..Default::default()
        },
    }
}

pub fn finished(registry: &str, fatal: Option<&str>) -> InventoryEvent {
    InventoryEvent::Finished {
        registry: registry.into(),
        stats: TrafficStats::default(),
        fatal: fatal.map(str::to_string),
    }
}
