//! `signatures`: the share of tagged images with a signature — a cosign `sha256-<hex>.sig`
//! tag, a signature referrer (cosign, Notary v2) or a Harbor signature accessory.

use super::{chosen_tags, shown, top_level, Check, CheckId, RepoInputs, Status};
use crate::inventory::tags::cosign_subject;
use crate::model::{Digest, ImageKind};
use std::collections::HashSet;

fn is_signature_type(t: &str) -> bool {
    let t = t.to_ascii_lowercase();
    t.contains("signature") || t.contains("notary") || t.contains("cosign.artifact.sig")
}

pub fn check(i: &RepoInputs) -> Check {
    let id = CheckId::Signatures;
    let signatures: HashSet<&Digest> = i
        .images
        .iter()
        .filter(|im| im.kind == ImageKind::Signature)
        .map(|im| &im.digest)
        .collect();
    let mut signed: HashSet<Digest> = HashSet::new();
    for im in i.images {
        if im.kind == ImageKind::Signature {
            if let Some(s) = &im.subject {
                signed.insert(s.clone());
            }
        }
        for t in &im.tags {
            if let Some((d, "sig")) = cosign_subject(t) {
                signed.insert(d);
            }
        }
        if im.referrers.iter().any(|r| {
            signatures.contains(&r.digest)
                || r.artifact_type.as_deref().is_some_and(is_signature_type)
        }) {
            signed.insert(im.digest.clone());
        }
    }
    let tagged: Vec<_> = top_level(i.images)
        .into_iter()
        .filter(|im| chosen_tags(im).next().is_some())
        .collect();
    if tagged.is_empty() {
        return Check::new(id, Status::NotApplicable, "no tagged images");
    }
    let n = tagged.len();
    let unsigned: Vec<String> = tagged
        .iter()
        .filter(|im| !signed.contains(&im.digest))
        .map(|im| format!("{} has no signature", shown(im)))
        .collect();
    let k = n - unsigned.len();
    let share = format!(
        "{k} of {} signed ({}%)",
        crate::text::count(n, "tagged image"),
        k * 100 / n
    );
    if unsigned.is_empty() {
        return Check::new(id, Status::Pass, share);
    }
    if k == 0 && !i.settings.listing_links_referrers {
        return Check::new(
            id,
            Status::Unknown,
            "no signature found, but the listing does not link signatures to images",
        )
        .with(["signatures are counted from cosign .sig tags only here".to_string()]);
    }
    Check::new(id, Status::Warn, share).with(super::capped(unsigned, 10))
}
