//! Tab in the `:` line: completes command names, repository names (`:repo hidden/mu⇥`),
//! registry names, and tags after `REPO:` (`:doctor web:v1.⇥`, `:diff v1.⇥`). One
//! candidate completes; several extend to their common prefix and are listed in the hint
//! bar ("ambiguous: …"); none says so. Candidates come from what is loaded: the
//! registry being browsed first.

use super::action::ACTIONS;
use super::command::COMMANDS;
use super::state::State;
use std::collections::BTreeSet;

#[derive(Debug, PartialEq, Eq)]
pub struct Completion {
    /// The line after completion (unchanged when nothing completes).
    pub text: String,
    /// What the user should know: the candidates when ambiguous, or that none matched.
    pub note: Option<String>,
}

/// How many candidates the note names before "…".
const NAMED: usize = 6;

pub fn complete(state: &State, line: &str) -> Completion {
    let Some((cmd, rest)) = line.split_once(' ') else {
        let names: BTreeSet<String> = COMMANDS
            .iter()
            .map(|c| c.name)
            .chain(ACTIONS.iter().map(|a| a.name))
            .map(str::to_string)
            .collect();
        return pick("", "", line, names, "command", " ");
    };
    // The word being completed is the last one (empty after a space).
    let word_start = rest.rfind(' ').map_or(0, |i| i + 1);
    let head = format!("{cmd} {}", &rest[..word_start]);
    let word = &rest[word_start..];
    match cmd {
        "repo" => pick(&head, "", word, repositories(state), "repository", ""),
        "registry" => {
            let names = state
                .fleet
                .registries
                .iter()
                .map(|r| r.name.clone())
                .collect();
            pick(&head, "", word, names, "registry", "")
        }
        "doctor" | "diff" | "goto" => match word.split_once(':') {
            Some((repo, tag)) => {
                let prefix = format!("{repo}:");
                match tags_of(state, Some(repo)) {
                    Some(tags) => pick(&head, &prefix, tag, tags, "tag", " "),
                    None => nothing(
                        line,
                        format!("{repo} is not loaded (or not in this registry)"),
                    ),
                }
            }
            None => {
                let mut names = repositories(state);
                // `:diff TAG` compares with a tag of the open repository.
                if cmd == "diff" || cmd == "goto" {
                    names.extend(tags_of(state, None).unwrap_or_default());
                }
                pick(&head, "", word, names, "repository or tag", "")
            }
        },
        _ => nothing(line, format!(":{cmd} has nothing to complete")),
    }
}

fn nothing(line: &str, why: String) -> Completion {
    Completion {
        text: line.to_string(),
        note: Some(why),
    }
}

/// Completes `word` (after `head` and `prefix`) from `names`; `done` follows a unique
/// completion (a space after a command name).
fn pick(
    head: &str,
    prefix: &str,
    word: &str,
    names: BTreeSet<String>,
    what: &str,
    done: &str,
) -> Completion {
    let hits: Vec<&String> = names.iter().filter(|n| n.starts_with(word)).collect();
    let line = |w: &str, end: &str| format!("{head}{prefix}{w}{end}");
    match hits.as_slice() {
        [] => Completion {
            text: line(word, ""),
            note: Some(format!("no {what} starts with {word:?}")),
        },
        [one] => Completion {
            text: line(one, done),
            note: None,
        },
        many => {
            let common = common_prefix(many);
            let mut listed: Vec<&str> = many.iter().take(NAMED).map(|s| s.as_str()).collect();
            if many.len() > NAMED {
                listed.push("…");
            }
            Completion {
                text: line(&common, ""),
                note: Some(format!(
                    "ambiguous: {} match: {}",
                    many.len(),
                    listed.join("  ")
                )),
            }
        }
    }
}

fn common_prefix(names: &[&String]) -> String {
    let first = names[0].as_str();
    let mut end = first.len();
    for n in &names[1..] {
        end = first
            .char_indices()
            .zip(n.chars())
            .take_while(|((_, a), b)| a == b)
            .last()
            .map_or(0, |((i, a), _)| i + a.len_utf8())
            .min(end);
    }
    first[..end].to_string()
}

/// The registry being browsed, else every registry.
fn browsed(state: &State) -> Option<usize> {
    crate::app::views::plan::update::current_registry(state)
}

/// Repository names of the browsed registry (all registries when none is).
fn repositories(state: &State) -> BTreeSet<String> {
    let ri = browsed(state);
    state
        .fleet
        .repos
        .iter()
        .filter(|r| ri.is_none_or(|i| r.registry == i))
        .map(|r| r.name.clone())
        .collect()
}

/// Tags of `repo` in the browsed registry (`None`: the open repository); `None` when its
/// images are not loaded.
fn tags_of(state: &State, repo: Option<&str>) -> Option<BTreeSet<String>> {
    let table = match repo {
        None => state.images.table.clone()?,
        Some(name) => {
            let ri = browsed(state);
            state
                .fleet
                .repos
                .iter()
                .find(|r| r.name == name && ri.is_none_or(|i| r.registry == i))?
                .table
                .clone()?
        }
    };
    Some(
        table
            .rows()
            .flat_map(|r| r.tags().map(str::to_string).collect::<Vec<_>>())
            .collect(),
    )
}
