//! The `:` command line. A command is one row in [`COMMANDS`]; every action of the keymap
//! vocabulary also runs as `:NAME`, so `:quit`, `:help` and `:wide` need no row here.

use super::action::Action;
use super::effect::Effect;
use super::state::{Pane, State};
use super::update::dispatch;
use super::views::detail::state::DetailEntry;
use super::views::detail::update::chosen_platform;
use super::views::fleet::state::TreeRow;
use super::views::images::column::ImageColumn;
use crate::model::Platform;

pub struct CommandSpec {
    pub name: &'static str,
    pub args: &'static str,
    pub about: &'static str,
    pub run: fn(&mut State, &str) -> Result<Vec<Effect>, String>,
}

/// Commands beyond the action vocabulary. Others add `:plan`, `:doctor`, `:cve` here.
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "registry",
        args: "NAME",
        about: "jump to a registry",
        run: registry,
    },
    CommandSpec {
        name: "repo",
        args: "PREFIX",
        about: "open the first repository starting with PREFIX",
        run: repo,
    },
    CommandSpec {
        name: "goto",
        args: "REF",
        about: "select one image: TAG, @DIGEST, REPO:TAG or REPO@DIGEST (a short DIGEST of 8+ hex is resolved among the loaded rows); a filter or :platform hiding it is cleared",
        run: super::goto::command,
    },
    CommandSpec {
        name: "platform",
        args: "[OS/ARCH[/VARIANT]]",
        about: "show only images for a platform (no argument: all)",
        run: platform,
    },
    CommandSpec {
        name: "sort",
        args: "COLUMN [asc|desc]",
        about: "sort images by a column (tags, digest, kind, platforms, size, unique, critical, high, medium, low, created, pushed, pulled)",
        run: sort,
    },
    CommandSpec {
        name: "plan",
        args: "[FILE]",
        about: "review a deletion plan: a policy file (ECR, GAR, ACR purge, Harbor) over this repository, or the whole registry from the tree; no FILE: the marks, else the repository's own lifecycle policy",
        run: super::views::plan::update::command,
    },
    CommandSpec {
        name: "doctor",
        args: "[REF] [--platform OS/ARCH]",
        about: "pull doctor: walk the pull path of REF (default: the selected image) step by step; REF without a registry (web:v1) is read in the registry being browsed, docker.io/NAME is Docker Hub; a short @DIGEST (8+ hex) is resolved among the loaded rows",
        run: super::views::doctor::update::command,
    },
    CommandSpec {
        name: "diff",
        args: "REF",
        about: "compare the selected image (A) with REF (B) of the same registry: TAG, @DIGEST, REPO:TAG or REPO@DIGEST; a short DIGEST (8+ hex) is resolved among the loaded rows",
        run: super::views::compare::update::command,
    },
    CommandSpec {
        name: "cve",
        args: "ID",
        about: "fleet query: every image of every loaded repository that contains this vulnerability, newest first (s: most recently pulled), with how many are still unknown",
        run: super::views::query::update::command_cve,
    },
    CommandSpec {
        name: "pkg",
        args: "NAME [< VERSION]",
        about: "fleet query: every image whose findings name this package (installed below VERSION), as :cve",
        run: super::views::query::update::command_pkg,
    },
    CommandSpec {
        name: "audit",
        args: "",
        about: "registry hygiene: every loaded repository of this registry against the checklist (scanning, lifecycle, immutability, untagged and stale bytes, signatures, replication, public access); enter shows a check's evidence",
        run: super::views::audit::update::command,
    },
    CommandSpec {
        name: "q",
        args: "",
        about: "quit",
        run: |s, _| Ok(dispatch(s, Action::Quit)),
    },
];

pub fn run(state: &mut State, line: &str) -> Vec<Effect> {
    let line = line.trim().trim_start_matches(':');
    if line.is_empty() {
        return vec![];
    }
    let (name, args) = line.split_once(' ').unwrap_or((line, ""));
    let args = args.trim();
    let result = if let Some(c) = COMMANDS.iter().find(|c| c.name == name) {
        (c.run)(state, args)
    } else if let Some(a) = Action::by_name(name) {
        Ok(dispatch(state, a))
    } else {
        Err(format!("unknown command :{name} (? lists commands)"))
    };
    match result {
        Ok(fx) => fx,
        Err(e) => {
            state.flash(e, true);
            vec![]
        }
    }
}

