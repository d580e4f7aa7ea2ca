//! The image steps: a missing manifest told apart (repository or tag), the platforms of an
//! index, HEAD of every blob, and history clues from the config.

use super::explain::{closest, human};
use super::{ms, place, Outcome, Walk};
use crate::doctor::verdict::Verdict;
use crate::doctor::{Report, Step, StepStatus};
use crate::model::{Digest, Platform};
use crate::registry::{Descriptor, ImageManifest, IndexManifest, Manifest};
use crate::registry::{DistributionClient, RegistryError};
use futures::StreamExt;
use std::time::{Duration, Instant};

/// A blob checked: its label (`config`, `layer 2`), descriptor, and HEAD answer.
type BlobCheck<'a> = (String, &'a Descriptor, Result<Option<u64>, RegistryError>);

impl Walk<'_> {
    /// A 404 on the manifest: is it the repository or the tag? The tag list tells.
    pub(super) async fn not_found(
        &mut self,
        client: &DistributionClient,
        t: Instant,
        e: &RegistryError,
        asked: &str,
    ) -> Report {
        match client.tag_list(&self.repo).await {
            Err(te) if te.http_status() == Some(404) => {
                self.fail("resolve", t, &te);
                let (v, s, n) = self.explain(&te, client);
                self.finish(v, s, n)
            }
            Err(te) => self.failed("resolve", t, &te, client),
            Ok(tags) => {
                self.fail("resolve", t, e);
                let close = closest(asked, &tags);
                let ht = Instant::now();
                let clue = if close.is_empty() {
                    format!(
                        "{}, none close to {asked}",
                        crate::text::count(tags.len(), "tag")
                    )
                } else {
                    format!("tags close to {asked}: {}", close.join(", "))
                };
                self.step("history", StepStatus::Ok, clue, ht, None);
                let what = if Digest::parse(asked).is_ok() {
                    format!("manifest {asked}")
                } else {
                    format!("tag {asked}")
                };
                let near = if close.is_empty() {
                    String::new()
                } else {
                    format!(" Closest: {}.", close.join(", "))
                };
                self.finish(
                    Verdict::TagNotFound,
                    format!(
                        "{}/{} exists ({}) but has no {what}.{near}",
                        self.registry,
                        self.repo,
                        crate::text::count(tags.len(), "tag")
                    ),
                    format!("regscope images {}/{}", self.registry, self.repo),
                )
            }
        }
    }

    /// For an index: the platforms, the wanted one picked. Returns the image manifest.
    pub(super) async fn platforms(
        &mut self,
        client: &DistributionClient,
        digest: &Digest,
        media_type: &str,
    ) -> Result<(Digest, ImageManifest), Report> {
        let t = Instant::now();
        let fetched = client
            .manifest(&self.repo, digest.as_str())
            .await
            .map_err(|e| self.failed("platforms", t, &e, client))?;
        let index = match fetched.manifest {
            Manifest::Image(m) => {
                self.single_platform(client, t, media_type, &m.config)
                    .await?;
                return Ok((fetched.digest, m));
            }
            Manifest::Index(i) => i,
        };
        let (wanted, chosen, lines, runnable) = self.platform_table(&index);
        let Some(chosen) = chosen else {
            return Err(self.platform_missing(t, &wanted, lines, &runnable));
        };
        let child = match client.manifest(&self.repo, chosen.digest.as_str()).await {
            Ok(c) => c,
            Err(e) if e.http_status() == Some(404) => {
                self.fail("platforms", t, &e);
                return Err(self.finish(Verdict::BlobMissing, format!("The index lists {} for {wanted}, but the registry no longer has that manifest.", chosen.digest), format!("re-push the image: docker buildx imagetools create or docker push {}", self.reference)));
            }
            Err(e) => return Err(self.failed("platforms", t, &e, client)),
        };
        let Manifest::Image(m) = child.manifest else {
            let e = RegistryError::Unsupported {
                place: place(client),
                what: "an index nested inside an index".into(),
            };
            return Err(self.failed("platforms", t, &e, client));
        };
        self.step(
            "platforms",
            StepStatus::Ok,
            format!(
                "{}; {wanted} → {}",
                crate::text::count(runnable.len(), "platform"),
                chosen.digest.short()
            ),
            t,
            Some(lines),
        );
        Ok((child.digest, m))
    }

    /// The platforms of an index as display lines (the chosen one marked, attestation
    /// entries labelled not runnable), the wanted platform, the chosen entry and the
    /// runnable platforms.
    pub(super) fn platform_table(
        &self,
        index: &IndexManifest,
    ) -> (Platform, Option<Descriptor>, Vec<String>, Vec<String>) {
        let wanted = self.platform.clone().unwrap_or_else(Platform::host);
        let chosen: Option<&Descriptor> = index
            .manifests
            .iter()
            .filter(|d| !d.is_attestation_entry())
            .find(|d| {
                d.platform
                    .as_ref()
                    .is_some_and(|p| p.to_platform().satisfies(&wanted))
            });
        let mut lines = Vec::new();
        let mut runnable = Vec::new();
        for d in &index.manifests {
            let plat = d
                .platform
                .as_ref()
                .map(|p| p.to_platform().to_string())
                .unwrap_or_else(|| "(no platform)".into());
            let mark = if chosen.is_some_and(|c| c.digest == d.digest) {
                "→"
            } else {
                " "
            };
            let note = if d.is_attestation_entry() {
                "  attestation, not runnable"
            } else {
                ""
            };
            if !d.is_attestation_entry() {
                runnable.push(plat.clone());
            }
            lines.push(format!("{mark} {plat:<20} {}{note}", d.digest.short()));
        }
        (wanted, chosen.cloned(), lines, runnable)
    }

    /// The failed platforms step and the `platform-missing` report.
    pub(super) fn platform_missing(
        &mut self,
        t: Instant,
        wanted: &Platform,
        lines: Vec<String>,
        runnable: &[String],
    ) -> Report {
        self.push(Step {
            name: "platforms",
            status: StepStatus::Fail,
            detail: format!("no {wanted} among {}", runnable.join(", ")),
            elapsed_ms: ms(t),
            http_status: None,
            error_code: None,
            lines,
        });
        let offers = if runnable.is_empty() {
            "no runnable platform".to_string()
        } else {
            runnable.join(", ")
        };
        let next = match runnable.first() {
            Some(p) => format!("regscope doctor --platform {p} {}   # or rebuild with docker buildx build --platform {wanted},...", self.reference),
            None => "rebuild the image for a runnable platform".into(),
        };
        self.finish(
            Verdict::PlatformMissing,
            format!(
                "{} has no image for {wanted}; it offers {offers}.",
                self.reference
            ),
            next,
        )
    }

    /// HEAD of the config and of every layer, concurrently.
    pub(super) async fn blobs(
        &mut self,
        client: &DistributionClient,
        image: &(Digest, ImageManifest),
    ) -> Result<Descriptor, Report> {
        let t = Instant::now();
        let m = &image.1;
        let mut wanted: Vec<(String, &Descriptor)> = vec![("config".into(), &m.config)];
        for (i, l) in m.layers.iter().enumerate() {
            wanted.push((format!("layer {}", i + 1), l));
        }
        let repo = self.repo.clone();
        let results: Vec<BlobCheck> = futures::stream::iter(wanted)
            .map(|(label, d)| {
                let repo = repo.clone();
                async move {
                    if d.urls.as_ref().is_some_and(|u| !u.is_empty()) {
                        return (label, d, Ok(Some(d.size)));
                    }
                    let r = client.blob_size(&repo, &d.digest).await;
                    (label, d, r)
                }
            })
            .buffered(8)
            .collect()
            .await;
        let mut missing = Vec::new();
        let mut lines = Vec::new();
        for (label, d, r) in &results {
            match r {
                Ok(Some(_)) => {}
                Ok(None) => {
                    missing.push(d.digest.to_string());
                    lines.push(format!("missing: {label} {} ({} bytes)", d.digest, d.size));
                }
                Err(e) => return Err(self.failed("blobs", t, e, client)),
            }
        }
        if !missing.is_empty() {
            self.push(Step {
                name: "blobs",
                status: StepStatus::Fail,
                detail: format!(
                    "{} of {} missing",
                    missing.len(),
                    crate::text::count(results.len(), "blob")
                ),
                elapsed_ms: ms(t),
                http_status: Some(404),
                error_code: Some("BLOB_UNKNOWN".into()),
                lines,
            });
            return Err(self.finish(
                Verdict::BlobMissing,
                format!("The manifest {} references {} the registry no longer has ({}); a pull fails while downloading.", image.0.short(), crate::text::count(missing.len(), "blob"), missing.join(", ")),
                format!("re-push the image from a machine that has it: docker push {}", self.reference),
            ));
        }
        let total = crate::model::saturating_sum(m.layers.iter().map(|l| l.size));
        self.step(
            "blobs",
            StepStatus::Ok,
            format!(
                "config and {} present ({} compressed)",
                crate::text::count(m.layers.len(), "layer"),
                crate::text::size(total)
            ),
            t,
            None,
        );
        Ok(m.config.clone())
    }

    pub(super) async fn history(
        &mut self,
        client: &DistributionClient,
        config: &Descriptor,
    ) -> Outcome {
        let t = Instant::now();
        let parsed = match self.config.take() {
            Some(c) => Some(c),
            None => self.read_config(client, config).await,
        };
        let mut lines =
            vec!["push and pull times: not recorded by the Distribution API".to_string()];
        let mut detail = "no build time in the image config".to_string();
        if let Some(c) = &parsed {
            if let Some(created) = c
                .created
                .as_deref()
                .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
            {
                let age = chrono::Utc::now().signed_duration_since(created);
                detail = format!(
                    "built {} ({} ago)",
                    created.to_rfc3339(),
                    human(Duration::from_secs(age.num_seconds().max(0) as u64))
                );
            }
            if let Some(p) = c.platform() {
                lines.push(format!("image platform: {p}"));
            }
        }
        self.step("history", StepStatus::Ok, detail, t, Some(lines));
        let platform = self
            .platform
            .as_ref()
            .map(|p| format!(" for {p}"))
            .unwrap_or_default();
        let summary = format!(
            "{} can be pulled{platform}: every step of the pull path answered.",
            self.reference
        );
        Ok(self.finish(
            Verdict::Ok,
            summary,
            format!("docker pull {}", self.reference),
        ))
    }
}
