//! Which time orders or ages an image, shared by every evaluator (lifecycle.md §0,
//! "Unknown times are not ties").
//!
//! An evaluator reads the time its registry itself would use (ECR's push, ACR's
//! lastUpdateTime, Harbor's push/pull times, Artifact Registry's upload time). Where the
//! registry records none (a plain Distribution registry, an OCI layout), the image config's
//! `created` stands in when it is credible; otherwise the time is unknown, and an image
//! whose time is unknown is never deleted by an age or count rule. Digest order never
//! decides which image is newer.

use crate::model::Image;
use crate::policy::graph::Graph;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// The time that ordered or aged an action (`time_source` in `regscope.plan/v1`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TimeSource {
    /// The registry's push time (ECR imagePushedAt or its restore from archive, Harbor
    /// push times, Artifact Registry upload time).
    Pushed,
    /// The image config's `created`, standing in where the registry records no time.
    Created,
    /// The registry's last update time (ACR lastUpdateTime, Artifact Registry updateTime).
    Updated,
    /// The registry's last pull time.
    Pulled,
    /// ECR's archive time (`sinceImageTransitioned`).
    Archived,
}

impl TimeSource {
    pub fn as_str(self) -> &'static str {
        match self {
            TimeSource::Pushed => "pushed",
            TimeSource::Created => "created",
            TimeSource::Updated => "updated",
            TimeSource::Pulled => "pulled",
            TimeSource::Archived => "archived",
        }
    }
}

/// Before 2000 a `created` is a constant some build tools write (the epoch for ko, jib,
/// Bazel and nix; 1980-01-01 for buildpacks), not a build time: container images did
/// not exist then.
const CREDIBLE_FROM: i64 = 946_684_800;

/// This many candidate images of one repository sharing one `created` second is a
/// constant a reproducible build wrote, not a build time. Two are a tie, reported as one.
pub const SHARED_CONSTANT: usize = 3;

/// Which config `created` times of an inventory are credible, as of `now`.
#[derive(Debug, Default)]
pub struct CreatedTimes {
    /// (repository id, created second) values shared by [`SHARED_CONSTANT`] or more
    /// candidates: not credible.
    shared: HashMap<(u32, i64), usize>,
    now: i64,
}

/// Why an image's `created` cannot stand in for a time, or `None` when it can.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NotCredible {
    Missing,
    BeforeImagesExisted,
    InTheFuture,
    SharedConstant,
}

impl NotCredible {
    pub fn as_str(self) -> &'static str {
        match self {
            NotCredible::Missing => "its config records no creation time",
            NotCredible::BeforeImagesExisted => {
                "its config's creation time is a fixed value some build tools write (before 2000)"
            }
            NotCredible::InTheFuture => "its config's creation time is in the future",
            NotCredible::SharedConstant => {
                "its config's creation time is one constant shared by many images (a reproducible build)"
            }
        }
    }
}

impl CreatedTimes {
    /// Counts shared `created` values over the candidates (images that are neither an
    /// index's child nor a referrer: those share their parent's or subject's time).
    pub fn new(images: &[Image], g: &Graph, now: DateTime<Utc>) -> CreatedTimes {
        let mut counts: HashMap<(u32, i64), usize> = HashMap::new();
        for (i, im) in images.iter().enumerate() {
            if im.subject.is_some() || !g.parents(i).is_empty() {
                continue;
            }
            if let Some(c) = im.created_at {
                *counts.entry((g.repo[i], c.timestamp())).or_default() += 1;
            }
        }
        counts.retain(|_, n| *n >= SHARED_CONSTANT);
        CreatedTimes {
            shared: counts,
            now: now.timestamp(),
        }
    }

    /// No `created` is looked at (every image has the registry's own time).
    pub fn unused(now: DateTime<Utc>) -> CreatedTimes {
        CreatedTimes {
            shared: HashMap::new(),
            now: now.timestamp(),
        }
    }

    /// Image `i`'s `created` when credible, else why not.
    pub fn credible(
        &self,
        images: &[Image],
        g: &Graph,
        i: usize,
    ) -> Result<DateTime<Utc>, NotCredible> {
        let c = images[i].created_at.ok_or(NotCredible::Missing)?;
        let s = c.timestamp();
        if s < CREDIBLE_FROM {
            Err(NotCredible::BeforeImagesExisted)
        } else if s > self.now {
            Err(NotCredible::InTheFuture)
        } else if self.shared.contains_key(&(g.repo[i], s)) {
            Err(NotCredible::SharedConstant)
        } else {
            Ok(c)
        }
    }

