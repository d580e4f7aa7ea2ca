//! Crawls one repository: tags → manifests → everything they reach (index children,
//! referrers through the API or the `sha256-<hex>` fallback tag, cosign tags) → image
//! configs. Every manifest found becomes one record; failures become issues and the rest
//! goes on. Requests run concurrently up to `CrawlOptions::concurrency`; the transport
//! below still applies the registry's own limit.

use super::config::{ImageConfig, CONFIG_LIMIT};
use super::records::{build_records, Found, Hint};
use super::tags::{cosign_subject, fallback_subject};
use super::CrawlOptions;
use crate::model::{Digest, Image, InventoryIssue};
use crate::registry::{media, Descriptor, Manifest, ManifestSource, Referrers, RegistryError};
use futures::stream::{self, StreamExt};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::atomic::{AtomicU8, Ordering};

/// Whether the registry answers the referrers API, learnt once per crawl so a registry
/// without it costs one probe, not one request per manifest. While it is unknown, one
/// request at a time probes (the gate); the others wait for the verdict.
#[derive(Default)]
pub struct ReferrersSupport {
    state: AtomicU8,
    gate: tokio::sync::Mutex<()>,
}

const UNKNOWN: u8 = 0;
const SUPPORTED: u8 = 1;
const UNSUPPORTED: u8 = 2;

type ReferrersReply = Result<Referrers, RegistryError>;

impl ReferrersSupport {
    fn state(&self) -> u8 {
        self.state.load(Ordering::Relaxed)
    }

    fn learn(&self, reply: &ReferrersReply) {
        let v = match reply {
            Ok(Referrers::Listed(_)) => SUPPORTED,
            // A 404 on the referrers endpoint means the API is absent: per the spec an
            // unknown subject gets an empty list, not a 404.
            Ok(Referrers::Unsupported) | Err(RegistryError::NotFound { .. }) => UNSUPPORTED,
            Err(_) => return,
        };
        self.state.store(v, Ordering::Relaxed);
    }

    /// The registry's answer for `digest`, or `None` once it is known not to have the API.
    async fn ask(
        &self,
        source: &dyn ManifestSource,
        repo: &str,
        digest: &Digest,
    ) -> Option<ReferrersReply> {
        if self.state() == UNKNOWN {
            let _probe = self.gate.lock().await;
            if self.state() == UNKNOWN {
                let reply = source.referrers(repo, digest).await;
                self.learn(&reply);
                return Some(reply);
            }
        }
        if self.state() == UNSUPPORTED {
            return None;
        }
        let reply = source.referrers(repo, digest).await;
        self.learn(&reply);
        Some(reply)
    }
}

pub struct RepoContext<'a> {
    pub source: &'a dyn ManifestSource,
    pub repo: &'a str,
    pub opts: &'a CrawlOptions,
    pub referrers: &'a ReferrersSupport,
}

pub struct RepoResult {
    pub images: Vec<Image>,
    pub issues: Vec<InventoryIssue>,
    /// The tag list itself failed: nothing is known about this repository.
    pub failed: bool,
}

pub fn issue(repo: &str, reference: Option<&str>, e: &RegistryError) -> InventoryIssue {
    issue_at(Some(repo), reference, e)
}

/// A registry error as an inventory issue, with its status, code and next step as fields
/// (the message keeps the next step too, for readers of the text alone).
pub fn issue_at(repo: Option<&str>, reference: Option<&str>, e: &RegistryError) -> InventoryIssue {
    let next = e.next_step();
    InventoryIssue {
        repository: repo.map(str::to_string),
        reference: reference.map(str::to_string),
        message: format!("{e} ({next})"),
        status: e.http_status(),
        code: e.error_code().map(str::to_string),
        next_step: Some(next),
    }
}

