//! Undoing a deletion run from its audit log: re-push each deleted manifest (by digest)
//! and its tags, where the registry still holds every blob (or child manifest) it needs.
//! Tags that now point elsewhere are left alone and reported.

use super::audit::{AuditEntry, AuditEvent};
use crate::model::Digest;
use crate::registry::{Manifest, ManifestSource, RegistryError};
use async_trait::async_trait;
use serde::Serialize;
use std::sync::Arc;

/// What restoring needs from a registry. Every `ManifestSource` provides it through
/// [`SourceRestore`]; ECR through `PutImage` (`execute::EcrTarget`).
#[async_trait]
pub trait RestoreTarget: Send + Sync {
    /// Whether the registry still holds a blob; `None` when it cannot tell without
    /// pushing (the push then says).
    async fn has_blob(&self, repo: &str, digest: &Digest) -> Result<Option<bool>, RegistryError>;
    async fn has_manifest(&self, repo: &str, digest: &Digest) -> Result<bool, RegistryError>;
    /// The digest `tag` points at now; `None` when there is no such tag.
    async fn tag_digest(&self, repo: &str, tag: &str) -> Result<Option<Digest>, RegistryError>;
    /// Pushes the manifest by digest (`tag` None) or under `tag`.
    async fn put(
        &self,
        repo: &str,
        tag: Option<&str>,
        digest: &Digest,
        media_type: &str,
        bytes: &[u8],
    ) -> Result<(), RegistryError>;
}

/// Any `ManifestSource`: HEAD for blobs and manifests, PUT by digest and by tag.
pub struct SourceRestore(pub Arc<dyn ManifestSource>);