    /// The time to order or age image `i` by: the registry's `own` time (of `source`), else
    /// its credible `created`; `Err` says why neither is known.
    pub fn resolve(
        &self,
        images: &[Image],
        g: &Graph,
        i: usize,
        own: Option<DateTime<Utc>>,
        source: TimeSource,
    ) -> Result<(DateTime<Utc>, TimeSource), NotCredible> {
        match own {
            Some(t) => Ok((t, source)),
            None => self
                .credible(images, g, i)
                .map(|c| (c, TimeSource::Created)),
        }
    }
}

/// The protection an age or count rule gives an image whose time is unknown.
pub fn unknown_why(what: &str, why: NotCredible) -> String {
    format!("{what} time unknown: the registry records none and {}; an age or count rule never deletes it", why.as_str())
}

/// The note a rule gets, once, when `created` stood in for `n` images.
pub fn created_note(rule: &str, ordered: bool, what: &str, n: usize) -> String {
    format!(
        "{rule}: {} by image creation time: this registry records no {what} time ({})",
        if ordered { "ordered" } else { "aged" },
        crate::text::count(n, "image")
    )
}

/// Whether the images from `k` on (of `sorted`, newest first by `key`) tie with the
/// one before the boundary: then the registry's order between them is unknown, and
/// every tied image is kept rather than let the digest decide. Returns the new boundary.
pub fn keep_ties<T>(sorted: &[T], keep: usize, key: impl Fn(&T) -> i64) -> usize {
    if keep == 0 || keep >= sorted.len() {
        return keep.min(sorted.len());
    }
    let edge = key(&sorted[keep - 1]);
    let mut k = keep;
    while k < sorted.len() && key(&sorted[k]) == edge {
        k += 1;
    }
    k
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Digest, ImageKind};

    fn im(repo: &str, id: &str, created: Option<&str>) -> Image {
        let mut im = Image::new(
            repo,
            Digest::sha256_of(id.as_bytes()),
            "application/vnd.oci.image.manifest.v1+json",
            ImageKind::Image,
        );
        im.created_at = created.map(|c| c.parse().unwrap());
        im
    }

    #[test]
    fn epoch_future_and_shared_constants_are_not_credible() {
        let now: DateTime<Utc> = "2026-01-01T00:00:00Z".parse().unwrap();
        let images = vec![
            im("a", "1", Some("1970-01-01T00:00:00Z")),
            im("a", "2", Some("1980-01-01T00:00:01Z")),
            im("a", "3", Some("2027-01-01T00:00:00Z")),
            im("a", "4", Some("2025-06-01T00:00:00Z")),
            im("a", "5", Some("2025-06-01T00:00:00Z")),
            im("a", "6", Some("2024-01-01T00:00:00Z")),
            im("a", "7", Some("2024-01-01T00:00:00Z")),
            im("a", "8", Some("2024-01-01T00:00:00Z")),
            // The same constant in another repository is counted there.
            im("b", "9", Some("2024-01-01T00:00:00Z")),
            im("a", "10", None),
        ];
        let g = Graph::build(&images);
        let c = CreatedTimes::new(&images, &g, now);
        let r = |i| c.credible(&images, &g, i);
        assert_eq!(r(0), Err(NotCredible::BeforeImagesExisted));
        assert_eq!(r(1), Err(NotCredible::BeforeImagesExisted));
        assert_eq!(r(2), Err(NotCredible::InTheFuture));
        // Two images on one second are a genuine tie, credible.
        assert!(r(3).is_ok() && r(4).is_ok());
        assert_eq!(r(5), Err(NotCredible::SharedConstant));
        assert_eq!(r(7), Err(NotCredible::SharedConstant));
        assert!(r(8).is_ok());
        assert_eq!(r(9), Err(NotCredible::Missing));
        // The registry's own time wins.
        let own = Some(now);
        assert_eq!(
            c.resolve(&images, &g, 0, own, TimeSource::Pushed),
            Ok((now, TimeSource::Pushed))
        );
        assert_eq!(
            c.resolve(&images, &g, 3, None, TimeSource::Pushed)
                .map(|x| x.1),
            Ok(TimeSource::Created)
        );
    }

    #[test]
    fn ties_at_the_boundary_are_all_kept() {
        assert_eq!(keep_ties(&[5, 4, 4, 4, 1], 2, |&x| x), 4);
        assert_eq!(keep_ties(&[5, 4, 3], 2, |&x| x), 2);
        assert_eq!(keep_ties(&[5, 4], 0, |&x| x), 0);
        assert_eq!(keep_ties(&[5, 4], 9, |&x| x), 2);
    }
}
