//! Reducer for the detail pane: lazy, latest-wins fetches cached by digest; tabs; scroll.

use super::state::{DetailEntry, DetailTab};
use crate::app::action::Action;
use crate::app::effect::Effect;
use crate::app::state::{Pane, State};
use crate::app::tasks::detail::{DetailData, DetailRequest, DetailResult, PlatformLine};
use crate::app::views::errors::state::ErrorEntry;
use crate::app::views::images;
use crate::model::Platform;

/// Makes sure the selected image's detail is cached or on its way. A new request gets a
/// new ticket; the runner abandons the previous fetch.
pub fn follow(state: &mut State) -> Vec<Effect> {
    let mut fx = follow_detail(state);
    fx.extend(crate::app::views::findings::update::follow(state));
    fx.extend(crate::app::views::layers::update::follow(state));
    fx
}

fn follow_detail(state: &mut State) -> Vec<Effect> {
    if !state.detail.open {
        return vec![];
    }
    let Some(row) = state.images.selected() else {
        return vec![];
    };
    let mut digest = row.digest_str().to_string();
    let mut digest_parsed = row.digest();
    if let Some(entry) = state.detail.cache.get(&digest) {
        // The layers tab of an index shows one platform's layers: fetch that manifest.
        let child = match entry {
            DetailEntry::Ready(d) if state.detail.tab == DetailTab::Layers => {
                index_platform(state, d).map(|p| p.digest.clone())
            }
            _ => None,
        };
        match child {
            Some(c) if !state.detail.cache.contains_key(c.as_str()) => {
                digest = c.as_str().to_string();
                digest_parsed = c;
            }
            _ => return vec![],
        }
    }
    let Some(table) = state.images.table.clone() else {
        return vec![];
    };
    let Some(registry) = state.fleet.registry_index(&table.registry) else {
        return vec![];
    };
    // Where a manifest read is a pull (it moves "last pulled"): never fetch just because
    // the selection moved; only when the user opened the detail pane, and say so.
    let node = &state.fleet.registries[registry];
    let note = node.caps().opening_note(node.kind);
    if note.is_some() && state.focus != Pane::Detail {
        return vec![];
    }
    if let Some(note) = note {
        state.flash(note, false);
    }
    state.detail.ticket += 1;
    state.detail.cache.insert(digest, DetailEntry::Loading);
    state.detail.scroll = 0;
    vec![Effect::FetchDetail(DetailRequest {
        ticket: state.detail.ticket,
        registry,
        repository: table.repository.clone(),
        digest: digest_parsed,
        table,
    })]
}

/// The platform whose layers the layers tab of an index shows: the one chosen with
/// `:platform`, else linux/amd64, else the first that is not an attestation.
pub fn index_platform<'a>(state: &State, data: &'a DetailData) -> Option<&'a PlatformLine> {
    let runnable = || data.platforms.iter().filter(|p| !p.attestation);
    chosen_platform(state, data)
        .or_else(|| runnable().find(|p| p.platform == "linux/amd64"))
        .or_else(|| runnable().next())
}

/// The runnable platform line of `data` that `:platform` asks for, matched as the images
/// filter and runtimes match (`linux/arm64` takes `linux/arm64/v8`); `None` without a
/// choice or when the index has no such platform.
pub fn chosen_platform<'a>(state: &State, data: &'a DetailData) -> Option<&'a PlatformLine> {
    let wanted = state.images.platform.as_ref()?;
    data.platforms
        .iter()
        .find(|p| !p.attestation && Platform::parse(&p.platform).is_ok_and(|x| x.satisfies(wanted)))
}

/// The platforms of the selected index, when its detail is here.
pub fn selected_platforms(state: &State) -> Option<Vec<PlatformLine>> {
    let row = state.images.selected()?;
    match state.detail.cache.get(row.digest_str())? {
        DetailEntry::Ready(d) if !d.platforms.is_empty() => Some(d.platforms.clone()),
        _ => None,
    }
}

