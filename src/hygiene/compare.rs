//! `regscope audit TARGET --compare OTHER`: the same repositories in two registries (a
//! promotion or a replication between them), compared by digest. What one holds and the
//! other lacks, and tags that name different digests, become the `replication` check of
//! each audited repository; the comparison itself is added to the document
//! (`comparison`, additive to `regscope.audit/v1`).

use super::{capped, chosen_tags, top_level, Check, CheckId, RepositoryAudit, Status};
use crate::model::Image;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// One repository against its namesake in the other registry.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comparison {
    /// The other registry, as its session names it.
    pub other: String,
    /// The other registry has no repository of that name.
    pub missing_there: bool,
    /// Digests of images here that the other registry's repository lacks.
    pub only_here: Vec<String>,
    /// Digests of images there that this repository lacks.
    pub only_there: Vec<String>,
    /// `tag: here → there` for tags on both sides that name different digests.
    pub tags_differ: Vec<String>,
}

impl Comparison {
    pub fn same(&self) -> bool {
        !self.missing_there
            && self.only_here.is_empty()
            && self.only_there.is_empty()
            && self.tags_differ.is_empty()
    }
}

/// The images a person deploys (indexes with their platforms as one, no referrers), by
/// digest, and each chosen tag's digest.
fn view(images: &[Image]) -> (BTreeSet<String>, BTreeMap<String, String>) {
    let tops = top_level(images);
    let digests = tops.iter().map(|im| im.digest.to_string()).collect();
    let tags = tops
        .iter()
        .flat_map(|im| chosen_tags(im).map(|t| (t.clone(), im.digest.to_string())))
        .collect();
    (digests, tags)
}

/// Compares `here` (one repository's images) with `there` (the same repository in
/// `other`; `None` when the other registry has no such repository).
pub fn compare(other: &str, here: &[Image], there: Option<&[Image]>) -> Comparison {
    let (hd, ht) = view(here);
    let Some(there) = there else {
        return Comparison {
            other: other.to_string(),
            missing_there: true,
            only_here: hd.into_iter().collect(),
            ..Default::default()
        };
    };
    let (td, tt) = view(there);
    let tags_differ = ht
        .iter()
        .filter_map(|(tag, d)| {
            let t = tt.get(tag)?;
            (t != d).then(|| format!("{tag}: {d} here, {t} there"))
        })
        .collect();
    Comparison {
        other: other.to_string(),
        missing_there: false,
        only_here: hd.difference(&td).cloned().collect(),
        only_there: td.difference(&hd).cloned().collect(),
        tags_differ,
    }
}

/// The `replication` check from a comparison: `pass` when both hold the same images under
/// the same tags, `warn` otherwise. The registry's own replication reading stays as
/// evidence.
pub fn check(repository: &str, c: &Comparison, before: Option<&Check>) -> Check {
    let id = CheckId::Replication;
    let setting: Vec<String> = before
        .map(|b| {
            let mut v = vec![format!("{} ({})", b.summary, b.status.as_str())];
            v.extend(b.evidence.iter().cloned());
            v
        })
        .unwrap_or_default();
    if c.missing_there {
        return Check::new(
            id,
            Status::Warn,
            format!("{} has no repository {repository}", c.other),
        )
        .with([format!(
            "{} here missing there",
            crate::text::count(c.only_here.len(), "image")
        )])
        .with(setting);
    }
    if c.same() {
        return Check::new(
            id,
            Status::Pass,
            format!("{} holds the same images under the same tags", c.other),
        )
        .with(setting);
    }
    let mut ev: Vec<String> = c
        .only_here
        .iter()
        .map(|d| format!("{repository}@{d} missing in {}", c.other))
        .collect();
    ev.extend(
        c.only_there
            .iter()
            .map(|d| format!("{repository}@{d} only in {}", c.other)),
    );
    ev.extend(c.tags_differ.iter().cloned());
    Check::new(
        id,
        Status::Warn,
        format!(
            "{} differs: {} missing there, {} only there, {} moved",
            c.other,
            crate::text::count(c.only_here.len(), "image"),
            crate::text::count(c.only_there.len(), "image"),
            crate::text::count(c.tags_differ.len(), "tag"),
        ),
    )
    .with(capped(ev, 20))
    .with(setting)
}

/// Replaces the audit's `replication` check by the comparison's and records it.
pub fn apply(audit: &mut RepositoryAudit, c: Comparison) {
    let before = audit.check(CheckId::Replication).cloned();
    let new = check(&audit.repository, &c, before.as_ref());
    match audit
        .checks
        .iter_mut()
        .find(|x| x.id == CheckId::Replication)
    {
        Some(slot) => *slot = new,
        None => audit.checks.push(new),
    }
    audit.comparison = Some(c);
}

/// The crawl's images grouped by repository; every listed repository has an entry (an
/// empty repository is still there, unlike one the registry lacks).
pub fn by_repository(images: &[Image], repositories: &[String]) -> BTreeMap<String, Vec<Image>> {
    let mut out: BTreeMap<String, Vec<Image>> = repositories
        .iter()
        .map(|r| (r.clone(), Vec::new()))
        .collect();
    for im in images {
        out.entry(im.repository.clone())
            .or_default()
            .push(im.clone());
    }
    out
}

/// The `replication` check when the `--compare` registry could not be read: unknown.
pub fn unreadable(audit: &mut RepositoryAudit, other: &str) {
    let new = Check::new(
        CheckId::Replication,
        Status::Unknown,
        format!("{other} could not be listed to compare with"),
    );
    match audit
        .checks
        .iter_mut()
        .find(|x| x.id == CheckId::Replication)
    {
        Some(slot) => *slot = new,
        None => audit.checks.push(new),
    }
}
