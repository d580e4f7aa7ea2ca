//! `:goto REF` — select one image by the reference a user has in hand (a digest from a
//! Kubernetes event, a tag from a deploy log): `TAG`, `@DIGEST`, `sha256:HEX`, `REPO:TAG`
//! or `REPO@DIGEST`, a digest as short as 8 hex. It reads only rows already loaded (or
//! loading, for a repository opened by the command): no request of its own, no side
//! effect beyond where the cursor is.
//!
//! The target is remembered until the repository's rows are in view, because opening a
//! repository and computing its sorted view both arrive later as messages. A filter or
//! `:platform` that hides the image is cleared, and the status line says so: the user
//! asked for that image, and a cursor that silently stays put would read as "not there".

use super::effect::Effect;
use super::state::{Pane, State};
use super::views::fleet::state::TreeRow;
use super::views::images::table::ImageTable;
use super::views::list_filter::{self, FilterTarget};
use crate::model::{Digest, TypedDigest};

/// What `:goto` is still looking for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Goto {
    /// Registry index in the tree.
    pub registry: usize,
    pub repository: String,
    pub target: Target,
    /// The reference as typed, for messages.
    pub typed: String,
    /// A filter was already cleared for it (cleared once, never in a loop).
    pub cleared: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    Tag(String),
    Digest(TypedDigest),
}

pub fn command(state: &mut State, args: &str) -> Result<Vec<Effect>, String> {
    let typed = args.trim();
    if typed.is_empty() || typed.contains(' ') {
        return Err(":goto needs one REF: TAG, @DIGEST, REPO:TAG or REPO@DIGEST".into());
    }
    let (ri, here) = current(state).ok_or(
        "select a registry or repository first (:registry NAME), then :goto REF".to_string(),
    )?;
    let (repository, target) = parse(typed, here.as_deref())?;
    let found = state.fleet.repo_index(ri, &repository).ok_or_else(|| {
        format!(
            ":goto {typed}: no repository {repository:?} in {} (tab completes names)",
            state.fleet.registries[ri].name
        )
    })?;
    let mut fx = select_repository(state, found);
    state.images.goto = Some(Goto {
        registry: ri,
        repository,
        target,
        typed: typed.to_string(),
        cleared: false,
    });
    fx.extend(settle(state));
    Ok(fx)
}

/// The registry being browsed and the repository open in it (the images pane's, else the
/// tree's).
fn current(state: &State) -> Option<(usize, Option<String>)> {
    if let Some(t) = &state.images.table {
        if let Some(ri) = state.fleet.registry_index(&t.registry) {
            return Some((ri, Some(t.repository.clone())));
        }
    }
    let f = &state.fleet;
    match f.selected()? {
        TreeRow::Registry(ri) => Some((ri, None)),
        TreeRow::Repo(i) => Some((f.repos[i].registry, Some(f.repos[i].name.clone()))),
    }
}

/// Splits REF into its repository (`here` when it names none) and what to find there. A
/// digest is recognised by `@` or by an algorithm prefix; `REPO:TAG` splits at the last
/// `:` (a reference here never carries a registry host, so no port to mistake).
fn parse(typed: &str, here: Option<&str>) -> Result<(String, Target), String> {
    let need_repo = || format!(":goto {typed}: name the repository too (REPO:TAG or REPO@DIGEST)");
    let digest = |d: &str| {
        TypedDigest::parse(d, true)
            .map(Target::Digest)
            .map_err(|e| format!(":goto {typed}: {e}"))
    };
    let (repo, target) = if let Some((repo, d)) = typed.split_once('@') {
        (repo, digest(d)?)
    } else if typed.starts_with("sha256:") || typed.starts_with("sha512:") {
        ("", digest(typed)?)
    } else {
        match typed.rsplit_once(':') {
            Some((repo, tag)) if !repo.is_empty() && !tag.is_empty() => {
                (repo, Target::Tag(tag.to_string()))
            }
            _ => ("", Target::Tag(typed.to_string())),
        }
    };
    let repo = match (repo, here) {
        ("", Some(h)) => h,
        ("", None) => return Err(need_repo()),
        (r, _) => r,
    };
    Ok((repo.to_string(), target))
}

