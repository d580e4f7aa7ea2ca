//! The fleet query (`:cve`, `:pkg`): every image of every loaded repository across
//! registries, answered from the cache at once and by a background sweep otherwise (latest
//! query wins, stale batches only fill the cache), unknowns stated by kind, newest or most
//! recently pulled first, enter jumps to the image; drawn with colours and without.

use super::{buffer_text, find, Harness};
use crate::app::config::theme::{Role, Theme};
use crate::app::inventory_event as ev;
use crate::app::msg::Msg;
use crate::app::state::View;
use crate::app::tasks::findings::FindingsReport;
use crate::app::tasks::sweep::{SweepBatch, SweepKind, SweepRequest};
use crate::app::testing::{fixed_now, image};
use crate::app::views::findings::state::FindingsEntry;
use crate::model::{Digest, Finding, ImageKind, ScanStatus, Severity};
use crate::scan::fleet::HitOrder;
use chrono::Duration;
use insta::assert_snapshot;
use ratatui::style::Modifier;
use std::sync::Arc;

fn finding(id: &str, sev: Severity, pkg: &str, installed: &str) -> Finding {
    Finding {
        id: id.into(),
        severity: sev,
        package: Some(pkg.into()),
        installed_version: Some(installed.into()),
        fixed_version: Some("3.0.14-1".into()),
        title: None,
        url: None,
        source: "trivy".into(),
        ecosystem: None,
    }
}

fn report(status: ScanStatus, findings: Vec<Finding>) -> Result<Arc<FindingsReport>, String> {
    Ok(Arc::new(FindingsReport {
        status,
        scanned_at: Some(fixed_now()),
        sources: vec!["trivy".into()],
        findings,
        problems: vec![],
    }))
}

struct Fleet {
    h: Harness,
    api1: Digest,
    api2: Digest,
    web1: Digest,
    web2: Digest,
}

/// prod: `api` (two images, a signature of one, an index with a platform child); stage:
/// `web` (two images, the older one pulled an hour ago); `slow` still loading.
fn fleet() -> Fleet {
    let mut h = Harness::new(&["prod", "stage"]);
    let api1 = image("api", 1, &["v1"]);
    let api2 = image("api", 2, &["v2"]);
    let mut sig = image("api", 3, &["sha256-x.sig"]);
    sig.kind = ImageKind::Signature;
    sig.subject = Some(api1.digest.clone());
    let child = image("api", 4, &[]);
    let mut idx = image("api", 5, &["multi"]);
    idx.kind = ImageKind::Index;
    idx.children = vec![child.digest.clone()];
    let web1 = image("web", 6, &["prod"]);
    let mut web2 = image("web", 7, &["old"]);
    web2.last_pulled_at = Some(fixed_now() - Duration::hours(1));
    let (d1, d2, w1, w2) = (
        api1.digest.clone(),
        api2.digest.clone(),
        web1.digest.clone(),
        web2.digest.clone(),
    );
    h.inventory(ev::listed("prod", &["api"]));
    h.inventory(ev::images("prod", "api", vec![api1, api2, sig, child, idx]));
    h.inventory(ev::listed("stage", &["web", "slow"]));
    h.inventory(ev::images("stage", "web", vec![web1, web2]));
    h.sweeps.clear();
    Fleet {
        h,
        api1: d1,
        api2: d2,
        web1: w1,
        web2: w2,
    }
}

fn command(h: &mut Harness, line: &str) {
    h.keys(":");
    h.type_text(line);
    h.keys("enter");
}

fn answer(
    h: &mut Harness,
    req: &SweepRequest,
    results: Vec<(Digest, Result<Arc<FindingsReport>, String>)>,
    done: bool,
) {
    h.send(Msg::Swept(SweepBatch {
        kind: req.kind,
        ticket: req.ticket,
        results,
        done,
    }));
}

