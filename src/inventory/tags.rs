//! Tag conventions that carry meaning beyond a name: the OCI referrers tag-schema fallback
//! (`sha256-<hex>`, an index listing the referrers of that digest) and cosign's
//! `sha256-<hex>.sig` / `.att` / `.sbom` tags (a signature, attestation or SBOM of it).

use crate::model::Digest;

/// The subject digest named by a referrers fallback tag `sha256-<hex>`, if `tag` is one.
pub fn fallback_subject(tag: &str) -> Option<Digest> {
    let hex = tag.strip_prefix("sha256-")?;
    Digest::parse(&format!("sha256:{hex}")).ok()
}

/// The subject digest and suffix (`sig`, `att`, `sbom`) of a cosign tag, if `tag` is one.
pub fn cosign_subject(tag: &str) -> Option<(Digest, &str)> {
    let (base, suffix) = tag.rsplit_once('.')?;
    if !matches!(suffix, "sig" | "att" | "sbom") {
        return None;
    }
    Some((fallback_subject(base)?, suffix))
}

/// Whether a tag is bookkeeping for another manifest rather than a name people chose.
pub fn is_bookkeeping_tag(tag: &str) -> bool {
    fallback_subject(tag).is_some() || cosign_subject(tag).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_fallback_and_cosign_tags_only_with_a_full_digest() {
        let hex = "ab".repeat(32);
        let d = Digest::parse(&format!("sha256:{hex}")).unwrap();
        assert_eq!(fallback_subject(&format!("sha256-{hex}")), Some(d.clone()));
        assert_eq!(
            cosign_subject(&format!("sha256-{hex}.sig")),
            Some((d.clone(), "sig"))
        );
        assert_eq!(
            cosign_subject(&format!("sha256-{hex}.sbom")).unwrap().1,
            "sbom"
        );
        assert_eq!(cosign_subject(&format!("sha256-{hex}.txt")), None);
        assert_eq!(fallback_subject(&format!("sha256-{hex}.sig")), None);
        assert_eq!(fallback_subject("sha256-abc"), None);
        assert_eq!(fallback_subject("latest"), None);
        assert!(is_bookkeeping_tag(&format!("sha256-{hex}.att")));
        assert!(!is_bookkeeping_tag("v1.2.3"));
    }
}
