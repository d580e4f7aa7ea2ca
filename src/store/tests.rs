use super::*;
use crate::model::{Digest, Image, ImageKind};
use crate::registry::{FetchedManifest, Manifest};

fn image(repo: &str, n: u8, tags: &[&str]) -> Image {
    let json = format!(
        r#"{{"repository":"{repo}","digest":"{}","media_type":"application/vnd.oci.image.manifest.v1+json","kind":"image","tags":[],"size_bytes":{},"unique_bytes":{},"platforms":[],"created_at":null,"pushed_at":null,"last_pulled_at":null}}"#,
        Digest::sha256_of(&[n]),
        1000 * n as u64,
        100 * n as u64
    );
    let mut i: Image = serde_json::from_str(&json).expect("image json");
    i.tags = tags.iter().map(|t| t.to_string()).collect();
    assert_eq!(i.kind, ImageKind::Image);
    i
}

fn temp() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cache").join(FILE_NAME);
    (dir, path)
}

#[test]
fn opens_creates_and_reopens_at_the_current_version() {
    let (_d, path) = temp();
    let s = Store::open(&path).unwrap();
    drop(s);
    let s = Store::open(&path).unwrap();
    let v: i64 = s
        .with("v", |c| {
            c.pragma_query_value(None, "user_version", |r| r.get(0))
        })
        .unwrap();
    assert_eq!(v, SCHEMA_VERSION);
    let mode: String = s
        .with("m", |c| {
            c.pragma_query_value(None, "journal_mode", |r| r.get(0))
        })
        .unwrap();
    assert_eq!(mode, "wal");
}

#[test]
fn a_newer_schema_is_refused_and_left_untouched() {
    let (_d, path) = temp();
    drop(Store::open(&path).unwrap());
    {
        let c = rusqlite::Connection::open(&path).unwrap();
        c.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .unwrap();
    }
    let e = Store::open(&path).unwrap_err();
    assert!(
        matches!(e, StoreError::Newer { found, .. } if found == SCHEMA_VERSION + 1),
        "{e}"
    );
    assert!(
        e.to_string().contains("newer than this regscope knows"),
        "{e}"
    );
    let c = rusqlite::Connection::open(&path).unwrap();
    let v: i64 = c
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(v, SCHEMA_VERSION + 1);
}

#[test]
fn a_corrupt_file_is_moved_aside_not_overwritten() {
    let (d, path) = temp();
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let garbage = b"this is not a database, it is a text file the user cares about\n".repeat(100);
    std::fs::write(&path, &garbage).unwrap();
    let e = Store::open(&path).unwrap_err();
    let StoreError::Corrupt { moved_to, .. } = &e else {
        panic!("expected Corrupt, got {e}");
    };
    assert!(!path.exists(), "the corrupt file stays where it was");
    assert_eq!(std::fs::read(moved_to).unwrap(), garbage);
    assert!(e.to_string().contains("moved aside"));
    // The next open starts a fresh database.
    Store::open(&path).unwrap();
    drop(d);
}

#[test]
fn a_locked_database_is_reported_as_locked() {
    let (_d, path) = temp();
    drop(Store::open(&path).unwrap());
    let holder = rusqlite::Connection::open(&path).unwrap();
    holder
        .pragma_update(None, "locking_mode", "EXCLUSIVE")
        .unwrap();
    holder
        .execute_batch("BEGIN EXCLUSIVE; CREATE TABLE hold (x);")
        .unwrap();
    let e = Store::open(&path).unwrap_err();
    assert!(matches!(e, StoreError::Locked { .. }), "{e}");
    holder.execute_batch("ROLLBACK").unwrap();
}

