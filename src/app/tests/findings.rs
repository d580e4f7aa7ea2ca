//! Severity columns: shown only where scans exist, unknown never reads as clean, sortable
//! with unscanned rows last, coloured by meaning and bold without colour.

use super::{find, Harness};
use crate::app::config::theme::{Role, Theme};
use crate::app::inventory_event as ev;
use crate::app::testing::fleet_images;
use crate::app::views::images::column::ImageColumn;
use crate::model::{Image, ScanStatus, ScanSummary, Severity, SeverityCounts};
use insta::assert_snapshot;
use ratatui::style::Modifier;

fn scanned(critical: u32, high: u32, medium: u32) -> Option<ScanSummary> {
    Some(ScanSummary {
        status: ScanStatus::Scanned,
        scanned_at: Some(crate::app::testing::fixed_now()),
        counts: SeverityCounts {
            critical,
            high,
            medium,
            low: 4,
            ..Default::default()
        },
        source: Some("ecr-basic".into()),
    })
}

/// `api` with five images: two scanned with findings, one clean, one never scanned, one
/// whose scan failed.
fn scanned_images() -> Vec<Image> {
    let mut imgs = fleet_images("api", 5);
    imgs[0].scan = scanned(0, 3, 1);
    imgs[1].scan = scanned(2, 0, 5);
    imgs[2].scan = scanned(0, 0, 0);
    imgs[3].scan = None;
    imgs[4].scan = Some(ScanSummary {
        status: ScanStatus::Failed,
        scanned_at: None,
        counts: SeverityCounts::default(),
        source: None,
    });
    imgs
}

fn harness() -> Harness {
    let mut h = Harness::new(&["prod"]);
    h.inventory(ev::listed("prod", &["api"]));
    h.inventory(ev::images("prod", "api", scanned_images()));
    h.inventory(ev::finished("prod", None));
    h.keys("j enter");
    h
}

#[test]
fn sort_by_critical_puts_worst_first_and_unknown_last() {
    let mut h = harness();
    h.keys(": ");
    h.type_text("sort critical");
    h.keys("enter");
    assert_eq!(
        h.state.images.sort.column,
        ImageColumn::Severity(Severity::Critical)
    );
    assert!(h.state.images.sort.descending);
    let order: Vec<u32> = (0..5).map(|p| h.state.images.view.get(p)).collect();
    // 2 critical; then 0 critical / 3 high; then the clean one; then unknown (3 and 4).
    assert_eq!(&order[..3], &[1, 0, 2]);
    assert!(order[3..].contains(&3) && order[3..].contains(&4));
    h.keys("S");
    let order: Vec<u32> = (0..5).map(|p| h.state.images.view.get(p)).collect();
    assert_eq!(&order[..3], &[2, 0, 1], "ascending, unknown still last");
}

#[test]
fn sort_key_cycle_skips_severity_without_scans() {
    let mut h = Harness::loaded();
    h.keys("G enter");
    for _ in 0..ImageColumn::ALL.len() {
        h.keys("s");
        assert!(!matches!(
            h.state.images.sort.column,
            ImageColumn::Severity(_)
        ));
    }
    let mut h = harness();
    let mut seen = false;
    for _ in 0..ImageColumn::ALL.len() {
        h.keys("s");
        seen |= matches!(h.state.images.sort.column, ImageColumn::Severity(_));
    }
    assert!(seen, "with scans the cycle reaches the severity columns");
}

#[test]
fn severity_columns_snapshot_and_colours() {
    let mut h = harness();
    let buf = h.render(120, 14);
    let text = super::buffer_text(&buf);
    assert_snapshot!("severity_columns", text);
    assert!(text.contains("CRIT") && text.contains("HIGH"));
    // The row with 2 criticals: the count is in the critical colour and bold.
    h.state.images.cursor = 4; // keep the selection away from the checked rows
    let buf = h.render(120, 14);
    let (x, y) = find(&buf, "v1.0.1 +1").unwrap();
    let crit_x = find(&buf, "CRIT").unwrap().0 + 3;
    assert_eq!(buf[(crit_x, y)].symbol(), "2");
    assert_eq!(
        buf[(crit_x, y)].fg,
        h.state.theme.color(Role::SevCritical).unwrap()
    );
    assert!(buf[(crit_x, y)].modifier.contains(Modifier::BOLD));
    let _ = x;
    // The row the inventory said nothing about has its reports fetched (a spinner), then
    // says "not scanned", which is unknown, not zero.
    let row3 = h.state.images.table.as_ref().unwrap().row(3);
    let (short, digest) = (row3.short_digest().to_string(), row3.digest());
    let (_, y3) = find(&buf, &short).unwrap();
    assert_eq!(buf[(crit_x, y3)].symbol(), "⠋");
    let sweep = h
        .sweeps
        .pop()
        .expect("visible rows without a summary are fetched");
    assert_eq!(sweep.items.len(), 1, "only the row without a summary");
    assert_eq!(sweep.items[0].digest, digest);
    h.send(crate::app::msg::Msg::Swept(
        crate::app::tasks::sweep::SweepBatch {
            kind: sweep.kind,
            ticket: sweep.ticket,
            results: vec![(
                digest,
                Ok(std::sync::Arc::new(
                    crate::app::tasks::findings::FindingsReport {
                        status: ScanStatus::NotScanned,
                        scanned_at: None,
                        sources: vec![],
                        findings: vec![],
                        problems: vec![],
                    },
                )),
            )],
            done: true,
        },
    ));
    let buf = h.render(120, 14);
    assert_eq!(buf[(crit_x, y3)].symbol(), "—");
    assert!(h.sweeps.is_empty(), "an answered row is not asked again");
    assert!(super::buffer_text(&buf).contains("? not fetched · — not scanned · 0 none found"));

    // Without colour the count is still bold.
    let mut t = Theme::dark();
    t.no_color = true;
    h.state.theme = t;
    let buf = h.render(120, 14);
    assert_eq!(buf[(crit_x, y)].fg, ratatui::style::Color::Reset);
    assert!(buf[(crit_x, y)].modifier.contains(Modifier::BOLD));
}

