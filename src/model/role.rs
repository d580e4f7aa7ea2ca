//! What a record is to a person counting images: the one definition every front end and
//! the plan use. A repository's records are manifests, but not every manifest is an
//! image: an index's platform manifests are its children (they go and stay with it), and
//! signatures, attestations, SBOMs and referrers fallback-tag indexes are referrers of
//! their subject. Only what is left — runnable images and indexes that nothing in their
//! repository lists or refers through — is counted as an image; a dangling untagged
//! image is still an image. See docs/decisions.md, "One definition of an image".

use super::{Digest, Image, ImageKind};
use std::collections::HashMap;

/// No record (a top-level row has no parent).
pub const NO_RECORD: u32 = u32::MAX;

/// What one record is, with the record it hangs from. Indexes are positions in the slice
/// the roles were computed over.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    /// A runnable image or an index, top-level: what "N images" counts.
    Image,
    /// Top-level but not an image: an artifact without a subject (a Helm chart), or a
    /// referrer whose subject the repository no longer holds.
    Other,
    /// Listed by index `parent` of the same repository (a platform manifest, or an
    /// attestation entry without a subject annotation).
    Child { parent: u32 },
    /// Refers to `subject` in the same repository (signature, attestation, SBOM, report,
    /// referrers fallback-tag index).
    Referrer { subject: u32 },
}

impl Role {
    /// The one rule, for callers that hold their own graph (the plan's, the image table's):
    /// a subject present in the repository makes a referrer, else a listing index makes a
    /// child, else the kind decides between image and other.
    pub fn decide(kind: ImageKind, subject: Option<u32>, parent: Option<u32>) -> Role {
        match (subject, parent) {
            (Some(s), _) if s != NO_RECORD => Role::Referrer { subject: s },
            (_, Some(p)) if p != NO_RECORD => Role::Child { parent: p },
            _ if matches!(kind, ImageKind::Image | ImageKind::Index) => Role::Image,
            _ => Role::Other,
        }
    }

    /// The record this one hangs from, if any.
    pub fn up(self) -> Option<u32> {
        match self {
            Role::Child { parent } => Some(parent),
            Role::Referrer { subject } => Some(subject),
            Role::Image | Role::Other => None,
        }
    }

    pub fn is_image(self) -> bool {
        self == Role::Image
    }

    pub fn is_top_level(self) -> bool {
        self.up().is_none()
    }
}

/// The links of one record, as any store of records can lend them.
#[derive(Clone, Copy, Debug)]
pub struct Links<'a> {
    pub digest: &'a str,
    pub kind: ImageKind,
    pub children: &'a [Digest],
    pub subject: Option<&'a Digest>,
}

/// Roles of the records of one repository. Only digests some record refers to are
/// hashed, so a repository of a million plain images costs one pass. A hostile cycle
/// (two indexes listing each other) is cut so every record stays reachable from a
/// top-level row.
pub fn roles_in_repository(records: &[Links<'_>]) -> Vec<Role> {
    let n = records.len();
    let referring = records
        .iter()
        .any(|r| !r.children.is_empty() || r.subject.is_some());
    if !referring {
        return records
            .iter()
            .map(|r| Role::decide(r.kind, None, None))
            .collect();
    }
    let mut wanted: HashMap<&str, u32> = HashMap::new();
    for r in records {
        for c in r.children {
            wanted.insert(c.as_str(), NO_RECORD);
        }
        if let Some(s) = r.subject {
            wanted.insert(s.as_str(), NO_RECORD);
        }
    }
    for (i, r) in records.iter().enumerate() {
        if let Some(slot) = wanted.get_mut(r.digest) {
            if *slot == NO_RECORD {
                *slot = i as u32;
            }
        }
    }
    let mut parent = vec![NO_RECORD; n];
    for (i, r) in records.iter().enumerate() {
        for c in r.children {
            let ci = wanted[c.as_str()];
            if ci != NO_RECORD && ci as usize != i && parent[ci as usize] == NO_RECORD {
                parent[ci as usize] = i as u32;
            }
        }
    }
    let mut roles: Vec<Role> = records
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let subject = r
                .subject
                .map(|s| wanted[s.as_str()])
                .filter(|&s| s as usize != i);
            Role::decide(r.kind, subject, Some(parent[i]))
        })
        .collect();
    cut_cycles(&mut roles);
    roles
}