/// Moves the tree cursor to repository `i` (clearing a tree filter that hides it) and the
/// focus to its images, loaded or not.
fn select_repository(state: &mut State, i: usize) -> Vec<Effect> {
    let mut fx = vec![];
    let ri = state.fleet.repos[i].registry;
    state.fleet.registries[ri].expanded = true;
    state.fleet.rebuild_rows();
    if !state.fleet.rows.contains(&TreeRow::Repo(i)) {
        fx.extend(list_filter::clear(state, FilterTarget::Tree).unwrap_or_default());
    }
    if let Some(pos) = state.fleet.rows.iter().position(|r| *r == TreeRow::Repo(i)) {
        let delta = pos as isize - state.fleet.cursor as isize;
        fx.extend(super::views::fleet::update::move_cursor(state, delta));
    }
    state.detail.open = false;
    state.focus = Pane::Images;
    fx
}

/// Finishes a pending `:goto` once its repository's rows are shown: called after the
/// command, after a table opens and after a view arrives. Drops it when the user has
/// moved to another repository meanwhile.
pub fn settle(state: &mut State) -> Vec<Effect> {
    let Some(goto) = state.images.goto.clone() else {
        return vec![];
    };
    let still_there = state
        .fleet
        .selected_repo()
        .is_some_and(|r| r.registry == goto.registry && r.name == goto.repository);
    if !still_there {
        state.images.goto = None;
        return vec![];
    }
    let Some(table) = state.images.table.clone() else {
        return vec![]; // the repository is still loading: its rows settle it
    };
    let digest = match find(&table, &goto) {
        Ok(d) => d,
        Err(e) => {
            state.images.goto = None;
            state.flash(format!(":goto {}: {e}", goto.typed), true);
            return vec![];
        }
    };
    if state.images.computing {
        return vec![]; // a view is on its way; it settles it
    }
    if state.images.select_digest(digest.as_str()) {
        state.images.goto = None;
        let page = super::layout::image_page(state);
        state.images.scroll_into_view(page);
        return super::views::detail::update::follow(state);
    }
    if goto.cleared || !state.images.has_filter() {
        state.images.goto = None;
        state.flash(
            format!(":goto {}: {} is not shown", goto.typed, shown(&digest)),
            true,
        );
        return vec![];
    }
    // Hidden by the filter or :platform: show everything, then select it.
    if let Some(g) = &mut state.images.goto {
        g.cleared = true;
    }
    let what = match (state.images.filter.is_empty(), &state.images.platform) {
        (false, Some(_)) => "the filter and :platform",
        (false, None) => "the filter",
        _ => ":platform",
    };
    state.images.platform = None;
    let mut fx =
        list_filter::clear(state, FilterTarget::Images).unwrap_or_else(|| state.images.refresh());
    state.flash(
        format!(":goto {}: cleared {what}, which hid it", goto.typed),
        false,
    );
    fx.extend(settle(state));
    fx
}

/// The full digest `goto` names in `table`, or why none.
fn find(table: &ImageTable, goto: &Goto) -> Result<Digest, String> {
    match &goto.target {
        Target::Tag(tag) => table
            .rows()
            .find(|r| r.tags().any(|t| t == tag))
            .map(|r| r.digest())
            .ok_or_else(|| format!("{} has no tag {tag:?}", goto.repository)),
        Target::Digest(TypedDigest::Full(d)) => table
            .find_digest(d.as_str())
            .map(|_| d.clone())
            .ok_or_else(|| format!("no image {} in {}", shown(d), goto.repository)),
        Target::Digest(TypedDigest::Prefix(p)) => {
            super::short_digest::resolve_in(table, &goto.repository, p)
        }
    }
}

/// `sha256:` and the digest's short hex, for the status line.
fn shown(d: &Digest) -> String {
    format!("{}:{}", d.algorithm(), d.short())
}