pub async fn crawl_repository(ctx: &RepoContext<'_>) -> RepoResult {
    let repo = ctx.repo;
    let mut issues = Vec::new();
    let tags = match ctx.source.tags(repo).await {
        Ok(t) => t,
        Err(e) => {
            issues.push(issue(repo, None, &e));
            return RepoResult {
                images: Vec::new(),
                issues,
                failed: true,
            };
        }
    };
    let mut found: HashMap<Digest, Found> = HashMap::new();
    let mut hints: HashMap<Digest, Hint> = HashMap::new();
    // subject -> referrer digest -> artifact type, from referrers listings
    let mut listed: BTreeMap<Digest, BTreeMap<Digest, Option<String>>> = BTreeMap::new();

    resolve_tags(ctx, tags, &mut found, &mut issues).await;
    for f in found.values_mut() {
        f.finish_tags();
    }
    // Backends that can enumerate manifests (OCI layouts) also hold untagged ones.
    let mut untagged: Vec<Digest> = match ctx.source.list_manifests(repo).await {
        Ok(Some(descs)) => descs.into_iter().map(|d| d.digest).collect(),
        Ok(None) => Vec::new(),
        Err(e) => {
            issues.push(issue(repo, None, &e));
            Vec::new()
        }
    };
    untagged.retain(|d| !found.contains_key(d));

    // Follow everything the found manifests point at until nothing new turns up.
    let mut processed: HashSet<Digest> = HashSet::new();
    let mut failed: HashSet<Digest> = HashSet::new();
    loop {
        let fresh: Vec<Digest> = found
            .keys()
            .filter(|d| !processed.contains(*d))
            .cloned()
            .collect();
        if fresh.is_empty() && untagged.is_empty() {
            break;
        }
        let mut wanted: Vec<Digest> = std::mem::take(&mut untagged);
        for d in &fresh {
            processed.insert(d.clone());
            let f = &found[d];
            for (child, hint) in pointers(f, &mut listed) {
                hints.entry(child.clone()).or_insert(hint);
                wanted.push(child);
            }
        }
        if ctx.opts.referrers && ctx.referrers.state() != UNSUPPORTED {
            let asks: Vec<Digest> = fresh
                .iter()
                .filter(|d| found[*d].fallback_for.is_none())
                .cloned()
                .collect();
            for (subject, answer) in ask_referrers(ctx, asks).await {
                match answer {
                    Ok(descs) => {
                        for desc in descs {
                            listed
                                .entry(subject.clone())
                                .or_default()
                                .insert(desc.digest.clone(), desc.artifact_type.clone());
                            hints.entry(desc.digest.clone()).or_insert(Hint {
                                subject: Some(subject.clone()),
                                ..Hint::default()
                            });
                            wanted.push(desc.digest);
                        }
                    }
                    Err(e) => issues.push(issue(repo, Some(subject.as_str()), &e)),
                }
            }
        }
        wanted.sort();
        wanted.dedup();
        wanted.retain(|d| !found.contains_key(d) && !failed.contains(d));
        let fetched = stream::iter(wanted)
            .map(|d| async move {
                let r = ctx.source.manifest(ctx.repo, d.as_str()).await;
                (d, r)
            })
            .buffer_unordered(ctx.opts.concurrency.max(1))
            .collect::<Vec<_>>()
            .await;
        for (d, r) in fetched {
            match r {
                Ok(m) => {
                    found.insert(d, Found::new(m.manifest, m.media_type, m.bytes.len()));
                }
                Err(e) => {
                    issues.push(issue(repo, Some(d.as_str()), &e));
                    failed.insert(d);
                }
            }
        }
    }

    fetch_configs(ctx, &mut found, &hints, &mut issues).await;
    let images = build_records(repo, found, &hints, &listed, &mut issues);
    RepoResult {
        images,
        issues,
        failed: false,
    }
}

