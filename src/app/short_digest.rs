//! Short digests typed in `:` commands (`:diff @0a8b13f7`, `:doctor web@sha256:0a8b13f7`),
//! resolved by the engine's rule against the rows already loaded for that repository: no
//! request, no side effect. Rows not loaded yet are said to be so, not guessed at.

use super::state::State;
use super::views::images::table::ImageTable;
use crate::model::digest_prefix::{resolve, KnownDigest};
use crate::model::{Digest, DigestPrefix, TypedDigest};
use std::sync::Arc;

/// A digest typed after `@` (full, or a prefix of at least 8 hex, `sha256:` optional) in
/// `repository` of registry `ri`: the full digest, or why not (too short, malformed,
/// unknown, ambiguous with the candidates, or the repository's rows not loaded).
pub fn digest_in(
    state: &State,
    ri: usize,
    repository: &str,
    typed: &str,
) -> Result<Digest, String> {
    match TypedDigest::parse(typed, true).map_err(|e| e.to_string())? {
        TypedDigest::Full(d) => Ok(d),
        TypedDigest::Prefix(p) => prefix_in(state, ri, repository, &p),
    }
}

/// As [`digest_in`], for a prefix already parsed (a `Reference`'s short digest).
pub fn prefix_in(
    state: &State,
    ri: usize,
    repository: &str,
    prefix: &DigestPrefix,
) -> Result<Digest, String> {
    let table = loaded(state, ri, repository).ok_or_else(|| {
        format!(
            "{prefix}: the images of {repository} are not loaded yet (open it with :repo {repository}, or type the full digest)"
        )
    })?;
    resolve_in(&table, repository, prefix)
}

/// `prefix` resolved among the rows of `table` (of `repository`).
pub fn resolve_in(
    table: &ImageTable,
    repository: &str,
    prefix: &DigestPrefix,
) -> Result<Digest, String> {
    resolve(prefix, repository, known(table)).map_err(|e| e.one_line())
}

/// The loaded rows of `repository` in registry `ri`: the open table, else the tree's.
fn loaded(state: &State, ri: usize, repository: &str) -> Option<Arc<ImageTable>> {
    let open = state.images.table.as_ref().filter(|t| {
        t.repository == repository && state.fleet.registry_index(&t.registry) == Some(ri)
    });
    open.cloned().or_else(|| {
        let i = state.fleet.repo_index(ri, repository)?;
        state.fleet.repos[i].table.clone()
    })
}

/// Every digest of the table with its tags, and the children and referrers its rows name.
fn known(table: &ImageTable) -> Vec<KnownDigest> {
    let mut out = Vec::with_capacity(table.len());
    for row in table.rows() {
        out.push(KnownDigest {
            digest: row.digest(),
            names: row.tags().map(str::to_string).collect(),
        });
        if let Some(extra) = row.extra() {
            let of = |what: &str| format!("{what} {}", row.short_digest());
            out.extend(extra.children.iter().map(|c| KnownDigest {
                digest: c.clone(),
                names: vec![of("in index")],
            }));
            out.extend(extra.referrers.iter().map(|r| KnownDigest {
                digest: r.digest.clone(),
                names: vec![of("referrer of")],
            }));
        }
    }
    out
}