fn registry(state: &mut State, name: &str) -> Result<Vec<Effect>, String> {
    if name.is_empty() {
        return Err(":registry needs a NAME".into());
    }
    let f = &mut state.fleet;
    let ri = f
        .registries
        .iter()
        .position(|r| r.name == name)
        .or_else(|| f.registries.iter().position(|r| r.answers_to(name)))
        .or_else(|| f.registries.iter().position(|r| r.name.contains(name)))
        .ok_or_else(|| format!("no registry named {name:?}"))?;
    f.registries[ri].expanded = true;
    f.rebuild_rows();
    let pos = f
        .rows
        .iter()
        .position(|r| *r == TreeRow::Registry(ri))
        .unwrap_or(0);
    let delta = pos as isize - f.cursor as isize;
    state.focus = Pane::Fleet;
    state.detail.open = false;
    Ok(super::views::fleet::update::move_cursor(state, delta))
}

fn repo(state: &mut State, prefix: &str) -> Result<Vec<Effect>, String> {
    if prefix.is_empty() {
        return Err(":repo needs a PREFIX".into());
    }
    let f = &mut state.fleet;
    let current = match f.selected() {
        Some(TreeRow::Registry(r)) => Some(r),
        Some(TreeRow::Repo(i)) => Some(f.repos[i].registry),
        None => None,
    };
    let matches = |i: usize| f.repos[i].name.starts_with(prefix);
    let found = (0..f.repos.len())
        .filter(|&i| matches(i))
        .min_by_key(|&i| {
            (
                Some(f.repos[i].registry) != current,
                f.repos[i].name.clone(),
            )
        })
        .ok_or_else(|| format!("no repository starts with {prefix:?}"))?;
    let ri = f.repos[found].registry;
    f.registries[ri].expanded = true;
    f.rebuild_rows();
    let pos = f
        .rows
        .iter()
        .position(|r| *r == TreeRow::Repo(found))
        .unwrap_or(0);
    let delta = pos as isize - f.cursor as isize;
    state.detail.open = false;
    let fx = super::views::fleet::update::move_cursor(state, delta);
    // The images pane, even before the rows arrive: it says the repository is loading
    // and shows them when they do (the tree cursor stays on it).
    state.focus = Pane::Images;
    Ok(fx)
}

fn platform(state: &mut State, arg: &str) -> Result<Vec<Effect>, String> {
    state.images.platform = if arg.is_empty() {
        None
    } else {
        Some(Platform::parse(arg)?)
    };
    // An index's overview open: its platform line for the choice is the one `enter` opens.
    let shown =
        state
            .images
            .selected()
            .and_then(|r| match state.detail.cache.get(r.digest_str())? {
                DetailEntry::Ready(d) => Some(d.clone()),
                _ => None,
            });
    if let Some(line) = shown.as_deref().and_then(|d| {
        chosen_platform(state, d).and_then(|c| d.platforms.iter().position(|p| p == c))
    }) {
        state.detail.platform_cursor = line;
    }
    Ok(state.images.refresh())
}

fn sort(state: &mut State, arg: &str) -> Result<Vec<Effect>, String> {
    let mut words = arg.split_whitespace();
    let col = words
        .next()
        .and_then(ImageColumn::parse)
        .ok_or_else(|| format!(":sort needs a column, not {arg:?}"))?;
    let desc = match words.next() {
        None => col.default_descending(),
        Some("asc") => false,
        Some("desc") => true,
        Some(other) => return Err(format!(":sort direction is asc or desc, not {other:?}")),
    };
    state.images.sort.column = col;
    state.images.sort.descending = desc;
    let mut fx = state.images.refresh();
    fx.extend(super::views::images::scans::merge_if_sorting(state));
    Ok(fx)
}