#[test]
fn manifests_and_configs_round_trip_and_damage_is_a_miss() {
    let (_d, path) = temp();
    let s = Store::open(&path).unwrap();
    let bytes = br#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2},"layers":[]}"#.to_vec();
    let mt = "application/vnd.oci.image.manifest.v1+json";
    let m = FetchedManifest {
        digest: Digest::sha256_of(&bytes),
        media_type: mt.into(),
        manifest: Manifest::parse(&bytes, mt).unwrap(),
        bytes: bytes.clone(),
    };
    assert!(s.manifest(&m.digest).is_none());
    s.put_manifest(&m);
    assert_eq!(s.manifest(&m.digest).unwrap(), m);
    assert!(s.has_manifest(&m.digest));
    s.with("damage", |c| {
        c.execute("UPDATE manifests SET bytes = x'00'", [])
    });
    assert!(s.manifest(&m.digest).is_none(), "a damaged row is a miss");

    let cfg = b"{}".to_vec();
    let cd = Digest::sha256_of(&cfg);
    s.put_config(&cd, &cfg);
    assert_eq!(s.config(&cd).unwrap(), cfg);
    assert!(s.config(&Digest::sha256_of(b"x")).is_none());
}

#[test]
fn tags_moved_and_deleted_are_observed_with_first_and_last_seen() {
    let (_d, path) = temp();
    let s = Store::open(&path).unwrap();
    let c1 = s.begin_crawl("reg", None).unwrap();
    let ch = s
        .record_repository(
            c1,
            "reg",
            "app",
            &[
                image("app", 1, &["v1", "latest"]),
                image("app", 2, &["old"]),
            ],
        )
        .unwrap();
    assert_eq!(ch.new_images.len(), 2);
    s.finish_crawl(c1, true);

    let c2 = s.begin_crawl("reg", None).unwrap();
    // latest moves to image 3, "old" and image 2 are deleted.
    let ch = s
        .record_repository(
            c2,
            "reg",
            "app",
            &[image("app", 1, &["v1"]), image("app", 3, &["latest"])],
        )
        .unwrap();
    s.finish_crawl(c2, true);
    assert_eq!(
        ch.new_images,
        vec![("app".to_string(), Digest::sha256_of(&[3]))]
    );
    assert_eq!(
        ch.deleted_images,
        vec![("app".to_string(), Digest::sha256_of(&[2]))]
    );
    assert_eq!(
        ch.moved_tags,
        vec![(
            "app".into(),
            "latest".into(),
            Digest::sha256_of(&[1]),
            Digest::sha256_of(&[3])
        )]
    );
    let hist = s.tag_history("reg", "app");
    let latest: Vec<_> = hist.iter().filter(|h| h.0 == "latest").collect();
    assert_eq!(latest.len(), 2);
    assert!(
        !latest[0].4 && latest[1].4,
        "the old row is closed, the new one current"
    );
    assert!(latest[0].2 <= latest[0].3);
    let old: Vec<_> = hist.iter().filter(|h| h.0 == "old").collect();
    assert!(!old[0].4, "a deleted tag stops being current");
    let v1: Vec<_> = hist.iter().filter(|h| h.0 == "v1").collect();
    assert_eq!(v1.len(), 1, "an unmoved tag keeps one row");
    assert!(v1[0].3 >= v1[0].2);
}

