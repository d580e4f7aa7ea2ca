use super::*;
use crate::model::{
    BlobRef, ImageKind, Lock, ReferrerRef, ScanStatus, ScanSummary, SeverityCounts, TagDetail,
};
use crate::policy::testkit::{ago, dg, img, now};
use crate::session::settings::{Access, Lifecycle, Replication, Scanning, TagImmutability};
use crate::session::{RepoSettings, Setting};

fn inputs<'a>(
    images: &'a [Image],
    settings: &'a RepoSettings,
    th: &'a Thresholds,
) -> RepoInputs<'a> {
    RepoInputs {
        registry: "reg.example:5000",
        repository: "team/app",
        images,
        settings,
        records_push_time: true,
        records_pull_time: true,
        tag_history: None,
        in_use: None,
        lifecycle_today: None,
        now: now(),
        thresholds: th,
    }
}

fn status(a: &RepositoryAudit, id: CheckId) -> Status {
    a.check(id).unwrap().status
}

#[test]
fn plain_oci_never_passes_a_setting_it_cannot_have() {
    let images = vec![img("team/app", "A", &["v1.0.0"], "1d")];
    let s = RepoSettings::plain_oci("OCI layout", true);
    let th = Thresholds::default();
    let a = audit_repository(&inputs(&images, &s, &th));
    for id in [
        CheckId::LifecyclePolicy,
        CheckId::TagImmutability,
        CheckId::Replication,
    ] {
        assert_eq!(status(&a, id), Status::NotApplicable, "{id:?}");
    }
    assert_eq!(status(&a, CheckId::PublicAccess), Status::Unknown);
    // No setting, no report attached: nothing scans these images.
    assert_eq!(status(&a, CheckId::Scanning), Status::Fail);
    assert_eq!(
        status(&a, CheckId::UntaggedBytes),
        Status::Pass,
        "a layout lists every manifest"
    );
    let d = RepoSettings::plain_oci("OCI registry", false);
    let a2 = audit_repository(&inputs(&images, &d, &th));
    assert_eq!(
        status(&a2, CheckId::UntaggedBytes),
        Status::Unknown,
        "the distribution API lists tags only"
    );
    let ids: Vec<&str> = a.checks.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids.len(), 10);
    assert_eq!(ids[0], "scanning");
    assert_eq!(ids[9], "public-access");
}

#[test]
fn scanning_from_settings_and_from_report_referrers() {
    let th = Thresholds::default();
    let mut a = img("team/app", "A", &["v1"], "1d");
    let b = img("team/app", "B", &["v2"], "1d");
    a.referrers.push(ReferrerRef {
        digest: dg("R"),
        artifact_type: Some(crate::scan::artifact::TRIVY_JSON.into()),
    });
    let images = vec![a.clone(), b];
    let s = RepoSettings::plain_oci("OCI layout", true);
    let c = scanning::scanning(&inputs(&images, &s, &th));
    assert_eq!(c.status, Status::Warn, "{c:?}");
    assert!(c.summary.contains("1 of 2"), "{}", c.summary);
    let images = vec![a];
    assert_eq!(
        scanning::scanning(&inputs(&images, &s, &th)).status,
        Status::Pass
    );

    let mut s = RepoSettings::not_read("ECR");
    s.scanning = Setting::Known(Scanning {
        on_push: false,
        continuous: false,
        evidence: vec!["scanOnPush=false".into()],
    });
    let c = scanning::scanning(&inputs(&images, &s, &th));
    assert_eq!(c.status, Status::Fail);
    assert_eq!(c.evidence, vec!["scanOnPush=false".to_string()]);
    s.scanning = Setting::Known(Scanning {
        on_push: true,
        ..Default::default()
    });
    assert_eq!(
        scanning::scanning(&inputs(&images, &s, &th)).status,
        Status::Pass
    );
}

