//! Builders for synthetic `InventoryEvent`s (tests, benchmarks, screenshots).

use crate::inventory::InventoryEvent;
use crate::model::{Image, InventoryIssue};
use crate::registry::TrafficStats;

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

pub fn issue(registry: &str, repo: &str, message: &str) -> InventoryEvent {
    InventoryEvent::Issue {
        registry: registry.into(),
        issue: InventoryIssue {
            repository: Some(repo.into()),
            reference: None,
            message: message.into(),
        },
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
