//! `regscope inspect REF`: one manifest in full. For an image: config facts, layers with
//! the `created_by` of their (non-empty) history entries, referrers. For an index: its
//! platforms (attestation entries labelled); `--platform` picks one to show as an image.

use super::output::{
    print_stdout, relative, size, traffic_line, Table, EXIT_ERROR, EXIT_OK, EXIT_PARTIAL,
    EXIT_USAGE, UNKNOWN,
};
use crate::inventory::config::{ImageConfig, CONFIG_LIMIT};
use crate::model::{Digest, Platform, ReferrerRef};
use crate::registry::reference::Reference;
use crate::registry::{media, FetchedManifest, Manifest, ManifestSource, Referrers, RegistryError};
use clap::Args;
use serde::Serialize;

#[derive(Debug, Args)]
pub struct InspectArgs {
    /// An image reference: HOST/REPO:TAG, HOST/REPO@sha256:..., nginx, oci:PATH/REPO:TAG.
    /// A short digest (@sha256:0a8b13f7, at least 8 hex) is resolved in the repository.
    pub reference: String,
    /// For an index, show the image of this platform (OS/ARCH[/VARIANT]).
    #[arg(long)]
    pub platform: Option<String>,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
    /// Show request counts, retries, 429s and rate limits on stderr.
    #[arg(long, short)]
    pub verbose: bool,
}

#[derive(Serialize)]
struct Inspected {
    schema: &'static str,
    reference: String,
    registry: String,
    repository: String,
    digest: Digest,
    media_type: String,
    kind: &'static str,
    manifest_size: u64,
    artifact_type: Option<String>,
    subject: Option<Digest>,
    /// Runnable platforms (an index's entries without attestations, or the image's own).
    platforms: Vec<Platform>,
    /// An index's entries, attestations included and labelled.
    #[serde(skip_serializing_if = "Option::is_none")]
    manifests: Option<Vec<Entry>>,
    /// `null` when they could not be looked up.
    referrers: Option<Vec<ReferrerRef>>,
    /// How referrers were found: `api`, `fallback-tag`, or null when unknown.
    referrers_source: Option<&'static str>,
    manifest: serde_json::Value,
    /// The image itself, or the image `--platform` chose from an index.
    #[serde(skip_serializing_if = "Option::is_none")]
    image: Option<ImageDetail>,
}

#[derive(Serialize)]
struct Entry {
    digest: Digest,
    media_type: String,
    size: u64,
    platform: Option<String>,
    /// Set for a buildkit attestation entry: the digest it attests.
    attestation_for: Option<String>,
}

#[derive(Serialize)]
struct ImageDetail {
    digest: Digest,
    platform: Option<Platform>,
    created_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Config plus layers, compressed, as stored in this registry (foreign layers apart).
    size_bytes: u64,
    /// Foreign layers' bytes: pulled from their URLs, not stored in this registry.
    #[serde(skip_serializing_if = "Option::is_none")]
    foreign_bytes: Option<u64>,
    config: Option<serde_json::Value>,
    layers: Vec<LayerDetail>,
    #[serde(skip_serializing_if = "Option::is_none")]
    referrers: Option<Vec<ReferrerRef>>,
}

#[derive(Serialize)]
struct LayerDetail {
    digest: Digest,
    media_type: String,
    size: u64,
    created_by: Option<String>,
    /// Where a foreign layer is pulled from (it is not in this registry).
    #[serde(skip_serializing_if = "Option::is_none")]
    urls: Option<Vec<String>>,
}

