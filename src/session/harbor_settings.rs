//! Harbor's project settings for the audit, read through `/api/v2.0` (never a manifest,
//! which Harbor counts as a pull): `auto_scan` (scan on push), `public`, the immutable-tag
//! rules whose repository selectors match the repository, the tag-retention policy, and the
//! replication policies that push the repository to another registry.

use super::settings::{Access, Lifecycle, Replication, Scanning, TagImmutability};
use super::{RepoSettings, Setting};
use crate::registry::harbor::{Coverage, ProjectFacts, ReplicationPolicy};

/// Whether an immutable-tag rule applies to `repository` as Harbor's immutable matcher
/// (`pkg/immutable/match/rule`) decides: only the rule's first repository selector counts,
/// on the path without the project and with no namespace, and a rule without one applies
/// to no repository.
fn rule_covers(rule: &crate::registry::harbor::ImmutableRule, repository: &str) -> bool {
    let path = repository.split_once('/').map_or(repository, |(_, r)| r);
    let Some(s) = rule
        .scope_selectors
        .get("repository")
        .and_then(|s| s.first())
    else {
        return false;
    };
    let decoration = s.decoration.as_deref().unwrap_or("");
    // A selector Harbor cannot build fails its match: the rule protects nothing.
    crate::policy::harbor::Selector::doublestar(decoration, s.pattern.as_deref().unwrap_or(""), "")
        .is_some_and(|sel| sel.selects("", path, &[]))
}

/// Why a retention policy (Harbor's JSON) deletes nothing by itself: Harbor schedules it
/// only for a `Schedule` trigger with a non-empty cron (the portal's "None" schedule is an
/// empty cron; see Harbor's retention controller) and skips disabled rules; `None` when it
/// runs.
pub fn retention_inert(text: &str) -> Option<String> {
    let v: serde_json::Value = serde_json::from_str(text).ok()?;
    let kind = v.pointer("/trigger/kind").and_then(|k| k.as_str());
    let cron = retention_cron(&v);
    if kind != Some("Schedule") || cron.is_empty() {
        return Some(
            "the retention policy has no schedule (it runs only when started by hand)".into(),
        );
    }
    let enabled = v
        .get("rules")
        .and_then(|r| r.as_array())
        .into_iter()
        .flatten()
        .filter(|r| r.get("disabled").and_then(|d| d.as_bool()) != Some(true))
        .count();
    if enabled == 0 {
        return Some("every rule of the retention policy is disabled".into());
    }
    None
}

fn retention_cron(v: &serde_json::Value) -> &str {
    v.pointer("/trigger/settings/cron")
        .and_then(|c| c.as_str())
        .unwrap_or("")
        .trim()
}

/// The evidence line of a project's retention policy: whether it has one, and its cron.
fn retention_evidence(project: &str, text: Option<&str>) -> String {
    let Some(text) = text else {
        return format!("project {project}: no tag retention policy");
    };
    let v: serde_json::Value = serde_json::from_str(text).unwrap_or_default();
    match retention_cron(&v) {
        "" => format!("project {project}: tag retention policy set, no schedule"),
        cron => format!("project {project}: tag retention policy set, schedule {cron:?}"),
    }
}

/// Which of Harbor's replication policies copy `repository` out, and to where. Pull-based
/// policies (a remote registry into this Harbor) copy nothing out; a disabled or manual
/// policy that would cover it is said, but does not count.
pub fn replication(
    policies: &Result<Vec<ReplicationPolicy>, String>,
    repository: &str,
) -> Setting<Replication> {
    let policies = match policies {
        Ok(p) => p,
        Err(e) => return Setting::Unknown(e.clone()),
    };
    let outbound: Vec<&ReplicationPolicy> = policies.iter().filter(|p| p.pushes_out()).collect();
    let mut r = Replication {
        any_rules: !outbound.is_empty(),
        evidence: vec![format!(
            "{} {}, {} {} from this Harbor (GET /replication/policies)",
            policies.len(),
            crate::text::plural(policies.len(), "replication policy", "replication policies"),
            outbound.len(),
            crate::text::plural(outbound.len(), "pushes", "push")
        )],
        ..Default::default()
    };
    for p in outbound {
        let to = p.destination();
        match p.covers(repository) {
            Coverage::Inbound | Coverage::Missed => {}
            Coverage::Idle(why) => r
                .evidence
                .push(format!("{} would copy it to {to} but is {why}", p.label())),
            Coverage::Copies { only } => {
                let limits = if only.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", only.join("; "))
                };
                r.evidence
                    .push(format!("{} copies it to {to}{limits}", p.label()));
                r.destinations.push(to);
            }
        }
    }
    Setting::Known(r)
}