/// The overview of an index: `j`/`k` move over its platform lines, `enter` opens the one
/// selected (its row in the table, unfolded under the index, and its detail).
fn overview_platforms(state: &mut State, action: Action) -> Option<Vec<Effect>> {
    let platforms = selected_platforms(state)?;
    let last = platforms.len() - 1;
    let d = &mut state.detail;
    match action {
        Action::Up => d.platform_cursor = d.platform_cursor.min(last).saturating_sub(1),
        Action::Down => d.platform_cursor = (d.platform_cursor + 1).min(last),
        Action::Enter => {
            let p = &platforms[d.platform_cursor.min(last)];
            d.platform_cursor = 0;
            if !state.images.select_digest(p.digest.as_str()) {
                state.flash(
                    format!("{} is not in this repository's listing", p.digest.short()),
                    true,
                );
                return Some(vec![]);
            }
            let page = crate::app::layout::image_page(state);
            state.images.scroll_into_view(page);
            return Some(follow(state));
        }
        _ => return None,
    }
    Some(vec![])
}

pub fn on_result(state: &mut State, r: DetailResult) -> Vec<Effect> {
    let key = r.digest.as_str().to_string();
    match r.outcome {
        Ok(data) => {
            state.detail.cache.insert(key, DetailEntry::Ready(data));
            // An index in the layers tab: its platform's manifest next.
            return follow_detail(state);
        }
        Err(e) => {
            state
                .detail
                .cache
                .insert(key, DetailEntry::Failed(e.to_string()));
            state
                .errors
                .push(ErrorEntry::from_registry_error(state.now, &e));
        }
    }
    vec![]
}

/// Called by the runner when a fetch was abandoned for a newer one: forget the
/// placeholder so coming back to that image fetches again.
pub fn abandoned(state: &mut State, digest: &str) {
    if matches!(state.detail.cache.get(digest), Some(DetailEntry::Loading)) {
        state.detail.cache.remove(digest);
    }
}

pub fn on_action(state: &mut State, action: Action) -> Vec<Effect> {
    if state.detail.tab == DetailTab::Layers {
        if let Some(fx) = crate::app::views::layers::update::on_action(state, action) {
            return fx;
        }
    }
    if state.detail.tab == DetailTab::Findings {
        if let Some(fx) = crate::app::views::findings::update::on_action(state, action) {
            return fx;
        }
    }
    if state.detail.tab == DetailTab::Overview {
        if let Some(fx) = overview_platforms(state, action) {
            return fx;
        }
    }
    let d = &mut state.detail;
    match action {
        Action::Up => d.scroll = d.scroll.saturating_sub(1),
        Action::Down => d.scroll = d.scroll.saturating_add(1),
        Action::PageUp | Action::HalfPageUp => d.scroll = d.scroll.saturating_sub(10),
        Action::PageDown | Action::HalfPageDown => d.scroll = d.scroll.saturating_add(10),
        Action::Top => d.scroll = 0,
        Action::Bottom => d.scroll = u16::MAX / 2,
        Action::NextTab => {
            d.tab = d.tab.step(1);
            d.scroll = 0;
            return follow(state);
        }
        Action::PrevTab => {
            d.tab = d.tab.step(-1);
            d.scroll = 0;
            return follow(state);
        }
        Action::Raw => {
            if d.tab == DetailTab::Raw {
                d.raw_config = !d.raw_config;
            }
            d.tab = DetailTab::Raw;
            d.scroll = 0;
        }
        Action::RawPretty if d.tab == DetailTab::Raw => {
            d.raw_pretty = !d.raw_pretty;
            d.scroll = 0;
        }
        Action::RawPretty => state.flash(
            "p indents the raw tab (y opens it); the other tabs are already laid out",
            false,
        ),
        Action::Copy => return images::update::copy_selected(state),
        Action::FindingsFilter => state.flash(
            "nothing to filter in this tab: / filters the findings tab (and the lists)",
            false,
        ),
        Action::Back => {
            d.open = false;
            state.focus = Pane::Images;
        }
        _ => {}
    }
    vec![]
}
