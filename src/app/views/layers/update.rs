//! Reducer of the layers tab: requests an analysis for the selected image when the tab is
//! showing (latest wins, cached by digest), and moves between layers and in the tree.

use super::state::{visible, DiveEntry, LayersEntry, TreeMode};
use crate::app::action::Action;
use crate::app::effect::Effect;
use crate::app::state::State;
use crate::app::tasks::layers::{LayersRequest, LayersResult};
use crate::app::views::detail::state::{DetailEntry, DetailTab};
use crate::app::views::errors::state::ErrorEntry;
use crate::layers::dive::DiveScore;
use std::sync::Arc;

/// Makes sure the selected image's layer analysis is cached or on its way, when the layers
/// tab is showing and the manifest (with its layer list) is known.
pub fn follow(state: &mut State) -> Vec<Effect> {
    if !state.detail.open || state.detail.tab != DetailTab::Layers {
        return vec![];
    }
    let Some(row) = state.images.selected() else {
        return vec![];
    };
    let digest = row.digest_str().to_string();
    let total = match state.detail.cache.get(&digest) {
        Some(DetailEntry::Ready(d)) if !d.layers.is_empty() => d.layers.len(),
        _ => return vec![],
    };
    if state.layers.cache.contains_key(&digest) {
        return vec![];
    }
    let Some(table) = state.images.table.clone() else {
        return vec![];
    };
    let Some(registry) = state.fleet.registry_index(&table.registry) else {
        return vec![];
    };
    let l = &mut state.layers;
    l.ticket += 1;
    l.layer = 0;
    l.in_tree = false;
    l.reset_tree();
    l.cache
        .insert(digest, LayersEntry::Loading { read: 0, total });
    vec![Effect::AnalyzeLayers(LayersRequest {
        ticket: l.ticket,
        registry,
        repository: table.repository.clone(),
        digest: row.digest(),
    })]
}

pub fn on_progress(state: &mut State, digest: &str, layer: usize, total: usize) {
    let _ = layer;
    if let Some(LayersEntry::Loading { read, total: t }) = state.layers.cache.get_mut(digest) {
        *read += 1;
        *t = total;
    }
}

pub fn on_result(state: &mut State, r: LayersResult) -> Vec<Effect> {
    let key = r.digest.to_string();
    let entry = match r.outcome {
        Ok(data) => LayersEntry::Ready(data),
        Err(e) => {
            let table = state.images.table.as_ref();
            state.errors.push(ErrorEntry {
                at: state.now,
                registry: table.map(|t| t.registry.clone()).unwrap_or_default(),
                repository: table.map(|t| t.repository.clone()),
                reference: Some(key.clone()),
                status: None,
                code: None,
                message: e.clone(),
                next_step: "the layers tab needs every layer; overview and raw still work".into(),
            });
            LayersEntry::Failed(e)
        }
    };
    state.layers.cache.insert(key, entry);
    vec![]
}

pub fn on_dive(state: &mut State, digest: String, score: Result<Arc<DiveScore>, String>) {
    let entry = match score {
        Ok(s) => DiveEntry::Ready(s),
        Err(why) => DiveEntry::Unknown(why),
    };
    state.layers.dive.insert(digest, entry);
}

/// The runner gave up on this digest for a newer one: fetch again when it is shown again.
/// That includes an analysis whose dive figures were still being computed (they come from
/// the same run): otherwise the tab would say "computing" for ever.
pub fn abandoned(state: &mut State, digest: &str) {
    let l = &mut state.layers;
    let unfinished = match l.cache.get(digest) {
        Some(LayersEntry::Loading { .. }) => true,
        Some(LayersEntry::Ready(_)) => !l.dive.contains_key(digest),
        _ => false,
    };
    if unfinished {
        l.cache.remove(digest);
    }
}

/// Keys of the layers tab; `None` when the tab does not use the action.
pub fn on_action(state: &mut State, action: Action) -> Option<Vec<Effect>> {
    let row = state.images.selected()?;
    let Some(LayersEntry::Ready(data)) = state.layers.cache.get(row.digest_str()).cloned() else {
        return None;
    };
    let l = &mut state.layers;
    let layers = data.rows.len();
    let rows = l
        .tree(&data)
        .map(|t| visible(t, &l.expanded))
        .unwrap_or_default();
    let step = |v: usize, d: isize, n: usize| {
        (v as isize + d).clamp(0, n.saturating_sub(1) as isize) as usize
    };
    match action {
        Action::LayerView => {
            l.mode = Some(match l.mode() {
                TreeMode::Changes => TreeMode::AsOf,
                TreeMode::AsOf => TreeMode::Changes,
            });
            l.reset_tree();
        }
        Action::Up | Action::Down | Action::PageUp | Action::PageDown => {
            let d = match action {
                Action::Up => -1,
                Action::Down => 1,
                Action::PageUp => -10,
                _ => 10,
            };
            if l.in_tree {
                l.cursor = step(l.cursor, d, rows.len());
            } else {
                l.layer = step(l.layer, d, layers);
                l.reset_tree();
            }
        }
        Action::Enter if !l.in_tree => {
            l.in_tree = true;
        }
        Action::Enter => {
            let (id, _) = *rows.get(l.cursor)?;
            let tree = l.tree(&data)?;
            if let Some(path) = super::file_open::readable_path(tree, &rows, l.cursor) {
                // A file: the viewer reads it as this tree shows it (as of this layer).
                return Some(super::file_open::open(state, path));
            }
            if !l.expanded.remove(&id) {
                l.expanded.insert(id);
            }
        }
        Action::Back if l.in_tree => l.in_tree = false,
        _ => return None,
    }
    Some(vec![])
}