#[test]
fn deleted_repositories_are_forgotten_but_their_history_stays() {
    let (_d, path) = temp();
    let s = Store::open(&path).unwrap();
    let c1 = s.begin_crawl("reg", None).unwrap();
    s.record_repository(c1, "reg", "a", &[image("a", 1, &["x"])])
        .unwrap();
    s.record_repository(c1, "reg", "b", &[image("b", 2, &["y"])])
        .unwrap();
    s.finish_crawl(c1, true);
    // The reopen: the listing first, then one repository at a time.
    let (as_of, listed) = s.cached_listing("reg", None).unwrap();
    assert_eq!(listed, ["a", "b"]);
    assert!(as_of.is_some());
    assert_eq!(s.cached_listing("reg", Some("b")).unwrap().1, ["b"]);
    assert!(s.cached_listing("reg", Some("c")).is_none());
    assert!(s.cached_listing("other", None).is_none());
    assert_eq!(
        s.cached_images("reg", "b").unwrap(),
        [image("b", 2, &["y"])]
    );
    assert!(s.cached_images("reg", "c").is_none());

    let c2 = s.begin_crawl("reg", None).unwrap();
    let gone = s.forget_unlisted("reg", None, &["a".to_string()]).unwrap();
    assert_eq!(
        gone.deleted_images,
        vec![("b".to_string(), Digest::sha256_of(&[2]))]
    );
    s.record_repository(c2, "reg", "a", &[image("a", 1, &["x"])])
        .unwrap();
    s.finish_crawl(c2, true);
    assert_eq!(s.cached_listing("reg", None).unwrap().1, ["a"]);
    assert!(s.cached_images("reg", "b").is_none());
    assert_eq!(s.known_repositories("reg").len(), 1);

    let h = s.history("reg", None);
    assert_eq!(h.schema, HISTORY_SCHEMA);
    assert_eq!(h.snapshots.len(), 2);
    assert_eq!(h.snapshots[0].repositories.len(), 2);
    assert_eq!(h.snapshots[1].repositories.len(), 1);
    assert_eq!(h.snapshots[0].repositories[0].total_bytes, Some(1000));
    assert_eq!(h.snapshots[0].repositories[1].unique_bytes, Some(200));
    // A prefix keeps the repositories under it; a prefix crawl does not cover the registry.
    let h = s.history("reg", Some("b"));
    assert_eq!(h.snapshots[0].repositories.len(), 1);
    assert!(h.snapshots[1].repositories.is_empty());
    let c3 = s.begin_crawl("reg", Some("a")).unwrap();
    s.record_repository(c3, "reg", "a", &[image("a", 1, &["x"])])
        .unwrap();
    s.finish_crawl(c3, true);
    assert_eq!(s.history("reg", None).snapshots.len(), 2);
    assert_eq!(s.history("reg", Some("a")).snapshots.len(), 3);
    // Incomplete crawls are not history.
    let c4 = s.begin_crawl("reg", None).unwrap();
    s.finish_crawl(c4, false);
    assert_eq!(s.history("reg", None).snapshots.len(), 2);
}

#[test]
fn summaries_come_from_the_last_snapshot_without_decoding_images() {
    let (_d, path) = temp();
    let s = Store::open(&path).unwrap();
    let c1 = s.begin_crawl("reg", None).unwrap();
    s.record_repository(
        c1,
        "reg",
        "a",
        &[image("a", 1, &["x", "y"]), image("a", 2, &[])],
    )
    .unwrap();
    s.record_repository(c1, "reg", "b", &[image("b", 3, &["z"])])
        .unwrap();
    s.finish_crawl(c1, true);
    let sums = s.cached_summaries("reg", None);
    let names: Vec<&str> = sums.iter().map(|x| x.name.as_str()).collect();
    assert_eq!(names, ["a", "b"]);
    let a = crate::model::RepositorySummary::from_images(
        "reg",
        "a",
        &[image("a", 1, &["x", "y"]), image("a", 2, &[])],
    );
    assert_eq!(
        (
            sums[0].images,
            sums[0].tags,
            sums[0].total_bytes,
            sums[0].unique_bytes
        ),
        (a.images, a.tags, a.total_bytes, a.unique_bytes),
        "what the snapshot recorded"
    );
    assert_eq!(sums[0].registry, "reg");
    assert_eq!(sums[0].newest_push, None, "dates come with the images");
    assert_eq!(s.cached_summaries("reg", Some("b")).len(), 1);
    assert!(s.cached_summaries("other", None).is_empty());

    // A newer crawl's record wins; a repository whose snapshot is gone is left out (not
    // guessed): its crawl was unfinished and pruned.
    let c2 = s.begin_crawl("reg", None).unwrap();
    s.record_repository(
        c2,
        "reg",
        "b",
        &[image("b", 3, &["z"]), image("b", 4, &["w"])],
    )
    .unwrap();
    s.finish_crawl(c2, false);
    let sums = s.cached_summaries("reg", None);
    assert_eq!(sums[1].images, 2);
    s.with("dropping a snapshot", |c| {
        c.execute("DELETE FROM snapshots WHERE crawl_id = ?1", [c2.0])
    })
    .unwrap();
    let names: Vec<String> = s
        .cached_summaries("reg", None)
        .into_iter()
        .map(|x| x.name)
        .collect();
    assert_eq!(names, ["a"]);
    assert_eq!(s.cached_listing("reg", None).unwrap().1, ["a", "b"]);
}