fn scanned(days_ago: &str, critical: u32, high: u32) -> Option<ScanSummary> {
    Some(ScanSummary {
        status: ScanStatus::Scanned,
        scanned_at: Some(ago(days_ago)),
        counts: SeverityCounts {
            critical,
            high,
            ..Default::default()
        },
        source: Some("ecr-basic".into()),
    })
}

#[test]
fn freshness_counts_recent_images_scanned_long_ago() {
    let th = Thresholds::default();
    let s = RepoSettings::not_read("ECR");
    let mut a = img("team/app", "A", &["a"], "2d");
    a.scan = scanned("20d", 0, 0);
    let mut b = img("team/app", "B", &["b"], "2d");
    b.scan = scanned("1d", 0, 0);
    let mut old = img("team/app", "C", &["c"], "200d");
    old.scan = scanned("199d", 0, 0);
    let images = vec![a, b.clone(), old];
    let c = scanning::freshness(&inputs(&images, &s, &th));
    assert_eq!(c.status, Status::Warn, "{c:?}");
    assert!(c.summary.starts_with("1 of 2 recent"), "{}", c.summary);
    assert!(c.evidence[0].contains("team/app:a"), "{:?}", c.evidence);
    let images = vec![b];
    assert_eq!(
        scanning::freshness(&inputs(&images, &s, &th)).status,
        Status::Pass
    );
    let images = vec![img("team/app", "D", &["d"], "2d")];
    assert_eq!(
        scanning::freshness(&inputs(&images, &s, &th)).status,
        Status::Unknown,
        "no scan time in the listing is not fresh"
    );
}

#[test]
fn critical_findings_only_in_images_in_use_or_pulled_lately() {
    let th = Thresholds::default();
    let s = RepoSettings::not_read("ECR");
    let mut used = img("team/app", "A", &["v1"], "100d");
    used.scan = scanned("1d", 2, 1);
    let mut idle = img("team/app", "B", &["v2"], "100d");
    idle.scan = scanned("1d", 9, 9);
    let images = vec![used.clone(), idle];
    let mut i = inputs(&images, &s, &th);
    i.records_pull_time = false;
    assert_eq!(scanning::critical(&i).status, Status::Unknown);
    let u = InUse::parse("reg.example:5000/team/app:v1\n").unwrap();
    i.in_use = Some(&u);
    let c = scanning::critical(&i);
    assert_eq!(c.status, Status::Fail, "{c:?}");
    assert!(
        c.summary.starts_with("2 critical and 1 high"),
        "{}",
        c.summary
    );
    assert!(c.evidence[0].contains("in use by tag"), "{:?}", c.evidence);
    // Pulled lately counts without a list; a clean scan passes.
    let mut pulled = img("team/app", "C", &["v3"], "100d");
    pulled.last_pulled_at = Some(ago("3d"));
    pulled.scan = scanned("1d", 0, 0);
    let images = vec![pulled];
    let c = scanning::critical(&inputs(&images, &s, &th));
    assert_eq!(c.status, Status::Pass, "{c:?}");
}

#[test]
fn untagged_bytes_leave_out_index_children_and_referrers() {
    let th = Thresholds::default();
    let s = RepoSettings::plain_oci("OCI layout", true);
    let blob = |id: &str, size| BlobRef {
        digest: dg(id),
        size,
    };
    let mut tagged = img("team/app", "T", &["v1"], "1d");
    tagged.blobs = Some(vec![blob("L1", 100), blob("L2", 50)]);
    let mut loose = img("team/app", "U", &[], "1d");
    loose.blobs = Some(vec![blob("L1", 100), blob("L3", 30)]);
    let mut child = img("team/app", "C", &[], "1d");
    child.blobs = Some(vec![blob("L4", 7)]);
    let mut index = img("team/app", "I", &["multi"], "1d");
    index.kind = ImageKind::Index;
    index.children = vec![child.digest.clone()];
    index.blobs = Some(vec![]);
    let mut sig = img("team/app", "S", &[], "1d");
    sig.kind = ImageKind::Signature;
    sig.subject = Some(tagged.digest.clone());
    sig.blobs = Some(vec![blob("L5", 9)]);
    let images = vec![tagged, loose, child, index, sig];
    let (c, bytes) = bytes::untagged(&inputs(&images, &s, &th));
    assert_eq!(c.status, Status::Warn, "{c:?}");
    assert!(c.summary.starts_with("1 untagged"), "{}", c.summary);
    // L1 is shared with the tagged image: only L3 is freed.
    assert_eq!(bytes, Some(30));
}