/// The settings of `repository` from its project's facts (`None`: Harbor has no such
/// project); `retention` is the session's own-policy reading of the project, `replication`
/// the registry's replication policies (or why they could not be read).
pub fn from_facts(
    facts: Option<&ProjectFacts>,
    repository: &str,
    retention: Result<Option<String>, String>,
    policies: &Result<Vec<ReplicationPolicy>, String>,
) -> RepoSettings {
    let project = repository.split('/').next().unwrap_or(repository);
    let Some(f) = facts else {
        let u = || format!("Harbor has no project {project}");
        return RepoSettings {
            scanning: Setting::Unknown(u()),
            tag_immutability: Setting::Unknown(u()),
            lifecycle: Setting::Unknown(u()),
            access: Setting::Unknown(u()),
            replication: Setting::Unknown(u()),
            listing_links_referrers: true,
            listing_lists_untagged: true,
        };
    };
    let scanning = match f.auto_scan {
        Some(on) => Setting::Known(Scanning {
            on_push: on,
            continuous: false,
            evidence: vec![format!("project {project}: auto_scan={on} (GET /projects)")],
        }),
        None => Setting::Unknown(format!(
            "project {project} does not say whether it scans on push"
        )),
    };
    let rules: Vec<String> = f
        .immutable_rules
        .iter()
        .filter(|r| r.disabled != Some(true) && rule_covers(r, repository))
        .map(|r| r.describe())
        .collect();
    let tag_immutability = Setting::Known(TagImmutability {
        all_immutable: false,
        exclusions: Vec::new(),
        evidence: vec![format!(
            "project {project}: {}, {} {} this repository",
            crate::text::count(f.immutable_rules.len(), "immutable-tag rule"),
            rules.len(),
            crate::text::plural(rules.len(), "covers", "cover")
        )],
        rules,
    });
    let lifecycle = match retention {
        Ok(text) => Setting::Known(Lifecycle {
            inert: text.as_deref().and_then(retention_inert),
            evidence: vec![retention_evidence(project, text.as_deref())],
            text,
            dry_run: None,
        }),
        Err(e) => Setting::Unknown(format!("the retention policy could not be read: {e}")),
    };
    let access = match f.public {
        Some(true) => Setting::Known(Access {
            public_grants: vec![format!("project {project} is public: anyone may pull")],
            evidence: vec![],
        }),
        Some(false) => Setting::Known(Access {
            public_grants: vec![],
            evidence: vec![format!("project {project} is private")],
        }),
        None => Setting::Unknown(format!(
            "project {project} does not say whether it is public"
        )),
    };
    RepoSettings {
        scanning,
        tag_immutability,
        lifecycle,
        access,
        replication: replication(policies, repository),
        listing_links_referrers: true,
        listing_lists_untagged: true,
    }
}

#[cfg(test)]
mod tests {
    use super::rule_covers;
    use crate::registry::harbor::ImmutableRule;

    fn rule(repository: serde_json::Value) -> ImmutableRule {
        serde_json::from_value(serde_json::json!({
            "tag_selectors": [{"kind": "doublestar", "decoration": "matches", "pattern": "**"}],
            "scope_selectors": {"repository": repository}
        }))
        .unwrap()
    }

    #[test]
    fn immutable_rules_cover_as_harbors_matcher() {
        let sel = |d: &str, p: &str| serde_json::json!({"kind": "doublestar", "decoration": d, "pattern": p});
        assert!(rule_covers(
            &rule(serde_json::json!([sel("repoMatches", "team/**")])),
            "lib/team/app"
        ));
        assert!(!rule_covers(
            &rule(serde_json::json!([sel("repoMatches", "*")])),
            "lib/team/app"
        ));
        assert!(rule_covers(
            &rule(serde_json::json!([sel("repoExcludes", "qa/**")])),
            "lib/app"
        ));
        assert!(!rule_covers(
            &rule(serde_json::json!([sel("repoExcludes", "qa/**")])),
            "lib/qa/x"
        ));
        // match.go reads only the first repository selector.
        let two = serde_json::json!([sel("repoMatches", "**"), sel("repoExcludes", "app")]);
        assert!(rule_covers(&rule(two), "lib/app"));
        // No repository selector: Harbor's matcher skips the rule.
        assert!(!rule_covers(&rule(serde_json::json!([])), "lib/app"));
        let none: ImmutableRule = serde_json::from_value(serde_json::json!({})).unwrap();
        assert!(!rule_covers(&none, "lib/app"));
        // An empty pattern matches every repository; an unknown decoration fails the match.
        assert!(rule_covers(
            &rule(serde_json::json!([sel("repoMatches", "")])),
            "lib/app"
        ));
        assert!(!rule_covers(
            &rule(serde_json::json!([sel("bogus", "**")])),
            "lib/app"
        ));
    }
}
