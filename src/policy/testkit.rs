//! Builders for the lifecycle.md vectors: images named by a short id whose digest is the
//! sha256 of the id, ages relative to the fixed NOW of the vectors.

use crate::model::{Digest, Image, ImageKind};
use chrono::{DateTime, Duration, Utc};

pub const MB100: u64 = 100_000_000;

pub fn now() -> DateTime<Utc> {
    "2026-01-01T00:00:00Z".parse().unwrap()
}

/// `"10d"`, `"23h"`, `"30m"` before NOW.
pub fn ago(s: &str) -> DateTime<Utc> {
    let (n, unit) = s.split_at(s.len() - 1);
    let n: i64 = n.parse().unwrap();
    now()
        - match unit {
            "d" => Duration::days(n),
            "h" => Duration::hours(n),
            "m" => Duration::minutes(n),
            _ => panic!("unit {unit}"),
        }
}

pub fn dg(id: &str) -> Digest {
    Digest::sha256_of(id.as_bytes())
}

/// A 100 MB image `id` in `repo` with `tags`, pushed `age` ago.
pub fn img(repo: &str, id: &str, tags: &[&str], age: &str) -> Image {
    let mut im = Image::new(
        repo,
        dg(id),
        "application/vnd.oci.image.manifest.v1+json",
        ImageKind::Image,
    );
    let mut tags: Vec<String> = tags.iter().map(|t| t.to_string()).collect();
    tags.sort();
    im.tags = tags;
    im.size_bytes = Some(MB100);
    im.pushed_at = Some(ago(age));
    NAMES.with(|n| n.borrow_mut().insert(im.digest.clone(), id.to_string()));
    im
}

/// Ids of the images acted on (with the given action), sorted.
pub fn acted(
    images: &[Image],
    ev: &crate::policy::Evaluation,
    action: crate::policy::ActionKind,
) -> Vec<String> {
    let ids = id_lookup(images);
    let mut v: Vec<String> = ev
        .decisions
        .iter()
        .filter(|d| d.action == action)
        .map(|d| ids[d.image].clone())
        .collect();
    v.sort();
    v
}

/// `id(rule)` for every decision, sorted: `A(1)`.
pub fn acted_with_rule(images: &[Image], ev: &crate::policy::Evaluation) -> Vec<String> {
    let ids = id_lookup(images);
    let mut v: Vec<String> = ev
        .decisions
        .iter()
        .map(|d| format!("{}({})", ids[d.image], d.rule))
        .collect();
    v.sort();
    v
}

thread_local! {
    static NAMES: std::cell::RefCell<std::collections::HashMap<Digest, String>> = Default::default();
}

fn id_lookup(images: &[Image]) -> Vec<String> {
    NAMES.with(|n| {
        let n = n.borrow();
        images
            .iter()
            .map(|im| {
                n.get(&im.digest)
                    .cloned()
                    .unwrap_or_else(|| im.digest.short().to_string())
            })
            .collect()
    })
}