#[test]
fn stale_images_by_the_times_the_registry_records_release_tags_excepted() {
    let th = Thresholds::default();
    let s = RepoSettings::plain_oci("OCI layout", true);
    let mut old = img("team/app", "O", &["dev-1"], "200d");
    old.unique_bytes = Some(crate::policy::testkit::MB100);
    let release = img("team/app", "R", &["v1.2.3"], "400d");
    let fresh = img("team/app", "F", &["dev-2"], "10d");
    let mut pulled = img("team/app", "P", &["dev-3"], "300d");
    pulled.last_pulled_at = Some(ago("5d"));
    let images = vec![old, release, fresh, pulled];
    let (c, bytes) = bytes::stale(&inputs(&images, &s, &th));
    assert_eq!(c.status, Status::Warn, "{c:?}");
    assert!(
        c.summary
            .starts_with("1 image idle for more than 90 days holds"),
        "{}",
        c.summary
    );
    assert!(
        c.evidence
            .iter()
            .any(|e| e.contains("team/app:dev-1 last pushed")),
        "{:?}",
        c.evidence
    );
    assert_eq!(
        bytes,
        Some(crate::policy::testkit::MB100),
        "fallback: its unique bytes"
    );
    // Without a unique size the figure is unknown, never 0.
    let mut images = images;
    images[0].unique_bytes = None;
    let (c, bytes) = bytes::stale(&inputs(&images, &s, &th));
    assert_eq!(bytes, None);
    assert!(
        c.summary.ends_with("holds an unknown number of bytes"),
        "{}",
        c.summary
    );
    assert!(
        c.evidence.iter().any(|e| e.contains("add up to 95 MiB")),
        "{:?}",
        c.evidence
    );
    // A plain registry: by creation time, said so.
    let mut created = img("team/app", "X", &["dev-9"], "1d");
    created.pushed_at = None;
    created.created_at = Some(ago("100d"));
    let images = vec![created];
    let mut i = inputs(&images, &s, &th);
    i.records_push_time = false;
    i.records_pull_time = false;
    let (c, _) = bytes::stale(&i);
    assert_eq!(c.status, Status::Warn);
    assert!(
        c.evidence[0].starts_with("by image creation time"),
        "{:?}",
        c.evidence
    );
    // No time at all is unknown, not fresh.
    let mut none = img("team/app", "N", &["dev-8"], "1d");
    none.pushed_at = None;
    let images = vec![none];
    let (c, b) = bytes::stale(&inputs(&images, &s, &th));
    assert_eq!((c.status, b), (Status::Unknown, None));
}

