//! Reducer for the images pane: movement, sort, filter, marks, copy, drill-in.

use crate::app::action::Action;
use crate::app::effect::Effect;
use crate::app::layout::image_page;
use crate::app::state::{Pane, State};
use crate::app::views::detail;
use crate::app::views::detail::state::DetailTab;
use crate::app::views::images::column::{ImageColumn, SortKey};

pub fn move_cursor(state: &mut State, delta: isize) -> Vec<Effect> {
    let page = image_page(state);
    state.images.move_by(delta, page);
    detail::update::follow(state)
}

pub fn on_action(state: &mut State, action: Action) -> Vec<Effect> {
    let page = image_page(state) as isize;
    if let Some(delta) = action.cursor_delta(page) {
        return move_cursor(state, delta);
    }
    match action {
        Action::Enter => open_detail(state, DetailTab::Overview),
        Action::Raw => open_detail(state, DetailTab::Raw),
        Action::Sort => {
            let scans = state
                .images
                .table
                .as_ref()
                .is_some_and(|t| super::scans::shows_severity(state, t));
            let mut col = state.images.sort.column.next();
            while !scans && matches!(col, ImageColumn::Severity(_)) {
                col = col.next();
            }
            state.images.sort.column = col;
            state.images.sort.descending = col.default_descending();
            let mut fx = state.images.refresh();
            fx.extend(super::scans::merge_if_sorting(state));
            fx
        }
        Action::SortReverse => {
            state.images.sort.descending = !state.images.sort.descending;
            state.images.refresh()
        }
        a if sort_column(a).is_some() => {
            let col = sort_column(a).expect("checked");
            let scans = state
                .images
                .table
                .as_ref()
                .is_some_and(|t| super::scans::shows_severity(state, t));
            if matches!(col, ImageColumn::Severity(_)) && !scans {
                state.flash("no image here has scan results to sort by", true);
                return vec![];
            }
            let s = &mut state.images.sort;
            if s.column == col {
                s.descending = !s.descending;
            } else {
                *s = SortKey::new(col, col.default_descending());
            }
            let mut fx = state.images.refresh();
            fx.extend(super::scans::merge_if_sorting(state));
            fx
        }
        Action::Mark => match state.images.toggle_mark() {
            Ok(()) => move_cursor(state, 1),
            Err(why) => {
                state.flash(why, true);
                vec![]
            }
        },
        Action::Fold => {
            if let Err(why) = state.images.toggle_fold() {
                state.flash(why, true);
            }
            let page = image_page(state);
            state.images.scroll_into_view(page);
            detail::update::follow(state)
        }
        Action::MarkRange => {
            state.images.mark_range();
            vec![]
        }
        Action::ClearMarks => {
            state.images.clear_marks();
            vec![]
        }
        Action::Wide => {
            state.wide = !state.wide;
            vec![]
        }
        Action::Copy => copy_selected(state),
        Action::Back => {
            if state.images.has_filter() {
                state.images.filter.clear();
                state.images.platform = None;
                state.images.refresh()
            } else if state.detail.open {
                state.detail.open = false;
                vec![]
            } else {
                state.focus = Pane::Fleet;
                vec![]
            }
        }
        _ => vec![],
    }
}

/// The column a shift-letter sort action picks in the images pane.
pub fn sort_column(a: Action) -> Option<ImageColumn> {
    Some(match a {
        Action::SortName => ImageColumn::Tags,
        Action::SortDigest => ImageColumn::Digest,
        Action::SortKind => ImageColumn::Kind,
        Action::SortPlatforms => ImageColumn::Platforms,
        Action::SortSize => ImageColumn::Size,
        Action::SortUnique => ImageColumn::Unique,
        Action::SortCreated => ImageColumn::Created,
        Action::SortPushed => ImageColumn::Pushed,
        Action::SortPulled => ImageColumn::Pulled,
        Action::SortCritical => ImageColumn::Severity(crate::model::Severity::Critical),
        _ => return None,
    })
}

pub fn copy_selected(state: &mut State) -> Vec<Effect> {
    match state.images.selected() {
        Some(r) => vec![Effect::Copy(r.reference())],
        None => {
            state.flash("nothing selected to copy", true);
            vec![]
        }
    }
}

fn open_detail(state: &mut State, tab: DetailTab) -> Vec<Effect> {
    if state.images.selected_id().is_none() {
        return vec![];
    }
    state.detail.open = true;
    if tab == DetailTab::Raw && state.detail.tab == DetailTab::Raw {
        state.detail.raw_config = !state.detail.raw_config;
    }
    state.detail.tab = tab;
    state.detail.scroll = 0;
    state.focus = Pane::Detail;
    let page = image_page(state);
    state.images.scroll_into_view(page);
    detail::update::follow(state)
}
