//! After a deletion run: the deleted images leave the explorer at once (each affected
//! table is rebuilt without them, so counts update and marks on them clear) and their
//! repositories are read again from the registry, which then has the last word.

use crate::app::effect::Effect;
use crate::app::state::State;
use crate::app::tasks::inventory::convert;
use crate::app::views::fleet::update::on_inventory;
use crate::app::views::images::records::image_of;
use crate::inventory::InventoryEvent;
use crate::policy::execute::Outcome;
use std::collections::{BTreeMap, HashSet};

/// Called when a run finishes: drops what it deleted and asks for the repositories again.
pub fn after_deletion(state: &mut State) -> Vec<Effect> {
    let (Some(run), Some(req)) = (&state.plan.run, &state.plan.request) else {
        return vec![];
    };
    let registry = req.registry;
    let mut gone: BTreeMap<String, HashSet<String>> = BTreeMap::new();
    for r in &run.results {
        if r.outcome == Outcome::Deleted {
            gone.entry(r.repository.clone())
                .or_default()
                .insert(r.digest.to_string());
        }
    }
    if gone.is_empty() {
        return vec![];
    }
    let mut fx = Vec::new();
    for (repo, digests) in &gone {
        let Some(idx) = state.fleet.repo_index(registry, repo) else {
            continue;
        };
        let Some(old) = state.fleet.repos[idx].table.clone() else {
            continue;
        };
        // Sizes of the images left are the old ones until the repository is read again.
        let images = old
            .rows()
            .filter(|r| !digests.contains(r.digest_str()))
            .map(image_of)
            .collect();
        let update = convert(InventoryEvent::RepositoryImages {
            registry: old.registry.clone(),
            repository: repo.clone(),
            images,
        });
        fx.extend(on_inventory(state, update));
    }
    fx.push(Effect::RefreshRepositories {
        registry,
        repositories: gone.into_keys().collect(),
    });
    fx
}