#[test]
fn signatures_share_from_referrers_and_cosign_tags() {
    let th = Thresholds::default();
    let s = RepoSettings::plain_oci("OCI layout", true);
    let a = img("team/app", "A", &["v1"], "1d");
    let b = img("team/app", "B", &["v2"], "1d");
    let c = img("team/app", "C", &["v3"], "1d");
    let mut sig = img("team/app", "S", &[], "1d");
    sig.kind = ImageKind::Signature;
    sig.subject = Some(a.digest.clone());
    let cosign = img(
        "team/app",
        "K",
        &[&format!("{}.sig", b.digest.fallback_tag())],
        "1d",
    );
    let images = vec![a, b, c, sig, cosign];
    let ch = signatures::check(&inputs(&images, &s, &th));
    assert_eq!(ch.status, Status::Warn, "{ch:?}");
    assert!(
        ch.summary.starts_with("2 of 3 tagged images signed"),
        "{}",
        ch.summary
    );
    assert_eq!(
        ch.evidence,
        vec!["team/app:v3 has no signature".to_string()]
    );
    let mut s2 = RepoSettings::not_read("ECR");
    s2.listing_links_referrers = false;
    let images = vec![img("team/app", "A", &["v1"], "1d")];
    assert_eq!(
        signatures::check(&inputs(&images, &s2, &th)).status,
        Status::Unknown
    );
}

#[test]
fn public_grants_are_unconditioned_allows_to_anyone() {
    let open = r#"{"Version":"2012-10-17","Statement":[{"Sid":"pull","Effect":"Allow","Principal":"*","Action":["ecr:BatchGetImage","ecr:GetDownloadUrlForLayer"]}]}"#;
    let g = public_grants(open).unwrap();
    assert_eq!(g.len(), 1);
    assert!(
        g[0].contains("\"pull\"") && g[0].contains("ecr:BatchGetImage"),
        "{g:?}"
    );
    let aws_star = r#"{"Statement":{"Effect":"Allow","Principal":{"AWS":["*"]},"Action":"ecr:*"}}"#;
    assert_eq!(public_grants(aws_star).unwrap().len(), 1);
    let deny = r#"{"Statement":[{"Effect":"Deny","Principal":"*","Action":"ecr:*"}]}"#;
    assert!(public_grants(deny).unwrap().is_empty());
    let conditioned = r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"ecr:BatchGetImage","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-123"}}}]}"#;
    assert!(public_grants(conditioned).unwrap().is_empty());
    let account = r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"ecr:*"}]}"#;
    assert!(public_grants(account).unwrap().is_empty());
    assert!(public_grants("not json").is_err());
}

#[test]
fn settings_checks_pass_warn_fail() {
    let th = Thresholds::default();
    let images = vec![img("team/app", "A", &["v1.0.0"], "1d")];
    let mut s = RepoSettings::not_read("ECR");
    s.access = Setting::Known(Access {
        public_grants: vec!["statement #1 allows Principal \"*\"".into()],
        evidence: vec![],
    });
    s.lifecycle = Setting::Known(Lifecycle::default());
    s.tag_immutability = Setting::Known(TagImmutability::default());
    s.replication = Setting::Known(Replication {
        any_rules: true,
        ..Default::default()
    });
    let a = audit_repository(&inputs(&images, &s, &th));
    assert_eq!(status(&a, CheckId::PublicAccess), Status::Fail);
    assert_eq!(status(&a, CheckId::LifecyclePolicy), Status::Warn);
    assert_eq!(status(&a, CheckId::TagImmutability), Status::Warn);
    assert_eq!(status(&a, CheckId::Replication), Status::Warn);
    s.lifecycle = Setting::Known(Lifecycle {
        text: Some("{}".into()),
        dry_run: Some(true),
        inert: None,
        evidence: vec![],
    });
    s.tag_immutability = Setting::Known(TagImmutability {
        all_immutable: true,
        exclusions: vec!["latest".into()],
        ..Default::default()
    });
    s.replication = Setting::Known(Replication {
        any_rules: true,
        destinations: vec!["eu-central-1/123456789012".into()],
        drift: Some(vec!["v1: abc here, def there".into()]),
        evidence: vec![],
    });
    let a = audit_repository(&inputs(&images, &s, &th));
    assert_eq!(
        status(&a, CheckId::LifecyclePolicy),
        Status::Warn,
        "dry run deletes nothing"
    );
    assert_eq!(status(&a, CheckId::TagImmutability), Status::Pass);
    assert!(a
        .check(CheckId::TagImmutability)
        .unwrap()
        .evidence
        .iter()
        .any(|e| e.contains("latest")));
    assert_eq!(status(&a, CheckId::Replication), Status::Warn);
}

