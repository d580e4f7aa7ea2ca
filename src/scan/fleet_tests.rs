//! The fleet query and tally: what matches, what counts as unknown, hit order, and that the
//! search really runs fetches side by side (bounded).

use super::fleet::*;
use crate::model::{Digest, Finding, Image, ImageKind, ScanStatus, Severity};
use chrono::{TimeZone, Utc};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

fn finding(id: &str, pkg: &str, installed: &str) -> Finding {
    Finding {
        id: id.into(),
        severity: Severity::High,
        package: Some(pkg.into()),
        installed_version: Some(installed.into()),
        fixed_version: None,
        title: None,
        url: None,
        source: "trivy".into(),
        ecosystem: None,
    }
}

fn img(n: u8, created: Option<i64>, pulled: Option<i64>) -> FleetImage {
    FleetImage {
        repository: format!("repo{n}"),
        digest: Digest::sha256_of(&[n]),
        tags: vec![format!("v{n}")],
        created_at: created.map(|s| Utc.timestamp_opt(s, 0).unwrap()),
        pushed_at: None,
        last_pulled_at: pulled.map(|s| Utc.timestamp_opt(s, 0).unwrap()),
        settled: None,
    }
}

fn scanned(f: Vec<Finding>) -> Fetched {
    Fetched {
        status: ScanStatus::Scanned,
        findings: f,
        problems: vec![],
    }
}

#[test]
fn package_queries_parse_and_match_by_version() {
    let q = FleetQuery::parse_package("openssl < 3.0.7").unwrap();
    assert_eq!(
        q,
        FleetQuery::Package {
            name: "openssl".into(),
            below: Some("3.0.7".into())
        }
    );
    assert_eq!(q.label(), "openssl < 3.0.7");
    assert!(q.matches(&finding("CVE-1", "OpenSSL", "3.0.2-0ubuntu1.10")));
    assert!(!q.matches(&finding("CVE-1", "openssl", "1:1.1.1")));
    assert!(!q.matches(&finding("CVE-1", "openssl", "3.0.7")));
    assert!(!q.matches(&finding("CVE-1", "libssl3", "3.0.2")));
    let mut unknown = finding("CVE-1", "openssl", "");
    unknown.installed_version = None;
    assert!(
        !q.matches(&unknown),
        "an unknown version is not below anything"
    );
    let any = FleetQuery::parse_package("openssl").unwrap();
    assert!(any.matches(&unknown));
    assert_eq!(
        FleetQuery::parse_package("zlib below 1.3").unwrap(),
        FleetQuery::Package {
            name: "zlib".into(),
            below: Some("1.3".into())
        }
    );
    assert!(FleetQuery::parse_package("zlib <").is_err());
    assert!(FleetQuery::parse_package("").is_err());
    assert!(FleetQuery::cve("cve-2024-1").matches(&finding("CVE-2024-1", "x", "1")));
}

#[test]
fn package_queries_order_versions_by_the_findings_ecosystem() {
    use crate::model::Ecosystem;
    let q = FleetQuery::parse_package("django < 1.0.1").unwrap();
    let mut post = finding("CVE-1", "django", "1.0.post1");
    // The mixed rule reads `.post1` as letters after `1.0`; PEP 440 knows it is a
    // post-release of 1.0, below 1.0.1.
    post.ecosystem = Some(Ecosystem::Python);
    assert!(q.matches(&post));
    let q = FleetQuery::parse_package("left-pad < 1.0.0").unwrap();
    let mut build = finding("CVE-2", "left-pad", "1.0.0+build.5");
    build.ecosystem = Some(Ecosystem::Semver);
    assert!(
        !q.matches(&build),
        "build metadata does not make 1.0.0 newer or older"
    );
}

