//! Reducer for the registries & repositories tree and for the inventory stream behind it.

use super::state::{RepoSortColumn, TreeRow};
use crate::app::action::Action;
use crate::app::effect::Effect;
use crate::app::layout::fleet_page;
use crate::app::msg::InventoryUpdate;
use crate::app::state::{Pane, State};
use crate::app::views::errors::state::ErrorEntry;
use crate::app::views::list_filter::FilterTarget;

pub fn on_inventory(state: &mut State, u: InventoryUpdate) -> Vec<Effect> {
    let now = state.now;
    let f = &mut state.fleet;
    match u {
        InventoryUpdate::Listed {
            registry,
            repositories,
        } => {
            let Some(ri) = f.registry_index(&registry) else {
                return vec![];
            };
            f.registries[ri].listed = Some(repositories.len());
            for name in repositories {
                f.touch_repo(ri, &name);
            }
            f.rebuild_rows();
            follow(state)
        }
        InventoryUpdate::Loaded {
            registry,
            repository,
            table,
            summary,
            weekly,
        } => {
            let Some(ri) = f.registry_index(&registry) else {
                return vec![];
            };
            let idx = f.touch_repo(ri, &repository);
            let node = &mut f.repos[idx];
            node.summary = Some(summary);
            let old = node.table.replace(table.clone());
            node.weekly = weekly;
            // Marks are row ids of a table: a replaced table not on screen has its marks
            // moved by digest here (the one on screen does so when it is opened again).
            if let Some(old) = old {
                let shown = state
                    .images
                    .table
                    .as_ref()
                    .is_some_and(|t| std::sync::Arc::ptr_eq(t, &old));
                if !shown {
                    state.images.remap_marks(&old, &table);
                }
            }
            let f = &mut state.fleet;
            f.rebuild_rows();
            follow(state)
        }
        InventoryUpdate::Summaries {
            registry,
            summaries,
            as_of,
        } => {
            let Some(ri) = f.registry_index(&registry) else {
                return vec![];
            };
            // The tree is the store's from here on: say its age at once.
            f.registries[ri].as_of = as_of;
            for s in summaries {
                let idx = f.touch_repo(ri, &s.name);
                // Images that already arrived summed up fuller (with dates): keep theirs.
                let node = &mut f.repos[idx];
                if node.summary.is_none() {
                    node.summary = Some(s);
                }
            }
            f.rebuild_rows();
            vec![]
        }
        InventoryUpdate::Issue { registry, issue } => {
            if let Some(ri) = f.registry_index(&registry) {
                f.registries[ri].issues += 1;
            }
            state
                .errors
                .push(ErrorEntry::from_issue(now, &registry, &issue));
            vec![]
        }
        InventoryUpdate::Progress {
            registry,
            done,
            total,
            stats,
        } => {
            if let Some(ri) = f.registry_index(&registry) {
                let r = &mut f.registries[ri];
                r.done = done;
                r.listed = Some(total);
                r.stats = stats;
            }
            vec![]
        }
        InventoryUpdate::Finished {
            registry,
            stats,
            fatal,
        } => {
            if let Some(ri) = f.registry_index(&registry) {
                let r = &mut f.registries[ri];
                r.finished = true;
                r.stats = stats;
                r.as_of = None;
                if fatal.is_none() {
                    // The listing was complete: what it no longer names is gone.
                    if f.drop_vanished(ri) > 0 {
                        let fx = forget_vanished(state);
                        return fx;
                    }
                } else if let Some(msg) = &fatal {
                    r.fatal = Some(msg.clone());
                    // Engines send the failure as a structured issue first; the plain
                    // entry is for a crawl that ended without one.
                    let reported = state.errors.entries.iter().any(|e| {
                        e.repository.is_none()
                            && msg.starts_with(&e.message)
                            && r.answers_to(&e.registry)
                    });
                    if reported {
                        return vec![];
                    }
                    let (status_entry, addr) = (msg.clone(), r.settings.address.clone());
                    state.errors.push(ErrorEntry::plain(
                        now,
                        &registry,
                        &status_entry,
                        &format!("check the address {addr}, your network and credentials; ctrl-r crawls again"),
                    ));
                }
            }
            vec![]
        }
        InventoryUpdate::Opened { registry, kind } => {
            if let Some(ri) = f.registry_index(&registry) {
                f.registries[ri].kind = kind;
            }
            vec![]
        }
        InventoryUpdate::Cached { registry, as_of } => {
            // The rows drawn so far are the store's; the refresh is a new crawl round, so
            // repositories it does not list are dropped when it finishes.
            if let Some(ri) = f.registry_index(&registry) {
                let r = &mut f.registries[ri];
                r.as_of = as_of;
                r.done = 0;
                r.crawl += 1;
            }
            vec![]
        }
        InventoryUpdate::History { registry, history } => {
            if let Some(ri) = f.registry_index(&registry) {
                f.registries[ri].history = Some(history);
            }
            vec![]
        }
        InventoryUpdate::Changes { registry, changes } => {
            if let Some(ri) = f.registry_index(&registry) {
                f.registries[ri].changes = Some(changes);
            }
            vec![]
        }
        InventoryUpdate::Restarted { registry } => {
            if let Some(ri) = f.registry_index(&registry) {
                let r = &mut f.registries[ri];
                r.finished = false;
                r.fatal = None;
                r.done = 0;
                r.issues = 0;
                r.crawl += 1;
            }
            vec![]
        }
    }
}