#[test]
fn tag_moves_from_history_and_a_moved_release_tag_fails() {
    let th = Thresholds::default();
    let images = vec![img("team/app", "A", &["latest", "v1.0.0"], "1d")];
    let s = RepoSettings::plain_oci("OCI layout", true);
    let mut h: Vec<crate::store::TagObservation> = Vec::new();
    for k in 0..15 {
        let t = ago(&format!("{}d", 40 - 2 * k));
        h.push(("latest".into(), dg(&format!("L{k}")), t, t, k == 14));
    }
    let mut i = inputs(&images, &s, &th);
    i.tag_history = Some(&h);
    let c = tags::immutability(&i);
    assert_eq!(c.status, Status::NotApplicable, "{c:?}");
    // Observed 40, 38, ... 12 days ago: the ten from 30 days ago on are moves.
    assert!(
        c.evidence[0].starts_with("latest moved 10 times in 30 days"),
        "{:?}",
        c.evidence
    );
    h.push(("v1.0.0".into(), dg("X"), ago("20d"), ago("20d"), false));
    h.push(("v1.0.0".into(), dg("Y"), ago("10d"), ago("10d"), true));
    let mut i = inputs(&images, &s, &th);
    i.tag_history = Some(&h);
    let c = tags::immutability(&i);
    assert_eq!(c.status, Status::Fail, "{c:?}");
    assert!(c.summary.contains("v1.0.0"));
}

#[test]
fn acr_locks_on_release_tags() {
    let th = Thresholds::default();
    let s = RepoSettings::not_read("ACR");
    let mut a = img("team/app", "A", &["v1.0.0", "v1.0.1"], "1d");
    a.tag_details = Some(vec![
        TagDetail {
            name: "v1.0.0".into(),
            write_enabled: Some(false),
            ..Default::default()
        },
        TagDetail {
            name: "v1.0.1".into(),
            write_enabled: Some(true),
            ..Default::default()
        },
    ]);
    let images = vec![a.clone()];
    let c = tags::immutability(&inputs(&images, &s, &th));
    assert_eq!(c.status, Status::Warn, "{c:?}");
    assert_eq!(c.evidence[0], "v1.0.1 is not locked");
    a.tag_details = None;
    a.locked = Some(Lock {
        write_enabled: false,
        delete_enabled: true,
    });
    let images = vec![a];
    assert_eq!(
        tags::immutability(&inputs(&images, &s, &th)).status,
        Status::Pass
    );
}

#[test]
fn report_totals_and_fail_on() {
    let th = Thresholds::default();
    let images = vec![img("team/app", "A", &["v1.0.0"], "1d")];
    let s = RepoSettings::plain_oci("OCI layout", true);
    let a = audit_repository(&inputs(&images, &s, &th));
    let r = AuditReport::new(now(), vec![a], vec![]);
    assert_eq!(r.schema, "regscope.audit/v1");
    assert!(r.reaches(Status::Fail));
    let t = &r.summary.registries[0];
    assert_eq!(t.failing.get("scanning"), Some(&1));
    assert!(!r.summary.partial);
    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(json["repositories"][0]["checks"][4]["status"], "n/a");
    assert_eq!(
        json["repositories"][0]["checks"][4]["id"],
        "tag-immutability"
    );
    assert!(Status::Warn.reaches(Status::Warn) && !Status::Warn.reaches(Status::Fail));
    assert!(!Status::Unknown.reaches(Status::Warn));
    assert!(is_release_tag("v1.2.3") && is_release_tag("2.0") && is_release_tag("1.4.0-rc1"));
    assert!(!is_release_tag("latest") && !is_release_tag("v1") && !is_release_tag("dev-1.2"));
}
