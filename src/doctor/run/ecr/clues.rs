//! History clues ECR keeps: push time and last recorded pull (from `DescribeImages`,
//! read before the doctor's own pull), tags or repositories close to a missing one, and
//! what the repository's CURRENT lifecycle policy does to this image, evaluated with
//! `policy::ecr` at the doctor's clock.

use super::image::BlobsChecked;
use super::{relative, EcrWalk, Walk};
use crate::doctor::run::explain::closest;
use crate::doctor::run::ms;
use crate::doctor::verdict::Verdict;
use crate::doctor::{Report, Step, StepStatus};
use crate::model::{Digest, Image, ImageKind};
use crate::policy::ecr::{tag_requirement_matches, CountType, EcrAction, EcrPolicy, TagStatus};
use crate::policy::{ActionKind, Switches};
use crate::registry::ecr::ImageRef;
use std::time::Instant;

impl EcrWalk<'_> {
    /// Push and pull times of the described image, as lines.
    fn times(&self) -> Vec<String> {
        match &self.described {
            Some(Ok(img)) => {
                let mut out = vec![match img.pushed_at {
                    Some(at) => format!("pushed {} ({})", at.to_rfc3339(), relative(self.now, at)),
                    None => "push time: not reported".into(),
                }];
                out.push(match img.last_pulled_at {
                    Some(at) => format!(
                        "last recorded pull {} ({}), before this check",
                        at.to_rfc3339(),
                        relative(self.now, at)
                    ),
                    None => "last recorded pull: none reported by ECR (before this check)".into(),
                });
                out
            }
            Some(Err(e)) => vec![format!("push and pull times not available: {e}")],
            None => vec![],
        }
    }

    /// The history step of a pullable image, then the `ok` report.
    pub(super) async fn history(&mut self, w: &mut Walk<'_>, blobs: BlobsChecked) -> Report {
        let t = Instant::now();
        let mut lines = self.times();
        let mut expiring = None;
        if let Some((digest, children)) = self.resolved.clone() {
            let (policy_line, acts) = self.lifecycle_verdict(&digest, &children);
            lines.push(policy_line);
            expiring = acts;
        }
        let detail = lines.first().cloned().unwrap_or_default();
        w.push(Step {
            name: "history",
            status: StepStatus::Ok,
            detail,
            elapsed_ms: ms(t),
            http_status: None,
            error_code: None,
            lines,
        });
        let platform = w
            .platform
            .as_ref()
            .map(|p| format!(" for {p}"))
            .unwrap_or_default();
        let mut summary = format!(
            "{} can be pulled{platform}: every step of the pull path answered.",
            w.reference
        );
        if let BlobsChecked::Unchecked(why) = blobs {
            summary = format!(
                "{} can be resolved{platform}; its blobs were {why}.",
                w.reference
            );
        }
        if let Some(rule) = expiring {
            summary.push_str(&format!(" But the current lifecycle policy would {rule}."));
        }
        let (region, registry) = (self.client.region().to_string(), w.registry.clone());
        w.finish(
            Verdict::Ok,
            summary,
            format!(
                "aws ecr get-login-password --region {region} | docker login --username AWS --password-stdin {registry} && docker pull {}",
                w.reference
            ),
        )
    }

    /// The repository's lifecycle policy and, when it has one, every image as
    /// `DescribeImages` lists it, read BEFORE the doctor's pull so "since pulled" rules see
    /// the last pull as it was.
    pub(super) async fn read_lifecycle(&self, repo: &str) -> Lifecycle {
        let policy = match self.client.lifecycle_policy(repo).await {
            Ok(None) => return Lifecycle::Absent,
            Ok(Some(p)) => p,
            Err(e) => return Lifecycle::Unusable(format!("lifecycle policy not readable: {e}")),
        };
        let parsed = match EcrPolicy::parse(&policy.text) {
            Ok(p) => p,
            Err(e) => return Lifecycle::Unusable(format!("lifecycle policy does not parse: {e}")),
        };
        let images = self
            .client
            .describe_images(repo)
            .await
            .map(|d| d.images)
            .map_err(|e| format!("lifecycle policy present, not evaluated: {e}"));
        Lifecycle::Present {
            policy: parsed,
            last_evaluated_at: policy.last_evaluated_at,
            images,
        }
    }

    /// What the current policy does to `digest` (the manifest the reference names; an
    /// index goes with its `children`) now: a line, and the action if it acts.
    fn lifecycle_verdict(&self, digest: &Digest, children: &[Digest]) -> (String, Option<String>) {
        let (parsed, images) = match &self.lifecycle {
            None | Some(Lifecycle::Absent) => {
                return ("lifecycle policy: none on this repository".into(), None)
            }
            Some(Lifecycle::Unusable(why)) => return (why.clone(), None),
            Some(Lifecycle::Present {
                images: Err(why), ..
            }) => return (why.clone(), None),
            Some(Lifecycle::Present {
                policy,
                images: Ok(images),
                ..
            }) => (policy, images),
        };
        let mut images = images.clone();
        let Some(at) = images.iter().position(|i| &i.digest == digest) else {
            return (
                "lifecycle policy present; DescribeImages does not list this image".into(),
                None,
            );
        };
        // An index's children are not independent candidates (lifecycle.md §1.5).
        images[at].children = children.to_vec();
        let ev = parsed.evaluate(&images, self.now, &Switches::default());
        let when = format!("as of {}", self.now.to_rfc3339());
        let Some(d) = ev.decisions.iter().find(|d| d.image == at) else {
            return (
                format!(
                    "lifecycle: the current policy ({}) keeps this image {when}",
                    crate::text::count(parsed.rules.len(), "rule")
                ),
                None,
            );
        };
        let what = match d.action {
            ActionKind::Transition => "archive",
            _ => "expire",
        };
        let rule = parsed
            .rules
            .iter()
            .find(|r| r.priority.to_string() == *d.rule);
        let pulled = if rule.is_some_and(|r| r.count_type == CountType::SinceImagePulled) {
            "; this check's own pull may reset that clock (ECR records pulls with up to a day's delay)"
        } else {
            ""
        };
        (
            format!(
                "lifecycle: rule priority {} would {what} this image {when}: {} ({}){pulled}",
                d.rule,
                d.reason,
                rule.map(|r| r.summary())
                    .unwrap_or_else(|| format!("P{}", d.rule))
            ),
            Some(format!(
                "{what} it (rule priority {}){}",
                d.rule,
                if what == "archive" {
                    "; archived, it cannot be pulled until restored"
                } else {
                    "; amend the policy or its selection if this image must stay"
                }
            )),
        )
    }

    /// The tag (or digest) is missing: close tags, and the rules that could have expired it.
    pub(super) async fn image_not_found(&mut self, w: &mut Walk<'_>) -> Report {
        let t = Instant::now();
        let asked = self.asked.as_str().to_string();
        let mut lines = Vec::new();
        let (detail, near) = match self.client.tag_names(&w.repo).await {
            Ok(tags) => {
                let close = closest(&asked, &tags);
                let d = if close.is_empty() {
                    format!(
                        "{}, none close to {asked}",
                        crate::text::count(tags.len(), "tag")
                    )
                } else {
                    format!("tags close to {asked}: {}", close.join(", "))
                };
                let near = (!close.is_empty()).then(|| format!(" Closest: {}.", close.join(", ")));
                (d, near.unwrap_or_default())
            }
            Err(e) => (format!("tags not listed: {e}"), String::new()),
        };
        let could = self.rules_that_could_expire(&w.repo, &mut lines);
        w.push(Step {
            name: "history",
            status: StepStatus::Ok,
            detail,
            elapsed_ms: ms(t),
            http_status: None,
            error_code: None,
            lines,
        });
        let what = match &self.asked {
            ImageRef::Digest(d) => format!("manifest {d}"),
            ImageRef::Tag(tag) => format!("tag {tag}"),
        };
        let policy = could
            .map(|p| {
                format!(" A lifecycle policy is in place whose rule(s) {p} could have expired it.")
            })
            .unwrap_or_default();
        w.finish(
            Verdict::TagNotFound,
            format!(
                "{}/{} exists but has no {what}.{near}{policy}",
                w.registry, w.repo
            ),
            format!(
                "aws ecr list-images --repository-name {} --region {}",
                w.repo,
                self.client.region()
            ),
        )
    }

    /// Lines about the policy's expire rules that match an image carrying the missing
    /// tag (or any image, for a digest); the matching priorities, if any.
    fn rules_that_could_expire(&self, repo: &str, lines: &mut Vec<String>) -> Option<String> {
        let (parsed, last_evaluated_at) = match &self.lifecycle {
            None | Some(Lifecycle::Absent) => {
                lines.push("lifecycle policy: none on this repository".into());
                return None;
            }
            Some(Lifecycle::Unusable(why)) => {
                lines.push(why.clone());
                return None;
            }
            Some(Lifecycle::Present {
                policy,
                last_evaluated_at,
                ..
            }) => (policy, last_evaluated_at),
        };
        let mut probe = Image::new(repo, Digest::sha256_of(b""), "", ImageKind::Image);
        if let ImageRef::Tag(t) = &self.asked {
            probe.tags = vec![t.clone()];
        }
        let mut hits = Vec::new();
        for r in parsed
            .rules
            .iter()
            .filter(|r| r.action == EcrAction::Expire)
        {
            // An untagged rule can take the image once its tag was moved elsewhere.
            let matches = r.tag_status == TagStatus::Untagged
                || tag_requirement_matches(
                    r,
                    &probe,
                    Switches::default().ecr_pattern_case_sensitive,
                );
            if matches {
                lines.push(format!(
                    "lifecycle rule that could have expired it: {}",
                    r.summary()
                ));
                hits.push(r.priority.to_string());
            }
        }
        if let Some(at) = last_evaluated_at {
            lines.push(format!(
                "lifecycle policy last evaluated {}",
                at.to_rfc3339()
            ));
        }
        if hits.is_empty() {
            lines.push(format!(
                "lifecycle policy ({}): none of its expire rules matches this tag",
                crate::text::count(parsed.rules.len(), "rule")
            ));
            return None;
        }
        Some(hits.join(", "))
    }

    /// The repository is missing: close repository names.
    pub(super) async fn repository_not_found(&mut self, w: &mut Walk<'_>) -> Report {
        let t = Instant::now();
        let (detail, near) = match self.client.repositories().await {
            Ok(repos) => {
                let names: Vec<String> = repos.into_iter().map(|r| r.name).collect();
                let close = closest(&w.repo, &names);
                if close.is_empty() {
                    (
                        format!(
                            "{} {}, none close to {}",
                            names.len(),
                            crate::text::plural(names.len(), "repository", "repositories"),
                            w.repo
                        ),
                        String::new(),
                    )
                } else {
                    (
                        format!("repositories close to {}: {}", w.repo, close.join(", ")),
                        format!(" Closest: {}.", close.join(", ")),
                    )
                }
            }
            Err(e) => (format!("repositories not listed: {e}"), String::new()),
        };
        w.step("history", StepStatus::Ok, detail, t, None);
        w.finish(
            Verdict::RepositoryNotFound,
            format!("{} has no repository {}.{near}", w.registry, w.repo),
            format!(
                "aws ecr describe-repositories --region {}{}",
                self.client.region(),
                self.client
                    .account()
                    .map(|a| format!(" --registry-id {a}"))
                    .unwrap_or_default()
            ),
        )
    }
}

/// The repository's lifecycle policy as read before the pull.
pub(super) enum Lifecycle {
    Absent,
    /// Not readable or not parsable: the line to show.
    Unusable(String),
    Present {
        policy: EcrPolicy,
        last_evaluated_at: Option<chrono::DateTime<chrono::Utc>>,
        images: Result<Vec<Image>, String>,
    },
}