#[async_trait]
impl RestoreTarget for SourceRestore {
    async fn has_blob(&self, repo: &str, digest: &Digest) -> Result<Option<bool>, RegistryError> {
        self.0
            .head_blob(repo, digest)
            .await
            .map(|s| Some(s.is_some()))
    }
    async fn has_manifest(&self, repo: &str, digest: &Digest) -> Result<bool, RegistryError> {
        match self.0.head_manifest(repo, digest.as_str()).await {
            Ok(_) => Ok(true),
            Err(RegistryError::NotFound { .. }) => Ok(false),
            Err(e) => Err(e),
        }
    }
    async fn tag_digest(&self, repo: &str, tag: &str) -> Result<Option<Digest>, RegistryError> {
        match self.0.head_manifest(repo, tag).await {
            Ok(h) => Ok(Some(h.digest)),
            Err(RegistryError::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }
    async fn put(
        &self,
        repo: &str,
        tag: Option<&str>,
        digest: &Digest,
        media_type: &str,
        bytes: &[u8],
    ) -> Result<(), RegistryError> {
        let reference = tag.unwrap_or(digest.as_str());
        self.0
            .put_manifest(repo, reference, media_type, bytes)
            .await
            .map(|_| ())
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RestoreResult {
    pub repository: String,
    pub digest: String,
    pub restored: bool,
    /// Tags pushed back.
    pub tags: Vec<String>,
    /// What could not be restored, and why.
    pub problems: Vec<String>,
    /// Set when the log does not say whether the registry deleted it (an intent with no
    /// outcome, or a failure after the request was sent): what the registry said instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uncertain: Option<String>,
}

impl RestoreResult {
    /// Neither restored nor known to need nothing: the item is a failure of the restore.
    pub fn is_failure(&self) -> bool {
        !self.restored && !self.problems.is_empty()
    }
}

/// Why the log leaves an intent's fate open, if it does: no outcome was recorded (the
/// run was killed between the DELETE and its record), or the DELETE failed after it was
/// sent (a dropped connection says nothing about whether the registry acted).
fn open_question(entries: &[AuditEntry], at: usize) -> Option<Option<&'static str>> {
    let i = &entries[at];
    let outcome = entries[at + 1..].iter().find(|e| {
        e.run == i.run
            && e.repository == i.repository
            && e.digest == i.digest
            && matches!(
                e.event,
                AuditEvent::Deleted | AuditEvent::Failed | AuditEvent::Skipped
            )
    });
    match outcome.map(|e| &e.event) {
        Some(AuditEvent::Deleted) => Some(None),
        None => Some(Some(
            "the log records the intent to delete but no outcome (the run was stopped between the DELETE and its record?)",
        )),
        Some(AuditEvent::Failed) => Some(Some(
            "the DELETE was sent and then failed, so the registry may have acted",
        )),
        _ => None,
    }
}

/// Restores every manifest the log records as deleted — and every one it may have
/// deleted (see [`open_question`]: those are looked up first, and restored only when
/// missing) — newest first (so indexes, deleted before their children, come back after
/// them).
pub async fn restore(entries: &[AuditEntry], source: &dyn RestoreTarget) -> Vec<RestoreResult> {
    let mut out = Vec::new();
    for at in (0..entries.len()).rev() {
        let i = &entries[at];
        if i.event != AuditEvent::Intent {
            continue;
        }
        let Some(question) = open_question(entries, at) else {
            continue;
        };
        let mut r = RestoreResult {
            repository: i.repository.clone(),
            digest: i.digest.clone(),
            restored: false,
            tags: vec![],
            problems: vec![],
            uncertain: None,
        };
        if let Some(why) = question {
            let here = match Digest::parse(&i.digest) {
                Ok(d) => source.has_manifest(&i.repository, &d).await,
                Err(_) => Ok(false),
            };
            match here {
                Ok(true) => {
                    r.uncertain = Some(format!(
                        "{why}; the registry still holds it, so it was not deleted and nothing is pushed"
                    ));
                    out.push(r);
                    continue;
                }
                Ok(false) => {
                    r.uncertain = Some(format!(
                        "{why}; the registry no longer holds it, so it is restored"
                    ))
                }
                Err(e) => {
                    r.uncertain = Some(why.to_string());
                    r.problems.push(format!(
                        "cannot tell whether the registry still holds it: {e}"
                    ));
                    out.push(r);
                    continue;
                }
            }
        }
        match i.manifest_bytes() {
            None => r
                .problems
                .push("the audit log holds no manifest bytes for it".into()),
            Some(bytes) => restore_one(i, &bytes, source, &mut r).await,
        }
        out.push(r);
    }
    out
}

async fn restore_one(
    i: &AuditEntry,
    bytes: &[u8],
    source: &dyn RestoreTarget,
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
            // A foreign layer was never in the registry: nothing to find or re-push.
            for d in m.stored_blobs() {
                match source.has_blob(repo, &d.digest).await {
                    Ok(Some(true) | None) => {}
                    Ok(Some(false)) => missing.push(format!("blob {} is gone", d.digest.short())),
                    Err(e) => missing.push(format!("blob {}: {e}", d.digest.short())),
                }
            }
        }
        Manifest::Index(ix) => {
            for c in &ix.manifests {
                match source.has_manifest(repo, &c.digest).await {
                    Ok(true) => {}
                    Ok(false) => {
                        missing.push(format!("child manifest {} is gone", c.digest.short()))
                    }
                    Err(e) => missing.push(format!("child manifest {}: {e}", c.digest.short())),
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
    if let Err(e) = source.put(repo, None, &digest, &media_type, bytes).await {
        r.problems.push(format!("push by digest failed: {e}"));
        return;
    }
    r.restored = true;
    for t in &i.tags {
        match source.tag_digest(repo, t).await {
            Ok(Some(d)) if d == digest => {
                r.tags.push(t.clone());
                continue;
            }
            Ok(Some(d)) => {
                r.problems
                    .push(format!("tag {t} now points at {}; left alone", d.short()));
                continue;
            }
            _ => {}
        }
        match source.put(repo, Some(t), &digest, &media_type, bytes).await {
            Ok(_) => r.tags.push(t.clone()),
            Err(e) => r.problems.push(format!("tag {t}: {e}")),
        }
    }
}