#[test]
fn unknown_sizes_stay_unknown_in_snapshots() {
    let (_d, path) = temp();
    let s = Store::open(&path).unwrap();
    let mut i = image("a", 1, &["x"]);
    i.size_bytes = None;
    i.unique_bytes = None;
    let c = s.begin_crawl("reg", None).unwrap();
    s.record_repository(c, "reg", "a", &[i]).unwrap();
    s.finish_crawl(c, true);
    let h = s.history("reg", None);
    assert_eq!(h.snapshots[0].repositories[0].total_bytes, None);
    assert_eq!(h.snapshots[0].total_bytes(), None);
    let json = serde_json::to_value(&h).unwrap();
    assert!(json["snapshots"][0]["repositories"][0]["total_bytes"].is_null());
}

#[test]
fn growth_flags_a_spike_and_skips_unknown_points() {
    use chrono::TimeZone;
    let t = |d: u32| chrono::Utc.with_ymd_and_hms(2026, 1, d, 0, 0, 0).unwrap();
    let pts = vec![
        (t(1), Some(1000)),
        (t(2), Some(1010)),
        (t(3), None),
        (t(4), Some(1020)),
        (t(5), Some(3000)),
        (t(6), Some(3010)),
    ];
    let g = growth(&pts);
    assert_eq!(g.spikes, vec![4]);
    let per_day = g.per_day.unwrap();
    assert!((per_day - 402.0).abs() < 0.01, "{per_day}");
    assert!(growth(&pts[..2]).spikes.is_empty());
}

#[test]
fn findings_keep_the_newest_scan_per_source() {
    use chrono::TimeZone;
    let (_d, path) = temp();
    let s = Store::open(&path).unwrap();
    let d = Digest::sha256_of(b"img");
    let t1 = chrono::Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    let t2 = chrono::Utc.with_ymd_and_hms(2026, 2, 1, 0, 0, 0).unwrap();
    s.put_findings(&d, "trivy", t1, b"old");
    s.put_findings(&d, "trivy", t2, b"new");
    s.put_findings(&d, "ecr", t1, b"ecr");
    let f = s.latest_findings(&d, "trivy").unwrap();
    assert_eq!((f.scanned_at, f.report.as_slice()), (t2, &b"new"[..]));
    assert!(s.latest_findings(&d, "grype").is_none());
}

#[test]
fn prune_drops_content_no_inventory_shows_and_keeps_history() {
    let (_d, path) = temp();
    let s = Store::open(&path).unwrap();
    let bytes = br#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2},"layers":[]}"#.to_vec();
    let mt = "application/vnd.oci.image.manifest.v1+json";
    let m = FetchedManifest {
        digest: Digest::sha256_of(&bytes),
        media_type: mt.into(),
        manifest: Manifest::parse(&bytes, mt).unwrap(),
        bytes,
    };
    s.put_manifest(&m);
    s.put_config(&Digest::sha256_of(b"{}"), b"{}");
    s.put_config(&Digest::sha256_of(b"[]"), b"[]");
    let mut kept = image("a", 1, &["x"]);
    kept.digest = m.digest.clone();
    let c = s.begin_crawl("reg", None).unwrap();
    s.record_repository(c, "reg", "a", &[kept]).unwrap();
    s.finish_crawl(c, true);
    let p = s.prune().unwrap();
    assert_eq!((p.manifests, p.configs), (0, 1));
    assert!(s.manifest(&m.digest).is_some());
    assert!(s.config(&Digest::sha256_of(b"{}")).is_some());
    s.forget_unlisted("reg", None, &[]).unwrap();
    let p = s.prune().unwrap();
    assert_eq!((p.manifests, p.configs), (1, 1));
    assert_eq!(s.history("reg", None).snapshots.len(), 1);
}

#[test]
fn clear_removes_the_database_and_its_companions() {
    let (_d, path) = temp();
    let s = Store::open(&path).unwrap();
    s.put_config(&Digest::sha256_of(b"{}"), b"{}");
    assert!(s.size_on_disk() > 0);
    drop(s);
    assert!(clear(&path).unwrap() > 0);
    assert_eq!(size_on_disk(&path), 0);
    assert_eq!(clear(&path).unwrap(), 0);
}