mod tab {
    use super::super::{find, Harness};
    use crate::app::config::theme::Role;
    use crate::app::msg::Msg;
    use crate::app::tasks::findings::{FindingsReport, FindingsResult};
    use crate::app::views::detail::state::DetailTab;
    use crate::model::{Finding, ScanStatus, Severity};
    use insta::assert_snapshot;
    use std::sync::Arc;

    fn finding(id: &str, sev: Severity, pkg: &str, fixed: Option<&str>) -> Finding {
        Finding {
            id: id.into(),
            severity: sev,
            package: Some(pkg.into()),
            installed_version: Some("1.0".into()),
            fixed_version: fixed.map(str::to_string),
            title: Some(format!("{pkg} is vulnerable")),
            url: None,
            source: "ecr-basic".into(),
            ecosystem: None,
        }
    }

    fn report(status: ScanStatus, findings: Vec<Finding>) -> Arc<FindingsReport> {
        Arc::new(FindingsReport {
            status,
            scanned_at: Some(crate::app::testing::fixed_now()),
            sources: vec!["ecr-basic".into()],
            findings,
            problems: Vec::new(),
        })
    }

    /// The findings tab of `api`'s newest image, with its request answered by `r`.
    fn tab_with(r: Arc<FindingsReport>) -> Harness {
        let mut h = super::harness();
        h.keys("enter l");
        assert_eq!(h.state.detail.tab, DetailTab::Layers);
        assert!(h.findings.is_empty(), "findings load only on their tab");
        h.keys("l");
        assert_eq!(h.state.detail.tab, DetailTab::Findings);
        let req = h.findings.pop().expect("the tab asks for findings");
        h.send(Msg::Findings(FindingsResult {
            ticket: req.ticket,
            digest: req.digest,
            outcome: Ok(r),
        }));
        h
    }

    fn sample() -> Arc<FindingsReport> {
        report(
            ScanStatus::Scanned,
            vec![
                finding("CVE-2024-0001", Severity::Low, "zlib", None),
                finding(
                    "CVE-2024-0002",
                    Severity::Critical,
                    "openssl",
                    Some("3.0.14"),
                ),
                finding("CVE-2024-0003", Severity::High, "curl", None),
                finding(
                    "GHSA-xxxx-0004",
                    Severity::Medium,
                    "openssl",
                    Some("3.0.15"),
                ),
            ],
        )
    }

    fn shown(h: &Harness) -> Vec<String> {
        let key = h.state.images.selected().unwrap().digest_str().to_string();
        let Some(crate::app::views::findings::state::FindingsEntry::Ready(r)) =
            h.state.findings.cache.get(&key)
        else {
            panic!("findings ready")
        };
        h.state
            .findings
            .visible(r)
            .iter()
            .map(|f| f.id.clone())
            .collect()
    }

    #[test]
    fn sorted_by_severity_filtered_by_package_and_fixable_only() {
        let mut h = tab_with(sample());
        assert_eq!(
            shown(&h),
            [
                "CVE-2024-0002",
                "CVE-2024-0003",
                "GHSA-xxxx-0004",
                "CVE-2024-0001"
            ]
        );
        h.keys("/");
        h.type_text("openssl");
        h.keys("enter");
        assert_eq!(shown(&h), ["CVE-2024-0002", "GHSA-xxxx-0004"]);
        assert_eq!(h.state.images.filter, "", "the image filter is untouched");
        h.keys("esc F");
        assert_eq!(
            shown(&h),
            ["CVE-2024-0002", "GHSA-xxxx-0004"],
            "only fixable"
        );
        h.keys("s");
        assert_eq!(h.state.findings.sort.name(), "id");
        h.keys("esc");
        assert_eq!(shown(&h).len(), 4, "esc clears filter and fixable-only");
    }

    #[test]
    fn not_scanned_and_failures_never_read_as_clean() {
        let mut h = tab_with(report(ScanStatus::NotScanned, vec![]));
        let screen = h.screen(100, 30);
        assert!(
            screen.contains("not scanned (unknown, not clean)"),
            "{screen}"
        );
        assert!(!screen.contains("no findings"));
        let mut h = super::harness();
        h.keys("enter l l");
        let req = h.findings.pop().unwrap();
        h.send(Msg::Findings(FindingsResult {
            ticket: req.ticket,
            digest: req.digest,
            outcome: Err("AccessDeniedException: ecr:DescribeImageScanFindings".into()),
        }));
        let screen = h.screen(100, 30);
        assert!(
            screen.contains("findings unknown: AccessDenied"),
            "{screen}"
        );
    }

    #[test]
    fn findings_tab_snapshot_and_colours() {
        let mut h = tab_with(sample());
        let buf = h.render(110, 30);
        assert_snapshot!("findings_tab", super::super::buffer_text(&buf));
        let t = &h.state.theme;
        let (x, y) = find(&buf, "critical   CVE-2024-0002").unwrap();
        // The first (worst) row has the cursor.
        assert_eq!(buf[(x, y)].bg, t.color(Role::Selection).unwrap());
        let (x, y) = find(&buf, "high       CVE-2024-0003").unwrap();
        assert_eq!(buf[(x, y)].fg, t.color(Role::SevHigh).unwrap());
        assert!(buf[(x, y)]
            .modifier
            .contains(ratatui::style::Modifier::BOLD));
    }
}
