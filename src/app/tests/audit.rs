//! The audit view (`:audit`): the request carries every loaded repository of the registry
//! in view; the engine's report (built here from those very records, as the task does
//! without the network) shows as a row per repository and a glyph per check, the totals on
//! top, `enter` opens the selected check's evidence; glyphs stay readable without colour;
//! an older run's result is dropped.

use super::{buffer_text, find, Harness};
use crate::app::config::theme::Theme;
use crate::app::effect::Effect;
use crate::app::msg::Msg;
use crate::app::state::View;
use crate::app::tasks::audit::{AuditRequest, AuditResult};
use crate::app::testing::fixed_now;
use crate::app::views::images::records::image_of;
use crate::hygiene::{audit_repository, AuditReport, RepoInputs, Thresholds};
use crate::model::Image;
use crate::session::settings::{Access, Lifecycle, Scanning, TagImmutability};
use crate::session::{RepoSettings, Setting};
use insta::assert_snapshot;
use std::sync::Arc;

fn request(h: &Harness) -> AuditRequest {
    h.other
        .iter()
        .rev()
        .find_map(|e| match e {
            Effect::Audit(r) => Some(r.clone()),
            _ => None,
        })
        .expect("an audit request")
}

/// The engine over the request's records: `web` as a plain registry, `api` with settings
/// read (scanned on push, mutable tags, a lifecycle policy, public).
fn report(req: &AuditRequest) -> AuditReport {
    let th = Thresholds::default();
    let mut api = RepoSettings::plain_oci("OCI registry", false);
    api.scanning = Setting::Known(Scanning {
        on_push: true,
        continuous: false,
        evidence: vec!["auto_scan=true".into()],
    });
    api.tag_immutability = Setting::Known(TagImmutability::default());
    api.lifecycle = Setting::Known(Lifecycle {
        text: Some("{}".into()),
        dry_run: None,
        inert: None,
        evidence: vec!["tag retention policy set".into()],
    });
    api.access = Setting::Known(Access {
        public_grants: vec!["project api is public: anyone may pull".into()],
        evidence: vec![],
    });
    let plain = RepoSettings::plain_oci("OCI registry", false);
    // In repository order, as `audit_registry` returns them.
    let mut tables = req.tables.clone();
    tables.sort_by(|a, b| a.repository.cmp(&b.repository));
    let repos = tables
        .iter()
        .map(|t| {
            let images: Vec<Image> = t.rows().map(image_of).collect();
            let settings = if t.repository == "api" { &api } else { &plain };
            audit_repository(&RepoInputs {
                registry: "prod",
                repository: &t.repository,
                images: &images,
                settings,
                records_push_time: false,
                records_pull_time: false,
                tag_history: None,
                in_use: None,
                lifecycle_today: None,
                now: fixed_now(),
                thresholds: &th,
            })
        })
        .collect();
    AuditReport::new(fixed_now(), repos, vec![])
}

fn audited() -> Harness {
    let mut h = Harness::loaded();
    h.keys(":");
    h.type_text("audit");
    h.keys("enter");
    assert_eq!(h.state.view, View::Audit);
    let req = request(&h);
    let mut names: Vec<&str> = req.tables.iter().map(|t| t.repository.as_str()).collect();
    names.sort();
    assert_eq!(names, ["api", "empty", "web"], "every loaded repository");
    let r = report(&req);
    h.send(Msg::Audit(AuditResult {
        ticket: req.ticket,
        outcome: Ok(Arc::new(r)),
    }));
    h
}

#[test]
fn audit_view() {
    let mut h = audited();
    assert_snapshot!(h.screen(100, 24));
}

#[test]
fn enter_opens_the_selected_checks_evidence() {
    let mut h = audited();
    // Rows are sorted by repository: api first. tab moves to scan-freshness, then back.
    h.keys("tab shift-tab");
    h.keys("enter");
    let text = h.screen(100, 24);
    assert!(
        text.contains("✓ scanning pass api · images are scanned on push"),
        "{text}"
    );
    assert!(text.contains("auto_scan=true"), "{text}");
    // The last column: public access fails, with the grant as evidence.
    h.keys("esc shift-tab enter");
    let text = h.screen(100, 24);
    assert!(text.contains("✗ public-access fail api"), "{text}");
    assert!(text.contains("project api is public"), "{text}");
    h.keys("esc esc");
    assert_eq!(h.state.view, View::Explorer);
}

#[test]
fn glyphs_read_without_colour_and_older_runs_are_dropped() {
    let mut h = audited();
    let mut t = Theme::dark();
    t.no_color = true;
    h.state.theme = t;
    let buf = h.render(100, 24);
    let text = buffer_text(&buf);
    for g in ["✓ pass", "! warn", "✗ fail", "? unknown", "- n/a"] {
        assert!(text.contains(g), "legend {g}: {text}");
    }
    assert!(
        find(&buf, "failing: scanning 1, public-access 1").is_some(),
        "{text}"
    );
    // A second run; the first one's late answer changes nothing.
    let first = request(&h).ticket;
    h.keys(":");
    h.type_text("audit");
    h.keys("enter");
    assert!(h.state.audit.running);
    h.send(Msg::Audit(AuditResult {
        ticket: first,
        outcome: Err("late".into()),
    }));
    assert!(h.state.audit.running && h.state.audit.error.is_none());
}