pub async fn run(args: InspectArgs) -> i32 {
    let wanted = match args.platform.as_deref().map(Platform::parse).transpose() {
        Ok(p) => p,
        Err(e) => {
            eprintln!("regscope: --platform: {e}");
            return EXIT_USAGE;
        }
    };
    // Where reading a manifest counts as a pull, the note is said once, before reading.
    let (r, session, source) = match super::source::open_for_reading(&args.reference).await {
        Ok(o) => o,
        Err(e @ super::source::OpenError::Usage(_)) => {
            eprintln!("regscope: {e}");
            return EXIT_USAGE;
        }
        Err(e) => {
            eprintln!("regscope: {e}");
            return EXIT_ERROR;
        }
    };
    if args.verbose {
        eprintln!("{}", super::source::kind_line(&session));
    }
    let mut warnings = Vec::new();
    let result = inspect(source.as_ref(), &r, wanted.as_ref(), &mut warnings).await;
    if args.verbose {
        eprintln!("{}", traffic_line(&source.registry_name(), &source.stats()));
    }
    let out = match result {
        Ok(o) => o,
        Err(e) => {
            eprintln!("regscope: {e} ({})", e.next_step());
            return EXIT_ERROR;
        }
    };
    if args.json {
        match serde_json::to_string_pretty(&out) {
            Ok(s) => print_stdout(&(s + "\n")),
            Err(e) => {
                eprintln!("regscope: cannot write JSON: {e}");
                return EXIT_ERROR;
            }
        }
    } else {
        print_stdout(&text(&out));
    }
    for w in &warnings {
        eprintln!("regscope: warning: {w}");
    }
    if let (Some(p), None) = (&wanted, &out.image) {
        eprintln!("regscope: no runnable {p} entry in this manifest");
        return EXIT_ERROR;
    }
    if warnings.is_empty() {
        EXIT_OK
    } else {
        EXIT_PARTIAL
    }
}

async fn inspect(
    source: &dyn ManifestSource,
    r: &Reference,
    wanted: Option<&Platform>,
    warnings: &mut Vec<String>,
) -> Result<Inspected, RegistryError> {
    let repo = r.repository.as_str();
    let top = source.manifest(repo, &r.reference()).await?;
    let (referrers, referrers_source) = find_referrers(source, repo, &top.digest, warnings).await;
    let kind = top.manifest.kind(&[]);
    let mut out = Inspected {
        schema: "regscope.inspect/v1",
        reference: r.to_string(),
        registry: r.registry.clone(),
        repository: r.repository.clone(),
        digest: top.digest.clone(),
        media_type: top.media_type.clone(),
        kind: kind.as_str(),
        manifest_size: top.bytes.len() as u64,
        artifact_type: top.manifest.artifact_type(),
        subject: top.manifest.subject().map(|s| s.digest.clone()),
        platforms: Vec::new(),
        manifests: None,
        referrers,
        referrers_source,
        manifest: serde_json::from_slice(&top.bytes).unwrap_or(serde_json::Value::Null),
        image: None,
    };
    match &top.manifest {
        Manifest::Index(idx) => {
            let mut entries = Vec::new();
            let mut chosen = None;
            for e in &idx.manifests {
                let attestation = e.is_attestation_entry();
                let plat = e.platform.as_ref().map(|p| p.to_platform());
                if let (false, Some(p)) = (attestation, &plat) {
                    if !out.platforms.contains(p) {
                        out.platforms.push(p.clone());
                    }
                    if chosen.is_none() && wanted.is_some_and(|w| p.satisfies(w)) {
                        chosen = Some(e.digest.clone());
                    }
                }
                entries.push(Entry {
                    digest: e.digest.clone(),
                    media_type: e.media_type.clone(),
                    size: e.size,
                    platform: plat.map(|p| p.to_string()),
                    attestation_for: attestation.then(|| {
                        e.annotation("vnd.docker.reference.digest")
                            .unwrap_or(UNKNOWN)
                            .to_string()
                    }),
                });
            }
            out.manifests = Some(entries);
            if let Some(d) = chosen {
                let child = source.manifest(repo, d.as_str()).await?;
                let mut detail = image_detail(source, repo, &child, warnings).await;
                let (refs, _) = find_referrers(source, repo, &child.digest, warnings).await;
                detail.referrers = refs;
                out.image = Some(detail);
            }
        }
        Manifest::Image(_) => {
            let detail = image_detail(source, repo, &top, warnings).await;
            out.platforms = detail.platform.clone().into_iter().collect();
            out.image = Some(detail);
        }
    }
    Ok(out)
}

