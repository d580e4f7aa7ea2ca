//! The charts' bytes over time (issue 18): per registry and per repository one column per
//! completed crawl, growth per day, a spike flagged in the warning colour, an unknown total
//! drawn as `·` (never as zero), and "since last open" naming what the refresh found.

use super::{buffer_text, find, Harness};
use crate::app::config::theme::Role;
use crate::app::inventory_event as ev;
use crate::inventory::InventoryEvent;
use crate::model::Digest;
use crate::store::{Changes, History, HistoryRepository, HistorySnapshot};
use chrono::Duration;
use insta::assert_snapshot;

const GB: u64 = 1_000_000_000;

fn repo(name: &str, images: u64, bytes: Option<u64>) -> HistoryRepository {
    HistoryRepository {
        repository: name.into(),
        images,
        tags: images,
        total_bytes: bytes,
        unique_bytes: bytes.map(|b| b / 2),
    }
}

/// Ten daily crawls: `web` grows 1 GB a day and jumps 20 GB on day 7 (a CI loop); `api`
/// is steady but its size was unknown on day 4; `old` was deleted after day 2.
fn history() -> History {
    let start = crate::app::testing::fixed_now() - Duration::days(9);
    let snapshots = (0..10u64)
        .map(|d| {
            let web = 10 * GB + d * GB + if d >= 7 { 20 * GB } else { 0 };
            let mut repositories = vec![
                repo("web", 40 + d, Some(web)),
                repo("api", 5, if d == 4 { None } else { Some(3 * GB) }),
            ];
            if d <= 2 {
                repositories.push(repo("old", 2, Some(GB)));
            }
            HistorySnapshot {
                at: start + Duration::days(d as i64),
                repositories,
            }
        })
        .collect();
    History {
        schema: crate::store::HISTORY_SCHEMA.into(),
        registry: "prod".into(),
        snapshots,
    }
}

fn changes() -> Changes {
    let d = |s: &str| Digest::sha256_of(s.as_bytes());
    Changes {
        new_images: vec![("web".into(), d("n1")), ("web".into(), d("n2"))],
        deleted_images: vec![("api".into(), d("gone"))],
        moved_tags: vec![("web".into(), "latest".into(), d("a"), d("b"))],
    }
}

#[test]
fn charts_show_bytes_over_time_spikes_and_since_last_open() {
    let mut h = Harness::loaded();
    h.inventory(InventoryEvent::History {
        registry: "prod".into(),
        history: history(),
    });
    h.inventory(InventoryEvent::Changes {
        registry: "prod".into(),
        changes: changes(),
    });
    h.inventory(ev::finished("prod", None));
    h.keys("2");
    let buf = h.render(120, 40);
    assert_snapshot!(buffer_text(&buf));
    // The spike is in the warning colour, on the registry's line and on web's.
    let (x, y) = find(&buf, "▲ spike 05-30 12:00 +20 GiB").expect("spike flagged");
    assert_eq!(buf[(x, y)].fg, h.state.theme.color(Role::Warning).unwrap());
    let text = buffer_text(&buf);
    assert_eq!(text.matches("▲ spike 05-30").count(), 2, "{text}");
    // web grew 29 GB over 9 days; api's unknown day is a dot, not a drop to zero.
    assert!(text.contains("+3.0 GiB/day"), "{text}");
    assert!(text.contains('·'), "{text}");
    assert!(
        text.contains("prod since last open: 2 new, 1 deleted, 1 tag moved (web:latest)"),
        "{text}"
    );
}

#[test]
fn without_a_store_the_charts_are_as_before() {
    let mut h = Harness::loaded();
    h.inventory(ev::finished("prod", None));
    h.keys("2");
    let text = h.screen(100, 30);
    assert!(!text.contains("bytes over time"), "{text}");
}