/// Walks up from every record; a walk that comes back to a record it passed is a cycle,
/// cut by making the record where it closed top-level.
fn cut_cycles(roles: &mut [Role]) {
    let mut seen = vec![0u32; roles.len()];
    let mut done = vec![false; roles.len()];
    for start in 0..roles.len() {
        if done[start] {
            continue;
        }
        let stamp = start as u32 + 1;
        let mut cur = start;
        let mut path = Vec::new();
        loop {
            if done[cur] {
                break;
            }
            if seen[cur] == stamp {
                roles[cur] = match roles[cur] {
                    Role::Child { .. } | Role::Referrer { .. } => Role::Other,
                    r => r,
                };
                break;
            }
            seen[cur] = stamp;
            path.push(cur);
            match roles[cur].up() {
                Some(up) => cur = up as usize,
                None => break,
            }
        }
        for p in path {
            done[p] = true;
        }
    }
}

/// Roles of records of any number of repositories (links never cross a repository).
pub fn roles(images: &[Image]) -> Vec<Role> {
    let mut by_repo: HashMap<&str, Vec<u32>> = HashMap::new();
    for (i, im) in images.iter().enumerate() {
        by_repo
            .entry(im.repository.as_str())
            .or_default()
            .push(i as u32);
    }
    let mut out = vec![Role::Other; images.len()];
    for ids in by_repo.values() {
        let links: Vec<Links<'_>> = ids.iter().map(|&i| links(&images[i as usize])).collect();
        for (k, role) in roles_in_repository(&links).into_iter().enumerate() {
            out[ids[k] as usize] = match role {
                Role::Child { parent } => Role::Child {
                    parent: ids[parent as usize],
                },
                Role::Referrer { subject } => Role::Referrer {
                    subject: ids[subject as usize],
                },
                r => r,
            };
        }
    }
    out
}

/// The links of an inventory record.
pub fn links(im: &Image) -> Links<'_> {
    Links {
        digest: im.digest.as_str(),
        kind: im.kind,
        children: &im.children,
        subject: im.subject.as_ref(),
    }
}

/// How many of `images` are images (see [`Role::Image`]).
pub fn count_images(images: &[Image]) -> usize {
    roles(images).iter().filter(|r| r.is_image()).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(n: u32) -> Digest {
        Digest::sha256_of(&n.to_le_bytes())
    }

    fn rec(repo: &str, n: u32, kind: ImageKind) -> Image {
        Image::new(repo, d(n), "m", kind)
    }

    /// An index over two platforms and a buildkit attestation of one, a cosign signature
    /// of the index, a dangling untagged image, a Helm chart, a signature whose subject
    /// is gone, and the same digests in another repository where nothing lists them.
    #[test]
    fn children_and_referrers_are_not_images_dangling_untagged_is() {
        let mut idx = rec("web", 1, ImageKind::Index);
        idx.children = vec![d(2), d(3), d(4)];
        let amd = rec("web", 2, ImageKind::Image);
        let arm = rec("web", 3, ImageKind::Image);
        let mut att = rec("web", 4, ImageKind::Attestation);
        att.subject = Some(d(2));
        let mut sig = rec("web", 5, ImageKind::Signature);
        sig.subject = Some(d(1));
        let dangling = rec("web", 6, ImageKind::Image);
        let chart = rec("web", 7, ImageKind::Artifact);
        let mut orphan = rec("web", 8, ImageKind::Signature);
        orphan.subject = Some(d(99));
        let elsewhere = rec("api", 2, ImageKind::Image);
        let images = vec![idx, amd, arm, att, sig, dangling, chart, orphan, elsewhere];
        let r = roles(&images);
        assert_eq!(
            r,
            vec![
                Role::Image,
                Role::Child { parent: 0 },
                Role::Child { parent: 0 },
                Role::Referrer { subject: 1 },
                Role::Referrer { subject: 0 },
                Role::Image,
                Role::Other,
                Role::Other,
                Role::Image,
            ]
        );
        assert_eq!(count_images(&images), 3);
    }

    #[test]
    fn a_cycle_is_cut_so_every_record_has_a_top_level_root() {
        let mut a = rec("r", 1, ImageKind::Index);
        a.children = vec![d(2)];
        let mut b = rec("r", 2, ImageKind::Index);
        b.children = vec![d(1)];
        let mut s = rec("r", 3, ImageKind::Signature);
        s.subject = Some(d(3));
        let r = roles(&[a, b, s]);
        let tops = r.iter().filter(|x| x.is_top_level()).count();
        assert!(tops >= 1, "{r:?}");
        // Every record reaches a top-level one by walking up.
        for i in 0..r.len() {
            let mut cur = i;
            for _ in 0..=r.len() {
                match r[cur].up() {
                    Some(u) => cur = u as usize,
                    None => break,
                }
            }
            assert!(r[cur].is_top_level(), "{i}: {r:?}");
        }
        assert_eq!(r[2], Role::Other, "a self-referring signature is top-level");
    }
}