#[test]
fn the_tally_names_every_kind_of_unknown() {
    let q = FleetQuery::cve("CVE-9");
    let mut a = FleetAnswer::new(q);
    a.record(
        &img(1, Some(10), None),
        Ok(&scanned(vec![finding("CVE-9", "zlib", "1.2")])),
    );
    a.record(&img(2, Some(20), None), Ok(&scanned(vec![])));
    for status in [
        ScanStatus::NotScanned,
        ScanStatus::Scanning,
        ScanStatus::Failed,
        ScanStatus::Unsupported,
    ] {
        let f = Fetched {
            status,
            findings: vec![],
            problems: vec!["bad report".into()],
        };
        a.record(&img(3, None, None), Ok(&f));
    }
    a.record(&img(4, None, None), Err("HTTP 500"));
    assert_eq!(a.images, 7);
    assert_eq!(a.scanned, 2);
    assert_eq!(
        (
            a.not_scanned,
            a.scanning,
            a.failed,
            a.unsupported,
            a.unreadable
        ),
        (1, 1, 1, 1, 1)
    );
    assert_eq!(a.unknown, 5, "everything but scanned is unknown");
    assert_eq!(a.hits.len(), 1);
    assert_eq!(a.hits[0].finding.package.as_deref(), Some("zlib"));
    assert!(a.problems.iter().any(|p| p.contains("HTTP 500")));
    let j = serde_json::to_value(&a).unwrap();
    assert_eq!(j["query"]["kind"], "cve");
    assert_eq!(j["id"], "CVE-9");
    assert_eq!(j["unknown"], 5);
}

#[test]
fn hits_order_newest_or_pulled_with_unknown_last() {
    let q = FleetQuery::parse_package("zlib").unwrap();
    let mut a = FleetAnswer::new(q);
    let hit = scanned(vec![finding("CVE-1", "zlib", "1")]);
    a.record(&img(1, Some(100), None), Ok(&hit));
    a.record(&img(2, None, Some(50)), Ok(&hit));
    a.record(&img(3, Some(300), Some(10)), Ok(&hit));
    a.sort(HitOrder::Newest);
    let order: Vec<&str> = a.hits.iter().map(|h| h.repository.as_str()).collect();
    assert_eq!(order, ["repo3", "repo1", "repo2"]);
    a.sort(HitOrder::Pulled);
    let order: Vec<&str> = a.hits.iter().map(|h| h.repository.as_str()).collect();
    assert_eq!(order, ["repo2", "repo3", "repo1"]);
}

#[test]
fn referrers_and_platform_manifests_are_not_fleet_images() {
    let d = |n: u8| Digest::sha256_of(&[n]);
    let mut index = Image::new("r", d(1), "index", ImageKind::Index);
    index.children = vec![d(2)];
    let child = Image::new("r", d(2), "m", ImageKind::Image);
    let same_digest_elsewhere = Image::new("other", d(2), "m", ImageKind::Image);
    let mut report = Image::new("r", d(3), "m", ImageKind::Artifact);
    report.subject = Some(d(1));
    let sig = Image::new("r", d(4), "m", ImageKind::Signature);
    let plain = Image::new("r", d(5), "m", ImageKind::Image);
    let got = fleet_images(&[index, child, same_digest_elsewhere, report, sig, plain]);
    let names: Vec<(String, Digest)> = got.into_iter().map(|i| (i.repository, i.digest)).collect();
    assert_eq!(
        names,
        vec![
            ("r".into(), d(1)),
            ("other".into(), d(2)),
            ("r".into(), d(5))
        ]
    );
}

#[tokio::test]
async fn search_runs_fetches_side_by_side_within_the_bound() {
    let running = Arc::new(AtomicUsize::new(0));
    let peak = Arc::new(AtomicUsize::new(0));
    let mut images: Vec<FleetImage> = (0..12).map(|n| img(n, Some(n as i64), None)).collect();
    // Settled by the inventory: never fetched.
    let mut never = img(99, None, None);
    never.settled = Some(ScanStatus::NotScanned);
    images.push(never);
    let ans = search(images, FleetQuery::cve("CVE-1"), 4, |i| {
        let (running, peak) = (running.clone(), peak.clone());
        assert!(i.settled.is_none(), "a settled image is not fetched");
        async move {
            let now = running.fetch_add(1, Ordering::SeqCst) + 1;
            peak.fetch_max(now, Ordering::SeqCst);
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            running.fetch_sub(1, Ordering::SeqCst);
            let hit = i.tags[0].ends_with('1');
            let f = scanned(if hit {
                vec![finding("CVE-1", "zlib", "1")]
            } else {
                vec![]
            });
            (i, Ok(f))
        }
    })
    .await;
    assert_eq!(peak.load(Ordering::SeqCst), 4, "bounded, and concurrent");
    assert_eq!((ans.images, ans.scanned, ans.unknown), (13, 12, 1));
    assert_eq!(ans.not_scanned, 1);
    let order: Vec<&str> = ans.hits.iter().map(|h| h.tags[0].as_str()).collect();
    assert_eq!(order, ["v11", "v1"], "newest first");
}