async fn image_detail(
    source: &dyn ManifestSource,
    repo: &str,
    m: &FetchedManifest,
    warnings: &mut Vec<String>,
) -> ImageDetail {
    let Manifest::Image(im) = &m.manifest else {
        unreachable!("image_detail is only called for image manifests")
    };
    let is_image_config =
        im.config.media_type == media::OCI_CONFIG || im.config.media_type == media::DOCKER_CONFIG;
    let mut config_json = None;
    let mut config = None;
    if is_image_config {
        match source.blob(repo, &im.config.digest, CONFIG_LIMIT).await {
            Ok(bytes) => {
                config_json = serde_json::from_slice(&bytes).ok();
                match ImageConfig::parse(&bytes) {
                    Ok(c) => config = Some(c),
                    Err(e) => warnings.push(format!("{repo}@{}: {e}", im.config.digest)),
                }
            }
            Err(e) => warnings.push(format!("{e} ({})", e.next_step())),
        }
    }
    let commands = config
        .as_ref()
        .map(|c| c.layer_commands(im.layers.len()))
        .unwrap_or_else(|| vec![None; im.layers.len()]);
    ImageDetail {
        digest: m.digest.clone(),
        platform: config.as_ref().and_then(ImageConfig::platform),
        created_at: config.as_ref().and_then(ImageConfig::created_at),
        size_bytes: crate::model::saturating_sum(im.stored_blobs().map(|l| l.size)),
        foreign_bytes: im
            .layers
            .iter()
            .any(|l| l.is_foreign())
            .then(|| crate::model::saturating_sum(im.foreign_layers().map(|l| l.size))),
        config: config_json,
        layers: im
            .layers
            .iter()
            .zip(commands)
            .map(|(l, c)| LayerDetail {
                digest: l.digest.clone(),
                media_type: l.media_type.clone(),
                size: l.size,
                created_by: c,
                urls: l.is_foreign().then(|| {
                    let urls = l.urls.iter().flatten();
                    urls.map(|u| crate::registry::net_error::redact_url(u))
                        .collect()
                }),
            })
            .collect(),
        referrers: None,
    }
}

/// Referrers through the API, else the `sha256-<hex>` fallback tag; plus cosign tags.
async fn find_referrers(
    source: &dyn ManifestSource,
    repo: &str,
    digest: &Digest,
    warnings: &mut Vec<String>,
) -> (Option<Vec<ReferrerRef>>, Option<&'static str>) {
    let mut out: Vec<ReferrerRef> = Vec::new();
    let how = match source.referrers(repo, digest).await {
        Ok(Referrers::Listed(descs)) => {
            out.extend(descs.into_iter().map(|d| ReferrerRef {
                digest: d.digest,
                artifact_type: d.artifact_type,
            }));
            "api"
        }
        Ok(Referrers::Unsupported) | Err(RegistryError::NotFound { .. }) => {
            match source.manifest(repo, &digest.fallback_tag()).await {
                Ok(FetchedManifest {
                    manifest: Manifest::Index(idx),
                    ..
                }) => out.extend(idx.manifests.into_iter().map(|d| ReferrerRef {
                    digest: d.digest,
                    artifact_type: d.artifact_type,
                })),
                Ok(_) | Err(RegistryError::NotFound { .. }) => {}
                Err(e) => {
                    warnings.push(format!("referrers: {e}"));
                    return (None, None);
                }
            }
            "fallback-tag"
        }
        Err(e) => {
            warnings.push(format!("referrers: {e}"));
            return (None, None);
        }
    };
    for suffix in ["sig", "att", "sbom"] {
        let tag = format!("{}.{suffix}", digest.fallback_tag());
        match source.manifest(repo, &tag).await {
            Ok(m) => {
                if !out.iter().any(|r| r.digest == m.digest) {
                    let ty = m.manifest.artifact_type().or_else(|| match &m.manifest {
                        Manifest::Image(im) => im.layers.first().map(|l| l.media_type.clone()),
                        Manifest::Index(_) => None,
                    });
                    out.push(ReferrerRef {
                        digest: m.digest,
                        artifact_type: ty,
                    });
                }
            }
            Err(RegistryError::NotFound { .. }) => {}
            Err(e) => warnings.push(format!("cosign tag {tag}: {e}")),
        }
    }
    (Some(out), Some(how))
}