/// After repositories were dropped: the images pane lets go of a table whose repository is
/// gone, marks on gone repositories are forgotten, and the pane follows the tree cursor.
fn forget_vanished(state: &mut State) -> Vec<Effect> {
    let f = &state.fleet;
    let exists = |registry: &str, repo: &str| {
        f.registry_index(registry)
            .is_some_and(|ri| f.repo_index(ri, repo).is_some())
    };
    let gone = state
        .images
        .table
        .as_ref()
        .is_some_and(|t| !exists(&t.registry, &t.repository));
    // Mark keys are `registry/repository` with the table's registry name.
    state.images.marks.retain(|key, _| {
        f.repos.iter().any(|r| {
            key.strip_suffix(r.name.as_str())
                .and_then(|k| k.strip_suffix('/'))
                .is_some_and(|reg| f.registries[r.registry].answers_to(reg))
        })
    });
    if gone {
        state.images.close();
        if state.focus != Pane::Fleet {
            state.focus = Pane::Fleet;
        }
        state.detail.open = false;
    }
    follow(state)
}

pub fn move_cursor(state: &mut State, delta: isize) -> Vec<Effect> {
    let page = fleet_page(state);
    state.fleet.move_by(delta, page);
    follow(state)
}

/// The images pane shows whatever repository the tree cursor is on; a repository not
/// loaded yet shows as loading, never as the previous repository's images.
pub fn follow(state: &mut State) -> Vec<Effect> {
    let Some(repo) = state.fleet.selected_repo() else {
        return vec![];
    };
    let table = repo.table.clone();
    if table.is_none() && state.images.table.is_some() {
        state.images.set_aside();
    }
    match table {
        Some(t)
            if state
                .images
                .table
                .as_ref()
                .is_none_or(|cur| !std::sync::Arc::ptr_eq(cur, &t)) =>
        {
            let mut fx = state.images.open(t);
            fx.extend(crate::app::goto::settle(state));
            fx
        }
        _ => vec![],
    }
}

pub fn on_action(state: &mut State, action: Action) -> Vec<Effect> {
    let page = fleet_page(state) as isize;
    if let Some(delta) = action.cursor_delta(page) {
        return move_cursor(state, delta);
    }
    match action {
        Action::Enter => match state.fleet.selected() {
            Some(TreeRow::Registry(ri)) => {
                let r = &mut state.fleet.registries[ri];
                r.expanded = !r.expanded;
                state.fleet.rebuild_rows();
                vec![]
            }
            Some(TreeRow::Repo(_)) => {
                let fx = follow(state);
                if state.images.table.is_some() {
                    state.focus = Pane::Images;
                } else {
                    state.flash("this repository is still loading", false);
                }
                fx
            }
            None => vec![],
        },
        Action::Sort => {
            state.fleet.sort = state.fleet.sort.next();
            state.fleet.descending = state.fleet.sort != RepoSortColumn::Name;
            state.fleet.rebuild_rows();
            vec![]
        }
        Action::Back => {
            crate::app::views::list_filter::clear(state, FilterTarget::Tree).unwrap_or_default()
        }
        Action::SortReverse => {
            state.fleet.descending = !state.fleet.descending;
            state.fleet.rebuild_rows();
            vec![]
        }
        a => {
            let col = match a {
                Action::SortName => RepoSortColumn::Name,
                Action::SortCount => RepoSortColumn::Images,
                Action::SortSize => RepoSortColumn::Total,
                Action::SortUnique => RepoSortColumn::Unique,
                Action::SortPushed => RepoSortColumn::Pushed,
                _ => return vec![],
            };
            let f = &mut state.fleet;
            if f.sort == col {
                f.descending = !f.descending;
            } else {
                f.sort = col;
                f.descending = col != RepoSortColumn::Name;
            }
            f.rebuild_rows();
            vec![]
        }
    }
}
