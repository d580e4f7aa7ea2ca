//! Undoing a deletion run from its audit log: re-push each deleted manifest (by digest)
//! and its tags, where the registry still holds every blob (or child manifest) it needs.
//! Tags that now point elsewhere are left alone and reported.

use super::audit::{AuditEntry, AuditEvent};
use crate::model::Digest;
use crate::registry::{Manifest, ManifestSource, RegistryError};
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RestoreResult {
    pub repository: String,
    pub digest: String,
    pub restored: bool,
    /// Tags pushed back.
    pub tags: Vec<String>,
    /// What could not be restored, and why.
    pub problems: Vec<String>,
}

/// Restores every manifest the log records as deleted, newest deletion first (so indexes,
/// deleted before their children, come back after them).
pub async fn restore(entries: &[AuditEntry], source: &dyn ManifestSource) -> Vec<RestoreResult> {
    let mut out = Vec::new();
    for done in entries
        .iter()
        .rev()
        .filter(|e| e.event == AuditEvent::Deleted)
    {
        let intent = entries.iter().find(|e| {
            e.event == AuditEvent::Intent
                && e.run == done.run
                && e.repository == done.repository
                && e.digest == done.digest
        });
        let mut r = RestoreResult {
            repository: done.repository.clone(),
            digest: done.digest.clone(),
            restored: false,
            tags: vec![],
            problems: vec![],
        };
        match intent.and_then(|i| Some((i, i.manifest_bytes()?))) {
            None => r
                .problems
                .push("the audit log holds no manifest bytes for it".into()),
            Some((i, bytes)) => restore_one(i, &bytes, source, &mut r).await,
        }
        out.push(r);
    }
    out
}

async fn restore_one(
    i: &AuditEntry,
    bytes: &[u8],
    source: &dyn ManifestSource,
    r: &mut RestoreResult,
) {
    let repo = &i.repository;
    let Ok(digest) = Digest::parse(&i.digest) else {
        r.problems.push(format!("{:?} is not a digest", i.digest));
        return;
    };
    if !digest.verifies(bytes) {
        r.problems.push(
            "the logged manifest bytes do not hash to the digest; refusing to push them".into(),
        );
        return;
    }
    let mt = i.media_type.clone().unwrap_or_default();
    let manifest = match Manifest::parse(bytes, &mt) {
        Ok(m) => m,
        Err(e) => {
            r.problems
                .push(format!("the logged manifest does not parse: {e}"));
            return;
        }
    };
    let media_type = manifest.media_type(&mt);
    let mut missing = Vec::new();
    match &manifest {
        Manifest::Image(m) => {
            for d in std::iter::once(&m.config).chain(&m.layers) {
                match source.head_blob(repo, &d.digest).await {
                    Ok(Some(_)) => {}
                    Ok(None) => missing.push(format!("blob {} is gone", d.digest.short())),
                    Err(e) => missing.push(format!("blob {}: {e}", d.digest.short())),
                }
            }
        }
        Manifest::Index(ix) => {
            for c in &ix.manifests {
                if let Err(e) = source.head_manifest(repo, c.digest.as_str()).await {
                    missing.push(match e {
                        RegistryError::NotFound { .. } => {
                            format!("child manifest {} is gone", c.digest.short())
                        }
                        e => format!("child manifest {}: {e}", c.digest.short()),
                    });
                }
            }
        }
    }
    if !missing.is_empty() {
        r.problems.push(format!(
            "cannot restore: {} (the registry collected it)",
            missing.join(", ")
        ));
        return;
    }
    if let Err(e) = source
        .put_manifest(repo, digest.as_str(), &media_type, bytes)
        .await
    {
        r.problems.push(format!("push by digest failed: {e}"));
        return;
    }
    r.restored = true;
    for t in &i.tags {
        match source.head_manifest(repo, t).await {
            Ok(h) if h.digest != digest => {
                r.problems.push(format!(
                    "tag {t} now points at {}; left alone",
                    h.digest.short()
                ));
                continue;
            }
            _ => {}
        }
        match source.put_manifest(repo, t, &media_type, bytes).await {
            Ok(_) => r.tags.push(t.clone()),
            Err(e) => r.problems.push(format!("tag {t}: {e}")),
        }
    }
}