/// Resolves every tag to a manifest. By default one GET per tag (the registry verifies
/// nothing for us, so the transport checks the digest of the bytes); with `head_first`
/// (registries that meter GETs) a HEAD per tag, then one GET per distinct digest.
async fn resolve_tags(
    ctx: &RepoContext<'_>,
    tags: Vec<String>,
    found: &mut HashMap<Digest, Found>,
    issues: &mut Vec<InventoryIssue>,
) {
    let conc = ctx.opts.concurrency.max(1);
    let repo = ctx.repo;
    if ctx.opts.head_first {
        let heads = stream::iter(tags)
            .map(|t| async move {
                let r = ctx.source.head_manifest(repo, &t).await;
                (t, r)
            })
            .buffer_unordered(conc)
            .collect::<Vec<_>>()
            .await;
        let mut by_digest: BTreeMap<Digest, Vec<String>> = BTreeMap::new();
        for (t, r) in heads {
            match r {
                Ok(h) => by_digest.entry(h.digest).or_default().push(t),
                Err(e) => issues.push(issue(repo, Some(&t), &e)),
            }
        }
        let gets = stream::iter(by_digest)
            .map(|(d, tags)| async move {
                let r = ctx.source.manifest(repo, d.as_str()).await;
                (d, tags, r)
            })
            .buffer_unordered(conc)
            .collect::<Vec<_>>()
            .await;
        for (d, tags, r) in gets {
            match r {
                Ok(m) => {
                    let mut f = Found::new(m.manifest, m.media_type, m.bytes.len());
                    f.tags = tags;
                    found.insert(d, f);
                }
                Err(e) => {
                    let what = format!("{} ({})", d, tags.join(", "));
                    issues.push(issue(repo, Some(&what), &e));
                }
            }
        }
        return;
    }
    let gets = stream::iter(tags)
        .map(|t| async move {
            let r = ctx.source.manifest(repo, &t).await;
            (t, r)
        })
        .buffer_unordered(conc)
        .collect::<Vec<_>>()
        .await;
    for (t, r) in gets {
        match r {
            Ok(m) => found
                .entry(m.digest)
                .or_insert_with(|| Found::new(m.manifest, m.media_type, m.bytes.len()))
                .tags
                .push(t),
            Err(e) => issues.push(issue(repo, Some(&t), &e)),
        }
    }
}

/// What a manifest points at that belongs in the inventory, with what each pointer
/// implies about its target. Records fallback-tag listings in `listed`.
fn pointers(
    f: &Found,
    listed: &mut BTreeMap<Digest, BTreeMap<Digest, Option<String>>>,
) -> Vec<(Digest, Hint)> {
    let mut out = Vec::new();
    let Manifest::Index(idx) = &f.manifest else {
        return out;
    };
    if let Some(subject) = &f.fallback_for {
        for e in &idx.manifests {
            listed
                .entry(subject.clone())
                .or_default()
                .insert(e.digest.clone(), e.artifact_type.clone());
            out.push((
                e.digest.clone(),
                Hint {
                    subject: Some(subject.clone()),
                    ..Hint::default()
                },
            ));
        }
        return out;
    }
    for e in &idx.manifests {
        out.push((e.digest.clone(), entry_hint(e)));
    }
    out
}

fn entry_hint(e: &Descriptor) -> Hint {
    if e.is_attestation_entry() {
        let subject = e
            .annotation("vnd.docker.reference.digest")
            .and_then(|s| Digest::parse(s).ok());
        return Hint {
            subject,
            attestation: true,
            ..Hint::default()
        };
    }
    Hint {
        platform: e.platform.as_ref().map(|p| p.to_platform()),
        ..Hint::default()
    }
}

type ReferrersAnswer = (Digest, Result<Vec<Descriptor>, RegistryError>);

