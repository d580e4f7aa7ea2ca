//! Short digests resolved against a repository of this registry: the digests its listing
//! gives (tags' manifests, an index's children, referrers and their subjects, untagged
//! manifests where the kind's API lists them) and the ones the store's tag history saw.
//! A reference with a full digest, or none, needs nothing and costs no request.

use super::Session;
use crate::model::digest_prefix::{resolve, KnownDigest, ShortDigestError};
use crate::model::{DigestPrefix, Image};
use crate::registry::Reference;

impl Session {
    /// Turns `r`'s short digest, if it has one, into the full digest it names in `r`'s
    /// repository (`r.digest`), reading the repository as `crawl_repository` does.
    pub async fn resolve_short_digest(&self, r: &mut Reference) -> Result<(), ShortDigestError> {
        let Some(prefix) = r.short_digest.clone() else {
            return Ok(());
        };
        let known = self.known_digests(&r.repository, &prefix).await?;
        r.digest = Some(resolve(&prefix, &r.repository, known)?);
        r.short_digest = None;
        Ok(())
    }

    /// Every digest this registry and the store know for `repository`, with its names.
    async fn known_digests(
        &self,
        repository: &str,
        prefix: &DigestPrefix,
    ) -> Result<Vec<KnownDigest>, ShortDigestError> {
        let listing_error = |why: String| ShortDigestError::Listing {
            repository: repository.to_string(),
            prefix: prefix.to_string(),
            why,
        };
        let read = self
            .crawl_repository(repository)
            .await
            .map_err(listing_error)?;
        let mut known = known_in(read.images.as_deref().unwrap_or_default());
        // Digests tags named before: a short digest copied from an older listing still
        // resolves, and counts towards ambiguity.
        if let (Some(store), _) = crate::store::open_for_run() {
            for (tag, digest, _, _, current) in store.tag_history(&read.registry, repository) {
                let name = match current {
                    true => tag,
                    false => format!("{tag} before"),
                };
                known.push(KnownDigest {
                    digest,
                    names: vec![name],
                });
            }
        }
        if read.images.is_none() && known.is_empty() {
            return Err(listing_error(
                "the registry does not list this repository".into(),
            ));
        }
        Ok(known)
    }
}

/// The digests of a repository's images as the front ends show them: each image's tags
/// (none: untagged), its children and its referrers.
pub fn known_in(images: &[Image]) -> Vec<KnownDigest> {
    let mut known = Vec::new();
    for im in images {
        known.push(KnownDigest {
            digest: im.digest.clone(),
            names: im.tags.clone(),
        });
        for c in &im.children {
            known.push(KnownDigest {
                digest: c.clone(),
                names: vec![format!("in index {}", im.digest.short())],
            });
        }
        for r in &im.referrers {
            known.push(KnownDigest {
                digest: r.digest.clone(),
                names: vec![format!("referrer of {}", im.digest.short())],
            });
        }
    }
    known
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::digest_prefix::ShortDigestError;
    use crate::model::{Digest, ImageKind, ReferrerRef, TypedDigest};

    #[test]
    fn children_and_referrers_count_and_are_named_by_their_image() {
        let d = |s: &str| Digest::sha256_of(s.as_bytes());
        let mut index = Image::new("app", d("index"), "index", ImageKind::Index);
        index.tags = vec!["v1".into()];
        index.children = vec![d("amd64")];
        index.referrers = vec![ReferrerRef {
            digest: d("sbom"),
            artifact_type: None,
        }];
        let known = known_in(&[index.clone()]);
        assert_eq!(known.len(), 3);
        let prefix = |x: &Digest| match TypedDigest::parse(&x.as_str()[..15], false).unwrap() {
            TypedDigest::Prefix(p) => p,
            full => panic!("{full:?}"),
        };
        // A child is found by its prefix though no row of its own is listed.
        assert_eq!(
            resolve(&prefix(&d("amd64")), "app", known.clone()),
            Ok(d("amd64"))
        );
        let names = &known.iter().find(|k| k.digest == d("sbom")).unwrap().names;
        assert_eq!(names, &[format!("referrer of {}", index.digest.short())]);
        let e = resolve(&prefix(&d("nothing")), "app", known).unwrap_err();
        assert!(
            matches!(e, ShortDigestError::NotFound { checked: 3, .. }),
            "{e:?}"
        );
    }
}