#[test]
fn cve_sweeps_the_fleet_and_states_what_is_unknown() {
    let Fleet {
        mut h,
        api1,
        api2,
        web1,
        web2,
    } = fleet();
    // Seen before in the findings tab: answered without a fetch.
    h.state.findings.cache.insert(
        api2.to_string(),
        FindingsEntry::Ready(report(ScanStatus::Scanned, vec![]).unwrap()),
    );
    command(&mut h, "cve CVE-2024-1");
    assert_eq!(h.state.view, View::Query);
    let req = h.sweeps.pop().expect("a fleet sweep");
    assert_eq!(req.kind, SweepKind::Fleet);
    let asked: Vec<&Digest> = req.items.iter().map(|i| &i.digest).collect();
    // Not the cached one, not the signature, not the index's platform; the index itself yes.
    assert_eq!(asked.len(), 4, "{asked:?}");
    assert!(asked.contains(&&api1) && asked.contains(&&web1) && asked.contains(&&web2));
    assert!(!asked.contains(&&api2));
    assert!(h.state.query.running && h.state.busy());
    assert_eq!(h.state.query.repositories_loading, 1);

    let index = req
        .items
        .iter()
        .map(|i| i.digest.clone())
        .find(|d| ![&api1, &web1, &web2].contains(&d))
        .unwrap();
    let hit = vec![finding(
        "CVE-2024-1",
        Severity::Critical,
        "libssl3",
        "3.0.13-1",
    )];
    answer(
        &mut h,
        &req,
        vec![
            (api1.clone(), report(ScanStatus::Scanned, hit.clone())),
            (web1.clone(), report(ScanStatus::NotScanned, vec![])),
        ],
        false,
    );
    let text = crate::app::views::query::view::coverage(&h.state);
    assert_eq!(
        text,
        "answered for 2 scanned · 3 unknown: 2 not fetched yet, 1 not scanned · 1 repository still loading"
    );
    assert_eq!(h.state.query.hits.len(), 1);
    answer(
        &mut h,
        &req,
        vec![
            (web2.clone(), report(ScanStatus::Scanned, hit.clone())),
            (index, Err("HTTP 500 from the registry".into())),
        ],
        true,
    );
    assert!(!h.state.query.running);
    // `slow` finishes loading: its image joins the query and is swept.
    h.inventory(ev::images("stage", "slow", vec![image("slow", 8, &["v8"])]));
    let more = h.sweeps.pop().expect("the new repository is swept");
    assert_eq!(more.ticket, req.ticket, "the same query");
    assert_eq!(more.items.len(), 1);
    assert_eq!(h.state.query.repositories_loading, 0);
    assert!(h.state.query.running);
    answer(
        &mut h,
        &more,
        vec![(
            more.items[0].digest.clone(),
            report(ScanStatus::NotScanned, vec![]),
        )],
        true,
    );
    assert!(!crate::app::views::query::view::coverage(&h.state).contains("loading"));
    let a = h.state.query.answer.as_ref().unwrap();
    assert_eq!(
        (a.images, a.scanned, a.not_scanned, a.unreadable, a.unknown),
        (6, 3, 2, 1, 3)
    );
    // Newest first: api/1 was built 1 day ago, web/7 seven days ago.
    let order: Vec<&str> = h
        .state
        .query
        .hits
        .iter()
        .map(|x| x.hit.repository.as_str())
        .collect();
    assert_eq!(order, ["api", "web"]);
    // s: most recently pulled first (api has no pull time: last).
    h.keys("s");
    assert_eq!(h.state.query.order, HitOrder::Pulled);
    let order: Vec<&str> = h
        .state
        .query
        .hits
        .iter()
        .map(|x| x.hit.repository.as_str())
        .collect();
    assert_eq!(order, ["web", "api"]);
    // Answers are cached for the findings tab and the severity columns.
    assert!(matches!(
        h.state.findings.cache.get(web2.as_str()),
        Some(FindingsEntry::Ready(_))
    ));
    assert!(
        h.state.findings.scanned_in.contains("stage/web"),
        "{:?}",
        h.state.findings.scanned_in
    );

    // Enter shows the image in the explorer, selected.
    h.keys("enter");
    assert_eq!(h.state.view, View::Explorer);
    let sel = h.state.images.selected().unwrap();
    assert_eq!(sel.digest(), web2, "the cursor was on web's hit");
    h.keys("5");
    assert_eq!(h.state.view, View::Query, "5 returns to the last query");
    h.keys("esc");
    assert_eq!(h.state.view, View::Explorer);
}

#[test]
fn a_newer_query_wins_and_stale_batches_only_fill_the_cache() {
    let Fleet { mut h, api1, .. } = fleet();
    command(&mut h, "cve CVE-2024-1");
    let first = h.sweeps.pop().unwrap();
    command(&mut h, "pkg libssl3 < 3.0.14");
    let second = h.sweeps.pop().unwrap();
    assert!(second.ticket > first.ticket);
    let hit = vec![finding("CVE-2024-1", Severity::High, "libssl3", "3.0.13-1")];
    answer(
        &mut h,
        &first,
        vec![(api1.clone(), report(ScanStatus::Scanned, hit.clone()))],
        true,
    );
    assert!(
        h.state.query.hits.is_empty(),
        "a stale batch is not counted"
    );
    assert!(h.state.query.running, "the newer sweep still runs");
    assert!(
        h.state.findings.cache.contains_key(api1.as_str()),
        "but it is cached"
    );
    // Asking again answers from the cache at once.
    command(&mut h, "pkg libssl3 < 3.0.14");
    let third = h.sweeps.pop().unwrap();
    assert!(!third.items.iter().any(|i| i.digest == api1));
    assert_eq!(h.state.query.hits.len(), 1);
    assert_eq!(
        h.state.query.hits[0]
            .hit
            .finding
            .installed_version
            .as_deref(),
        Some("3.0.13-1")
    );
    command(&mut h, "pkg libssl3 < 3.0.13");
    assert!(
        h.state.query.hits.is_empty(),
        "3.0.13-1 is not below 3.0.13"
    );
    command(&mut h, "pkg");
    assert!(h
        .state
        .flash
        .as_ref()
        .is_some_and(|f| f.error && f.text.contains(":pkg needs")));
    command(&mut h, "cve");
    assert!(h.state.flash.as_ref().is_some_and(|f| f.error));
}

