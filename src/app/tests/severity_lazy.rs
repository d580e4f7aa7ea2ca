//! Severity columns on a registry whose listing carries no scans (OCI Distribution, OCI
//! layouts): the rows on screen get their reports fetched, the columns appear once a
//! report shows a scanned image, every cell tells "not fetched", "fetching", "unreadable",
//! "not scanned" and real counts apart, and sorting by a severity column folds the fetched
//! counts into the table so they sort.

use super::{buffer_text, find, Harness};
use crate::app::inventory_event as ev;
use crate::app::msg::Msg;
use crate::app::tasks::findings::FindingsReport;
use crate::app::tasks::sweep::{SweepBatch, SweepKind};
use crate::app::testing::fleet_images;
use crate::app::views::images::column::ImageColumn;
use crate::app::views::images::scans::{row_scan, RowScan};
use crate::model::{Finding, ScanStatus, Severity};
use std::sync::Arc;

fn report(status: ScanStatus, sevs: &[Severity]) -> Result<Arc<FindingsReport>, String> {
    Ok(Arc::new(FindingsReport {
        status,
        scanned_at: None,
        sources: vec!["trivy 0.50".into()],
        findings: sevs
            .iter()
            .enumerate()
            .map(|(i, s)| Finding {
                id: format!("CVE-2024-{i}"),
                severity: *s,
                package: Some("zlib".into()),
                installed_version: Some("1.0".into()),
                fixed_version: None,
                title: None,
                url: None,
                source: "trivy".into(),
                ecosystem: None,
            })
            .collect(),
        problems: vec![],
    }))
}

#[test]
fn visible_rows_are_fetched_shown_honestly_and_sort_once_merged() {
    let mut h = Harness::new(&["prod"]);
    h.inventory(ev::listed("prod", &["api"]));
    h.inventory(ev::images("prod", "api", fleet_images("api", 5)));
    h.inventory(ev::finished("prod", None));
    h.keys("j enter");
    let table = h.state.images.table.clone().unwrap();
    assert!(!table.has_scans());
    let text = buffer_text(&h.render(120, 14));
    assert!(
        !text.contains("CRIT"),
        "no columns before any scan is known"
    );
    let req = h.sweeps.pop().expect("the rows on screen are fetched");
    assert_eq!(req.kind, SweepKind::Visible);
    assert_eq!(req.items.len(), 5);
    h.render(120, 14);
    assert!(
        h.sweeps.is_empty(),
        "asked once while the answer is on its way"
    );

    let d = |id: u32| table.row(id).digest();
    h.send(Msg::Swept(SweepBatch {
        kind: req.kind,
        ticket: req.ticket,
        results: vec![
            (d(0), report(ScanStatus::Scanned, &[Severity::High])),
            (
                d(1),
                report(
                    ScanStatus::Scanned,
                    &[Severity::Critical, Severity::Critical],
                ),
            ),
            (d(2), report(ScanStatus::NotScanned, &[])),
            (d(3), Err("HTTP 500".into())),
        ],
        done: false,
    }));
    let buf = h.render(120, 14);
    let text = buffer_text(&buf);
    assert!(
        text.contains("CRIT"),
        "a scanned image shows the columns:\n{text}"
    );
    let crit_x = find(&buf, "CRIT").unwrap().0 + 3;
    let cell_of = |id: u32| {
        let (_, y) = find(&buf, table.row(id).short_digest()).unwrap();
        buf[(crit_x, y)].symbol().to_string()
    };
    assert_eq!(cell_of(1), "2");
    assert_eq!(cell_of(0), "0", "scanned: a real zero");
    assert_eq!(cell_of(2), "—", "not scanned is unknown");
    assert_eq!(cell_of(3), "!", "unreadable reports");
    assert_eq!(cell_of(4), "⠋", "still fetching");
    h.state.images.scan_asked.clear();
    assert_eq!(row_scan(&h.state, &table, 4), RowScan::NotFetched);

    h.keys(":");
    h.type_text("sort critical");
    h.keys("enter");
    assert_eq!(
        h.state.images.sort.column,
        ImageColumn::Severity(Severity::Critical)
    );
    let merged = h.state.images.table.clone().unwrap();
    assert!(!Arc::ptr_eq(&merged, &table), "fetched counts folded in");
    assert!(merged.has_scans());
    let repo = &h.state.fleet.repos[0];
    assert!(Arc::ptr_eq(repo.table.as_ref().unwrap(), &merged));
    let order: Vec<u32> = (0..5).map(|p| h.state.images.view.get(p)).collect();
    assert_eq!(&order[..2], &[1, 0], "two criticals, then none (one high)");
    assert!(order[2..].contains(&2) && order[2..].contains(&3) && order[2..].contains(&4));
    assert_eq!(
        merged.facts().scan(2).map(|s| s.status),
        Some(ScanStatus::NotScanned)
    );
    assert_eq!(merged.facts().scan(3), None, "unreadable stays unknown");
    assert_eq!(
        merged.facts().scan(1).and_then(|s| s.source),
        Some("trivy 0.50".into())
    );
}