fn text(o: &Inspected) -> String {
    let now = chrono::Utc::now();
    let mut s = String::new();
    let mut kv = |k: &str, v: String| s.push_str(&format!("{k:<12}{v}\n"));
    kv("Reference", o.reference.clone());
    kv("Digest", o.digest.to_string());
    kv("Media type", o.media_type.clone());
    kv("Kind", o.kind.to_string());
    if let Some(a) = &o.artifact_type {
        kv("Artifact", a.clone());
    }
    if let Some(sub) = &o.subject {
        kv("Subject", sub.to_string());
    }
    let plats: Vec<String> = o.platforms.iter().map(|p| p.to_string()).collect();
    kv(
        "Platforms",
        if plats.is_empty() {
            UNKNOWN.into()
        } else {
            plats.join(", ")
        },
    );
    if let Some(entries) = &o.manifests {
        s.push_str("\nManifests\n");
        let mut t = Table::new(&["PLATFORM", "DIGEST", "SIZE", "NOTE"]).right_align(&[2]);
        for e in entries {
            t.row(vec![
                e.platform.clone().unwrap_or_else(|| UNKNOWN.into()),
                e.digest.to_string(),
                e.size.to_string(),
                match &e.attestation_for {
                    Some(d) => format!("attestation of {}", d.get(7..19).unwrap_or(d)),
                    None => String::new(),
                },
            ]);
        }
        s.push_str(&t.render());
        if o.image.is_none() {
            s.push_str("(pick one with --platform OS/ARCH[/VARIANT])\n");
        }
    }
    if let Some(img) = &o.image {
        s.push('\n');
        if o.manifests.is_some() {
            s.push_str(&format!("Image {}\n", img.digest));
        }
        let created = match img.created_at {
            Some(t) => format!("{} ({})", crate::text::date(t), relative(Some(t), now)),
            None => UNKNOWN.into(),
        };
        s.push_str(&format!(
            "{:<12}{}\n",
            "Platform",
            img.platform
                .as_ref()
                .map(|p| p.to_string())
                .unwrap_or_else(|| UNKNOWN.into())
        ));
        s.push_str(&format!("{:<12}{created}\n", "Created"));
        let foreign = img.layers.iter().filter(|l| l.urls.is_some()).count();
        s.push_str(&format!(
            "{:<12}{} (config + {}, compressed)\n",
            "Size",
            size(Some(img.size_bytes)),
            crate::text::count(img.layers.len() - foreign, "layer")
        ));
        if let Some(bytes) = img.foreign_bytes {
            s.push_str(&format!(
                "{:<12}{} more in {}, pulled from their URLs, not stored in this registry\n",
                "",
                size(Some(bytes)),
                crate::text::count(foreign, "foreign layer")
            ));
        }
        s.push_str("\nLayers\n");
        let mut t =
            Table::new(&["#", "DIGEST", "SIZE", "MEDIA TYPE", "CREATED BY"]).right_align(&[0, 2]);
        for (i, l) in img.layers.iter().enumerate() {
            let by = l.created_by.clone().unwrap_or_else(|| UNKNOWN.into());
            let by: String = by.chars().take(100).collect();
            t.row(vec![
                (i + 1).to_string(),
                l.digest.short().to_string(),
                size(Some(l.size)),
                match &l.urls {
                    Some(urls) => format!(
                        "{} (foreign: {})",
                        l.media_type,
                        crate::registry::net_error::url_hosts(urls)
                    ),
                    None => l.media_type.clone(),
                },
                by.replace('\n', " "),
            ]);
        }
        s.push_str(&t.render());
        if let Some(r) = &img.referrers {
            referrers_text(&mut s, "Image referrers", r);
        }
    }
    match &o.referrers {
        Some(r) => referrers_text(
            &mut s,
            &format!("Referrers (via {})", o.referrers_source.unwrap_or("?")),
            r,
        ),
        None => s.push_str(&format!("\nReferrers   {UNKNOWN} (lookup failed)\n")),
    }
    s
}

fn referrers_text(s: &mut String, title: &str, r: &[ReferrerRef]) {
    s.push_str(&format!("\n{title}\n"));
    if r.is_empty() {
        s.push_str("none\n");
        return;
    }
    let mut t = Table::new(&["DIGEST", "ARTIFACT TYPE"]);
    for x in r {
        t.row(vec![
            x.digest.to_string(),
            x.artifact_type.clone().unwrap_or_else(|| UNKNOWN.into()),
        ]);
    }
    s.push_str(&t.render());
}