async fn ask_referrers(ctx: &RepoContext<'_>, digests: Vec<Digest>) -> Vec<ReferrersAnswer> {
    let answers = stream::iter(digests)
        .map(|d| async move {
            let r = ctx.referrers.ask(ctx.source, ctx.repo, &d).await;
            (d, r)
        })
        .buffer_unordered(ctx.opts.concurrency.max(1))
        .collect::<Vec<_>>()
        .await;
    let mut out = Vec::new();
    for (d, r) in answers {
        match r {
            Some(Ok(Referrers::Listed(descs))) => out.push((d, Ok(descs))),
            Some(Ok(Referrers::Unsupported)) | Some(Err(RegistryError::NotFound { .. })) | None => {
            }
            Some(Err(e)) => out.push((d, Err(e))),
        }
    }
    out
}

/// Fetches the config of every runnable image once per config digest, for its creation
/// time and platform. Artifacts, signatures and attestations have no meaningful config.
async fn fetch_configs(
    ctx: &RepoContext<'_>,
    found: &mut HashMap<Digest, Found>,
    hints: &HashMap<Digest, Hint>,
    issues: &mut Vec<InventoryIssue>,
) {
    let mut wanted: BTreeMap<Digest, Vec<Digest>> = BTreeMap::new();
    for (d, f) in found.iter() {
        let Manifest::Image(m) = &f.manifest else {
            continue;
        };
        let image_config =
            m.config.media_type == media::OCI_CONFIG || m.config.media_type == media::DOCKER_CONFIG;
        let attestation = hints.get(d).is_some_and(|h| h.attestation);
        if image_config && !attestation && f.kind_hint() == crate::model::ImageKind::Image {
            wanted
                .entry(m.config.digest.clone())
                .or_default()
                .push(d.clone());
        }
    }
    let fetched = stream::iter(wanted)
        .map(|(cfg, users)| async move {
            let r = ctx.source.blob(ctx.repo, &cfg, CONFIG_LIMIT).await;
            (cfg, users, r)
        })
        .buffer_unordered(ctx.opts.concurrency.max(1))
        .collect::<Vec<_>>()
        .await;
    for (cfg, users, r) in fetched {
        let parsed = match r {
            Ok(bytes) => ImageConfig::parse(&bytes).map_err(|why| {
                InventoryIssue::new(
                    Some(ctx.repo),
                    Some(cfg.as_str()),
                    format!("{}/{}@{cfg}: {why}", ctx.source.registry_name(), ctx.repo),
                )
                .with_next_step(
                    "the image config does not parse; rebuild and push the image (its created date stays unknown)",
                )
            }),
            Err(e) => Err(issue(ctx.repo, Some(cfg.as_str()), &e)),
        };
        match parsed {
            Ok(c) => {
                for u in users {
                    if let Some(f) = found.get_mut(&u) {
                        f.config = Some(c.clone());
                    }
                }
            }
            Err(i) => issues.push(i),
        }
    }
}

impl Found {
    pub fn new(manifest: Manifest, media_type: String, size: usize) -> Self {
        Found {
            manifest,
            media_type,
            size: size as u64,
            tags: Vec::new(),
            fallback_for: None,
            config: None,
        }
    }

    /// Marks fallback-tag indexes once the tag list is known (see `records`).
    pub fn finish_tags(&mut self) {
        self.tags.sort();
        self.tags.dedup();
        if matches!(self.manifest, Manifest::Index(_)) && !self.tags.is_empty() {
            let subjects: Vec<Digest> = self
                .tags
                .iter()
                .filter_map(|t| fallback_subject(t))
                .collect();
            if subjects.len() == self.tags.len() {
                self.fallback_for = subjects.into_iter().next();
            }
        }
    }

    /// The subject a cosign tag names, if this manifest carries one.
    pub fn cosign_subject(&self) -> Option<Digest> {
        self.tags
            .iter()
            .find_map(|t| cosign_subject(t).map(|(d, _)| d))
    }

    pub fn kind_hint(&self) -> crate::model::ImageKind {
        self.manifest.kind(&self.tags)
    }
}