#[test]
fn query_view_snapshot_and_colours() {
    let Fleet {
        mut h, api1, web2, ..
    } = fleet();
    command(&mut h, "cve CVE-2024-1");
    let req = h.sweeps.pop().unwrap();
    let crit = vec![finding(
        "CVE-2024-1",
        Severity::Critical,
        "libssl3",
        "3.0.13-1",
    )];
    answer(
        &mut h,
        &req,
        vec![
            (api1.clone(), report(ScanStatus::Scanned, crit.clone())),
            (web2.clone(), report(ScanStatus::Scanned, crit)),
        ],
        false,
    );
    h.state.query.cursor = 1;
    let buf = h.render(110, 12);
    let text = buffer_text(&buf);
    assert_snapshot!("query_view", text);
    assert!(text.contains("CVE-2024-1 · 2 of 5 images affected · newest first"));
    assert!(text.contains("3 not fetched yet"));
    let (x, y) = find(&buf, "critical").unwrap();
    assert_eq!(
        buf[(x, y)].fg,
        h.state.theme.color(Role::SevCritical).unwrap()
    );
    let mut t = Theme::dark();
    t.no_color = true;
    h.state.theme = t;
    let buf = h.render(110, 12);
    assert_eq!(buf[(x, y)].fg, ratatui::style::Color::Reset);
    assert!(
        buf[(x, y)].modifier.contains(Modifier::BOLD),
        "readable without colour"
    );
}

#[test]
fn what_the_inventory_settles_is_not_fetched_again() {
    use crate::model::{ScanSummary, SeverityCounts};
    let summary = |status: ScanStatus, critical: u32| {
        Some(ScanSummary {
            status,
            scanned_at: None,
            counts: SeverityCounts {
                critical,
                ..Default::default()
            },
            source: Some("ecr-basic".into()),
        })
    };
    let mut never = image("api", 1, &["v1"]);
    never.scan = summary(ScanStatus::NotScanned, 0);
    let mut clean = image("api", 2, &["v2"]);
    clean.scan = summary(ScanStatus::Scanned, 0);
    let mut vulnerable = image("api", 3, &["v3"]);
    vulnerable.scan = summary(ScanStatus::Scanned, 2);
    let want = vulnerable.digest.clone();
    let mut h = Harness::new(&["prod"]);
    h.inventory(ev::listed("prod", &["api"]));
    h.inventory(ev::images("prod", "api", vec![never, clean, vulnerable]));
    h.sweeps.clear();
    command(&mut h, "cve CVE-2024-1");
    let req = h.sweeps.pop().unwrap();
    let asked: Vec<&Digest> = req.items.iter().map(|i| &i.digest).collect();
    assert_eq!(asked, [&want], "only the image with findings is read");
    let a = h.state.query.answer.as_ref().unwrap();
    assert_eq!((a.images, a.scanned, a.not_scanned), (2, 1, 1));
    assert_eq!(h.state.query.not_fetched(), 1);
}

#[test]
fn slash_filters_the_fleet_query_hits() {
    let Fleet {
        mut h, api1, web2, ..
    } = fleet();
    command(&mut h, "cve CVE-2024-1");
    let req = h.sweeps.pop().unwrap();
    let crit = vec![finding(
        "CVE-2024-1",
        Severity::Critical,
        "libssl3",
        "3.0.13-1",
    )];
    answer(
        &mut h,
        &req,
        vec![
            (api1.clone(), report(ScanStatus::Scanned, crit.clone())),
            (web2.clone(), report(ScanStatus::Scanned, crit)),
        ],
        false,
    );
    assert_eq!(h.state.query.shown.len(), 2);
    h.keys("/");
    h.type_text("web");
    assert_eq!(h.state.query.shown.len(), 1);
    assert_eq!(h.state.query.selected().unwrap().hit.digest, web2);
    h.keys("enter");
    assert!(h.screen(110, 12).contains("/web 1 shown"));
    // A tag matches too; an inverted filter keeps the rest.
    h.keys("/ ctrl-u");
    h.type_text("!old");
    assert_eq!(h.state.query.selected().unwrap().hit.digest, api1);
    h.keys("enter esc");
    assert_eq!(h.state.query.shown.len(), 2, "esc clears the filter first");
    assert_eq!(h.state.view, View::Query);
    h.keys("esc");
    assert_eq!(h.state.view, View::Explorer);
}
